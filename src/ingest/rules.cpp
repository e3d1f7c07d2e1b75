// SPDX-License-Identifier: MIT
// The rules every input form applies to its rows (rules.hpp).
#include "rules.hpp"

#include <fmt/format.h>

namespace cskpi::ingest {

bool TotalsRule::reject(FileReader& rd, std::size_t key_field, std::span<const Money> amounts, std::size_t first_amount_field) {
  if (key_field != k_absent && looks_like_totals_label(rd.fields[key_field])) {
    rd.field_error(key_field, fmt::format("{} {} looks like a totals row, not a customer: delete the line from the export",
                                          rd.names[key_field], show(key_cell(rd.fields[key_field]))));
    return true;
  }
  if (m_overflow || m_rows < 2 || amounts.size() < 2 || amounts.size() != m_sums.size()) return false;
  int non_zero = 0;
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    if (amounts[i] != m_sums[i]) return false;
    non_zero += amounts[i].micros != 0;
  }
  if (non_zero < 2) return false;
  rd.field_error(first_amount_field, fmt::format("this looks like a totals row: its amounts are the sums of the {} rows above; "
                                                 "delete the line from the export",
                                                 m_rows));
  return true;
}

void TotalsRule::add(std::span<const Money> amounts) {
  if (m_sums.empty()) m_sums.resize(amounts.size());
  if (amounts.size() != m_sums.size()) {
    m_overflow = true; // rows of another shape: no sums to compare with
    return;
  }
  for (std::size_t i = 0; i < amounts.size(); ++i)
    m_overflow |= __builtin_add_overflow(m_sums[i].micros, amounts[i].micros, &m_sums[i].micros);
  ++m_rows;
}

bool DuplicateRule::note(FileReader& rd, std::size_t field, std::string_view what, std::string_view shown, std::string key) {
  const auto [it, fresh] = m_first.try_emplace(std::move(key), rd.line);
  if (fresh) return true;
  rd.field_error(field, fmt::format("{} {} appears twice: lines {} and {}", what, shown, it->second, rd.line));
  return false;
}

Money required_amount(FileReader& rd, std::size_t field, std::string_view what, std::string_view why_needed,
                      bool allow_negative) {
  if (is_blank(rd.fields[field])) {
    rd.field_error(field, fmt::format("{} is empty: {}", what, why_needed));
    return Money{};
  }
  return rd.amount(field, what, allow_negative);
}

} // namespace cskpi::ingest
