// SPDX-License-Identifier: MIT
// The snapshot table of the forms that build one (long and wide snapshots, Stripe, Recurly, Kill
// Bill, Chargebee, ChartMogul): opened once per run, then checked and turned into movements once
// the file's rows are in. A month-end snapshot file must hold every month the derivation reads.
#include "ingest/reader.hpp"

#include "core/text.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace cskpi::ingest {

SnapshotTable* open_snapshot_table(FileReader& rd, std::optional<bool> cents_default) {
  Run& run = rd.run;
  if (cents_default) {
    rd.cents = run.options.amounts_in_cents.value_or(*cents_default);
    rd.summary.amounts = rd.cents ? "cents" : "units";
  }
  rd.check_by_column();
  if (run.snapshots) {
    rd.fatal(rd.line, "only one snapshot file per run: put the history in one file");
    return nullptr;
  }
  if (run.movement_files > 0) {
    rd.fatal(rd.line, "a snapshot file cannot be read with movements files in one run; report them separately");
    return nullptr;
  }
  run.snapshots = std::make_unique<SnapshotTable>();
  run.columns.billing = true;
  return run.snapshots.get();
}

namespace {

/// The months a derivation reads that the file holds no MRR for: each derived period's
/// opening month (the one before it) and closing month. Read as 0, such a month would make every
/// customer churn in it and come back after.
std::vector<MonthIndex> unwritten_ends(const SnapshotTable& table, PeriodLength length) {
  std::vector<MonthIndex> out;
  for (const DerivedPeriod& p : derivable_periods(table, length))
    for (const MonthIndex m : {p.first_month - 1, p.last_month})
      if (!table.written(m) && (out.empty() || out.back() != m)) out.push_back(m);
  return out;
}

/// False (fatal) when a month-end snapshot file lacks a month the derivation reads: a column
/// missing from a wide file, a month no row of a long one is for, a header cell that named a
/// month cskpi could not read. Snapshots a quarter (or a year) apart get the option that reads them.
bool refuse_missing_months(FileReader& rd, const SnapshotTable& table, PeriodLength length) {
  const std::vector<MonthIndex> missing = unwritten_ends(table, length);
  if (missing.empty()) return true;
  std::vector<std::string> shown;
  for (std::size_t i = 0; i < missing.size() && i < 3; ++i) shown.push_back(month_label(missing[i]));
  const std::size_t more = missing.size() - shown.size();
  // Every month written a quarter's (or year's) end, and every end there: snapshots that far apart.
  const auto spaced = [&](PeriodLength longer) {
    const int span = months_per_period(longer);
    for (MonthIndex m = table.first(); m <= table.last(); ++m)
      if (table.written(m) && (m + 1) % span != 0) return false;
    return !derivable_periods(table, longer).empty() && unwritten_ends(table, longer).empty();
  };
  std::string hint;
  for (const PeriodLength longer : {PeriodLength::quarter, PeriodLength::year})
    if (length == PeriodLength::month && hint.empty() && spaced(longer))
      hint = fmt::format(". Snapshots a {0} apart are read with --period-length {0}", to_string(longer));
  const std::uint64_t rejected = rd.summary.rows_rejected;
  rd.fatal(0,
           fmt::format("the file holds no MRR for {}{} (its months run from {} to {}{}): a month missing from "
                       "a snapshot file would read as every customer churning and coming back. Add the "
                       "month to the export{}",
                       fmt::join(shown, ", "), more == 0 ? "" : fmt::format(" and {} more", more),
                       month_label(table.first()), month_label(table.last()),
                       rejected == 0 ? "" : fmt::format(", and {} of its rows were rejected above", rejected), hint));
  return false;
}

/// An id as the similar-ids check compares it: a number without its leading zeros, else the id in
/// lower case.
std::string_view folded_id(std::string_view id, std::string& buf) {
  if (all_digits(id)) return id.substr(std::min(id.find_first_not_of('0'), id.size() - 1));
  buf.resize(id.size());
  for (std::size_t i = 0; i < id.size(); ++i) buf[i] = ascii_lower(id[i]);
  return buf;
}

/// A 32-bit hash of a folded id (FNV-1a, then mixed so its high bits are spread).
std::uint32_t folded_hash(std::string_view id, std::string& buf) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : folded_id(id, buf)) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  return static_cast<std::uint32_t>(h >> 32);
}

/// Sorts values by their high 32 bits (four passes of a byte each, least significant first).
void sort_by_high_half(std::vector<std::uint64_t>& v) {
  std::vector<std::uint64_t> tmp(v.size());
  for (int shift = 32; shift < 64; shift += 8) {
    std::array<std::size_t, 257> count{};
    for (const std::uint64_t x : v) ++count[((x >> shift) & 0xFF) + 1];
    for (std::size_t b = 1; b < count.size(); ++b) count[b] += count[b - 1];
    for (const std::uint64_t x : v) tmp[count[(x >> shift) & 0xFF]++] = x;
    v.swap(tmp);
  }
}

/// Customer ids that differ only in case (ACME, Acme) or in a number's leading zeros (00042,
/// 42: a spreadsheet drops them) are two customers, as the ids say; but more often one
/// customer exported two ways, which reads as a churn and a new customer. A warning names them.
void warn_similar_ids(FileReader& rd, const SnapshotTable& table) {
  // Each customer as (hash of its folded id, index) in one word, sorted by the hash: customers
  // alike share a run, and only a run's few members are folded again and compared. No table
  // of keys and no allocation per customer: 1 M customers are read in under 2 s.
  std::string buf, other;
  std::vector<std::uint64_t> keyed(table.customers());
  for (std::uint32_t c = 0; c < table.customers(); ++c)
    keyed[c] = std::uint64_t{folded_hash(table.id(c), buf)} << 32 | c;
  sort_by_high_half(keyed); // stable: a run's members stay in customer order
  std::uint64_t pairs = 0;
  std::pair<std::uint32_t, std::uint32_t> first{};
  for (std::size_t i = 0; i < keyed.size();) {
    std::size_t end = i + 1;
    while (end < keyed.size() && keyed[end] >> 32 == keyed[i] >> 32) ++end;
    for (std::size_t a = i + 1; a < end; ++a) { // alike one before it in the run: a pair
      const auto later = static_cast<std::uint32_t>(keyed[a]);
      const std::string_view fa = folded_id(table.id(later), buf);
      for (std::size_t b = i; b < a; ++b) {
        const auto earlier = static_cast<std::uint32_t>(keyed[b]);
        if (folded_id(table.id(earlier), other) != fa) continue;
        if (pairs++ == 0 || later < first.second) first = {earlier, later};
        break;
      }
    }
    i = end;
  }
  if (pairs == 0) return;
  rd.diag(0, k_absent, Severity::warning,
          fmt::format("customers {} and {} differ only in {}: they are counted as two customers; if they are one, "
                      "write its id one way in the export{}",
                      show(table.id(first.first)), show(table.id(first.second)),
                      all_digits(table.id(first.first)) ? "leading zeros" : "upper and lower case",
                      pairs == 1 ? ""
                                 : fmt::format(" ({} pairs of ids alike but for case or leading zeros; this is the "
                                               "first)",
                                               pairs)));
}

} // namespace

void finish_snapshots(FileReader& rd, SnapshotTable& table) {
  Run& run = rd.run;
  table.close_range();
  if (table.empty()) return; // no valid rows: the report says so
  const PeriodLength length = run.options.period_length.value_or(PeriodLength::month);
  if (rd.form_info->monthly_snapshots && !refuse_missing_months(rd, table, length)) return;
  if (derivable_periods(table, length).empty()) {
    rd.fatal(0,
             fmt::format("read as {} because the header has {}: its MRR from {} to {} holds no whole {} after the "
                         "first month, which only opens the history. If the file is another form, check its header "
                         "against the forms: {}",
                         rd.form_info->name, rd.form_info->key_columns, month_label(table.first()),
                         month_label(table.last()), to_string(length), list_forms()));
    return;
  }
  warn_similar_ids(rd, table);
  if (!apply_fx_method(rd, table, length)) return;
  run.period_length = length;
  run.period_length_first = rd.name;
  run.period_length_file = rd.file_index;
  run.columns.period = true;
  run.columns.new_mrr = true;
  run.columns.reactivation_mrr = true;
  if (run.options.derive)
    rd.summary.derived_rows = derive_movements(table, length, rd.name, rd.sink, run.options.thread_count());
}

} // namespace cskpi::ingest
