// SPDX-License-Identifier: MIT
// Reading every input of a run, in the order the join needs (issue 29: out of the CLI).
#pragma once

#include "app/ledger.hpp"
#include "core/attributes.hpp"
#include "core/costs.hpp"
#include "core/records.hpp"
#include "core/snapshot_table.hpp"
#include "ingest/ingest.hpp"
#include "metrics/aggregate.hpp"
#include "metrics/leading.hpp"
#include "metrics/movers.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cskpi::app {

/// The result of reading every input of a run.
struct Loaded {
  std::vector<InputSummary> inputs; ///< in the order given
  std::unique_ptr<Aggregator> aggregator;
  std::unique_ptr<TeeSink> tee; ///< the aggregator and the `also` sink of load_inputs, when given
  ColumnSet columns;
  std::optional<PeriodLength> detected_length;
  std::unique_ptr<SnapshotTable> snapshots; ///< the history, when the input was a snapshot file
  std::unique_ptr<Attributes> attributes;   ///< customer records and responses, when the run had any
  std::unique_ptr<Joiner> joiner;           ///< what the join needs of the billing rows
  std::unique_ptr<LedgerSink> ledger;       ///< every customer's movements, when asked for (issue 30)
  std::vector<InvoiceLine> invoices;        ///< invoice lines (issue 31), when the run had an invoices file
  std::unique_ptr<CostsTable> costs;        ///< the costs files' rows, when the run had any (issue 31)
};

/// Throws a usage error when standard input is named twice, a path is named twice, or two
/// paths name the same file (same device and inode: a link, /dev/stdin beside -), whatever
/// its kind: a regular file's rows would count twice, a pipe cannot be read again.
void refuse_repeated_inputs(const std::vector<std::string>& files);
/// The order to read `files` in (indices): files the others refer to first (customers,
/// responses, coupons: peeked at from their headers), standard input last of the rest.
/// Calls refuse_repeated_inputs() first.
std::vector<std::size_t> reading_order(const std::vector<std::string>& files, const IngestOptions& opts);
/// Reads every file into an Aggregator, in reading_order(), reporting each problem to
/// `diags`; `opts.progress`, when set, follows the reading. Throws a usage error when
/// an input is named twice (refuse_repeated_inputs()). `ledger`: also keep every customer's
/// movements (the month-close lock, issue 30). `also`, when given, receives every row the aggregator does
/// (the movers, issue 30); it must fork and merge whenever the aggregator does.
Loaded load_inputs(const std::vector<std::string>& files, IngestOptions opts, DiagnosticSink& diags,
                   bool ledger = false, RowSink* also = nullptr);

} // namespace cskpi::app
