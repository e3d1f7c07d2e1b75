// SPDX-License-Identifier: MIT
#include "app/inputs.hpp"

#include "core/error.hpp"
#include "platform/files.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <optional>

namespace cskpi::app {

void refuse_repeated_inputs(const std::vector<std::string>& files) {
  if (std::count(files.begin(), files.end(), std::string("-")) > 1)
    throw usage_error("standard input (-) can be read only once");
  // The same file under two names (a hard link, a symbolic link, /dev/stdin and -): read
  // twice, a regular file's rows would count twice, and a pipe's second reading would wait
  // for a writer that has gone. stat(2) opens nothing, so a FIFO does not block here.
  std::vector<std::optional<platform::FileInfo>> info(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    info[i] = files[i] == "-" ? platform::file_info(platform::k_stdin) : platform::file_info(files[i]);
    for (std::size_t j = 0; j < i; ++j) {
      if (files[j] == files[i])
        throw usage_error(fmt::format("{} is named twice: each input can be read only once", files[i]));
      if (info[i] && info[j] && info[i]->same_file(*info[j]))
        throw usage_error(fmt::format("{} and {} are the same file: each input can be read only once",
                                      files[j] == "-" ? "standard input (-)" : files[j],
                                      files[i] == "-" ? "standard input (-)" : files[i]));
    }
  }
}

std::vector<std::size_t> reading_order(const std::vector<std::string>& files, const IngestOptions& opts) {
  refuse_repeated_inputs(files);
  if (files.size() == 1) return {0}; // nothing to order: the file is not opened twice
  // Files with customer attributes (and coupons) are read first, so the join (and the
  // subscriptions) know them before the billing rows arrive; standard input, whose header
  // cannot be peeked, comes next.
  std::vector<std::size_t> order, later;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const FileRole role = files[i] == "-" ? FileRole::unknown : peek_role(files[i], opts);
    const bool first = role == FileRole::customers || role == FileRole::responses ||
        role == FileRole::billing_with_attributes || role == FileRole::reference;
    (first ? order : later).push_back(i);
  }
  std::stable_partition(later.begin(), later.end(), [&](std::size_t i) { return files[i] == "-"; });
  order.insert(order.end(), later.begin(), later.end());
  return order;
}

Loaded load_inputs(const std::vector<std::string>& files, IngestOptions opts, DiagnosticSink& diags, bool ledger,
                   RowSink* also) {
  Loaded l;
  Ingestor ingestor(opts, diags);
  l.aggregator = std::make_unique<Aggregator>(!opts.by_column.empty());
  if (also != nullptr) l.tee = std::make_unique<TeeSink>(*l.aggregator, *also);
  RowSink& counted = l.tee ? static_cast<RowSink&>(*l.tee) : *l.aggregator;
  l.joiner = std::make_unique<Joiner>(counted, [&ingestor] { return ingestor.attributes(); });
  if (ledger) l.ledger = std::make_unique<LedgerSink>(*l.joiner, !opts.by_column.empty());
  RowSink& rows = l.ledger ? static_cast<RowSink&>(*l.ledger) : *l.joiner;
  std::vector<InputSummary> read(files.size());
  const std::vector<std::size_t> order = reading_order(files, opts);
  for (std::size_t n = 0; n < order.size(); ++n)
    read[order[n]] = ingestor.read_path(files[order[n]], rows, n + 1 == order.size());
  ingestor.finish(l.joiner.get()); // segment transfers (issue 30) reach the aggregator through the join
  l.inputs = std::move(read);      // in the order given
  l.columns = ingestor.columns();
  l.detected_length = ingestor.detected_period_length();
  l.snapshots = ingestor.take_snapshots();
  l.attributes = ingestor.take_attributes();
  l.invoices = ingestor.take_invoices();
  l.costs = ingestor.take_costs();
  return l;
}

} // namespace cskpi::app
