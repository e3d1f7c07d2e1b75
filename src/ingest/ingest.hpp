// SPDX-License-Identifier: MIT
#pragma once

#include "core/definitions.hpp"
#include "core/invoice.hpp"
#include "core/money.hpp"
#include "core/period.hpp"
#include "core/records.hpp"

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

class SnapshotTable;
struct Attributes;
struct CostsTable;
struct LogoCohortTable;
namespace ingest {
struct Run;
}

/// `threads`, or every core for 0 (--threads).
unsigned thread_count(int threads) noexcept;

/// How to read the CSV files of one run (SPEC §1.3).
struct IngestOptions {
  char delimiter = 0;                ///< 0: detected from each file's header
  std::optional<bool> decimal_comma; ///< unset: decimal comma exactly when the delimiter is ';'
  Money tolerance{};                 ///< allowed |end_mrr - computed end| (default exact)
  std::string by_column;             ///< normalised name of the --by column, empty for none
  bool by_optional = false;          ///< a file without the by_column is not an error
  bool names = false;                ///< rows carry the customer's name from a name column (issue 30: movers)
  bool fast_path = true;             ///< off: every row takes the fully general path (tests)
  /// Threads for a movements or long snapshots file (issue 13): 0 for every core. A file of
  /// `parallel_bytes` or more is cut into chunks of whole lines read on every thread
  /// (`chunk_bytes`: their size, 0 to choose); the output is the same for any number.
  int threads = 0;
  std::uint64_t parallel_bytes = 8u << 20;
  std::uint64_t chunk_bytes = 0;
  unsigned thread_count() const noexcept { return cskpi::thread_count(threads); }
  /// Snapshot files (issue 6): the length of the periods derived (default month), and
  /// whether amounts are cents (default: yes for ChartMogul logs, no otherwise).
  std::optional<PeriodLength> period_length;
  std::optional<bool> amounts_in_cents;
  bool derive = true; ///< off: snapshot files are only read (cskpi movements and cohorts derive themselves)
  /// Movements files (issue 28): each customer's start_mrr must be its MRR at the end of the
  /// period before, when the run has that period (Ingestor::finish()). A break is a warning,
  /// or with `strict` (--strict) an error. `continuity` off: not checked.
  bool strict = false;
  bool continuity = true;
  /// Customers and responses files (issue 7): health component columns to read (normalised
  /// names, cskpi health), whether health scores may exceed 100 (the power-user scheme),
  /// and the CSAT scale (0: detected from the values; 5 or 10: values above it are errors).
  std::vector<std::string> components;
  bool health_over_100 = false;
  int csat_scale = 0;
  /// Real exports (issue 12). The files' encoding: "utf-8" (default; invalid UTF-8 is an
  /// error), "cp1252" or "latin1" (transcoded). The order of slash dates: "" or "auto"
  /// (decided from the values), "DD/MM/YYYY" or "MM/DD/YYYY".
  std::string encoding = "utf-8";
  std::string date_format;
  /// --map: (our column name, the export's column name), both normalised; a header name
  /// equal to the second is read as the first. `map_optional`: a file without the
  /// export's column gets no warning.
  std::vector<std::pair<std::string, std::string>> column_map;
  bool map_optional = false;
  /// --fx FILE (`currency,rate` or `month,currency,rate`) and --currency CODE: amounts in a
  /// currency column are converted exactly into CODE. --currency alone states the currency
  /// the amounts must be in.
  std::string fx_file;
  std::string currency;
  /// --fx-method (issue 30): period-end also values each row's start_mrr at the rate of the
  /// period before (MovementRow::fx).
  FxMethod fx_method = FxMethod::constant;
  /// Stripe subscriptions (issue 12): the last day of the history (default: the latest
  /// date in the export).
  std::optional<std::int32_t> as_of_day;
  /// --definitions choices that change how a Stripe export becomes MRR (definitions.hpp).
  bool once_discounts_in_mrr = false;
  bool unpaid_keeps_mrr = false;
  /// Called after each block read (a few MiB) with the file's bytes read so far and its
  /// size (0 when unknown, e.g. stdin); the CLI draws a progress line from it.
  std::function<void(const std::string& file, std::uint64_t done, std::uint64_t total)> progress;
};

/// Checks the options a run cannot start without (the --fx file, --encoding,
/// --date-format, --map); throws a usage or input Error naming the problem.
void check_ingest_options(const IngestOptions& options);

/// Reads the input files of a run (SPEC §1.1-1.4), each in the input form its header says
/// (movements, snapshots, billing-tool exports, customers, responses): validates each row
/// and streams movements rows into a RowSink. Memory grows with distinct (period,
/// customer) pairs only: they are kept to find duplicates across all files of the run.
class Ingestor {
public:
  /// Throws like check_ingest_options().
  Ingestor(IngestOptions options, DiagnosticSink& diagnostics);
  ~Ingestor();
  Ingestor(const Ingestor&) = delete;
  Ingestor& operator=(const Ingestor&) = delete;

  /// Reads a file by path; "-" is standard input. Never throws for bad data: every problem
  /// goes to the DiagnosticSink and is counted in the summary. `last`: no file is read after
  /// this one (then a big file's duplicate check keeps 8 bytes a row instead of 16, and
  /// reads back what a duplicate needs; reading another file afterwards is a logic_error).
  InputSummary read_path(const std::string& path, RowSink& sink, bool last = false);
  /// After the last file: the checks that need every file of the run (the continuity of
  /// movements files' periods, issue 28). Reports to the DiagnosticSink; call it once.
  /// With `transfers` and a --by column: each customer whose group differs from the period
  /// before goes to transfers->transfer() (issue 30), found as continuity breaks are.
  void finish(RowSink* transfers = nullptr);
  /// Reads CSV text from a stream, naming it `display_name` in diagnostics.
  InputSummary read_stream(std::istream& in, const std::string& display_name, RowSink& sink);

  /// The period length implied by the period values read so far, if any were read.
  std::optional<PeriodLength> detected_period_length() const;
  /// The optional columns seen in any file so far.
  const ColumnSet& columns() const;
  /// The MRR history of the run's snapshot file, if it had one (issue 6).
  const SnapshotTable* snapshots() const;
  /// Hands the snapshot history over (the Ingestor keeps none afterwards).
  std::unique_ptr<SnapshotTable> take_snapshots();
  /// The customer records and survey responses read so far (issue 7), if any.
  const Attributes* attributes() const;
  std::unique_ptr<Attributes> take_attributes();
  /// The invoice lines read (issue 31), handed over.
  std::vector<InvoiceLine> take_invoices();
  /// The rows of the costs files read (issue 31), if any.
  std::unique_ptr<CostsTable> take_costs();
  /// The rows of the logo cohort tables read (issue 32), if any.
  std::unique_ptr<LogoCohortTable> take_logo_cohorts();

private:
  std::unique_ptr<ingest::Run> m_run;
};

/// What a file's header says it is (SPEC §1.1), read without consuming the file: used to
/// read customers and responses files before the billing files they are joined to.
enum class FileRole : std::uint8_t { unknown, billing, customers, responses, billing_with_attributes, reference };
FileRole peek_role(const std::string& path, const IngestOptions& options);

/// One input form (SPEC §1.1 and issue 12), in the order headers are tried against them.
struct InputForm {
  std::string_view name;          ///< as in InputSummary::role
  std::string_view recognised_by; ///< the header columns that make a file this form
  /// The shared row rules as this form applies them (issue 28): its key, what is a
  /// duplicate, how a totals row is recognised, what an empty amount cell means.
  std::string_view key, duplicate, totals, empty;
};
std::vector<InputForm> input_forms();

/// Parses a boolean cell: 1/0, true/false, yes/no, y/n in any case; empty is false.
std::optional<bool> parse_bool(std::string_view text) noexcept;

/// A customer_id such as "Total", "Grand total:", "Summe" or "Gesamt": the label of a
/// spreadsheet's totals row, never a customer (issue 12).
bool looks_like_totals_label(std::string_view text) noexcept;

} // namespace cskpi
