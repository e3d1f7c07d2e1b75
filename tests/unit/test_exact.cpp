// SPDX-License-Identifier: MIT
#include "ingest/exact.hpp"

#include <catch2/catch.hpp>

#include <limits>

namespace test_exact {

using namespace cskpi;
using namespace cskpi::ingest;

namespace {
constexpr std::int64_t k_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t k_min = std::numeric_limits<std::int64_t>::min();

std::int64_t micros(std::optional<Money> m) {
  REQUIRE(m.has_value());
  return m->micros;
}
Decimal dec(std::string_view text) {
  const std::optional<Decimal> d = parse_decimal(text);
  REQUIRE(d.has_value());
  return *d;
}
Coupon percent(std::string_view p) {
  Coupon c;
  c.percent_off = dec(p);
  return c;
}
Coupon amount(std::int64_t off_micros) {
  Coupon c;
  c.amount_off = Money{off_micros};
  c.currency = "USD";
  return c;
}
} // namespace

TEST_CASE("parse_decimal reads plain decimals exactly and drops trailing zeros", "[exact]") {
  CHECK(dec("1.0834") == Decimal{10834, 4});
  CHECK(dec("0.0061") == Decimal{61, 4});
  CHECK(dec("1") == Decimal{1, 0});
  CHECK(dec("150") == Decimal{150, 0});
  CHECK(dec("25.5") == Decimal{255, 1});
  CHECK(dec("1.500") == Decimal{15, 1});
  CHECK(dec("1.0") == Decimal{1, 0});
  CHECK(dec(" 0.92 ") == Decimal{92, 2});
  CHECK(dec("007.5") == Decimal{75, 1});
  CHECK(dec(".5") == Decimal{5, 1});
  CHECK(dec("5.") == Decimal{5, 0});
  CHECK(dec("0.000000000000000001") == Decimal{1, 18});
  CHECK(dec("123456789.123456789") == Decimal{123456789123456789, 9});
  CHECK(dec("999999999999999999") == Decimal{999999999999999999, 0});
}

TEST_CASE("parse_decimal rejects what is not a plain positive decimal", "[exact]") {
  for (const char* bad : {"",
                          "   ",
                          ".",
                          "0",
                          "0.000",
                          "-1",
                          "+1",
                          "1e3",
                          "1E-2",
                          "1,000",
                          "  2,5 ",
                          "1.2.3",
                          "1 000",
                          "0x10",
                          "nan",
                          "inf",
                          "1.5%",
                          "0.0000000000000000001",
                          "1.0000000000000000000",
                          "1234567890123456789",
                          "1000000000000000000",
                          "12345678901.12345678"})
    CHECK_FALSE(parse_decimal(bad).has_value());
}

TEST_CASE("parse_decimal reads a decimal comma in a file that writes one", "[exact]") {
  const DecimalStyle comma = DecimalStyle::comma;
  CHECK(parse_decimal("1,2641", comma) == Decimal{12641, 4});
  CHECK(parse_decimal(" 0,92 ", comma) == Decimal{92, 2});
  CHECK(parse_decimal("150", comma) == Decimal{150, 0});
  CHECK(parse_decimal("1.2641", DecimalStyle::point) == Decimal{12641, 4});
  for (const char* bad : {"1.2641", "1.000,5", "1,2,3", "0,0", "-1,5", ""})
    CHECK_FALSE(parse_decimal(bad, comma).has_value());
  CHECK_FALSE(parse_decimal("1,2641", DecimalStyle::point).has_value());
}

TEST_CASE("to_string gives the shortest exact text of a decimal", "[exact]") {
  CHECK(to_string(Decimal{10834, 4}) == "1.0834");
  CHECK(to_string(Decimal{150, 2}) == "1.5");
  CHECK(to_string(Decimal{5, 3}) == "0.005");
  CHECK(to_string(Decimal{1000, 3}) == "1");
  CHECK(to_string(Decimal{150, 0}) == "150");
  CHECK(to_string(Decimal{1, 18}) == "0.000000000000000001");
  CHECK(to_string(Decimal{0, 0}) == "0");
  CHECK(to_string(dec("0.0061")) == "0.0061");
}

TEST_CASE("scale_money rounds exact ties half to even both ways", "[exact]") {
  // 0.000001 / 2 = 0.0000005 -> 0; 0.000003 / 2 = 0.0000015 -> 0.000002; 0.000005 / 2 -> 0.000002
  CHECK(micros(scale_money(Money{1}, 1, 2)) == 0);
  CHECK(micros(scale_money(Money{3}, 1, 2)) == 2);
  CHECK(micros(scale_money(Money{5}, 1, 2)) == 2);
  CHECK(micros(scale_money(Money{7}, 1, 2)) == 4);
  // off ties round to the nearest
  CHECK(micros(scale_money(Money{1}, 2, 3)) == 1);
  CHECK(micros(scale_money(Money{1}, 1, 3)) == 0);
  CHECK(micros(scale_money(Money{100'000'000}, 1, 3)) == 33'333'333);
  CHECK(micros(scale_money(Money{200'000'000}, 1, 3)) == 66'666'667);
}

TEST_CASE("scale_money rounds negative amounts symmetrically", "[exact]") {
  CHECK(micros(scale_money(Money{-1}, 1, 2)) == 0);
  CHECK(micros(scale_money(Money{-3}, 1, 2)) == -2);
  CHECK(micros(scale_money(Money{-5}, 1, 2)) == -2);
  CHECK(micros(scale_money(Money{5}, -1, 2)) == -2);
  CHECK(micros(scale_money(Money{-200'000'000}, 1, 3)) == -66'666'667);
  CHECK(micros(scale_money(Money{-7}, -1, 2)) == 4);
}

TEST_CASE("scale_money reports overflow and a non-positive denominator", "[exact]") {
  CHECK(micros(scale_money(Money{k_max}, k_max, k_max)) == k_max);
  CHECK(micros(scale_money(Money{k_min}, 1, 1)) == k_min);
  CHECK(micros(scale_money(Money{k_min}, k_max, k_max)) == k_min);
  CHECK_FALSE(scale_money(Money{k_max}, 2, 1).has_value());
  CHECK_FALSE(scale_money(Money{k_min}, -1, 1).has_value());
  CHECK_FALSE(scale_money(Money{k_max}, k_max, 1).has_value());
  CHECK_FALSE(scale_money(Money{1}, 1, 0).has_value());
  CHECK_FALSE(scale_money(Money{1}, 1, -2).has_value());
}

TEST_CASE("convert multiplies by a rate exactly, up to 18 decimals", "[exact]") {
  CHECK(micros(convert(Money::from_units(100), dec("0.92"))) == 92'000'000);
  CHECK(micros(convert(Money::from_units(100), dec("1.0834"))) == 108'340'000);
  CHECK(micros(convert(Money{-12'345'678}, dec("0.0061"))) == -75'309); // -75308.6358 µ
  CHECK(micros(convert(Money{1}, dec("0.5"))) == 0);                    // tie -> even
  CHECK(micros(convert(Money{3}, dec("0.5"))) == 2);                    // tie -> even
  CHECK(micros(convert(Money{1'000'000}, dec("0.000000000000000001"))) == 0);
  CHECK(micros(convert(Money{500'000'000'000'000'000}, dec("0.000000000000000001"))) == 0);   // exactly 0.5 µ
  CHECK(micros(convert(Money{1'500'000'000'000'000'000}, dec("0.000000000000000001"))) == 2); // exactly 1.5 µ
  CHECK(micros(convert(Money::from_units(1'000'000), dec("0.123456789012345678"))) == 123'456'789'012);
  CHECK(micros(convert(Money{k_max}, dec("0.999999999999999999"))) == 9'223'372'036'854'775'798);
  CHECK(micros(convert(Money{k_max}, dec("1"))) == k_max);
  CHECK_FALSE(convert(Money{k_max}, dec("1.00000000000000001")).has_value());
  CHECK_FALSE(convert(Money{k_min}, dec("999999999999999999")).has_value());
  CHECK_FALSE(convert(Money{1}, Decimal{1, 19}).has_value());
}

TEST_CASE("parse_interval reads units, adjectives and quarters in any case", "[exact]") {
  const auto is = [](std::string_view text, Interval unit, int factor) {
    const std::optional<ParsedInterval> p = parse_interval(text);
    REQUIRE(p.has_value());
    CHECK(p->unit == unit);
    CHECK(p->count_factor == factor);
  };
  is("day", Interval::day, 1);
  is("Daily", Interval::day, 1);
  is("week", Interval::week, 1);
  is("WEEKLY", Interval::week, 1);
  is("month", Interval::month, 1);
  is(" monthly ", Interval::month, 1);
  is("year", Interval::year, 1);
  is("Yearly", Interval::year, 1);
  is("annual", Interval::year, 1);
  is("Annually", Interval::year, 1);
  is("quarter", Interval::month, 3);
  is("Quarterly", Interval::month, 3);
  is("months", Interval::month, 1);
  for (const char* bad : {"", " ", "fortnight", "biweekly", "m", "3 months", "month ly"})
    CHECK_FALSE(parse_interval(bad).has_value());
}

TEST_CASE("monthly normalises every unit with 52 weeks and 365 days a year", "[exact]") {
  CHECK(micros(monthly(Money::from_units(120), Interval::year, 1)) == 10'000'000);
  CHECK(micros(monthly(Money::from_units(10), Interval::week, 1)) == 43'333'333); // 520/12 = 43.3333333
  CHECK(micros(monthly(Money::from_units(1), Interval::day, 1)) == 30'416'667);   // 365/12 = 30.4166666
  CHECK(micros(monthly(Money::from_units(300), Interval::month, 3)) == 100'000'000);
  CHECK(micros(monthly(Money::from_units(49), Interval::month, 1)) == 49'000'000);
  CHECK(micros(monthly(Money::from_units(240), Interval::year, 2)) == 10'000'000);
  CHECK(micros(monthly(Money::from_units(20), Interval::week, 2)) == 43'333'333); // every other week
  CHECK(micros(monthly(Money::from_units(-120), Interval::year, 1)) == -10'000'000);
  CHECK(micros(monthly(Money{1}, Interval::month, 2)) == 0);                          // 0.5 µ -> even
  CHECK(micros(monthly(Money{3}, Interval::month, 2)) == 2);                          // 1.5 µ -> even
  CHECK(micros(monthly(Money{6}, Interval::year, 1)) == 0);                           // 0.5 µ -> even
  CHECK(micros(monthly(Money{18}, Interval::year, 1)) == 2);                          // 1.5 µ -> even
  CHECK(micros(monthly(Money{k_max}, Interval::year, 1)) == 768'614'336'404'564'651); // k_max / 12 = ...650.58
  CHECK_FALSE(monthly(Money{k_max}, Interval::week, 1).has_value());
  CHECK_FALSE(monthly(Money{k_min}, Interval::day, 1).has_value());
  CHECK_FALSE(monthly(Money{1}, Interval::month, 0).has_value());
  CHECK_FALSE(monthly(Money{1}, Interval::year, -1).has_value());
}

TEST_CASE("discounted takes percent_off once, rounded half to even", "[exact]") {
  const Coupon c25 = percent("25");
  CHECK(micros(discounted(Money::from_units(49), 4, &c25)) == 147'000'000);
  CHECK(micros(discounted(Money::from_units(49), 4, nullptr)) == 196'000'000);
  CHECK(micros(discounted(Money::from_units(49), 0, &c25)) == 0);
  const Coupon c50 = percent("50");
  CHECK(micros(discounted(Money{1}, 1, &c50)) == 0); // 0.5 µ
  CHECK(micros(discounted(Money{3}, 1, &c50)) == 2); // 1.5 µ
  CHECK(micros(discounted(Money{-3}, 1, &c50)) == -2);
  const Coupon c100 = percent("100");
  CHECK(micros(discounted(Money::from_units(49), 3, &c100)) == 0);
  // 18 decimals: the denominator is 10^20, past int64
  const Coupon c_third = percent("0.333333333333333333");
  CHECK(micros(discounted(Money::from_units(300), 1, &c_third)) == 299'000'000); // 299000000.000000000001
  Coupon c_half;
  c_half.percent_off = Decimal{500'000'000'000'000'000, 18}; // 0.5 % kept at scale 18
  CHECK(micros(discounted(Money{100}, 1, &c_half)) == 100);  // 99.5 µ -> even
  CHECK(micros(discounted(Money{300}, 1, &c_half)) == 298);  // 298.5 µ -> even
  const Coupon c_tiny = percent("0.000000000000000001");
  CHECK(micros(discounted(Money{k_max}, 1, &c_tiny)) == k_max);
  CHECK(micros(discounted(Money{k_min}, 1, &c_tiny)) == k_min);
  CHECK(micros(discounted(Money{k_max}, 1, &c100)) == 0);
}

TEST_CASE("discounted subtracts amount_off and stops at zero", "[exact]") {
  const Coupon ten = amount(10'000'000);
  CHECK(micros(discounted(Money::from_units(49), 1, &ten)) == 39'000'000);
  CHECK(micros(discounted(Money::from_units(49), 2, &ten)) == 88'000'000);
  const Coupon big = amount(100'000'000);
  CHECK(micros(discounted(Money::from_units(49), 1, &big)) == 0);
  CHECK(micros(discounted(Money::from_units(10), 1, &ten)) == 0);
  CHECK(micros(discounted(Money::from_units(-5), 1, &ten)) == -5'000'000);
}

TEST_CASE("discounted reports overflow, a negative quantity and a bad percent", "[exact]") {
  CHECK_FALSE(discounted(Money{k_max}, 2, nullptr).has_value());
  CHECK_FALSE(discounted(Money::from_units(1'000'000), 10'000'000'000, nullptr).has_value());
  CHECK_FALSE(discounted(Money{1}, -1, nullptr).has_value());
  Coupon over;
  over.percent_off = Decimal{1001, 1}; // 100.1
  CHECK_FALSE(discounted(Money{1}, 1, &over).has_value());
  Coupon zero;
  zero.percent_off = Decimal{0, 0};
  CHECK_FALSE(discounted(Money{1}, 1, &zero).has_value());
}

TEST_CASE("coupon_applies follows once, repeating and forever", "[exact]") {
  Coupon once, repeating, forever;
  once.duration = Coupon::Duration::once;
  repeating.duration = Coupon::Duration::repeating;
  repeating.duration_in_months = 3;
  forever.duration = Coupon::Duration::forever;
  for (int m = 0; m <= 3; ++m) {
    CAPTURE(m);
    CHECK_FALSE(coupon_applies(once, m));
    CHECK(coupon_applies(repeating, m) == (m < 3));
    CHECK(coupon_applies(forever, m));
  }
  CHECK_FALSE(coupon_applies(repeating, -1));
  repeating.duration_in_months = 0;
  CHECK_FALSE(coupon_applies(repeating, 0));
}

TEST_CASE("FxTable prefers a monthly rate over the flat one", "[exact]") {
  FxTable fx("EUR");
  CHECK(fx.target() == "EUR");
  CHECK(fx.empty());
  const MonthIndex jan = 2026 * 12, feb = jan + 1, mar = jan + 2;
  REQUIRE(fx.add("USD", std::nullopt, dec("0.92")));
  REQUIRE(fx.add("USD", feb, dec("0.9")));
  REQUIRE(fx.add("GBP", mar, dec("1.17")));
  CHECK_FALSE(fx.empty());
  CHECK(fx.rate("USD", jan) == Decimal{92, 2});
  CHECK(fx.rate("USD", feb) == Decimal{9, 1});
  CHECK(fx.rate("USD", mar) == Decimal{92, 2});
  CHECK(fx.rate("GBP", mar) == Decimal{117, 2});
  CHECK_FALSE(fx.rate("GBP", feb).has_value()); // monthly only, no flat rate
  CHECK(fx.rate("EUR", jan) == Decimal{1, 0});
  CHECK(micros(convert(Money::from_units(100), *fx.rate("USD", feb))) == 90'000'000);
}

TEST_CASE("FxTable refuses a second rate and knows no other currency", "[exact]") {
  FxTable fx("EUR");
  const MonthIndex jan = 2026 * 12;
  REQUIRE(fx.add("USD", std::nullopt, dec("0.92")));
  REQUIRE(fx.add("USD", jan, dec("0.91")));
  CHECK_FALSE(fx.add("USD", std::nullopt, dec("0.93")));
  CHECK_FALSE(fx.add("USD", jan, dec("0.94")));
  CHECK(fx.rate("USD", jan) == Decimal{91, 2});
  CHECK(fx.rate("USD", jan + 1) == Decimal{92, 2});
  CHECK_FALSE(fx.rate("JPY", jan).has_value());
  CHECK_FALSE(fx.rate("usd", jan).has_value());
  CHECK_FALSE(fx.rate("", jan).has_value());
}

TEST_CASE("currency_code trims, upper-cases and checks three letters", "[exact]") {
  CHECK(currency_code("eur ") == "EUR");
  CHECK(currency_code("  Usd") == "USD");
  CHECK(currency_code("GBP") == "GBP");
  for (const char* bad : {"", "   ", "EU", "EURO", "E1R", "€", "E R", "US$", "ÉUR"}) CHECK(currency_code(bad).empty());
}

} // namespace test_exact
