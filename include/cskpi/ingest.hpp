// SPDX-License-Identifier: MIT
#pragma once

#include "cskpi/error.hpp"
#include "cskpi/money.hpp"
#include "cskpi/period.hpp"

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

class DuplicateIndex;
class SnapshotTable;
struct Attributes;

/// How to read the CSV files of one run (SPEC §1.3).
struct IngestOptions {
  char delimiter = 0;                 ///< 0: detected from each file's header
  std::optional<bool> decimal_comma;  ///< unset: decimal comma exactly when the delimiter is ';'
  Money tolerance{};                  ///< allowed |end_mrr - computed end| (default exact)
  std::string by_column;              ///< normalised name of the --by column, empty for none
  bool by_optional = false;           ///< a file without the by_column is not an error
  bool fast_path = true;              ///< off: every row takes the fully general path (tests)
  int threads = 0;                    ///< 0: two for files of 8 MiB and more; 1 or 2 to force
  /// Snapshot files (issue 6): the length of the periods derived (default month), and
  /// whether amounts are cents (default: yes for ChartMogul logs, no otherwise).
  std::optional<PeriodLength> period_length;
  std::optional<bool> amounts_in_cents;
  bool derive = true; ///< off: snapshot files are only read (cskpi movements and cohorts derive themselves)
  /// Customers and responses files (issue 7): health component columns to read (normalised
  /// names, cskpi health), whether health scores may exceed 100 (the power-user scheme),
  /// and the CSAT scale (0: detected from the values; 5 or 10: values above it are errors).
  std::vector<std::string> components;
  bool health_over_100 = false;
  int csat_scale = 0;
  /// Called after each block read (a few MiB) with the file's bytes read so far and its
  /// size (0 when unknown, e.g. stdin); the CLI draws a progress line from it.
  std::function<void(const std::string& file, std::uint64_t done, std::uint64_t total)> progress;
};

/// The optional columns seen in at least one file of the run.
struct ColumnSet {
  bool period = false, segment = false, new_mrr = false, reactivation_mrr = false, end_mrr = false;
  bool nps = false, at_risk = false, saved = false, health_score = false, cac = false;
  bool billing = false; ///< a movements or snapshot file was read (issue 7: runs may have none)
};

/// One valid movements row. The string views live only during the RowSink call.
struct MovementRow {
  std::string_view file;
  std::uint64_t line = 0;
  std::string_view customer_id;
  std::string_view period; ///< normalised period label; empty without a period column
  std::string_view group;  ///< value of the --by column; empty without --by
  Money start, expansion, contraction, churned, new_mrr, reactivation;
  std::optional<Money> cac;
  int nps = -1; ///< 0..10, or -1 for no response
  bool at_risk = false;
  bool saved = false; ///< as given, or derived as at_risk && churned == 0
};

/// The row's MRR at period end: start + new + reactivation + expansion - contraction - churned.
/// Ingest checks that every valid row reconciles, so the sum is in range.
Money end_mrr(const MovementRow& row) noexcept;

/// Receives every valid row, in file order.
class RowSink {
public:
  virtual ~RowSink() = default;
  virtual void add(const MovementRow& row) = 0;
};

/// Receives every problem found, in file order.
class DiagnosticSink {
public:
  virtual ~DiagnosticSink() = default;
  virtual void report(const Diagnostic& d) = 0;
};

/// Row accounting of one input file (`rows_read == rows_used + rows_rejected`).
struct InputSummary {
  std::string file;
  std::uint64_t rows_read = 0;
  std::uint64_t rows_used = 0;
  std::uint64_t rows_rejected = 0;
  std::uint64_t warnings = 0; ///< values rounded to 6 decimals and similar non-fatal notices
  bool unreadable = false;    ///< the file could not be used at all (missing column, I/O error)
  char delimiter = ',';
  bool decimal_comma = false;
  /// "movements", or for snapshot files the form read: "snapshots (long)", "snapshots (wide)",
  /// "chartmogul" (issue 6); "customers" or "responses" (issue 7)
  std::string role = "movements";
  std::string amounts = "units"; ///< "units", or "cents" when amounts were divided by 100
  std::uint64_t derived_rows = 0; ///< movements rows derived from a snapshot file
};

/// Reads movements files (SPEC §1.1–1.4) row by row, validates each row and streams the
/// valid ones into a RowSink. Memory grows with distinct (period, customer) pairs only:
/// they are kept to find duplicates across all files of the run.
class Ingestor {
public:
  Ingestor(IngestOptions options, DiagnosticSink& diagnostics);
  ~Ingestor();
  Ingestor(const Ingestor&) = delete;
  Ingestor& operator=(const Ingestor&) = delete;

  /// Reads a file by path; "-" is standard input. Never throws for bad data: every problem
  /// goes to the DiagnosticSink and is counted in the summary.
  InputSummary read_path(const std::string& path, RowSink& sink);
  /// Reads CSV text from a stream, naming it `display_name` in diagnostics.
  InputSummary read_stream(std::istream& in, const std::string& display_name, RowSink& sink);

  /// The period length implied by the period values read so far, if any were read.
  std::optional<PeriodLength> detected_period_length() const { return m_period_length; }
  /// The optional columns seen in any file so far.
  const ColumnSet& columns() const { return m_columns; }
  /// The MRR history of the run's snapshot file, if it had one (issue 6).
  const SnapshotTable* snapshots() const { return m_snapshots.get(); }
  /// Hands the snapshot history over (the Ingestor keeps none afterwards).
  std::unique_ptr<SnapshotTable> take_snapshots();
  /// The customer records and survey responses read so far (issue 7), if any.
  const Attributes* attributes() const { return m_attributes.get(); }
  std::unique_ptr<Attributes> take_attributes();

  struct State;

private:
  IngestOptions m_options;
  DiagnosticSink& m_diagnostics;
  std::optional<PeriodLength> m_period_length;
  std::string m_period_length_first; ///< "file:line" where the period length was fixed
  std::uint32_t m_period_length_file = 0;
  ColumnSet m_columns;
  std::vector<std::string> m_file_names;
  /// Every (period, customer_id) seen, with where it was first seen.
  std::unique_ptr<DuplicateIndex> m_seen;
  std::unique_ptr<SnapshotTable> m_snapshots;
  std::unique_ptr<Attributes> m_attributes;
  std::uint32_t m_movement_files = 0; ///< files read as movements (they do not mix with snapshots)

  friend struct State;
};

/// What a file's header says it is (SPEC §1.1), read without consuming the file: used to
/// read customers and responses files before the billing files they are joined to.
enum class FileRole : std::uint8_t { unknown, billing, customers, responses, billing_with_attributes };
FileRole peek_role(const std::string& path, const IngestOptions& options);

/// Parses a boolean cell: 1/0, true/false, yes/no, y/n in any case; empty is false.
std::optional<bool> parse_bool(std::string_view text) noexcept;

} // namespace cskpi
