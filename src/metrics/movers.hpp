// SPDX-License-Identifier: MIT
// Movers (issue 30): the customers behind each line of the MRR bridge, per period, group and
// kind of movement. A sink keeps the largest N of each line (a bounded heap) or every one, and
// the exact sum of the line, so each mover's share of its line is known. Pure: no I/O.
#pragma once

#include "core/money.hpp"
#include "core/records.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cskpi {

__extension__ typedef __int128 mover_i128; // a line's exact sum cannot overflow: 2^127 micro-units

/// One kind of mover: a bridge line and what one row adds to it. The amounts of a line's rows
/// sum to the line's value in the report, so shares add up to 100 %. A segment transfer is no
/// row's: its kinds have no `amount`, their movers come from RowSink::transfer().
struct MoverKind {
  std::string_view id;   ///< "churned": what --kind and the `kind` field say
  std::string_view line; ///< "mrr_churned": the bridge line's metric id
  /// What a row adds to the line; nullptr for a transfer's kind.
  Money (*amount)(const MovementRow& row) noexcept;
};

namespace mover_amounts {
// Expansion counts for starting customers (start_mrr > 0) only: what a row starting at 0
// brings in is new MRR, its new_mrr and expansion (SPEC §2.1, the bridge's mrr_new). Every
// row's contraction and churn are on those lines, as in the bridge.
inline Money new_mrr(const MovementRow& r) noexcept {
  if (r.start.micros > 0) return r.new_mrr;
  Money v = r.new_mrr;
  checked_add(v, r.expansion);
  return v;
}
inline Money expansion(const MovementRow& r) noexcept { return r.start.micros > 0 ? r.expansion : Money{}; }
inline Money reactivation(const MovementRow& r) noexcept { return r.reactivation; }
inline Money contraction(const MovementRow& r) noexcept { return r.contraction; }
inline Money churned(const MovementRow& r) noexcept { return r.churned; }
} // namespace mover_amounts

/// The kinds in the bridge's order: inflows, then outflows. The transfers (issue 30) are lines
/// of the --by groups only: they cancel out in the whole base.
inline constexpr std::array<MoverKind, 7> k_mover_kinds = {{
    {"new", "mrr_new", mover_amounts::new_mrr},
    {"expansion", "mrr_expansion", mover_amounts::expansion},
    {"reactivation", "mrr_reactivation", mover_amounts::reactivation},
    {"transfer_in", "mrr_transfer_in", nullptr},
    {"contraction", "mrr_contraction", mover_amounts::contraction},
    {"churned", "mrr_churned", mover_amounts::churned},
    {"transfer_out", "mrr_transfer_out", nullptr},
}};
inline constexpr std::size_t k_mover_kind_count = k_mover_kinds.size();
inline constexpr std::size_t k_transfer_in = 3, k_transfer_out = 6; ///< their indexes in k_mover_kinds
/// Whether kind `k` is a transfer's, not a row's.
/// (By index, not by the amount's null pointer: GCC's UBSan does not take a function pointer
/// compared in a constant expression.)
constexpr bool is_transfer_kind(std::size_t k) noexcept { return k == k_transfer_in || k == k_transfer_out; }

/// The index of kind `id` in k_mover_kinds, or k_mover_kind_count if there is none.
std::size_t mover_kind_index(std::string_view id) noexcept;

/// One customer behind a line.
struct Mover {
  std::string customer_id;
  Money amount;
  std::string name; ///< "" unless the input names the customer
};

/// Whether `a` ranks before `b`: the larger amount first, equal amounts by customer id (so
/// the result does not depend on the order rows arrive in, or on threads).
inline bool mover_before(const Mover& a, const Mover& b) noexcept {
  return a.amount.micros != b.amount.micros ? a.amount.micros > b.amount.micros : a.customer_id < b.customer_id;
}

/// One bridge line of one period and group, with its movers.
struct MoverLine {
  std::string period; ///< "" without a period column
  std::string group;  ///< the --by value; "" for the whole base, or an empty value
  bool whole = true;  ///< the whole base, not a --by group
  std::size_t kind = 0;
  mover_i128 total = 0;        ///< the line's exact sum, of every row (the movers' shares are of it)
  std::uint64_t customers = 0; ///< customers with an amount above 0 on the line
  std::vector<Mover> movers;   ///< the largest first; at most the sink's limit

  const MoverKind& kind_def() const noexcept { return k_mover_kinds[kind]; }
  /// `m`'s share of the line (0..1); 0 when the line sums to 0 or less.
  double share(const Mover& m) const noexcept {
    return total > 0 ? static_cast<double>(m.amount.micros) / static_cast<double>(total) : 0.0;
  }
};

/// Keeps the movers of every line: per period, group and kind, the `limit` customers with
/// the largest amount above 0 (every one with limit 0). Forks merge exactly: the top N of a
/// union is the top N of the parts' top N.
class MoversSink : public RowSink {
public:
  /// `limit`: movers kept per line, 0 for all. `grouped`: rows carry a --by value, and the
  /// whole base's lines are made from the groups' at the end.
  MoversSink(std::size_t limit, bool grouped) : m_limit(limit), m_grouped(grouped) {}
  void add(const MovementRow& row) override;
  /// A customer's change of group: a mover of the transfer_out line of the group it left and
  /// of the transfer_in line of the one it entered, for its MRR at the change.
  void transfer(const TransferRow& t) override;
  std::unique_ptr<RowSink> fork() const override { return std::make_unique<MoversSink>(m_limit, m_grouped); }
  /// Takes in a fork's lines; never fails (the sums are 128 bits wide).
  bool merge(RowSink& part) override;

  /// Every line that has a row with an amount, periods sorted, within a period the whole base
  /// first, then the groups sorted, each in k_mover_kinds order.
  std::vector<MoverLine> lines() const;

private:
  struct Line {
    mover_i128 total = 0;
    std::uint64_t customers = 0;
    std::vector<Mover> heap; ///< a heap whose front ranks last, while full (limit > 0)
  };
  using Lines = std::array<Line, k_mover_kind_count>;
  struct Period {
    Lines all;
    std::map<std::string, Lines, std::less<>> groups;
  };
  void offer(Line& line, std::string_view customer, std::string_view name, Money amount) const;
  void take(Line& into, const Line& from) const;
  Lines& lines_of(const MovementRow& row);
  /// add() for kind K: the row's amount on the line, if any.
  template <std::size_t K> void offer_row(const MovementRow& row, Lines*& lines);
  /// offer_row() for each of the kinds I.
  template <std::size_t... I> void offer_rows(const MovementRow& row, std::index_sequence<I...>);

  std::size_t m_limit;
  bool m_grouped;
  std::map<std::string, Period, std::less<>> m_periods;
  Period* m_last = nullptr; ///< rows of one period usually come together
  std::string m_last_period;
  std::vector<std::pair<std::string_view, Lines*>> m_recent; ///< groups of m_last met so far (map nodes stay put)
};

/// Feeds every row to two sinks; forks while both do. The first's merge may fail (an
/// overflow), the second's must not: then nothing is changed.
class TeeSink : public RowSink {
public:
  TeeSink(RowSink& first, RowSink& second) : m_first(&first), m_second(&second) {}
  void add(const MovementRow& row) override {
    m_first->add(row);
    m_second->add(row);
  }
  void add_lifecycle(const MovementRow& row) override {
    m_first->add_lifecycle(row);
    m_second->add_lifecycle(row);
  }
  void transfer(const TransferRow& t) override {
    m_first->transfer(t);
    m_second->transfer(t);
  }
  std::unique_ptr<RowSink> fork() const override;
  bool merge(RowSink& part) override;

private:
  RowSink* m_first;
  RowSink* m_second;
  std::unique_ptr<RowSink> m_own_first, m_own_second; ///< a fork's parts
};

} // namespace cskpi
