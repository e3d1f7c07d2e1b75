// SPDX-License-Identifier: MIT
// The movements form's fast path (issue 29: beside its definition, movements.cpp): the
// common valid row parsed in one pass over its bytes, for the Pipeline and the parallel pass.
#include "ingest/forms/movements.hpp"

#include <cstring>

namespace cskpi::ingest::movements {

/// First bytes after which a customer id is neither blank nor a totals label (the letters
/// looks_like_totals_label looks at, and the spaces both skip): most ids start with one.
constexpr std::array<bool, 256> k_plain_id_start = [] {
  std::array<bool, 256> t{};
  for (int c = 1; c < 256; ++c) t[static_cast<std::size_t>(c)] = true;
  for (const char c : std::string_view(" \t\rtTsSgGiI")) t[static_cast<unsigned char>(c)] = false;
  return t;
}();

namespace {

[[gnu::always_inline]] inline bool is_digit(char c) noexcept { return static_cast<unsigned char>(c - '0') < 10; }

/// A plain "123" or "123.45" (`dec` the decimal mark) from p, parsed while scanning; false
/// for anything else but an empty cell (0). Unsigned: a long run of digits wraps (defined)
/// and is refused.
[[gnu::always_inline]] inline bool plain_amount(const char*& p, char dec, std::int64_t& v) noexcept {
  static constexpr std::int64_t k_pow10[] = {1'000'000, 100'000, 10'000, 1'000, 100, 10, 1};
  const char* const f = p;
  std::uint64_t units = 0;
  while (is_digit(*p)) units = units * 10 + static_cast<std::uint64_t>(*p++ - '0');
  const auto int_digits = p - f;
  if (int_digits > 12) return false;
  v = static_cast<std::int64_t>(units) * Money::k_scale;
  if (*p != dec) return true;
  const char* const d = ++p;
  if (is_digit(d[0]) && is_digit(d[1]) && !is_digit(d[2])) { // cents, the common case
    v += ((d[0] - '0') * 10 + (d[1] - '0')) * 10'000;
    p += 2;
  } else {
    std::uint64_t frac = 0;
    while (is_digit(*p)) frac = frac * 10 + static_cast<std::uint64_t>(*p++ - '0');
    const auto frac_digits = p - d;
    if (frac_digits == 0 || frac_digits > 6) return false;
    v += static_cast<std::int64_t>(frac) * k_pow10[frac_digits];
  }
  return int_digits != 0;
}

/// Empties what a row of the fast path may not set. Field by field: `r = MovementRow{}`
/// compiles to a rep stos and a copy, 12 % of a pass. Each on its own: a chained assignment
/// reads back what it just stored, 16 bytes over two 8-byte stores, which the store buffer
/// cannot forward.
[[gnu::always_inline]] inline void reset_row(MovementRow& r, std::string_view file, std::uint64_t line) noexcept {
  r.customer_id = {};
  r.period = {};
  r.group = {};
  r.cac.reset();
  r.nps = -1;
  r.at_risk = r.saved = false;
  r.file = file;
  r.line = line;
}

/// An nps cell from p: 0 to 10 (-1, no response, stays for anything else, which then does
/// not end the field: the line is refused).
[[gnu::always_inline]] inline void nps_cell(const char*& p, int& nps) noexcept {
  if (!is_digit(*p)) return;
  nps = *p++ - '0';
  if (nps == 1 && *p == '0') {
    nps = 10;
    ++p;
  }
}

/// A customer_id cell [f, p) the fast path takes: the rule's (customer_id_cell), asked only
/// of an id that starts with one of few letters ("Total", "Summe") or ends with one of few
/// ("SMB Total", "Enterprise Subtotal", "Mid-Market Ergebnis"), as a totals label does.
[[gnu::always_inline]] inline bool plain_id(std::string_view v) noexcept {
  return !v.empty() &&
      ((k_plain_id_start[static_cast<unsigned char>(v[0])] && !may_end_totals_label(v)) ||
       customer_id_cell(v) == IdCell::id);
}

/// An at_risk or saved cell from p: the common 0 and 1 (anything after them ends the line),
/// else the rule's parse_bool; an empty cell is false.
[[gnu::always_inline]] inline bool bool_cell(const char*& p, const char* end, char delim, bool& b) noexcept {
  const char* const f = p;
  b = false;
  if (*p == '0' || *p == '1') {
    b = *p++ == '1';
  } else if (*p != delim && p != end) {
    p = field_end(p, end, delim);
    const auto parsed = parse_bool(std::string_view(f, static_cast<std::size_t>(p - f)));
    if (!parsed) return false;
    b = *parsed;
  }
  return true;
}

/// A health_score cell the general path takes without a word: empty, or 0 to 100 exactly.
inline bool health_score_ok(const ParsedMoney& h) noexcept {
  return !(h.status == ParsedMoney::Status::invalid || h.status == ParsedMoney::Status::overflow || h.rounded ||
           (h.status == ParsedMoney::Status::ok && (h.value.micros < 0 || h.value.micros > 100 * Money::k_scale)));
}

/// Skips a field the form does not read from p, "" in a quoted one included.
[[gnu::always_inline]] inline bool skip_cell(const char*& p, const char* end, char delim) noexcept {
  if (*p != '"') {
    p = field_end(p, end, delim);
    return true;
  }
  for (++p;;) {
    p = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
    if (p == nullptr) return false;
    if (p[1] != '"') break; // the sentinel is not a quote
    p += 2;
  }
  ++p;
  return true;
}

/// A name cell from p (issue 30: movers): plain, or quoted for a comma or a quote in it, as
/// names often are; a quoted one is kept raw (name_escaped), the sink unescapes the few it keeps.
[[gnu::always_inline]] inline bool name_cell(const char*& p, const char* end, char delim, MovementRow& r) noexcept {
  const char* const f = p;
  if (*p != '"') {
    p = field_end(p, end, delim);
    r.name = key_text(std::string_view(f, static_cast<std::size_t>(p - f)));
    r.name_escaped = false;
    return true;
  }
  if (!skip_cell(p, end, delim)) return false;
  const std::string_view inner(f + 1, static_cast<std::size_t>(p - f - 2));
  r.name = key_text(inner);
  r.name_escaped = inner.find('"') != std::string_view::npos;
  return true;
}

} // namespace

// The fast path for the common valid row: one pass over the bytes, plain numbers only, no
// allocation. Anything unusual (a quoted known field, a number with grouping or more than 6
// decimals, any failed check) returns false; so do, later in take() and retire_one(), a new
// period or currency text, a duplicate and a row that repeats the sums above it. Such a
// line goes to slow_row() with full diagnostics. Each cell is checked by the rule slow_row
// words (movements.hpp), so the two paths cannot disagree on a valid row: the slow one is
// the definition, this one only skips work.
//
// `text` is a PaddedLine: no digit, delimiter or quote follows it, so the loops below stop at
// the line's end without comparing with it. A field ends at a delimiter (the next field
// follows) or anywhere else (the line must end there, after the last field). A known text
// field ends at a delimiter, a quote or a NUL byte: at the last two the line does not end,
// and the slow path unescapes or words it.
template <bool ByHasRole>
bool MovementsForm::parse(const FileReader& rd, PaddedLine text, std::uint64_t at_line, Entry& e) const {
  const char delim = rd.delimiter;
  const char dec = rd.style == DecimalStyle::point ? '.' : ',';
  const char* p = text.data();
  const char* const end = text.end();
  if (m_row_attributes) return false; // attribute cells are read by the general path
  MovementRow& r = e.row;
  reset_row(r, rd.name, at_line);
  std::int64_t amounts[c_end_mrr] = {}; // by Col - 1: the six amounts of MovementRow, then end_mrr
  const std::size_t fields = rd.field_count;
  [[maybe_unused]] const std::size_t by = rd.by_pos;
  const std::uint8_t* const roles = m_roles.data();
  const auto cell = [&](const char* f) { return std::string_view(f, static_cast<std::size_t>(p - f)); };
  for (std::size_t i = 0;; ++p) { // p: at the delimiter before field i + 1
    const char* const f = p;
    const std::uint8_t role = roles[i];
    switch (role) {
    case c_start_mrr:
    case c_expansion_mrr:
    case c_contraction_mrr:
    case c_churned_mrr:
    case c_new_mrr:
    case c_reactivation_mrr:
    case c_end_mrr:
      if (!plain_amount(p, dec, amounts[role - 1])) return false;
      break;
    case c_cac: {
      std::int64_t v = 0;
      if (!plain_amount(p, dec, v)) return false;
      if (p != f) r.cac = Money{v}; // an empty cac is unknown, not 0
      break;
    }
    case c_nps: nps_cell(p, r.nps); break;
    case c_customer_id:
      p = field_end(p, end, delim);
      if (!plain_id(cell(f))) return false;
      r.customer_id = key_text(cell(f));
      break;
    case c_period:
      p = field_end(p, end, delim);
      e.period_raw = cell(f);
      break;
    case c_currency:
      p = field_end(p, end, delim);
      e.currency = cell(f);
      break;
    case c_at_risk:
    case c_saved:
      if (!bool_cell(p, end, delim, role == c_at_risk ? r.at_risk : r.saved)) return false;
      break;
    case c_health_score:
      p = field_end(p, end, delim);
      if (!health_score_ok(parse_money(cell(f), rd.style))) return false;
      break;
    case k_group: // the --by column's text; quoted, the slow path unescapes it
      p = field_end(p, end, delim);
      r.group = key_text(cell(f));
      break;
    case k_name: // set on every row of a file with the column: reset_row need not clear it
      if (!name_cell(p, end, delim, r)) return false;
      break;
    case c_segment: // a column we do not read
    case c_count:
      if (!skip_cell(p, end, delim)) return false;
      break;
    default: // start() gives every field one of the roles above
      __builtin_unreachable();
    }
    if constexpr (ByHasRole) // a quoted known field does not get here
      if (i == by) r.group = key_text(cell(f));
    if (*p != delim) { // the line must end here, after its last field
      if (p != end || i + 1 != fields) return false;
      break;
    }
    if (++i == fields) return false; // too many fields
  }
  return finish_row(rd, r, amounts);
}

bool MovementsForm::finish_row(const FileReader& rd, MovementRow& r, const std::int64_t (&amounts)[c_end_mrr]) const {
  r.start.micros = amounts[c_start_mrr - 1];
  r.expansion.micros = amounts[c_expansion_mrr - 1];
  r.contraction.micros = amounts[c_contraction_mrr - 1];
  r.churned.micros = amounts[c_churned_mrr - 1];
  r.new_mrr.micros = amounts[c_new_mrr - 1];
  r.reactivation.micros = amounts[c_reactivation_mrr - 1];
  if (m_pos[c_saved] == k_absent) default_saved(r);
  const std::optional<Money> end_given =
      m_pos[c_end_mrr] != k_absent ? std::optional<Money>(Money{amounts[c_end_mrr - 1]}) : std::nullopt;
  return reconcile(r, end_given, rd.options().tolerance).ok();
}

template bool MovementsForm::parse<true>(const FileReader&, PaddedLine, std::uint64_t, Entry&) const;
template bool MovementsForm::parse<false>(const FileReader&, PaddedLine, std::uint64_t, Entry&) const;

const MovementRow* PassParser::row(State& s, PaddedLine text, std::uint64_t line) const {
  Entry& e = s.entry;
  if (!m_form->parse_fast(*m_rd, text, line, e)) return nullptr;
  if (m_form->has(c_period)) { // the period's label, as the general path gives it
    if (!same_text(e.period_raw, s.raw) || s.raw.data() == nullptr) {
      auto it = s.labels.find(e.period_raw);
      if (it == s.labels.end()) {
        std::optional<Period> p = parse_period(e.period_raw);
        if (!p || p->length != m_length) return nullptr; // a date, or a period of another length
        it = s.labels.emplace(std::string(e.period_raw), std::move(p->label)).first;
      }
      s.raw = it->first;
      s.label = it->second;
    }
    e.row.period = s.label;
  }
  if (m_form->has(c_currency) && e.currency != m_currency) return nullptr;
  return &e.row;
}

} // namespace cskpi::ingest::movements
