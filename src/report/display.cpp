// SPDX-License-Identifier: MIT
// What the renderers share: escaping, numbers and records for people, the report's head lines.
#include "report/display.hpp"
#include "report/peers.hpp"

#include "core/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace cskpi {

// ---------------------------------------------------------------------------- escaping

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    // Most text is printable ASCII with nothing to escape: copy such a run whole.
    std::size_t run = i;
    while (run < s.size()) {
      const auto c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') break;
      ++run;
    }
    out.append(s.data() + i, run - i);
    i = run;
    if (i == s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += fmt::format("\\u{:04x}", c); // the other controls and DEL
      }
      ++i;
      continue;
    }
    // Validate one UTF-8 sequence; copy it whole or replace the lead byte.
    std::size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    bool ok = len != 0 && c < 0xF5 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len == 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
    }
    if (ok && len == 4) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  out.push_back('"');
}

std::string json_string(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_json_string(out, s);
  return out;
}

std::string csv_text_cell(std::string_view s, char delimiter) {
  std::string text(s);
  if (!text.empty() &&
      (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' || text[0] == '\t' || text[0] == '\r'))
    text.insert(0, 1, '\'');
  return csv_quote(text, delimiter);
}

std::string markdown_cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '|': out += "\\|"; break;
    case '\\': out += "\\\\"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '&': out += "&amp;"; break;
    case '`': out += "\\`"; break;
    case '*': out += "\\*"; break;
    case '_': out += "\\_"; break;
    case '[': out += "\\["; break;
    case ']': out += "\\]"; break;
    case '\n':
    case '\r': out += ' '; break;
    default: out.push_back(c);
    }
  }
  return out;
}

std::string json_number(const Quantity& q) {
  switch (q.kind) {
  case Quantity::Kind::money: return format_money_exact(q.money);
  case Quantity::Kind::count: return std::to_string(q.count);
  case Quantity::Kind::real:
    if (!std::isfinite(q.real)) return "null";
    return fmt::format("{}", q.real == 0.0 ? 0.0 : q.real);
  }
  return "null";
}

namespace detail {

/// Fixed decimals without "-0.00".
std::string fixed(double v, int decimals) {
  std::string s;
  if (std::isfinite(v) && std::fabs(v) >= 1e15) {
    // Past 10^15 a double holds no digit beyond the 15th or 16th: the first 15, rounded,
    // then zeros up to the units (never the binary expansion's made-up digits).
    const std::string e = fmt::format("{:.14e}", std::fabs(v)); // "4.05000000090000e+21"
    const std::size_t at = e.find('e');
    const int exponent = std::stoi(e.substr(at + 1));
    s = (v < 0 ? "-" : "") + e.substr(0, 1) + e.substr(2, at - 2);
    s.append(static_cast<std::size_t>(exponent - 14), '0');
  } else {
    s = fmt::format("{:.{}f}", v, std::isfinite(v) && std::fabs(v) >= 1e13 ? 0 : decimals); // no cents past 15 digits
  }
  if (s.front() == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

std::string fixed_grouped(double v, int decimals) {
  std::string s = fixed(v, decimals);
  const std::size_t begin = s.front() == '-' ? 1 : 0;
  const std::size_t end = std::min(s.find('.'), s.size());
  if (end == begin || s.find_first_not_of("0123456789", begin) < end) return s; // inf, nan
  for (std::size_t at = end; at > begin + 3; at -= 3) s.insert(at - 3, 1, ',');
  return s;
}

std::string display(const Quantity& q, Unit unit) {
  switch (unit) {
  case Unit::percent: return fixed(q.as_double(), 2) + "%";
  case Unit::currency:
    return q.kind == Quantity::Kind::money ? format_money_fixed(q.money, 2, true) : fixed_grouped(q.as_double(), 2);
  case Unit::ratio: return fixed(q.as_double(), 2);
  case Unit::points: {
    const std::string s = fixed(q.as_double(), 1);
    return s[0] == '-' || s == "0.0" ? s : "+" + s;
  }
  case Unit::count: return group_thousands(static_cast<std::uint64_t>(q.count));
  case Unit::days: return fixed(q.as_double(), 1) + " d";
  case Unit::score: return fixed(q.as_double(), 2);
  }
  return "";
}

/// A number of a CSV record in the style's decimal mark ("" for none).
std::string csv_number(const std::optional<Quantity>& q, const CsvStyle& style) {
  if (!q) return "";
  std::string s = json_number(*q);
  if (style.decimal != '.') std::replace(s.begin(), s.end(), '.', style.decimal);
  return s;
}

/// The legend of '*' in the annual column, if any record has a cohort figure.
std::string cohort_legend(const Report& r) {
  for (const Group& g : r.groups)
    for (const Record& rec : g.records)
      if (rec.metric.method == "cohort")
        return fmt::format("annual *: exact trailing-12-month cohort ({}); other annual figures compound the period\n",
                           r.settings.include_reactivation.value_or(true) ? "reactivated customers included"
                                                                          : "reactivated customers excluded");
  return "";
}

std::string display_tier(const Record& r) { return r.tier ? std::string(to_string(*r.tier)) : ""; }

/// `s` with control bytes shown as \xNN: a group's name is a cell of the input, and a line
/// break in it must not start a line of its own (a CI log takes "::error::..." there as a command).
std::string printable(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
    else out.push_back(c);
  }
  return out;
}

std::string group_title(const Group& g) {
  const std::string segment = shown_segment(g.segment, g.whole);
  std::string title = g.period ? *g.period + " · " + segment : segment;
  if (!g.billing)
    return fmt::format("{}: {} customer record{}", title, group_thousands(g.customer_records),
                       g.customer_records == 1 ? "" : "s");
  return fmt::format("{}: {} customer{} ({} starting, {} new)", title, group_thousands(g.totals.customers),
                     g.totals.customers == 1 ? "" : "s", group_thousands(g.totals.cohort),
                     group_thousands(g.totals.new_customers));
}

/// "definitions: chartmogul (cskpi explain definitions)\n" when the preset can matter: the
/// run derived movements from a snapshot or billing export, or the preset is not cskpi.
std::string definitions_line(const Report& r) {
  bool derived = false;
  for (const InputSummary& in : r.inputs) derived = derived || in.derived_rows > 0;
  if (!derived && r.settings.definitions == "cskpi") return "";
  return fmt::format("definitions: {} (cskpi explain definitions)\n", r.settings.definitions);
}

} // namespace detail

using detail::display;
using detail::fixed;

std::string display_number(double value, Unit unit) {
  if (unit == Unit::currency && std::fabs(value) < 9e12) // display only: records keep the exact figure
    return format_money_fixed(Money{static_cast<std::int64_t>(std::llround(value * 1e6))}, 2, true);
  if (unit == Unit::count) return group_thousands(static_cast<std::uint64_t>(std::llround(value)));
  return display(Quantity::of_real(value), unit);
}

/// The metric's name, with the key of a keyed record ("Churned customers: price") or the
/// sign of a bridge line ("+ New MRR").
std::string display_name(const Record& r) {
  if (!r.metric.def->sign.empty()) return fmt::format("{} {}", r.metric.def->sign, r.metric.def->name);
  if (r.metric.key.empty()) return std::string(r.metric.def->name);
  return fmt::format("{}: {}", r.metric.def->name, r.metric.key);
}

std::string inputs_line(const Report& r) {
  std::vector<std::string> names;
  std::uint64_t rejected = 0;
  for (const InputSummary& in : r.inputs) {
    if (in.role == "movements") names.push_back(in.file);
    else if (in.role == "customers" || in.role == "responses")
      names.push_back(fmt::format("{} ({})", in.file, in.role));
    else if (in.role == "coupons" || in.role == "costs") names.push_back(fmt::format("{} ({})", in.file, in.role));
    else if (in.role == "invoices" || in.role == "stripe invoices") // issue 31
      names.push_back(fmt::format("{} ({}, {} line{})", in.file, in.role, group_thousands(in.rows_used),
                                  in.rows_used == 1 ? "" : "s"));
    else
      names.push_back(fmt::format("{} ({}, {} movements rows derived{}{})", in.file, in.role,
                                  group_thousands(in.derived_rows), in.amounts == "cents" ? ", amounts in cents" : "",
                                  !in.converted_from.empty()
                                      ? fmt::format(", {} converted to {}", in.converted_from, in.currency)
                                      : !in.currency.empty() ? fmt::format(", in {}", in.currency)
                                                             : std::string()));
    rejected += in.rows_rejected;
  }
  std::vector<std::string> periods;
  for (const Group& g : r.groups)
    if (g.period && (periods.empty() || periods.back() != *g.period)) periods.push_back(*g.period);
  std::string period;
  const std::string_view len = to_string(r.settings.period_length);
  if (periods.empty()) period = fmt::format("one {} (no period column)", len);
  else if (periods.size() == 1) period = fmt::format("period {} ({})", periods.front(), len);
  else period = fmt::format("periods {} to {} ({} {}s)", periods.front(), periods.back(), periods.size(), len);
  std::uint64_t customers = 0;
  for (const Group& g : r.groups)
    if (g.whole) customers += g.totals.customers;
  if (!r.groups.empty() && !r.groups.front().billing)
    return fmt::format("{} · no billing file · {} row{} rejected", fmt::join(names, ", "), group_thousands(rejected),
                       rejected == 1 ? "" : "s");
  const std::string who = fmt::format("{} customer{}{}", group_thousands(customers),
                                      periods.size() > 1 ? "-period" : "", customers == 1 ? "" : "s");
  return fmt::format("{} · {} · {} · {} row{} rejected", fmt::join(names, ", "), period, who, group_thousands(rejected),
                     rejected == 1 ? "" : "s");
}

std::string display_value(const Record& r) {
  if (!r.metric.value) return "n/a";
  // A margin of error is a half-width, not a signed score.
  if (r.metric.def->display.margin) return "+/-" + fixed(r.metric.value->as_double(), 1);
  return display(*r.metric.value, r.metric.def->unit);
}

std::string display_annual(const Record& r) {
  if (!r.metric.annualized) return "";
  // '*': exact trailing-12-month cohort, explained under the inputs line.
  return fixed(*r.metric.annualized, 2) + (r.metric.method == "cohort" ? "%*" : "%");
}

/// The last column: reasons, caveats, and what the next tier needs.
std::string display_note(const Record& r) {
  std::string out = r.metric.note;
  if (r.next) {
    if (!out.empty()) out += "; ";
    out += fmt::format("{} at {}", to_string(r.next->tier), describe_bound(*r.next));
  }
  if (r.peers) { // report --peers only, so a report without stays as it was
    if (!out.empty()) out += "; ";
    out += peer_note(*r.peers);
  }
  return out;
}

std::vector<std::string> wrap_words(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  width = std::max<std::size_t>(width, 1);
  std::string line;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t space = text.find(' ', at);
    std::string_view word = text.substr(at, space == std::string_view::npos ? std::string_view::npos : space - at);
    at = space == std::string_view::npos ? text.size() : space + 1;
    if (word.empty()) continue;
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(std::move(line));
      line.clear();
    }
    while (word.size() > width) { // a word longer than a line: cut
      if (!line.empty()) {
        lines.push_back(std::move(line));
        line.clear();
      }
      lines.emplace_back(word.substr(0, width));
      word.remove_prefix(width);
    }
    if (!line.empty()) line += ' ';
    line += word;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

std::string join_line(const JoinSummary& j) {
  std::vector<std::string> parts;
  if (j.customer_records > 0 || j.billed_without_record > 0) {
    std::string c =
        fmt::format("{} customer record{}", group_thousands(j.customer_records), j.customer_records == 1 ? "" : "s");
    if (j.customers_without_billing > 0)
      c += fmt::format(" ({} without a billing row: {}{})", group_thousands(j.customers_without_billing),
                       fmt::join(j.unbilled_examples, ", "),
                       j.customers_without_billing > j.unbilled_examples.size() ? ", ..." : "");
    parts.push_back(c);
    if (j.billed_without_record > 0)
      parts.push_back(fmt::format("{} active customer{} without a record ({}{})",
                                  group_thousands(j.billed_without_record), j.billed_without_record == 1 ? "" : "s",
                                  fmt::join(j.unrecorded_examples, ", "),
                                  j.billed_without_record > j.unrecorded_examples.size() ? ", ..." : ""));
  }
  if (j.responses > 0) {
    std::vector<std::string> r;
    if (j.responses_anonymous > 0) r.push_back(fmt::format("{} anonymous", group_thousands(j.responses_anonymous)));
    if (j.responses_unknown_customer > 0)
      r.push_back(fmt::format("{} from unknown customers", group_thousands(j.responses_unknown_customer)));
    if (j.responses_undated > 0)
      r.push_back(fmt::format("{} undated, counted in {}", group_thousands(j.responses_undated), j.latest_period));
    if (j.responses_outside > 0)
      r.push_back(fmt::format("{} dated outside the billing periods, left out", group_thousands(j.responses_outside)));
    parts.push_back(fmt::format("{} response{}{}", group_thousands(j.responses), j.responses == 1 ? "" : "s",
                                r.empty() ? "" : fmt::format(" ({})", fmt::join(r, "; "))));
  }
  std::string out = fmt::format("joined on customer_id: {}", fmt::join(parts, ", "));
  if (j.as_of) out += fmt::format("; health and time to value as of {} ({})", format_date(*j.as_of), j.as_of_source);
  return out;
}

} // namespace cskpi
