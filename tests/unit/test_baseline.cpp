// SPDX-License-Identifier: MIT
// The month-close lock (issue 30): the JSON reader, the baseline read back, the comparison.
#include "app/ledger.hpp"
#include "core/json.hpp"
#include "report/baseline.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

namespace test_baseline {

using namespace cskpi;

namespace {

std::string json_error(std::string_view text) {
  try {
    parse_json(text);
  } catch (const JsonError& e) {
    return fmt::format("{}:{}: {}", e.line(), e.column(), e.what());
  }
  return "parsed";
}

std::string baseline_error(std::string_view text) {
  try {
    parse_baseline(text, "closed.json");
  } catch (const Error& e) {
    return fmt::format("{} {}", static_cast<int>(e.code()), e.what());
  }
  return "parsed";
}

/// A report of one period: the whole base and SMB, each with an nrr record.
Report report_of(double all_nrr, double smb_nrr, std::string period = "2026-10") {
  Report r;
  r.settings.by = "segment";
  for (const auto& [segment, nrr] : {std::pair<std::string, double>{"all", all_nrr}, {"SMB", smb_nrr}}) {
    Group g;
    g.period = period;
    g.segment = segment;
    g.whole = segment == "all";
    Record rec;
    rec.metric.def = find_metric("nrr");
    rec.metric.value = Quantity::of_real(nrr);
    g.records.push_back(rec);
    r.groups.push_back(g);
  }
  return r;
}

/// The baseline a report --format json --lock of `r` would give.
Baseline baseline_of(const Report& r, const CustomerLedger& ledger) {
  std::string json = render_json(r);
  return parse_baseline(with_lock(json, ledger, true), "closed.json");
}

CustomerLedger ledger_of(std::initializer_list<std::pair<std::string, std::uint64_t>> customers) {
  CustomerLedger out;
  for (const auto& [id, hash] : customers) out.push_back(LedgerEntry{"2026-10", "SMB", id, hash});
  return out;
}

} // namespace

TEST_CASE("parse_json reads values, escapes and nesting", "[baseline]") {
  const JsonValue v = parse_json(R"( {"a": [1, -2.5e3, true, null], "s": "x\"\u00e9\ud83d\ude00", "o": {}} )");
  REQUIRE(v.is(JsonValue::Kind::object));
  const JsonValue* a = v.find("a");
  REQUIRE(a != nullptr);
  REQUIRE(a->items.size() == 4);
  CHECK(a->items[1].text == "-2.5e3"); // numbers keep their text, for exact comparison
  CHECK(a->items[2].boolean);
  CHECK(a->items[3].is(JsonValue::Kind::null));
  CHECK(v.find("s")->text == "x\"\xC3\xA9\xF0\x9F\x98\x80");
  CHECK(v.find("o")->members.empty());
  CHECK(v.find("missing") == nullptr);
}

TEST_CASE("parse_json names the line and column of a syntax error", "[baseline]") {
  CHECK(json_error("{\n  \"a\": 1,\n  \"b\" 2\n}") == "3:7: expected ':' after the member name");
  CHECK(json_error("[1, 2") == "1:6: expected ',' or ']' in the array");
  CHECK(json_error("{\"a\": 01}") == "1:7: a number does not start with 0");
  CHECK(json_error("\"abc") == "1:5: the string has no closing quote");
  CHECK(json_error("{} {}") == "1:4: unexpected text after the JSON value");
  CHECK(json_error("customer_id,period") == "1:1: unexpected character 'c'");
  CHECK(json_error(std::string(100, '[')) == "1:65: JSON nested too deeply");
  CHECK(json_error("") == "1:1: unexpected end of the file: a JSON value was expected");
}

TEST_CASE("parse_baseline refuses what is not a cskpi report, naming where", "[baseline]") {
  CHECK(baseline_error("[1]") ==
        "3 closed.json:1:1: not a cskpi report; --baseline takes the output of cskpi report --format json");
  CHECK(baseline_error(R"({"tool": {"name": "other"}})").starts_with("3 closed.json:1:10: not a cskpi report"));
  CHECK(baseline_error(R"({"schema_version": 1, "tool": {"name": "cskpi"}})")
            .starts_with("3 closed.json:1:20: schema_version 1: this cskpi (schema 2) reads baselines of schema 2"));
  CHECK(baseline_error(R"({"schema_version": 2, "tool": {"name": "cskpi"}, "verdicts": []})")
            .starts_with("3 closed.json:1:1: this is the output of cskpi check"));
  CHECK(baseline_error(R"({"schema_version": 2, "tool": {"name": "cskpi"}, "period_length": "month", "options": )"
                       R"({"definitions": "cskpi", "gross_margin": 1}, "records": []})") ==
        "3 closed.json:1:143: the baseline holds no figures, so it would lock nothing");
  CHECK(baseline_error(R"({"schema_version": 2, "tool": {"name": "cskpi"}, "by": 3})") ==
        "3 closed.json:1:56: \"by\" is a number, not a string");
}

TEST_CASE("a report with --lock reads back as the same figures and ledger", "[baseline]") {
  const CustomerLedger ledger = ledger_of({{"C-1", 0x0123456789abcdefULL}, {"C-2", 0xffffffffffffffffULL}});
  const Baseline b = baseline_of(report_of(101.5, 99), ledger);
  CHECK(b.by == "segment");
  CHECK(b.definitions == "cskpi");
  REQUIRE(b.figures.size() == 2);
  CHECK(b.figures[0].whole);
  CHECK(b.figures[0].value == "101.5");
  CHECK(b.figures[1].segment == "SMB");
  CHECK_FALSE(b.figures[1].whole);
  REQUIRE(b.ledger);
  CHECK(*b.ledger == ledger);
  CHECK(b.periods() == std::vector<std::string>{"2026-10"});
}

TEST_CASE("an unchanged report passes the baseline, one verdict per period", "[baseline]") {
  const Baseline b = baseline_of(report_of(101.5, 99), {});
  const std::vector<Verdict> v = judge_baseline(b, report_of(101.5, 99), nullptr, {});
  REQUIRE(v.size() == 1);
  CHECK(v[0].status == Verdict::Status::pass);
  CHECK(v[0].shown == "2 figures");
  CHECK(v[0].period == "2026-10");
}

TEST_CASE("a changed figure fails with its old and new value and the customers that differ", "[baseline]") {
  const Baseline b = baseline_of(report_of(101.5, 99), ledger_of({{"C-1", 1}, {"C-2", 2}, {"C-3", 3}}));
  const CustomerLedger now = ledger_of({{"C-1", 1}, {"C-2", 5}, {"C-4", 4}});
  const std::vector<Verdict> v = judge_baseline(b, report_of(101.5, 97.25), &now, {});
  REQUIRE(v.size() == 1);
  CHECK(v[0].status == Verdict::Status::fail);
  CHECK(v[0].rule == "nrr as closed");
  CHECK(v[0].segment == "SMB");
  CHECK(v[0].was == 99.0);
  CHECK(v[0].value == 97.25);
  CHECK(v[0].customers == std::vector<std::string>{"C-2", "C-3 (removed)", "C-4 (added)"});
  CHECK(v[0].reason ==
        "was 99.00% at close (-1.75 points); customers whose movements differ: C-2, C-3 (removed), "
        "C-4 (added)");
}

TEST_CASE("the tolerance lets a figure move by that much in its own unit", "[baseline]") {
  const Baseline b = baseline_of(report_of(101.5, 99), {});
  BaselineOptions opts;
  opts.tolerance = Money::from_units(1);
  std::vector<Verdict> v = judge_baseline(b, report_of(102.5, 98.5), nullptr, opts);
  REQUIRE(v.size() == 1);
  CHECK(v[0].status == Verdict::Status::pass);
  CHECK(v[0].reason == "2 within ± 1");
  v = judge_baseline(b, report_of(102.6, 99), nullptr, opts);
  REQUIRE(v.size() == 1);
  CHECK(v[0].status == Verdict::Status::fail);
  CHECK(v[0].expect == "101.50% ± 1 (closed.json)");
  CHECK(v[0].reason ==
        "was 101.50% at close (+1.10 points); the customers are not known: closed.json was saved "
        "without --lock");
}

TEST_CASE("a baseline period missing from the data fails, or is skipped with allow_missing", "[baseline]") {
  const Baseline b = baseline_of(report_of(101.5, 99, "2026-09"), {});
  BaselineOptions opts;
  std::vector<Verdict> v = judge_baseline(b, report_of(101.5, 99, "2026-10"), nullptr, opts);
  REQUIRE(v.size() == 1);
  CHECK(v[0].status == Verdict::Status::fail);
  CHECK(v[0].reason == "2026-09 is in closed.json but not in the data, so its figures cannot be compared");
  opts.allow_missing = true;
  v = judge_baseline(b, report_of(101.5, 99, "2026-10"), nullptr, opts);
  CHECK(v[0].status == Verdict::Status::skip);
}

TEST_CASE("a group gone from the data fails each of its figures", "[baseline]") {
  const Baseline b = baseline_of(report_of(101.5, 99), {});
  Report now = report_of(101.5, 99);
  now.groups.pop_back();
  const std::vector<Verdict> v = judge_baseline(b, now, nullptr, {});
  REQUIRE(v.size() == 1);
  CHECK(v[0].reason.starts_with("was 99.00% at close; the group SMB is not in the data now"));
}

TEST_CASE("check_compatible refuses a baseline made with other choices", "[baseline]") {
  const Baseline b = baseline_of(report_of(101.5, 99), {});
  ReportSettings s;
  s.by = "segment";
  CHECK_NOTHROW(check_compatible(b, s));
  s.by.reset();
  s.definitions = "chartmogul";
  try {
    check_compatible(b, s);
    FAIL("compatible");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::usage);
    CHECK(std::string(e.what()) ==
          "closed.json was made with other choices than this run, so its figures differ for that alone: --by segment "
          "(this run: none); --definitions cskpi (this run: chartmogul). Run check with the baseline's choices");
  }
}

TEST_CASE("rules and --fail-on leave the closed periods to the baseline", "[baseline]") {
  const Report r = report_of(90, 80);
  CheckOptions opts;
  opts.closed_periods = {"2026-10"};
  opts.fail_on = Tier::good;
  const std::vector<Verdict> v = judge({parse_rule("nrr>=100"), parse_rule("period=2026-10:nrr>=100")}, r.groups, opts);
  REQUIRE(v.size() == 2);
  CHECK(v[0].status == Verdict::Status::skip); // no open period: nothing for the unscoped rule to judge
  CHECK(v[0].reason == "every period it applies to is closed: judged against the baseline");
  CHECK(v[1].status == Verdict::Status::skip);
  CHECK(v[1].reason == "2026-10 is closed: judged against the baseline");
}

TEST_CASE("the ledger is the same whether rows are added in order or forked and merged", "[baseline]") {
  struct Null : RowSink {
    void add(const MovementRow&) override {}
    std::unique_ptr<RowSink> fork() const override { return std::make_unique<Null>(); }
    bool merge(RowSink&) override { return true; }
  };
  const auto row = [](std::string_view id, std::string_view group, double start, double churned) {
    MovementRow r;
    r.customer_id = id;
    r.period = "2026-10";
    r.group = group;
    r.start = Money{static_cast<std::int64_t>(start * 1e6)};
    r.churned = Money{static_cast<std::int64_t>(churned * 1e6)};
    return r;
  };
  Null a, b;
  app::LedgerSink one(a, true), two(b, true);
  one.add(row("C-2", "", 10, 0));
  one.add(row("C-1", "SMB", 5, 5));
  one.add(row("C-2", "", 1, 0));
  std::unique_ptr<RowSink> part = two.fork();
  REQUIRE(part);
  part->add(row("C-2", "", 1, 0));
  two.add(row("C-1", "SMB", 5, 5));
  part->add(row("C-2", "", 10, 0));
  REQUIRE(two.merge(*part));
  const CustomerLedger l = one.ledger();
  CHECK(l == two.ledger());
  REQUIRE(l.size() == 2);
  CHECK(l[0].customer == "C-1");
  CHECK(l[1].group == "(blank)"); // as the report names an empty --by value
  CHECK(l[0].hash != l[1].hash);
}

TEST_CASE("parse_json streams the items of an array at a path instead of keeping them", "[baseline]") {
  std::vector<std::string> taken;
  const std::vector<JsonStream> streams{
      {{"lock", "customers"}, [&](JsonValue&& v) { taken.push_back(v.items.at(0).text); }}};
  const JsonValue v =
      parse_json(R"({"customers": [["x"]], "lock": {"customers": [["a"], ["b"]], "other": [["c"]]}})", streams);
  CHECK(taken == std::vector<std::string>{"a", "b"});
  CHECK(v.find("lock")->find("customers")->items.empty());
  CHECK(v.find("lock")->find("other")->items.size() == 1);
  CHECK(v.find("customers")->items.size() == 1); // the same name elsewhere is not streamed
}

} // namespace test_baseline
