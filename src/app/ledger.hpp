// SPDX-License-Identifier: MIT
// The month-close lock's inputs (issue 30): the fingerprint of every customer's movements,
// taken from the rows on their way to the aggregator, and the baseline file read back.
#pragma once

#include "core/records.hpp"
#include "report/baseline.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace cskpi::app {

/// Passes every row on to `next` and sums each customer's movements per period and group.
/// Forks and merges with `next`, so a file read on several threads gives the same ledger.
class LedgerSink : public RowSink {
public:
  /// `grouped`: the run has --by (an empty value is then the group "(blank)", as reported).
  LedgerSink(RowSink& next, bool grouped) : m_next(&next), m_grouped(grouped) {}
  void add(const MovementRow& row) override;
  /// Lifecycle facts and transfers pass on as they are: they are no movements of a customer.
  void add_lifecycle(const MovementRow& row) override { m_next->add_lifecycle(row); }
  void transfer(const TransferRow& t) override { m_next->transfer(t); }
  std::unique_ptr<RowSink> fork() const override;
  bool merge(RowSink& part) override;
  /// The ledger of every row received: sorted by period, customer and group.
  CustomerLedger ledger() const;

private:
  /// Sums wrap (unsigned) so that they never overflow and do not depend on the order of the
  /// rows; the hash of equal sums is equal, which is all a fingerprint needs.
  struct Sums {
    std::uint64_t start = 0, new_mrr = 0, reactivation = 0, expansion = 0, contraction = 0, churned = 0;
  };
  RowSink* m_next;
  bool m_grouped;
  std::unique_ptr<RowSink> m_owned;                ///< a fork's part of `next`
  std::map<std::string, Sums, std::less<>> m_sums; ///< "period\x1f" "group\x1f" "customer"
};

/// Reads the baseline at `path` (an earlier `cskpi report --format json`); throws an input
/// error (exit 3) when it cannot be read or is not a baseline (report/baseline.hpp).
Baseline read_baseline(const std::string& path);

} // namespace cskpi::app
