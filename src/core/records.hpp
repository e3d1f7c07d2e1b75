// SPDX-License-Identifier: MIT
// The records ingest produces and the metrics consume: one movements row, the sinks that
// receive rows and problems, and the accounting of one input. Ingest fills them from CSV;
// metrics, the join and the renderers read them without knowing any file format.
#pragma once

#include "core/error.hpp"
#include "core/money.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cskpi {

/// The optional columns seen in at least one file of the run.
struct ColumnSet {
  bool period = false, segment = false, new_mrr = false, reactivation_mrr = false, end_mrr = false;
  bool nps = false, at_risk = false, saved = false, health_score = false, cac = false;
  bool billing = false; ///< a movements or snapshot file was read (issue 7: runs may have none)
  // Billing-export lifecycle facts (issue 30), set by a form whose export has the column and
  // whose data uses it: a scheduled cancellation, a trial that ended, a cancellation reason.
  bool scheduled = false, trials = false, churn_kind = false;
};

/// What a billing export tells about a customer's period beyond its MRR (issue 30). Only
/// forms that know it fill it (Stripe); it is zero for every other form.
struct Lifecycle {
  Money scheduled;   ///< MRR at period end whose cancellation is scheduled for after it
  Money involuntary; ///< of the churned MRR, what ended from a failed payment
  std::uint64_t trials_ended = 0, trials_converted = 0; ///< trials that ended in the period; of them, paying after
};

/// Adds `from` to `into`; false, with `into` unchanged, when a sum overflows.
inline bool add_lifecycle(Lifecycle& into, const Lifecycle& from) noexcept {
  Lifecycle next = into;
  if (!checked_add(next.scheduled, from.scheduled) || !checked_add(next.involuntary, from.involuntary)) return false;
  next.trials_ended += from.trials_ended;
  next.trials_converted += from.trials_converted;
  into = next;
  return true;
}

/// One valid movements row. The string views live only during the RowSink call.
struct MovementRow {
  std::string_view file;
  std::uint64_t line = 0;
  std::string_view customer_id;
  std::string_view period;   ///< normalised period label; empty without a period column
  std::string_view group;    ///< value of the --by column; empty without --by
  std::string_view name;     ///< the customer's name when the file has one and it was asked for (movers)
  bool name_escaped = false; ///< `name` is a quoted cell's raw text: "" stands for each quote in it
  Money start, expansion, contraction, churned, new_mrr, reactivation;
  /// --fx-method period-end (issue 30): start_mrr at this period's rate less start_mrr at the
  /// period before's, the revaluation of the MRR the period starts with; 0 otherwise.
  Money fx;
  std::optional<Money> cac;
  int nps = -1; ///< 0..10, or -1 for no response
  bool at_risk = false;
  bool saved = false;              ///< as given, or derived as at_risk && churned == 0
  const Lifecycle* life = nullptr; ///< a billing export's lifecycle facts (issue 30); nullptr from other forms
};

/// A row with no MRR at either end of its period: it carries only lifecycle facts.
inline bool no_mrr(const MovementRow& row) noexcept {
  return row.start.micros == 0 && row.new_mrr.micros == 0 && row.reactivation.micros == 0 && row.expansion.micros == 0;
}

/// The row's MRR at period end: start + new + reactivation + expansion - contraction - churned.
/// Ingest checks that every valid row reconciles, so the sum is in range.
inline Money end_mrr(const MovementRow& row) noexcept { // inline: summed on every row
  Money end = row.start;
  checked_add(end, row.new_mrr);
  checked_add(end, row.reactivation);
  checked_add(end, row.expansion);
  checked_sub(end, row.contraction);
  checked_sub(end, row.churned);
  return end;
}

/// The name of a row as text (movers): a quoted cell's raw text has "" for each quote, undone
/// into `buffer`. Most names have no quote and come back as they are.
inline std::string_view row_name(const MovementRow& row, std::string& buffer) {
  if (!row.name_escaped) return row.name;
  buffer.clear();
  for (std::size_t i = 0; i < row.name.size(); ++i) {
    buffer.push_back(row.name[i]);
    if (row.name[i] == '"' && i + 1 < row.name.size() && row.name[i + 1] == '"') ++i;
  }
  return buffer;
}

/// A customer whose --by value differs between two consecutive periods (issue 30): its MRR
/// leaves group `from` and enters group `to` at the start of `period`. The views live only
/// during the RowSink::transfer() call.
struct TransferRow {
  std::string_view customer_id;
  std::string_view period; ///< the later period: the transfer is a line of its bridge
  std::string_view from;   ///< the customer's group at the end of the period before
  std::string_view to;     ///< its group in `period`
  Money amount;            ///< its start_mrr in `period` (its MRR at the end of the one before)
  std::string_view name{}; ///< the customer's name where the rows have one (movers), unescaped
};

/// Receives every valid row, in file order, or, when the sink can fork(), parts of a file
/// in parallel (issue 13).
class RowSink {
public:
  virtual ~RowSink() = default;
  virtual void add(const MovementRow& row) = 0;
  /// A customer without MRR at either end of the period whose lifecycle facts still count (a
  /// trial that ended without converting, issue 30). Only sinks that sum lifecycle facts take
  /// it (the default ignores it): it is no customer of the period, no movements row.
  virtual void add_lifecycle(const MovementRow& row) { (void)row; }
  /// After every row of the run: one customer's change of group (issue 30), found by
  /// Ingestor::finish(). Sinks that keep no groups ignore it.
  virtual void transfer(const TransferRow& t) { (void)t; }
  /// An empty sink of the same kind for the rows of one part of a file, fed by another
  /// thread and merged back with merge(); nullptr (the default) when this sink needs every
  /// row in file order on one thread.
  virtual std::unique_ptr<RowSink> fork() const { return nullptr; }
  /// Takes in what a fork() of this sink received, as if its rows had been added here.
  /// False, with nothing changed, when a sum would overflow: the caller then adds the rows
  /// one by one, and add() names the row that overflows.
  virtual bool merge(RowSink& part) {
    (void)part;
    return false;
  }
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
  /// The input form read: "movements"; for snapshot files "snapshots (long)", "snapshots
  /// (wide)", "chartmogul" (issue 6), "stripe", "chargebee" (issue 12); "customers" or
  /// "responses" (issue 7); "coupons" (issue 12).
  std::string role = "movements";
  std::string amounts = "units";  ///< "units", or "cents" when amounts were divided by 100
  std::uint64_t derived_rows = 0; ///< movements rows derived from a snapshot file
  std::string currency{};         ///< the amounts' currency when the file names one ("" otherwise)
  std::string converted_from{};   ///< currencies converted with --fx, comma-separated
};

} // namespace cskpi
