// SPDX-License-Identifier: MIT
// The rules every input form applies to its rows (rules.hpp).
#include "ingest/rules.hpp"

#include <fmt/format.h>

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

bool totals_label(std::string_view cell) noexcept {
  if (looks_like_totals_label(cell)) return true;
  std::string_view t = key_cell(cell);
  while (!t.empty() && (t.back() == ':' || t.back() == '.')) t.remove_suffix(1);
  // Most ids end otherwise: no search for a space in them (the long snapshot fast path asks per row).
  if (t.empty() || ((t.back() | 0x20) != 'l' && (t.back() | 0x20) != 's') || t.size() > 48) return false;
  const std::size_t space = t.find_last_of(' ');
  if (space == std::string_view::npos) return false;
  const std::string_view last = t.substr(space + 1);
  const auto is = [&](std::string_view word) {
    if (last.size() != word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i)
      if ((last[i] | 0x20) != word[i]) return false;
    return true;
  };
  return is("total") || is("totals") || is("subtotal") || is("ergebnis"); // German Excel: "SMB Ergebnis"
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
    return true;
  }
  if (m_overflow || m_nonzero < 2 || amounts.size() < 2 || amounts.size() != m_sums.size()) return false;
  int non_zero = 0;
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    if (amounts[i] != m_sums[i]) return false;
    non_zero += amounts[i].micros != 0;
  }
  if (non_zero < 2) return false;
  rd.field_error(first_amount_field,
                 fmt::format("this looks like a totals row: its amounts are the sums of the {} rows above; "
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
  bool nonzero = false;
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    m_overflow |= __builtin_add_overflow(m_sums[i].micros, amounts[i].micros, &m_sums[i].micros);
    nonzero |= amounts[i].micros != 0;
  }
  ++m_rows;
  m_nonzero += nonzero;
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

} // namespace cskpi::ingest
