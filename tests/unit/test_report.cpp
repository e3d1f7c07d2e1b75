// SPDX-License-Identifier: MIT
#include "report/display.hpp"
#include "report/html.hpp"
#include "report/report.hpp"
#include "report/xlsx.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

namespace test_report {

using namespace cskpi;

namespace {

Report tiny_report() {
  Aggregator agg(false);
  MovementRow row;
  row.file = "t.csv";
  row.customer_id = "a";
  row.start = Money::from_units(1000);
  row.expansion = Money::from_units(50);
  agg.add(row);
  row.customer_id = "b";
  row.expansion = Money{};
  row.churned = Money::from_units(1000);
  agg.add(row);
  MetricContext ctx;
  ctx.min_group = 1; // two customers: rated here, to see the tiers rendered
  Report r;
  r.settings.version = "9.9.9";
  r.settings.period_length_source = "default: no period column";
  r.settings.metrics = {"nrr", "ltv"};
  r.inputs.push_back(InputSummary{"t.csv", 2, 2, 0, 0, false, ',', false});
  r.groups = build_groups(agg, ctx, BandTable::builtin(), r.settings.metrics, false);
  return r;
}

} // namespace

TEST_CASE("json_string escapes control characters and repairs invalid UTF-8", "[report]") {
  CHECK(json_string("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"");
  CHECK(json_string(std::string("\x01", 1)) == "\"\\u0001\"");
  CHECK(json_string("M\xc3\xbcnchen") == "\"M\xc3\xbcnchen\"");
  CHECK(json_string("bad\xff") == "\"bad\xEF\xBF\xBD\"");
  CHECK(json_string("\xc3") == "\"\xEF\xBF\xBD\"");
}

TEST_CASE("display width: wide characters take two columns, combining marks none", "[report]") {
  using cskpi::display_width;
  CHECK(display_width("Plain Co") == 8);
  CHECK(display_width("日本語株式会社") == 14);
  CHECK(display_width("Ａｂｃ") == 6);
  CHECK(display_width("😀 Emoji") == 8);
  CHECK(display_width("e\xCC\x81"
                      "cole") == 5); // e + COMBINING ACUTE ACCENT
  CHECK(display_width("école") == 5);
  CHECK(display_width("Ünïcödé") == 7);
  CHECK(display_width("한국") == 4);
  CHECK(display_width("a\xFF\xC3") == 3); // bytes that are not UTF-8: one column each
  CHECK(pad_right("日本", 6) == "日本  ");
  CHECK(pad_left("e\xCC\x81", 3) == "  e\xCC\x81");
  CHECK(pad_right("too wide", 3) == "too wide");
}

TEST_CASE("table numbers: grouped at any size, no digits a double does not hold", "[report]") {
  using detail::fixed;
  using detail::fixed_grouped;
  CHECK(fixed(1234.5678, 2) == "1234.57");
  CHECK(fixed(-0.001, 2) == "0.00");
  CHECK(fixed_grouped(1234567.891, 2) == "1,234,567.89");
  CHECK(fixed_grouped(-999.5, 2) == "-999.50");
  CHECK(fixed_grouped(9999999999999.0, 2) == "9,999,999,999,999.00");
  CHECK(fixed_grouped(10800000000000.0, 2) == "10,800,000,000,000"); // 10^13 up: whole units
  CHECK(fixed_grouped(-123456789012345.6, 2) == "-123,456,789,012,346");
  CHECK(fixed_grouped(4050000000900000120832.0, 2) == "4,050,000,000,900,000,000,000"); // 15 digits, then zeros
  CHECK(fixed(1e15, 2) == "1000000000000000");
  CHECK(fixed_grouped(1.5e300, 2).size() == 301 + 100);
  CHECK(fixed_grouped(std::numeric_limits<double>::infinity(), 2) == "inf");
}

TEST_CASE("CSV text cells cannot start a formula", "[report]") {
  CHECK(csv_text_cell("=HYPERLINK(\"http://x\",\"y\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  CHECK(csv_text_cell("@SUM(A1)") == "'@SUM(A1)");
  CHECK(csv_text_cell("+1") == "'+1");
  CHECK(csv_text_cell("-1") == "'-1");
  CHECK(csv_text_cell("\tx") == "'\tx");
  CHECK(csv_text_cell("SMB") == "SMB");
}

TEST_CASE("markdown cells escape table and HTML syntax", "[report]") {
  CHECK(markdown_cell("a|b") == "a\\|b");
  CHECK(markdown_cell("<script>") == "&lt;script&gt;");
  CHECK(markdown_cell("x\ny") == "x y");
}

TEST_CASE("json numbers keep money exact and drop no precision", "[report]") {
  CHECK(json_number(Quantity::of_money(Money{1'234'567'891})) == "1234.567891");
  CHECK(json_number(Quantity::of_count(42)) == "42");
  CHECK(json_number(Quantity::of_real(105.0)) == "105");
  CHECK(json_number(Quantity::of_real(1.0 / 3.0)) == "0.3333333333333333");
  CHECK(json_number(Quantity::of_real(-0.0)) == "0");
}

TEST_CASE("render_json is byte-exact and deterministic", "[report]") {
  const Report r = tiny_report();
  const std::string want = R"J({
  "schema_version": 2,
  "tool": {"name": "cskpi", "version": "9.9.9"},
  "inputs": [
    {"file": "t.csv", "role": "movements", "rows_read": 2, "rows_used": 2, "rows_rejected": 0, "warnings": 0, "amounts": "units", "currency": null, "converted_from": null}
  ],
  "period_length": "month",
  "by": null,
  "options": {"period_length_source": "default: no period column", "gross_margin": 1, "gross_margin_default": true, "cac": null, "tolerance": 0, "skip_invalid": false, "metrics": ["nrr", "ltv"], "bands": "builtin", "reactivation": null, "min_group": 30, "definitions": "cskpi"},
  "records": [
    {"period":null,"segment":"all","by":null,"metric":"nrr","key":null,"name":"Net revenue retention","value":52.5,"unit":"percent","annualized":0.04384414858452466,"method":"compound","band":"critical","severity":0,"numerator":1050,"denominator":2000,"n":2,"note":null},
    {"period":null,"segment":"all","by":null,"metric":"ltv","key":null,"name":"Customer lifetime value","value":2000,"unit":"currency","annualized":null,"method":null,"band":null,"severity":null,"numerator":1000,"denominator":0.5,"n":2,"note":"gross margin 100% (default; set --gross-margin)"}
  ]
}
)J";
  CHECK(render_json(r) == want);
  CHECK(render_json(tiny_report()) == render_json(r));
}

TEST_CASE("render_csv and render_jsonl carry the same records", "[report]") {
  const Report r = tiny_report();
  CHECK(render_csv(r) ==
        "period,segment,metric,name,value,unit,annualized,method,band,severity,numerator,denominator,n,note,key,by\n"
        ",all,nrr,Net revenue retention,52.5,percent,0.04384414858452466,compound,critical,0,1050,2000,2,,,\n"
        ",all,ltv,Customer lifetime value,2000,currency,,,,,1000,0.5,2,gross margin 100% (default; set "
        "--gross-margin),,\n");
  const std::string jsonl = render_jsonl(r);
  CHECK(std::count(jsonl.begin(), jsonl.end(), '\n') == 2);
}

TEST_CASE("each record says what its segment holds", "[report]") {
  Report r = tiny_report();
  r.settings.by = "plan";
  Group named_all = r.groups.front();
  named_all.whole = false; // a plan called "all"
  r.groups.push_back(named_all);
  const std::string jsonl = render_jsonl(r);
  CHECK(jsonl.find(R"("segment":"all","by":null,)") != std::string::npos);
  CHECK(jsonl.find(R"("segment":"all","by":"plan",)") != std::string::npos);
  const std::string csv = render_csv(r);
  CHECK(csv.find(",2,,,\n") != std::string::npos);     // the whole base: by empty
  CHECK(csv.find(",2,,,plan\n") != std::string::npos); // the plan named all
}

TEST_CASE("render_table aligns columns and names the tier to reach next", "[report]") {
  const std::string t = render_table(tiny_report(), false);
  CHECK(t.find("t.csv · one month (no period column) · 2 customers · 0 rows rejected\n") == 0);
  CHECK(t.find("  Net revenue retention            52.50%       0.04%  critical        warning at >= 90\n") !=
        std::string::npos);
  CHECK(t.find("\x1b[") == std::string::npos);
  CHECK(render_table(tiny_report(), true).find("\x1b[1;31mcritical") != std::string::npos);
}

namespace {

/// Three months of two customers: one grows by 10 each month, one churns in the last.
Report trend_report() {
  Aggregator agg(false);
  MovementRow row;
  row.file = "t.csv";
  const char* months[] = {"2026-01", "2026-02", "2026-03"};
  for (int m = 0; m < 3; ++m) {
    row.period = months[m];
    row.customer_id = "a";
    row.start = Money::from_units(1000 + 10 * m);
    row.expansion = Money::from_units(10);
    row.churned = Money{};
    agg.add(row);
    row.customer_id = "b";
    row.start = Money::from_units(500);
    row.expansion = Money{};
    row.churned = m == 2 ? Money::from_units(500) : Money{};
    agg.add(row);
  }
  MetricContext ctx;
  ctx.columns.period = true;
  Report r;
  r.inputs.push_back(InputSummary{"t.csv", 6, 6, 0, 0, false, ',', false});
  r.groups = build_groups(agg, ctx, BandTable::builtin(), {"mrr_end", "customers_end", "nrr"}, false);
  return r;
}

} // namespace

TEST_CASE("trends: periods as columns, the change against the period before, the latest periods that fit", "[report]") {
  const Report r = trend_report();
  const std::string csv = render_wide(r, "csv", SIZE_MAX);
  CHECK(csv ==
        "segment,metric,key,name,unit,2026-01,2026-02,2026-03,change\n"
        "all,mrr_end,,Ending MRR,currency,1510,1520,1030,-490\n"
        "all,customers_end,,Customers at end,count,2,2,1,-1\n"
        "all,nrr,,Net revenue "
        "retention,percent,100.66666666666667,100.66225165562913,67.76315789473684,-32.8990937608923\n");
  const std::string wide = render_wide(r, "table", SIZE_MAX);
  INFO(wide);
  CHECK(wide.find("  = Ending MRR           1,510.00  1,520.00  1,030.00     -490.00\n") != std::string::npos);
  CHECK(wide.find("  Net revenue retention   100.67%   100.66%    67.76%  -32.90 pts\n") != std::string::npos);
  // Narrow: only the last period fits; the line says what was left out.
  const std::string narrow = render_wide(r, "table", 50);
  CHECK(narrow.find("the last 1 of 3 periods fit 50 columns") != std::string::npos);
  CHECK(narrow.find("2026-02") == std::string::npos);
  CHECK(narrow.find("2026-03") != std::string::npos);
  // Narrower than one period's rows: the last one is shown, and the line says how wide it is.
  const std::string narrower = render_wide(r, "table", 40);
  CHECK(narrower.find("the last of 3 periods alone needs 45 columns, more than the 40 there are") != std::string::npos);
  CHECK(narrower.find("  Net revenue retention    67.76%  -32.90 pts\n") != std::string::npos);
  const std::string md = render_wide(r, "markdown", SIZE_MAX);
  CHECK(md.find("| = Customers at end | 2 | 2 | 1 | -1 |\n") != std::string::npos);
}

TEST_CASE("the HTML page carries the JSON records, and no text can end its scripts early", "[report]") {
  Aggregator agg(true);
  MovementRow row;
  row.file = "t.csv";
  row.customer_id = "a";
  row.group = "</script><script>alert(1)</script>";
  row.start = Money::from_units(1000);
  agg.add(row);
  MetricContext ctx;
  Report r;
  r.inputs.push_back(InputSummary{"t.csv", 1, 1, 0, 0, false, ',', false});
  r.groups = build_groups(agg, ctx, BandTable::builtin(), {"nrr", "grr"}, true);
  const std::string page =
      render_html(r, BandTable::builtin(), "/* chart.js */ var Chart = 1; // </script> in a comment", nullptr);
  // Five script elements (Chart.js, records, bands, the page's settings, its code): no other "</script>".
  std::size_t ends = 0;
  for (std::size_t at = page.find("</script>"); at != std::string::npos; at = page.find("</script>", at + 1)) ++ends;
  CHECK(ends == 5);
  CHECK(page.find("\\u003c/script>\\u003cscript>alert(1)\\u003c/script>") != std::string::npos); // inside the JSON
  CHECK(page.find("&lt;/script&gt;&lt;script&gt;alert(1)") == std::string::npos); // one group's title is not printed
  // The records are render_json's, every "<" written as "\u003c" (the same JSON).
  std::string json = render_json(r), escaped;
  for (const char c : json) escaped += c == '<' ? std::string("\\u003c") : std::string(1, c);
  CHECK(page.find(escaped) != std::string::npos);
  // The NRR bands as regions of the axis, lowest first.
  CHECK(page.find(R"("nrr":[{"from":null,"to":)") != std::string::npos);
  // No currency named: the money is in "units"; the tiers' names for the charts; the movers'
  // slot, hidden until the records carry movers.
  CHECK(page.find("<p class=\"inputs\">Money in units of the input") != std::string::npos);
  CHECK(page.find(R"("currency":"units","tiers":{"critical":"Critical",)") != std::string::npos);
  CHECK(page.find(R"("best_in_class":"Best in class"})") != std::string::npos);
  CHECK(page.find("<section id=\"movers\" hidden>") != std::string::npos);
  // --currency names the unit when no input does (usd is USD).
  const std::string usd = render_html(r, BandTable::builtin(), "", nullptr, "usd");
  CHECK(usd.find("<p class=\"inputs\">Money in USD.</p>") != std::string::npos);
}

TEST_CASE("HTML report: \"<!--<script\" in the data cannot change how the page parses its scripts", "[report]") {
  // In a script element, "<!--" then "<script" makes the HTML parser read a later "</script>"
  // as the end of a nested script: the data element would swallow the page's code.
  Report r = tiny_report();
  r.groups.front().segment = "<!--<script";
  const std::vector<Annotation> events{{"2026-10-14", 2026 * 12 + 9, "<!--<script>", 3}};
  r.groups.front().period = "2026-10";
  const std::string page = render_html(r, BandTable::builtin(), "", nullptr, {}, events);
  const std::size_t data = page.find("<script type=\"application/json\" id=\"cskpi-data\">");
  REQUIRE(data != std::string::npos);
  const std::string scripts = page.substr(data);
  CHECK(scripts.find("<!--") == std::string::npos);
  CHECK(scripts.find("\\u003c!--\\u003cscript") != std::string::npos);
  // No "<" is left in the three JSON elements but their own tags.
  for (const char* id : {"cskpi-data", "cskpi-bands", "cskpi-page"}) {
    const std::string open = fmt::format("<script type=\"application/json\" id=\"{}\">", id);
    const std::size_t from = page.find(open) + open.size(), to = page.find("</script>", from);
    REQUIRE(to != std::string::npos);
    CHECK(page.substr(from, to - from).find('<') == std::string::npos);
  }
}

TEST_CASE("HTML report: annotations reach the page by period, none leaves it as it was", "[report][anomaly]") {
  Report r = tiny_report();
  r.groups.front().period = "2026-10";
  const std::vector<Annotation> events{{"2001-01-01", 2001 * 12, "Elsewhere", 2},
                                       {"2026-10-14", 2026 * 12 + 9, "Price \"change\"", 3}};
  const std::string page = render_html(r, BandTable::builtin(), "", nullptr, {}, events);
  CHECK(page.find(",\"events\":[[\"2026-10\",\"Price \\\"change\\\"\"]]}") != std::string::npos);
  CHECK(page.find("Elsewhere") == std::string::npos);
  CHECK(render_html(r, BandTable::builtin(), "", nullptr).find("\"events\":[") == std::string::npos);
}

TEST_CASE(
    "CSV for a German spreadsheet: semicolons between fields, a decimal comma in numbers, text quoted on a semicolon",
    "[report]") {
  Report r = tiny_report();
  r.groups.front().records.front().metric.note = "a; b";
  const std::string de = render_csv(r, CsvStyle{';', ','});
  CHECK(de.rfind("period;segment;metric;name;value;unit;annualized;", 0) == 0);
  CHECK(de.find(";nrr;Net revenue retention;52,5;percent;") != std::string::npos);
  CHECK(de.find(";\"a; b\";") != std::string::npos);
  CHECK(de.find("52.5") == std::string::npos);
}

TEST_CASE("wrap_words fills lines up to the width and cuts only a word longer than a line", "[report]") {
  CHECK(wrap_words("gross margin 100% (default; set --gross-margin)", 20) ==
        std::vector<std::string>{"gross margin 100%", "(default; set", "--gross-margin)"});
  CHECK(wrap_words("abcdefghij", 4) == std::vector<std::string>{"abcd", "efgh", "ij"});
  CHECK(wrap_words("  two  spaces ", 80) == std::vector<std::string>{"two spaces"});
  CHECK(wrap_words("", 10).empty());
}

TEST_CASE("render_table wraps a long note under its column, or below the record when the line is too narrow",
          "[report]") {
  Report r = tiny_report();
  r.groups.front().records.front().metric.note = "a note of several words that will not fit";
  const std::string wide = render_table(r, false);
  CHECK(wide.find("a note of several words that will not fit") != std::string::npos);
  for (const std::size_t width : {std::size_t{80}, std::size_t{100}, std::size_t{120}}) { // the fixed columns take 80
    const std::string t = render_table(r, false, width);
    INFO(t);
    std::size_t at = 0;
    for (std::size_t nl; (nl = t.find('\n', at)) != std::string::npos; at = nl + 1)
      if (t.compare(at, 2, "t.") != 0) CHECK(nl - at <= width); // the inputs line is not wrapped
    CHECK(t.find("several") != std::string::npos);
  }
}

TEST_CASE("render_xlsx makes a zip workbook with its sheets, the same bytes each time", "[report]") {
  const std::string book = render_xlsx(tiny_report());
  CHECK(book.substr(0, 2) == "PK");
  CHECK(book == render_xlsx(tiny_report()));
  CHECK(book.find("<sheet name=\"Summary\" sheetId=\"1\" r:id=\"rId1\"/>") != std::string::npos);
  CHECK(book.find("<sheet name=\"Records\" sheetId=\"2\" r:id=\"rId2\"/>") != std::string::npos);
  CHECK(book.find("<f>") == std::string::npos); // no formula cell
}

} // namespace test_report
