// SPDX-License-Identifier: MIT
// Internal to ingest: the continuity of movements files (issue 28). A customer's start_mrr in
// a period is its MRR at the end of the period before: a file whose rows each reconcile can
// still hold a customer who ends September at 100 and starts October at 150, or one who
// starts October at 300 with no row in September.
//
// Checking that row by row would keep every (customer, period) with its amounts: 30 bytes a
// row, where a sorted 10 M-row file is read in 9 MB. So the rows are not kept. Each period
// sums a hash of (customer, start_mrr) over its rows with start_mrr > 0, and a hash of
// (customer, end MRR) over its rows with end MRR > 0: where every start continues the end
// before, the first sum of a period equals the second of the period before (a multiset of
// pairs, compared by its sum of hashes; a collision is one chance in 2^64). Only when two
// sums differ are the files of the two periods read again, keeping those two periods' rows,
// to name each break.
//
// The same sums find the customers whose --by value changes between two periods (issue 30:
// segment transfers). A grouped row also adds its (customer, amount) hash times an odd hash
// of its group: where every customer keeps its group, those sums match as the first do. Only
// when they differ are the two periods read again, to find each customer's group before and
// after and so the transfers between groups.
#pragma once

#include "core/records.hpp"
#include "ingest/ingest.hpp"

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cskpi::ingest {

/// The sums of one period: see the file's comment.
struct ContinuitySums {
  std::uint64_t starts = 0, ends = 0;             ///< sums of hashes
  std::uint64_t starting = 0, ending = 0;         ///< rows with start_mrr > 0, with end MRR > 0
  std::uint64_t group_starts = 0, group_ends = 0; ///< the same hashes times their group's (grouped rows only)
  /// Some rows were not summed (a sink sums nothing while all its rows are of one period):
  /// the period's files are read again if a period next to it is in the run.
  bool partial = false;
};

/// A 64-bit hash of a customer id, short ids (the common case) in one or two words.
inline std::uint64_t continuity_id_hash(std::string_view id) noexcept {
  constexpr std::uint64_t k = 0x9E3779B97F4A7C15ull;
  std::uint64_t h = 0x243F6A8885A308D3ull ^ (id.size() * k);
  std::size_t i = 0;
  for (; i + 8 <= id.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, id.data() + i, 8);
    h = (h ^ w) * k;
    h ^= h >> 29;
  }
  if (i < id.size()) {
    std::uint64_t w = 0;
    std::memcpy(&w, id.data() + i, id.size() - i);
    h = (h ^ w) * k;
    h ^= h >> 29;
  }
  return h;
}

/// Mixes a customer's hash with an amount (splitmix64's finaliser).
inline std::uint64_t continuity_mix(std::uint64_t id_hash, std::int64_t micros) noexcept {
  std::uint64_t z = id_hash + static_cast<std::uint64_t>(micros) * 0xBF58476D1CE4E5B9ull + 0x94D049BB133111EBull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

using PeriodSums = std::vector<std::pair<std::uint64_t, ContinuitySums>>;
/// Adds `from`'s sums to `into`'s, period by period.
void add_sums(PeriodSums& into, const PeriodSums& from);

/// Wraps the sink a file's rows go to, and sums each period's hashes on the way while
/// `on` (a movements file with a period column). It forks as the sink it wraps does, its
/// forks summing apart; merging adds the sums.
class ContinuitySink : public RowSink {
public:
  /// `on` is read on every row: set it once the file is known to be a movements file.
  /// `lazy`: the sink's file can be read again, so nothing is summed while every row is of
  /// one period (a one-period file, the common month-end export, costs nothing); once a
  /// second period comes, the first is marked partial and the check reads its files again.
  ContinuitySink(RowSink& inner, const bool& on, bool lazy = false)
      : m_inner(&inner), m_on(&on), m_lazy_file(lazy), m_lazy(lazy) {}

  void add(const MovementRow& row) override {
    m_inner->add(row);
    if (*m_on) note(row);
  }
  void add_lifecycle(const MovementRow& row) override { m_inner->add_lifecycle(row); } // no MRR: nothing to sum
  std::unique_ptr<RowSink> fork() const override;
  bool merge(RowSink& part) override;

  /// The sums by period label, as (label packed in a word, sums).
  const PeriodSums& sums() {
    settle();
    return m_sums;
  }
  /// A label of up to 8 bytes in a word (every period label is: "2026-Q3"), and back.
  static std::uint64_t pack(std::string_view label) noexcept {
    std::uint64_t w = 0;
    std::memcpy(&w, label.data(), label.size() < 8 ? label.size() : 8);
    return w;
  }
  static std::string unpack(std::uint64_t w) {
    char buf[8];
    std::memcpy(buf, &w, 8);
    return std::string(buf, strnlen(buf, 8));
  }

private:
  void note(const MovementRow& row) {
    if (row.period.empty() || row.period.size() > 8) return;
    if (m_lazy) {
      const std::uint64_t key = pack(row.period);
      if (m_lazy_key == 0 || m_lazy_key == key) {
        m_lazy_key = key;
        return;
      }
      m_lazy = false; // a second period: sum from here on, and the first is partial
      settle_key();
    }
    const Money end = end_mrr(row);
    // With --fx-method period-end a start continues the end before at that period's rate.
    const Money start{row.start.micros - row.fx.micros};
    if (start.micros <= 0 && end.micros <= 0) return;
    ContinuitySums& s = period(pack(row.period));
    const std::uint64_t h = continuity_id_hash(row.customer_id);
    // Odd, so that a product with it is 0 only for a 0 hash; 1 (no change) without --by.
    const std::uint64_t g = row.group.empty() ? 1 : continuity_id_hash(row.group) | 1;
    if (start == end) { // most rows: no movement, one mix for both sums
      const std::uint64_t v = continuity_mix(h, end.micros);
      s.starts += v;
      s.ends += v;
      s.group_starts += v * g;
      s.group_ends += v * g;
      ++s.starting;
      ++s.ending;
      return;
    }
    if (start.micros > 0) {
      const std::uint64_t v = continuity_mix(h, start.micros);
      s.starts += v;
      s.group_starts += v * g;
      ++s.starting;
    }
    if (end.micros > 0) {
      const std::uint64_t v = continuity_mix(h, end.micros);
      s.ends += v;
      s.group_ends += v * g;
      ++s.ending;
    }
  }
  ContinuitySums& period(std::uint64_t key) {
    if (m_last < m_sums.size() && m_sums[m_last].first == key) return m_sums[m_last].second;
    return find(key);
  }
  ContinuitySums& find(std::uint64_t key);
  /// The period a lazy sink has not summed, marked partial in the sums.
  void settle_key() {
    if (m_lazy_key != 0) find(m_lazy_key).partial = true;
    m_lazy_key = 0;
  }
  void settle() {
    if (m_lazy) settle_key();
  }

  RowSink* m_inner;
  std::unique_ptr<RowSink> m_owned; ///< a fork's own fork of the inner sink
  const bool* m_on;
  bool m_lazy_file = false; ///< the file can be read again: forks are lazy too
  bool m_lazy = false;
  std::uint64_t m_lazy_key = 0; ///< the one period a lazy sink has seen, 0 for none
  std::size_t m_last = 0;
  PeriodSums m_sums;
};

/// What the run keeps for the check at its end.
struct ContinuityRun {
  bool file_on = false; ///< the file being read is a movements file with a period column
  PeriodSums sums;      ///< of every such file read
  /// By file index: the path to read again ("" for a file that is not such a file), and the
  /// columns of customer_id and start_mrr (1-based).
  std::vector<std::string> paths;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> columns;
  bool from_stream = false; ///< such a file came from standard input or a stream: it cannot be read again
  std::string stream_name;  ///< the first such
};

/// One break, to be reported.
struct ContinuityBreak {
  std::string file; ///< where it is reported: the later period's row, or the earlier's when that has none
  std::uint64_t line = 0;
  std::uint32_t column = 0;
  std::string message;
  std::uint32_t file_index = 0; ///< for the order of the diagnostics
};

/// One row as the second reading keeps it.
struct ContinuityRow {
  std::string id;
  std::string group; ///< its --by value (empty without --by)
  Money start, end;
  std::uint32_t file = 0; ///< index in the run's files
  std::uint64_t line = 0;
  std::string name{}; ///< the customer's name, where the rows carry one (movers, issue 30)
};

/// The breaks between the rows of period `before` and those of `after`, the period right
/// after it: each customer's start in `after` is its end in `before` within `tolerance`, a
/// customer with a start > 0 in `after` has a row in `before`, and one with an end > 0 in
/// `before` has a row in `after`. `names` and `columns` (customer_id, start_mrr; 1-based) are
/// by file index. Sorted by file and line.
std::vector<ContinuityBreak> continuity_breaks(const std::string& before_label,
                                               const std::vector<ContinuityRow>& before, const std::string& after_label,
                                               const std::vector<ContinuityRow>& after, Money tolerance,
                                               const std::vector<std::string>& names,
                                               const std::vector<std::pair<std::uint32_t, std::uint32_t>>& columns);

/// A customer's change of group between period `before` and the period `after` right after
/// it (issue 30): its row in `after` starts with MRR and is of another group than its row in
/// `before`, which ended with MRR. The amount is the start in `after`.
struct ContinuityTransfer {
  std::string id, from, to;
  Money amount;
  std::string name{}; ///< the name on its row in `after`, else in `before` ("" without one)
};

/// The transfers between the rows of two consecutive periods, in the order of `after`'s rows.
std::vector<ContinuityTransfer> continuity_transfers(const std::vector<ContinuityRow>& before,
                                                     const std::vector<ContinuityRow>& after);

} // namespace cskpi::ingest
