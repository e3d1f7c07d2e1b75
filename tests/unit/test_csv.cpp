// SPDX-License-Identifier: MIT
#include "core/csv.hpp"

#include <catch2/catch.hpp>

namespace test_csv {

using namespace cskpi;

namespace {
std::vector<std::string> split(std::string_view line, char delim = ',') {
  std::vector<std::string_view> fields;
  std::string scratch;
  REQUIRE(split_record(line, delim, fields, scratch).status == SplitResult::Status::ok);
  return {fields.begin(), fields.end()};
}
} // namespace

TEST_CASE("split_record handles quoting as RFC 4180 says", "[csv]") {
  CHECK(split("a,b,c") == std::vector<std::string>{"a", "b", "c"});
  CHECK(split("a,,c,") == std::vector<std::string>{"a", "", "c", ""});
  CHECK(split("\"Acme, Inc.\",5") == std::vector<std::string>{"Acme, Inc.", "5"});
  CHECK(split("\"The \"\"Best\"\" GmbH\",\"\"") == std::vector<std::string>{"The \"Best\" GmbH", ""});
  CHECK(split("x;\"1.234,56\";y", ';') == std::vector<std::string>{"x", "1.234,56", "y"});
  CHECK(split("a\tb", '\t') == std::vector<std::string>{"a", "b"});
  CHECK(split("") == std::vector<std::string>{""});
}

TEST_CASE("split_record reports broken quoting with the field", "[csv]") {
  std::vector<std::string_view> fields;
  std::string scratch;
  SplitResult r = split_record("a,\"open", ',', fields, scratch);
  CHECK(r.status == SplitResult::Status::unterminated_quote);
  CHECK(r.field == 1);
  r = split_record("\"a\"b,c", ',', fields, scratch);
  CHECK(r.status == SplitResult::Status::text_after_quote);
  CHECK(r.field == 0);
}

TEST_CASE("detect_delimiter picks the header's separator", "[csv]") {
  CHECK(detect_delimiter("customer_id,start_mrr") == ',');
  CHECK(detect_delimiter("Customer ID;Start MRR;Segment") == ';');
  CHECK(detect_delimiter("a\tb\tc") == '\t');
  CHECK(detect_delimiter("\"a;b\",c") == ',');
  CHECK(detect_delimiter("single") == ',');
}

TEST_CASE("column names normalise case, spaces and dashes", "[csv]") {
  CHECK(normalise_column_name("  Start MRR ") == "start_mrr");
  CHECK(normalise_column_name("Customer-ID") == "customer_id");
  CHECK(normalise_column_name("churned_mrr") == "churned_mrr");
}

TEST_CASE("csv_quote quotes only when needed", "[csv]") {
  CHECK(csv_quote("plain") == "plain");
  CHECK(csv_quote("a,b") == "\"a,b\"");
  CHECK(csv_quote("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_quote("a;b", ';') == "\"a;b\"");
}

TEST_CASE("same_text agrees with == for every length and every differing byte", "[csv]") {
  // Each length has its own word or byte path: check each against a plain comparison, with
  // the texts at different addresses and one byte changed at every position.
  for (std::size_t n = 0; n <= 40; ++n) {
    std::string a(n, 'x'), b(n, 'x');
    for (std::size_t i = 0; i < n; ++i) a[i] = b[i] = static_cast<char>('a' + i % 26);
    CHECK(same_text(a, b));
    for (std::size_t i = 0; i < n; ++i) {
      b[i] = '#';
      CHECK_FALSE(same_text(a, b));
      CHECK_FALSE(same_text(b, a));
      b[i] = a[i];
    }
    CHECK_FALSE(same_text(a, b + "!"));
    CHECK_FALSE(same_text(a + "!", b));
  }
  CHECK(same_text(std::string_view{}, std::string_view{}));
}

} // namespace test_csv
