// SPDX-License-Identifier: MIT
// Internal to ingest: exact decimal arithmetic on money (issue 12). FX rates, billing
// intervals and coupons turn amounts into monthly MRR without any floating point: every
// product is taken whole in 128 bits and rounded half-to-even once, to micro-units.
#pragma once

#include "core/money.hpp"
#include "core/snapshot_table.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cskpi::ingest {

/// An exact positive decimal: value = num / 10^scale (scale 0..18). FX rates and percentages.
/// parse_decimal() gives it without trailing fractional zeros, so equal values compare equal.
struct Decimal {
  std::int64_t num = 0;
  int scale = 0;

  friend constexpr bool operator==(Decimal, Decimal) = default;
};

/// Parses a positive decimal with '.' as the separator: "1.0834", "0.0061", "1", "150",
/// "25.5" (also ".5" and "5.", as parse_money does). Surrounding spaces are ignored.
/// Rejects empty text, zero, signs, exponents, grouping, a decimal comma ("2,5"), more than
/// 18 decimals, and more than 18 digits once leading zeros and trailing decimal zeros are
/// dropped -> nullopt.
std::optional<Decimal> parse_decimal(std::string_view text);
/// parse_decimal() in a file's decimal style: with DecimalStyle::comma the separator is ','
/// ("1,2641") and a '.' is refused, as the amounts of such a file are read.
std::optional<Decimal> parse_decimal(std::string_view text, DecimalStyle style);
/// A rate as a file of `style` writes it, for messages: "1.0834" or "1,0834".
inline std::string_view decimal_example(DecimalStyle style) noexcept {
  return style == DecimalStyle::comma ? "1,0834" : "1.0834";
}
/// The shortest exact text: Decimal{10834, 4} -> "1.0834", Decimal{150, 2} -> "1.5",
/// Decimal{5, 3} -> "0.005".
std::string to_string(Decimal d);

/// amount * num / den, rounded half-to-even to micro-units; nullopt when the result leaves
/// int64 or den <= 0. Negative amounts round symmetrically (-0.5 µ -> 0, -1.5 µ -> -2 µ).
std::optional<Money> scale_money(Money amount, std::int64_t num, std::int64_t den);
/// amount * rate, rounded half-to-even to micro-units; nullopt on overflow or a scale
/// outside 0..18. With an FX rate, `amount` in a currency gives the amount in the target.
std::optional<Money> convert(Money amount, Decimal rate);

/// Billing intervals of subscription exports.
enum class Interval : std::uint8_t { day, week, month, year };
/// An interval as written in an export: the unit, and how many units one of it is.
struct ParsedInterval {
  Interval unit = Interval::month;
  int count_factor = 1; ///< 3 for "quarter": three months
};
/// "day", "week", "month", "year", their plurals, "daily", "weekly", "monthly", "yearly",
/// "annual", "annually", and "quarter"/"quarterly" = {month, 3}. Any case; surrounding
/// spaces are ignored. Anything else -> nullopt.
std::optional<ParsedInterval> parse_interval(std::string_view text);
/// Normalises an amount billed every `count` `unit`s to a month, exactly, rounded
/// half-to-even once at the end: month /count, year /(12·count), week ×52/(12·count),
/// day ×365/(12·count). A year is taken as 52 weeks and 365 days, the convention of
/// ChartMogul-style MRR (so 10.00 weekly -> 43.333333, 1.00 daily -> 30.416667).
/// nullopt on overflow or count < 1.
std::optional<Money> monthly(Money per_interval, Interval unit, int count);

/// A coupon (Stripe's coupon object): percent_off or amount_off (per invoice, in the
/// coupon's currency), and how long it lasts.
struct Coupon {
  enum class Duration : std::uint8_t { once, repeating, forever };

  std::string id;
  std::optional<Decimal> percent_off; ///< 0 < p <= 100
  std::optional<Money> amount_off;    ///< > 0
  std::string currency;               ///< amount_off's currency (upper case), empty for percent coupons
  Duration duration = Duration::forever;
  int duration_in_months = 0; ///< repeating only
};
/// A price (Stripe's price object, from its prices export): what one unit of a subscription
/// on it costs per interval. Tiered and metered prices have no unit amount.
struct Price {
  std::string id;
  std::optional<Money> unit_amount; ///< per interval, in currency units; none: tiered or metered
  std::string no_amount_why;        ///< why there is none: "tiered (Billing Scheme)", "metered (Usage Type)"
  std::string currency;             ///< upper case; may be empty
  bool recurring = true;            ///< false: a one-time price (no Interval)
  Interval unit = Interval::month;
  int count = 1;          ///< Interval Count (times a "quarter"'s 3)
  std::uint64_t line = 0; ///< where the prices file gives it
};
/// Does the coupon still discount the recurring amount `months_since_start` whole months
/// after the subscription started (0 = first month)? once: never (a one-off discount is not
/// recurring revenue); repeating: 0 <= months_since_start < duration_in_months; forever: always.
bool coupon_applies(const Coupon& c, int months_since_start) noexcept;
/// The invoice amount per interval after the coupon (none when `coupon` is null):
/// quantity × unit_amount, then either × (100 − percent_off)/100 rounded half-to-even once,
/// or minus amount_off, floored at 0 (an amount already <= 0 is left as it is). percent_off
/// wins if a coupon has both. nullopt on overflow, quantity < 0, or percent_off outside (0, 100].
std::optional<Money> discounted(Money unit_amount, std::int64_t quantity, const Coupon* coupon);

/// Exchange rates into one target currency, flat or per month. A rate r for currency C
/// means 1 unit of C = r units of the target: with target EUR, "USD,0.92" means 1 USD = 0.92 EUR.
class FxTable {
public:
  /// `target` is an upper-case code such as "EUR"; target -> target is rate 1 implicitly.
  explicit FxTable(std::string target);
  const std::string& target() const noexcept { return m_target; }
  /// Adds the rate of `currency` into the target; `month` nullopt = valid for every month
  /// without a monthly rate. False (and the table unchanged) if that (currency, month)
  /// already has one.
  bool add(std::string currency, std::optional<MonthIndex> month, Decimal rate);
  /// The rate to convert `currency` in `month` into the target: the monthly rate if given
  /// for that month, else the flat one, else nullopt. The target itself gives {1, 0}.
  std::optional<Decimal> rate(std::string_view currency, MonthIndex month) const;
  /// No rate added (the implicit target rate does not count).
  bool empty() const noexcept { return m_rates.empty(); }

private:
  struct Rates {
    std::optional<Decimal> flat;
    std::map<MonthIndex, Decimal> monthly;
  };
  std::string m_target;
  std::map<std::string, Rates, std::less<>> m_rates;
};

/// Normalises a currency code cell: trims spaces, upper-cases ASCII ("eur " -> "EUR");
/// returns empty when the result is not 3 ASCII letters.
std::string currency_code(std::string_view text);

/// Stripe's zero-decimal currencies (docs.stripe.com/currencies#zero-decimal): an amount in
/// one is in whole units, not hundredths. `code` as currency_code() gives it.
bool stripe_zero_decimal(std::string_view code) noexcept;

} // namespace cskpi::ingest
