// SPDX-License-Identifier: MIT
#include "core/attributes.hpp"

#include "core/csv.hpp"
#include "core/error.hpp"

#include <fmt/format.h>

#include <charconv>

namespace cskpi {

Day days_from_civil(int y, int m, int d) noexcept {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Civil civil_from_days(Day z) noexcept {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (m <= 2), m, d};
}

namespace {

__extension__ typedef __int128 i128;

int days_in_month(int y, int m) {
  static constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : k_days[m - 1];
}

std::optional<int> digits(std::string_view s) {
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

} // namespace

std::optional<Day> parse_date(std::string_view text) {
  text = trim_spaces(text);
  if (text.size() > 10 && (text[10] == 'T' || text[10] == ' ')) text = text.substr(0, 10);
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = digits(text.substr(0, 4)), m = digits(text.substr(5, 2)), d = digits(text.substr(8, 2));
  if (!y || !m || !d || *y < 1900 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m)) return std::nullopt;
  return days_from_civil(*y, *m, *d);
}

std::string format_date(Day d) {
  const Civil c = civil_from_days(d);
  return fmt::format("{:04}-{:02}-{:02}", c.y, c.m, c.d);
}

std::string period_of_day(Day d, PeriodLength length) {
  const Civil c = civil_from_days(d);
  switch (length) {
  case PeriodLength::month: return fmt::format("{:04}-{:02}", c.y, c.m);
  case PeriodLength::quarter: return fmt::format("{:04}-Q{}", c.y, (c.m - 1) / 3 + 1);
  case PeriodLength::year: return fmt::format("{:04}", c.y);
  }
  return "";
}

std::optional<Day> last_day_of_period(std::string_view label) {
  const std::optional<Period> p = parse_period(label);
  if (!p) return std::nullopt;
  const int y = *digits(std::string_view(p->label).substr(0, 4));
  int m = 12;
  if (p->length == PeriodLength::month) m = *digits(std::string_view(p->label).substr(5, 2));
  else if (p->length == PeriodLength::quarter) m = (p->label[6] - '0') * 3;
  return days_from_civil(y, m, days_in_month(y, m));
}

const CustomerRecord* Attributes::find(std::string_view id) const {
  const auto it = index.find(std::string(id));
  return it == index.end() ? nullptr : &customers[it->second];
}

std::optional<HealthScheme> parse_health_scheme(std::string_view text) {
  const std::string t = normalise_column_name(text);
  HealthScheme s;
  if (t == "default" || t == "80/50" || t == "002") return s;
  if (t == "power_users" || t == "71/41" || t == "003") {
    s.green = 71 * Money::k_scale;
    s.yellow = 41 * Money::k_scale;
    s.power_users = true;
    s.name = "71/41 with power users over 100";
    return s;
  }
  const std::size_t slash = t.find('/');
  if (slash == std::string::npos) return std::nullopt;
  const ParsedMoney g = parse_money(t.substr(0, slash), DecimalStyle::point);
  const ParsedMoney y = parse_money(t.substr(slash + 1), DecimalStyle::point);
  if (g.status != ParsedMoney::Status::ok || y.status != ParsedMoney::Status::ok) return std::nullopt;
  if (y.value.micros <= 0 || g.value.micros <= y.value.micros || g.value.micros > 100 * Money::k_scale)
    return std::nullopt;
  s.green = g.value.micros;
  s.yellow = y.value.micros;
  s.name = fmt::format("{}/{}", format_money_exact(g.value), format_money_exact(y.value));
  return s;
}

std::string_view to_string(HealthBand b) noexcept {
  switch (b) {
  case HealthBand::red: return "red";
  case HealthBand::yellow: return "yellow";
  case HealthBand::green: return "green";
  case HealthBand::power_user: return "power_user";
  }
  return "red";
}

HealthBand health_band(std::int64_t score, const HealthScheme& scheme) noexcept {
  if (scheme.power_users && score > 100 * Money::k_scale) return HealthBand::power_user;
  if (score >= scheme.green) return HealthBand::green;
  if (score >= scheme.yellow) return HealthBand::yellow;
  return HealthBand::red;
}

std::vector<Weight> parse_weights(std::string_view text) {
  std::vector<Weight> out;
  std::int64_t sum = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view part = trim_spaces(text.substr(start, end - start));
    const std::size_t eq = part.find('=');
    if (eq == std::string_view::npos)
      throw usage_error(fmt::format("--weights: \"{}\" is not COMPONENT=WEIGHT (e.g. usage=40)", part));
    Weight w;
    w.component = normalise_column_name(part.substr(0, eq));
    const std::string_view num = trim_spaces(part.substr(eq + 1));
    const auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), w.weight);
    if (w.component.empty() || ec != std::errc() || ptr != num.data() + num.size() || w.weight <= 0 || w.weight > 100)
      throw usage_error(fmt::format("--weights: \"{}\" needs a component name and a whole weight from 1 to 100", part));
    for (const Weight& seen : out)
      if (seen.component == w.component) throw usage_error(fmt::format("--weights: {} is named twice", w.component));
    sum += w.weight;
    out.push_back(std::move(w));
    start = end + 1;
  }
  if (sum != 100) throw usage_error(fmt::format("--weights must sum to 100; these sum to {}", sum));
  return out;
}

WeightedScore weighted_score(const std::vector<Weight>& weights, const std::vector<std::optional<std::int64_t>>& values,
                             MissingComponents missing) {
  WeightedScore out;
  i128 num = 0;
  std::int64_t den = 0;
  bool have_weakest = false;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const std::optional<std::int64_t> v = i < values.size() ? values[i] : std::nullopt;
    if (!v) {
      out.missing.push_back(weights[i].component);
      if (missing == MissingComponents::zero) {
        den += weights[i].weight; // counts as 0
        if (!have_weakest || out.weakest_value > 0) {
          have_weakest = true;
          out.weakest = weights[i].component;
          out.weakest_value = 0;
        }
      }
      continue;
    }
    num += static_cast<i128>(*v) * weights[i].weight;
    den += weights[i].weight;
    if (!have_weakest || *v < out.weakest_value) {
      have_weakest = true;
      out.weakest = weights[i].component;
      out.weakest_value = *v;
    }
  }
  if (den == 0 || (missing == MissingComponents::skip && !out.missing.empty())) return out;
  // Round half-to-even to the micro-unit.
  i128 q = num / den;
  const i128 r2 = 2 * (num % den);
  if (r2 > den || (r2 == den && q % 2 != 0)) ++q;
  out.score = static_cast<std::int64_t>(q);
  return out;
}

} // namespace cskpi
