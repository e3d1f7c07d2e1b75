// SPDX-License-Identifier: MIT
// The rules every input form applies to its rows (rules.hpp).
#include "ingest/rules.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi {

// Declared in ingest.hpp: cell readers every form shares.

std::optional<bool> parse_bool(std::string_view text) noexcept {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.size() > 5) return std::nullopt;
  char buf[6] = {};
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    buf[i] = c;
  }
  const std::string_view t(buf, text.size());
  if (t.empty() || t == "0" || t == "false" || t == "no" || t == "n") return false;
  if (t == "1" || t == "true" || t == "yes" || t == "y") return true;
  return std::nullopt;
}

bool looks_like_totals_label(std::string_view text) noexcept {
  text = trim_spaces(text);
  if (text.empty()) return false;
  switch (text.front()) { // the common customer id is rejected by its first letter
  case 't':
  case 'T':
  case 's':
  case 'S':
  case 'g':
  case 'G':
  case 'i':
  case 'I': break;
  default: return false;
  }
  while (!text.empty() && (text.back() == ':' || text.back() == '.')) text.remove_suffix(1);
  if (text.empty() || text.size() > 16) return false;
  char buf[16];
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view t(buf, text.size());
  static constexpr std::string_view k_words[] = {"total",          "totals",  "grand total", "sum",
                                                 "summe",          "gesamt",  "gesamtsumme", "insgesamt",
                                                 "gesamtergebnis", "subtotal"};
  for (std::string_view w : k_words)
    if (t == w) return true;
  return false;
}

} // namespace cskpi

namespace cskpi::ingest {

namespace {

/// Whether `word` is `lower` in any case (ASCII).
bool word_is(std::string_view word, std::string_view lower) noexcept {
  if (word.size() != lower.size()) return false;
  for (std::size_t i = 0; i < lower.size(); ++i)
    if ((word[i] | 0x20) != lower[i]) return false;
  return true;
}

/// What follows "Total" or "Grand total" in a label that is one: a currency or unit in
/// parentheses ("Grand Total (USD)"), a currency code (EUR), or MRR, ARR, revenue, result.
/// "Total Fitness GmbH" is a customer.
bool totals_qualifier(std::string_view rest) noexcept {
  rest = trim_spaces(rest);
  if (rest.size() >= 2 && rest.front() == '(' && rest.back() == ')') return true;
  if (rest.size() == 3 && std::all_of(rest.begin(), rest.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return true; // USD, MRR, ARR
  return word_is(rest, "revenue") || word_is(rest, "result") || word_is(rest, "amount");
}

} // namespace

bool totals_label(std::string_view cell) noexcept {
  if (looks_like_totals_label(cell)) return true;
  std::string_view t = key_cell(cell);
  while (!t.empty() && (t.back() == ':' || t.back() == '.')) t.remove_suffix(1);
  if (t.empty() || t.size() > 48) return false;
  // Most ids start and end otherwise: no search for a space in them (fast paths ask per row).
  const char first_letter = static_cast<char>(t.front() | 0x20), last_letter = static_cast<char>(t.back() | 0x20);
  if (first_letter != 't' && first_letter != 'g' &&
      std::string_view("lsmet").find(last_letter) == std::string_view::npos)
    return false;
  // "Total MRR", "Grand Total (USD)", "Grand Sum" (LibreOffice's subtotals), "Total Result" (its pivot).
  const std::size_t first_space = t.find(' ');
  if (first_space != std::string_view::npos) {
    const std::string_view first = t.substr(0, first_space), rest = trim_spaces(t.substr(first_space + 1));
    if ((word_is(first, "total") || word_is(first, "totals")) && totals_qualifier(rest)) return true;
    if (word_is(first, "grand")) {
      const std::size_t next = rest.find(' ');
      const std::string_view second = rest.substr(0, next);
      if ((word_is(second, "total") || word_is(second, "sum") || word_is(second, "summe")) &&
          (next == std::string_view::npos || totals_qualifier(rest.substr(next + 1))))
        return true;
    }
  }
  // A group's subtotal, its last word after a space: "SMB Total", "Enterprise Subtotal", "SMB Sum"
  // and "SMB Result" (LibreOffice), "SMB Summe" and "SMB Ergebnis" (German Excel and LibreOffice).
  const std::size_t space = t.find_last_of(' ');
  if (space == std::string_view::npos) return false;
  const std::string_view last = t.substr(space + 1);
  for (const std::string_view w : {"total", "totals", "subtotal", "ergebnis", "sum", "summe", "result"})
    if (word_is(last, w)) return true;
  return false;
}

std::string row_key(const FileReader& rd) {
  std::string key;
  for (const std::string_view f : rd.fields) key.append(key_cell(f)).push_back('\x1f');
  return key;
}

bool TotalsRule::reject(FileReader& rd, std::size_t key_field, std::span<const Money> amounts,
                        std::size_t first_amount_field) {
  if (key_field != k_absent && totals_label(rd.fields[key_field])) {
    rd.field_error(key_field,
                   fmt::format("{} {} looks like a totals row, not a customer: delete the line from the export",
                               rd.names[key_field], show(key_cell(rd.fields[key_field]))));
    m_since = Sums{}; // the next group's subtotal sums the rows after this one
    return true;
  }
  if (m_overflow || amounts.size() < 2 || amounts.size() != m_all.sums.size()) return false;
  // A grand total sums every row used above; a group's subtotal, the rows since the last totals row.
  const Sums* matched = m_all.matches(amounts) ? &m_all : m_since.matches(amounts) ? &m_since : nullptr;
  if (matched == nullptr) return false;
  rd.field_error(first_amount_field,
                 matched == &m_all || m_since_line == 0
                     ? fmt::format("this looks like a totals row: its amounts are the sums of the {} rows above; "
                                   "delete the line from the export",
                                   m_all.rows)
                     : fmt::format("this looks like a subtotal row: its amounts are the sums of the {} rows since "
                                   "line {}; delete the line from the export",
                                   m_since.rows, m_since_line));
  m_since = Sums{};
  m_since_line = rd.line;
  return true;
}

bool TotalsRule::Sums::matches(std::span<const Money> amounts) const noexcept {
  if (nonzero < 2 || amounts.size() != sums.size()) return false;
  int non_zero = 0;
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    if (amounts[i] != sums[i]) return false;
    non_zero += amounts[i].micros != 0;
  }
  return non_zero >= 2;
}

bool TotalsRule::Sums::add(std::span<const Money> amounts) noexcept {
  if (sums.empty()) sums.resize(amounts.size());
  bool overflow = false, any = false;
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    overflow |= __builtin_add_overflow(sums[i].micros, amounts[i].micros, &sums[i].micros);
    any |= amounts[i].micros != 0;
  }
  ++rows;
  nonzero += any;
  return !overflow;
}

void TotalsRule::add(std::span<const Money> amounts) {
  if (!m_all.sums.empty() && amounts.size() != m_all.sums.size()) {
    m_overflow = true; // rows of another shape: no sums to compare with
    return;
  }
  m_overflow |= !m_all.add(amounts);
  m_overflow |= !m_since.add(amounts);
}

bool DuplicateRule::note(FileReader& rd, std::size_t field, std::string_view what, std::string_view shown,
                         std::string key, std::string_view fix) {
  const auto [it, fresh] = m_first.try_emplace(std::move(key), rd.line);
  if (fresh) return true;
  rd.field_error(field,
                 fmt::format("{} {} appears twice: lines {} and {}{}{}", what, shown, it->second, rd.line,
                             fix.empty() ? "" : "; ", fix));
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

void check_period_length(const FileReader& rd, std::string_view cell, const Period& p) {
  const std::optional<PeriodLength> flag = rd.run.options.period_length;
  if (!flag || *flag == p.length || trim_spaces(cell).size() != p.label.size()) return;
  throw usage_error(fmt::format("{}:{}: --period-length {} contradicts the period column: period {} is a {}. The "
                                "period column sets the period length: leave out --period-length, or give it as {}",
                                rd.name, rd.line, to_string(*flag), p.label, to_string(p.length), to_string(p.length)));
}

bool MonthSums::add(FileReader& rd, std::uint64_t line, std::size_t field, std::string_view what, MonthIndex m,
                    Money value) {
  Money& sum = m_sums[m];
  if (checked_add(sum, value)) return true;
  rd.summary.unreadable = true; // the file's history cannot be summed: it is not read
  rd.run.diagnostics.report(
      Diagnostic{rd.name, line, static_cast<std::uint32_t>(field + 1), Severity::error,
                 fmt::format("{}'s MRR summed over the customers overflows the money range with this {}'s {}: is "
                             "the amount in the right unit?",
                             month_label(m), what, show_money(value)),
                 true});
  return false;
}

} // namespace cskpi::ingest
