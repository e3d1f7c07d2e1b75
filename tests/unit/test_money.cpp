// SPDX-License-Identifier: MIT
#include "core/money.hpp"

#include <catch2/catch.hpp>

namespace test_money {

using namespace cskpi;
using Status = ParsedMoney::Status;

namespace {
std::int64_t micros(std::string_view text, DecimalStyle style = DecimalStyle::point) {
  const ParsedMoney p = parse_money(text, style);
  REQUIRE(p.status == Status::ok);
  return p.value.micros;
}
Status status(std::string_view text, DecimalStyle style = DecimalStyle::point) {
  return parse_money(text, style).status;
}
} // namespace

TEST_CASE("parse_money reads plain, decimal and grouped numbers exactly", "[money]") {
  CHECK(micros("1234") == 1'234'000'000);
  CHECK(micros("1234.5") == 1'234'500'000);
  CHECK(micros("1234.56") == 1'234'560'000);
  CHECK(micros("1,234.56") == 1'234'560'000);
  CHECK(micros("1,234,567.000001") == 1'234'567'000'001);
  CHECK(micros("0.000001") == 1);
  CHECK(micros(" 5 ") == 5'000'000);
  CHECK(micros("-12.5") == -12'500'000);
  CHECK(micros(".5") == 500'000);
  CHECK(micros("5.") == 5'000'000);
  CHECK(micros("0") == 0);
}

TEST_CASE("parse_money with a decimal comma swaps the separators", "[money]") {
  CHECK(micros("1234,56", DecimalStyle::comma) == 1'234'560'000);
  CHECK(micros("1.234,56", DecimalStyle::comma) == 1'234'560'000);
  CHECK(micros("1.234", DecimalStyle::comma) == 1'234'000'000);
  CHECK(status("1234,56") == Status::invalid);
  CHECK(status("1,234.56", DecimalStyle::comma) == Status::invalid);
}

TEST_CASE("parse_money rejects what is not a plain decimal number", "[money]") {
  for (const char* bad : {"12x.50", "1e3",  "1e309", "NaN",   "nan", "inf", "0x10", "+5", "1,2,3", "12,34",
                          "1,2345", ",123", "1..2",  "1.2.3", "--5", "-",   ".",    "$5", "5 5",   "\xd9\xa1\xd9\xa2"})
    CHECK(status(bad) == Status::invalid);
  CHECK(status("") == Status::empty);
  CHECK(status("   ") == Status::empty);
}

TEST_CASE("parse_money rounds past 6 decimals half-to-even and says so", "[money]") {
  ParsedMoney p = parse_money("0.0000005", DecimalStyle::point);
  CHECK(p.value.micros == 0);
  CHECK(p.rounded);
  p = parse_money("0.0000015", DecimalStyle::point);
  CHECK(p.value.micros == 2);
  p = parse_money("0.00000150001", DecimalStyle::point);
  CHECK(p.value.micros == 2);
  p = parse_money("0.0000025", DecimalStyle::point);
  CHECK(p.value.micros == 2);
  p = parse_money("0.0000026", DecimalStyle::point);
  CHECK(p.value.micros == 3);
  CHECK_FALSE(parse_money("0.000001", DecimalStyle::point).rounded);
}

TEST_CASE("parse_money detects values beyond int64 micro-units", "[money]") {
  CHECK(micros("9223372036854.775807") == INT64_MAX);
  CHECK(status("9223372036854.775808") == Status::overflow);
  CHECK(status("9223372036855") == Status::overflow);
  CHECK(status("99999999999999999999999999") == Status::overflow);
}

TEST_CASE("checked_add refuses to wrap", "[money]") {
  Money a{INT64_MAX - 1};
  CHECK(checked_add(a, Money{1}));
  CHECK(a.micros == INT64_MAX);
  CHECK_FALSE(checked_add(a, Money{1}));
  CHECK(a.micros == INT64_MAX);
  Money b{INT64_MIN};
  CHECK_FALSE(checked_sub(b, Money{1}));
}

TEST_CASE("money formats exactly and rounded", "[money]") {
  CHECK(format_money_exact(Money{1'234'500'000}) == "1234.5");
  CHECK(format_money_exact(Money{-1}) == "-0.000001");
  CHECK(format_money_exact(Money{0}) == "0");
  CHECK(format_money_exact(Money{5'000'000}, 2) == "5.00");
  CHECK(format_money_exact(Money{INT64_MIN}) == "-9223372036854.775808");
  CHECK(format_money_fixed(Money{1'234'567'890}, 2, true) == "1,234.57");
  CHECK(format_money_fixed(Money{5'000}, 2, false) == "0.00");  // 0.005 -> even
  CHECK(format_money_fixed(Money{15'000}, 2, false) == "0.02"); // 0.015 -> even
  CHECK(format_money_fixed(Money{-4'000}, 2, false) == "0.00"); // no "-0.00"
  CHECK(group_thousands(1234567) == "1,234,567");
  CHECK(group_thousands(999) == "999");
  CHECK(group_thousands(1000) == "1,000");
}

} // namespace test_money
