// SPDX-License-Identifier: MIT
// The rules every input form shares (issue 28): totals rows, duplicate keys, trimmed keys,
// empty required amounts (src/ingest/rules.hpp).
#include "ingest/reader.hpp"
#include "ingest/rules.hpp"
#include "sinks.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace test_rules {

using namespace cskpi;
using namespace cskpi::ingest;

namespace {

using testing::Diags;
using testing::NoRows;

/// A FileReader over a made-up header, fed one row at a time.
struct Reader {
  Diags diags;
  NoRows sink;
  Run run{IngestOptions{}, diags};
  std::string name = "t.csv";
  FileReader rd{run, name, 0, sink};
  std::vector<std::string> cells;

  explicit Reader(std::vector<std::string> header) { rd.names = std::move(header); }
  /// Makes `row` the current row, at line `line`.
  FileReader& at(std::uint64_t line, std::vector<std::string> row) {
    cells = std::move(row);
    rd.fields.assign(cells.begin(), cells.end());
    rd.line = line;
    rd.row_ok = true;
    return rd;
  }
};

std::vector<Money> units(std::initializer_list<std::int64_t> v) {
  std::vector<Money> out;
  for (const std::int64_t x : v) out.push_back(Money::from_units(x));
  return out;
}

} // namespace

TEST_CASE("rules: key_cell trims spaces and tabs, nothing else", "[rules]") {
  CHECK(key_cell(" A1") == "A1");
  CHECK(key_cell("A1 \t") == "A1");
  CHECK(key_cell("A 1") == "A 1");
  CHECK(key_cell("   ").empty());
}

TEST_CASE("rules: totals labels, pivot subtotals included, and customer names that are not", "[rules]") {
  for (const char* label : {"Total", "TOTAL", " Grand Total ", "Grand total:", "Summe", "Gesamtergebnis", "SMB Total",
                            "Enterprise Subtotal", "Mid-Market totals"})
    CHECK(totals_label(label));
  for (const char* id : {"A1", "Totalmobile", "Total Fitness GmbH", "Summit", "T-100", "Sumo Logic", ""})
    CHECK_FALSE(totals_label(id));
}

TEST_CASE("rules: spreadsheet subtotals and qualified totals are labels, and the fast paths ask about each",
          "[rules]") {
  // LibreOffice's Data > Subtotals ("SMB Sum", "Grand Sum") and pivot table ("SMB Result",
  // "Total Result"), German ("SMB Summe"), and totals with a unit or currency.
  const char* labels[] = {"SMB Sum",   "Grand Sum",         "Total Result", "Enterprise Result",
                          "SMB Summe", "Grand Total (USD)", "Total MRR",    "Total (EUR)",
                          "Total USD", "Grand total:",      "Grand Summe",  "Mid-Market Ergebnis"};
  for (const char* label : labels) {
    CAPTURE(label);
    CHECK(totals_label(label));
    // The movements fast path takes an id as plain unless it starts with one of these letters
    // or may end as a label: every label must reach totals_label().
    const char first = static_cast<char>(label[0] | 0x20);
    CHECK((first == 't' || first == 's' || first == 'g' || first == 'i' || may_end_totals_label(label)));
  }
  for (const char* id : {"Total Fitness", "Grand Hotel Europa", "Totality", "Sumatra Sum Ltd", "Resultant", "ACME"})
    CHECK_FALSE(totals_label(id));
}

TEST_CASE("rules: TotalsRule rejects a labelled row on its key cell", "[rules]") {
  Reader r({"customer_id", "2026-08", "2026-09"});
  TotalsRule rule;
  CHECK_FALSE(rule.reject(r.at(2, {"A1", "100", "100"}), 0, units({100, 100}), 1));
  CHECK(rule.reject(r.at(3, {"Grand Total", "100", "100"}), 0, units({100, 100}), 1));
  CHECK_FALSE(r.rd.row_ok);
  REQUIRE(r.diags.lines.size() == 1);
  CHECK(r.diags.lines[0] ==
        "t.csv:3:1: error: customer_id \"Grand Total\" looks like a totals row, not a customer: delete the line from "
        "the export");
}

TEST_CASE("rules: TotalsRule finds a sums row after two non-zero rows, in two non-zero columns", "[rules]") {
  Reader r({"customer_id", "2026-08", "2026-09", "2026-10"});
  TotalsRule rule;
  const auto row = [&](std::uint64_t line, std::initializer_list<std::int64_t> v) {
    const std::vector<Money> m = units(v);
    const bool rejected = rule.reject(r.at(line, {"x", "", "", ""}), k_absent, m, 1);
    if (!rejected) rule.add(m);
    return rejected;
  };
  SECTION("a sums row") {
    CHECK_FALSE(row(2, {500, 550, 550}));
    CHECK_FALSE(row(3, {80, 80, 0}));
    CHECK(row(4, {580, 630, 550}));
    REQUIRE(r.diags.lines.size() == 1);
    CHECK(r.diags.lines[0] ==
          "t.csv:4:2: error: this looks like a totals row: its amounts are the sums of the 2 rows above; "
          "delete the line from the export");
  }
  SECTION("one non-zero row above: a customer on the same plan, not a sum") {
    CHECK_FALSE(row(2, {100, 100, 0}));
    CHECK_FALSE(row(3, {0, 0, 0}));
    CHECK_FALSE(row(4, {100, 100, 0}));
  }
  SECTION("one non-zero column is too easily a coincidence") {
    CHECK_FALSE(row(2, {100, 0, 0}));
    CHECK_FALSE(row(3, {100, 0, 0}));
    CHECK_FALSE(row(4, {200, 0, 0}));
  }
  SECTION("a group's subtotal after each group: the sums since the last totals row") {
    CHECK_FALSE(row(2, {100, 110, 120}));
    CHECK_FALSE(row(3, {200, 200, 0}));
    CHECK(row(4, {300, 310, 120})); // the first group's: all rows above
    CHECK_FALSE(row(5, {1000, 1000, 1100}));
    CHECK_FALSE(row(6, {2000, 2100, 2100}));
    CHECK(row(7, {3000, 3100, 3200})); // the second's: the rows since line 4
    CHECK(row(8, {3300, 3410, 3320})); // the grand total: every row used
    REQUIRE(r.diags.lines.size() == 3);
    CHECK(r.diags.lines[1] ==
          "t.csv:7:2: error: this looks like a subtotal row: its amounts are the sums of the 2 "
          "rows since line 4; delete the line from the export");
  }
  SECTION("a customer equal to the rows since a subtotal in one column only is a customer") {
    CHECK_FALSE(row(2, {100, 110, 120}));
    CHECK_FALSE(row(3, {200, 200, 0}));
    CHECK(row(4, {300, 310, 120}));
    CHECK_FALSE(row(5, {50, 0, 0}));
    CHECK_FALSE(row(6, {50, 0, 0}));
    CHECK_FALSE(row(7, {100, 0, 0}));
  }
  SECTION("labels only, for a form with one amount per row") {
    CHECK_FALSE(rule.reject(r.at(2, {"A1", "", "", ""}), 0, {}, k_absent));
    CHECK(rule.reject(r.at(3, {"Total", "", "", ""}), 0, {}, k_absent));
  }
}

TEST_CASE("rules: DuplicateRule names both lines, and the fix when one is given", "[rules]") {
  Reader r({"subscription_id", "reporting_month"});
  DuplicateRule rule;
  CHECK(rule.note(r.at(2, {"sub_1", "2026-08"}), 0, "subscription_id", "\"sub_1\"", "sub_1|2026-08"));
  CHECK(rule.note(r.at(3, {"sub_1", "2026-09"}), 0, "subscription_id", "\"sub_1\"", "sub_1|2026-09"));
  CHECK_FALSE(rule.note(r.at(5, {"sub_1", "2026-08"}), 0, "subscription_id", "\"sub_1\"", "sub_1|2026-08"));
  CHECK_FALSE(
      rule.note(r.at(7, {"sub_1", "2026-08"}), 1, "subscription_id", "\"sub_1\"", "sub_1|2026-08", "delete one"));
  REQUIRE(r.diags.lines.size() == 2);
  CHECK(r.diags.lines[0] == "t.csv:5:1: error: subscription_id \"sub_1\" appears twice: lines 2 and 5");
  CHECK(r.diags.lines[1] == "t.csv:7:2: error: subscription_id \"sub_1\" appears twice: lines 2 and 7; delete one");
}

TEST_CASE("rules: row_key is blind to padding, not to content", "[rules]") {
  Reader r({"a", "b"});
  const std::string plain = row_key(r.at(2, {"A1", "100"}));
  CHECK(row_key(r.at(3, {" A1", "100 "})) == plain);
  CHECK(row_key(r.at(4, {"A1", "1000"})) != plain);
  CHECK(row_key(r.at(5, {"A", "1100"})) != plain); // cells are kept apart
}

TEST_CASE("rules: an empty required amount is an error that says what to do", "[rules]") {
  Reader r({"customer_id", "mrr"});
  CHECK(required_amount(r.at(2, {"A1", " 12.50 "}), 1, "mrr", "write 0", false) == Money{12500000});
  CHECK(r.rd.row_ok);
  CHECK(required_amount(r.at(3, {"A1", "  "}), 1, "mrr", "write 0 for a month without MRR", false) == Money{});
  CHECK_FALSE(r.rd.row_ok);
  REQUIRE(r.diags.lines.size() == 1);
  CHECK(r.diags.lines[0] == "t.csv:3:2: error: mrr is empty: write 0 for a month without MRR");
}

TEST_CASE("rules: month headers, Excel's mmm-yyyy read and mmm-yy not guessed", "[rules]") {
  CHECK(parse_month("Oct-2026") == 2026 * 12 + 9);
  CHECK(parse_month("Oct 2026") == 2026 * 12 + 9);
  CHECK(parse_month("October-2026") == 2026 * 12 + 9);
  CHECK_FALSE(parse_month("Oct-26"));
  CHECK_FALSE(parse_month("Oct 26"));
}

} // namespace test_rules
