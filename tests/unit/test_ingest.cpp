// SPDX-License-Identifier: MIT
#include "core/snapshot_table.hpp"
#include "ingest/ingest.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace test_ingest {

using namespace cskpi;

namespace {

struct Rows : RowSink {
  struct Kept {
    std::string id, period, group;
    Money start, expansion, contraction, churned;
    int nps;
    bool at_risk, saved;
  };
  std::vector<Kept> rows;
  void add(const MovementRow& r) override {
    rows.push_back({std::string(r.customer_id), std::string(r.period), std::string(r.group), r.start, r.expansion,
                    r.contraction, r.churned, r.nps, r.at_risk, r.saved});
  }
};

struct Diags : DiagnosticSink {
  std::vector<std::string> lines;
  void report(const Diagnostic& d) override { lines.push_back(format_diagnostic(d)); }
};

struct Run {
  Rows rows;
  Diags diags;
  InputSummary summary;
};

Run read_csv(const std::string& text, IngestOptions opts = {}) {
  Run run;
  Ingestor ingestor(opts, run.diags);
  std::istringstream in(text);
  run.summary = ingestor.read_stream(in, "t.csv", run.rows);
  return run;
}

const std::string k_header = "customer_id,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n";

} // namespace

TEST_CASE("ingest reads valid rows and accounts for every row", "[ingest]") {
  const Run r = read_csv(k_header + "a,100,10,0,0\nb,50,0,5,0\n\nc,20,0,0,20\n");
  // The blank line is skipped, not a row, and counted in the one warning.
  REQUIRE(r.diags.lines.size() == 1);
  CHECK(r.diags.lines[0].find("1 blank row was skipped") != std::string::npos);
  REQUIRE(r.rows.rows.size() == 3);
  CHECK(r.rows.rows[0].expansion == Money::from_units(10));
  CHECK(r.summary.rows_read == 3);
  CHECK(r.summary.rows_used == 3);
  CHECK(r.summary.rows_rejected == 0);
}

TEST_CASE("ingest names every bad cell by line and field", "[ingest]") {
  const Run r = read_csv(k_header +
                         "a,100,0,0,12x.50\n" // line 2
                         "b,100,-25,0,0\n"    // line 3
                         "c,100,0\n"          // line 4
                         ",100,0,0,0\n"       // line 5
                         "d,100,0,60,50\n"    // line 6
                         "e,100,0,0,40\n"     // line 7
                         "f,100,0,0,0\n"      // line 8
                         "f,100,0,0,0\n");    // line 9
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv:2:5: error: churned_mrr \"12x.50\" is not a number",
            "t.csv:3:3: error: expansion_mrr \"-25\" is negative: movements are amounts >= 0, the column carries the "
            "sign",
            "t.csv:4:4: error: expected 5 fields as in the header, found 3",
            "t.csv:5:1: error: customer_id is empty",
            "t.csv:6:4: error: contraction_mrr + churned_mrr (110.00) exceed start_mrr + expansion_mrr (100.00)",
            "t.csv:7:5: error: churned row still has 60.00 MRR at period end; partial churn belongs in contraction_mrr",
            "t.csv:9:1: error: customer_id \"f\" appears twice (first at line 8)",
        });
  CHECK(r.summary.rows_read == 8);
  CHECK(r.summary.rows_used == 1);
  CHECK(r.summary.rows_rejected == 7);
}

TEST_CASE("ingest checks end_mrr, nps, booleans and periods", "[ingest]") {
  const Run r = read_csv("customer_id,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr,end_mrr,nps,at_risk\n"
                         "a,2026-10,100,10,0,0,110,9,yes\n"
                         "b,2026-10,100,0,0,0,90,,no\n"
                         "c,2026-10,100,0,0,0,100,11,n\n"
                         "d,2026-10,100,0,0,0,100,7,maybe\n"
                         "e,2026-13,100,0,0,0,100,7,0\n"
                         "f,2026-Q3,100,0,0,0,100,7,0\n"
                         "a,2026-11,100,0,0,0,100,,\n");
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv:3:7: error: end_mrr 90.00 does not reconcile: start_mrr + expansion_mrr - contraction_mrr - "
            "churned_mrr = 100.00 (off by 10.00)",
            "t.csv:4:8: error: nps \"11\" is not a whole number from 0 to 10",
            "t.csv:5:9: error: at_risk \"maybe\" is not a boolean (use 1/0, true/false, yes/no or y/n)",
            "t.csv:6:2: error: period \"2026-13\" is not a period (use YYYY-MM, YYYY-Qn, YYYY, a date such as "
            "2026-10-31, "
            "31.10.2026 or 10/31/2026, or Oct 2026)",
            "t.csv:7:2: error: period \"2026-Q3\" is a quarter, but earlier periods are months (first at t.csv:2)",
        });
  REQUIRE(r.rows.rows.size() == 2);
  CHECK(r.rows.rows[0].nps == 9);
  CHECK(r.rows.rows[0].at_risk);
  CHECK(r.rows.rows[0].saved); // derived: at risk and not churned
  CHECK(r.rows.rows[1].nps == -1);
  CHECK(r.rows.rows[1].period == "2026-11"); // same customer, other period: not a duplicate
}

TEST_CASE("a tolerance allows rounding slack on end_mrr", "[ingest]") {
  IngestOptions opts;
  opts.tolerance = Money{10'000};
  const Run r =
      read_csv("customer_id,start_mrr,expansion_mrr,contraction_mrr,churned_mrr,end_mrr\na,100,0,0,0,100.01\n", opts);
  CHECK(r.diags.lines.empty());
  CHECK(r.summary.rows_used == 1);
}

TEST_CASE("ingest reads German Excel exports: BOM, semicolons, decimal comma, CRLF", "[ingest]") {
  const Run r = read_csv("\xEF\xBB\xBF"
                         "Customer ID;Start MRR;Expansion MRR;Contraction MRR;Churned MRR\r\n"
                         "a;\"1.234,56\";0,5;0;0\r\n"
                         "b;10;0;0;0\r\n");
  CHECK(r.diags.lines.empty());
  CHECK(r.summary.delimiter == ';');
  CHECK(r.summary.decimal_comma);
  REQUIRE(r.rows.rows.size() == 2);
  CHECK(r.rows.rows[0].start == Money{1'234'560'000});
  CHECK(r.rows.rows[0].expansion == Money{500'000});
}

TEST_CASE("a decimal comma in a comma file gets a hint", "[ingest]") {
  const Run r = read_csv(k_header + "a,\"100,5\",0,0,0\n");
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv:2:2: error: start_mrr \"100,5\" is not a number (for a decimal comma use --decimal-comma)"});
}

TEST_CASE("ingest reports a missing required column once with what it found", "[ingest]") {
  const Run r = read_csv("customer_id;start_mrr;expansion_mrr\na;1;2\n");
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv:1: error: missing required columns contraction_mrr, churned_mrr (delimiter ';'; columns "
            "found: customer_id, start_mrr, expansion_mrr); read as movements because it has start_mrr, "
            "expansion_mrr. The input forms are: movements (start_mrr, expansion_mrr, contraction_mrr, "
            "churned_mrr); chartmogul (DATE, MRR_MOVEMENT); stripe (Customer ID, Interval, Amount, Status); "
            "coupons (id, Percent Off, Amount Off, Duration); stripe prices (Price ID, Amount, Interval); "
            "chargebee (customer_id, reporting_month); "
            "recurly (account_code, uuid); "                       // issue 32
            "killbill (subscription_id, event, next_start_date); " // issue 32
            "snapshots (long) (customer_id, mrr, month); snapshots (wide) (customer_id, one column per "
            "month); costs (period, sales_marketing, net_burn); logo cohorts (cohort, age, customers); "
            "responses (score, csat or ces without MRR "
            "columns); customers (customer_id and "
            "attribute columns) (cskpi explain inputs; --map 'start_mrr=Your Name' reads other column names)"});
  CHECK(r.summary.unreadable);
  CHECK(r.summary.rows_read == 0);
}

TEST_CASE("an exchange-rates file given as an input is told to come with --fx", "[ingest]") {
  for (const std::string header : {"month,currency,rate", "Currency;FX Rate", "date,from,exchange_rate"}) {
    CAPTURE(header);
    const Run r = read_csv(header + "\n2026-01,EUR,1.08\n");
    REQUIRE(r.diags.lines.size() == 1);
    CHECK(r.diags.lines[0].find("t.csv:1: error: this file holds exchange rates (columns ") == 0);
    CHECK(r.diags.lines[0].find("give it with --fx t.csv --currency CODE") != std::string::npos);
    CHECK(r.summary.unreadable);
  }
  // A customer's currency and a rate column do not make a rates file: the usual refusal.
  const Run r = read_csv("customer_id,currency,rate\na,EUR,1\n");
  REQUIRE(r.diags.lines.size() == 1);
  CHECK(r.diags.lines[0].find("missing required columns start_mrr") != std::string::npos);
}

TEST_CASE("ingest refuses an empty file and a duplicated column", "[ingest]") {
  Run r = read_csv("\n\n");
  REQUIRE(r.diags.lines.size() == 1);
  CHECK(r.diags.lines[0].rfind("t.csv: error: the file is empty", 0) == 0);
  r = read_csv("customer_id,start_mrr,expansion_mrr,contraction_mrr,churned_mrr,Start MRR\n");
  CHECK(r.diags.lines ==
        std::vector<std::string>{"t.csv:1: error: columns 2 (\"start_mrr\") and 6 (\"Start MRR\") "
                                 "both name start_mrr: which one to read is unknown; keep one, or "
                                 "say which with --map 'start_mrr=#6' (a column's number)"});
}

TEST_CASE("every form refuses two columns of one name it reads, unless --map picks one", "[ingest][map]") {
  // Long snapshots: Customer ID and customer_id are both customer_id. Read first, the wrong
  // one would silently key every row.
  const std::string text =
      "Customer ID,month,mrr,customer_id\nx,2026-09,10,a\ny,2026-09,20,a\nx,2026-10,10,a\ny,2026-10,20,a\n";
  Run r = read_csv(text);
  REQUIRE(r.diags.lines.size() == 1);
  CHECK(r.diags.lines[0].starts_with("t.csv:1: error: columns 1 (\"Customer ID\") and 4 (\"customer_id\") both "
                                     "name customer_id"));
  CHECK(r.summary.unreadable);
  IngestOptions o;
  o.column_map = {{"customer_id", "#1"}};
  r = read_csv(text, o);
  REQUIRE(r.diags.lines.size() == 1); // the other column is named as not read
  CHECK(r.diags.lines[0].starts_with("t.csv:1:4: warning: --map customer_id=#1: column 4 (\"customer_id\") is not"));
  CHECK_FALSE(r.summary.unreadable);
  // A column the form does not read may repeat: an unused "notes" twice is no error.
  r = read_csv("customer_id,month,mrr,notes,Notes\na,2026-09,10,,\na,2026-10,10,,\n");
  CHECK(r.diags.lines.empty());
  // #N with no such column is a missing --map source, not a column.
  o.column_map = {{"customer_id", "#9"}};
  r = read_csv("customer_id,month,mrr\na,2026-09,10\na,2026-10,10\n", o);
  REQUIRE(r.diags.lines.size() == 1);
  CHECK(r.diags.lines[0].find("no column \"#9\"") != std::string::npos);
}

TEST_CASE("ingest counts values rounded past 6 decimals as warnings", "[ingest]") {
  const Run r = read_csv(k_header + "a,100.0000004,0,0,0\nb,1.00000051,0,0,0\n");
  CHECK(r.summary.warnings == 2);
  CHECK(r.summary.rows_used == 2);
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv:2:2: warning: 2 values had more than 6 decimals and were rounded half-to-even (this is the first)"});
}

TEST_CASE("ingest rejects unclosed quotes and the --by column must exist", "[ingest]") {
  Run r = read_csv(k_header + "\"a,100,0,0,0\n");
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv:2: error: the file ends inside a quoted field that opens on this line: the file is cut "
            "short (export it again), or the field's closing quote is missing"});
  IngestOptions opts;
  opts.by_column = "segment";
  CHECK_THROWS_WITH(
      read_csv(k_header + "a,1,0,0,0\n", opts),
      "t.csv: --by column \"segment\" is not in the header (columns: customer_id, start_mrr, expansion_mrr, "
      "contraction_mrr, churned_mrr)");
}

TEST_CASE("parse_bool accepts the documented spellings only", "[ingest]") {
  CHECK(parse_bool("TRUE") == true);
  CHECK(parse_bool("Y") == true);
  CHECK(parse_bool("1") == true);
  CHECK(parse_bool("no") == false);
  CHECK(parse_bool("") == false);
  CHECK_FALSE(parse_bool("ja").has_value());
  CHECK_FALSE(parse_bool("2").has_value());
}

namespace {

/// Everything a run produces, in a comparable form.
struct Outcome {
  std::vector<std::string> diagnostics;
  std::vector<std::string> rows;
  std::uint64_t read = 0, used = 0, rejected = 0, warnings = 0;
  bool operator==(const Outcome&) const = default;
};

struct AllRows : RowSink {
  std::vector<std::string>& out;
  explicit AllRows(std::vector<std::string>& o) : out(o) {}
  void add(const MovementRow& r) override {
    out.push_back(fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", r.line, r.customer_id, r.period, r.group,
                              r.start.micros, r.expansion.micros, r.contraction.micros, r.churned.micros,
                              r.new_mrr.micros, r.cac ? r.cac->micros : -1, r.nps, r.at_risk, r.saved));
  }
};

Outcome run_with(const std::string& text, bool fast, int threads = 1) {
  Outcome o;
  Diags d;
  AllRows rows(o.rows);
  IngestOptions opts;
  opts.fast_path = fast;
  opts.threads = threads;
  opts.by_column = "segment";
  Ingestor ingestor(opts, d);
  std::istringstream in(text);
  const InputSummary s = ingestor.read_stream(in, "t.csv", rows);
  o.diagnostics = d.lines;
  o.read = s.rows_read;
  o.used = s.rows_used;
  o.rejected = s.rows_rejected;
  o.warnings = s.warnings;
  return o;
}

} // namespace

TEST_CASE("the fast path and the general path read every row identically", "[ingest]") {
  // Rows the fast path takes, rows it must hand over, and rows that are invalid.
  const std::string text =
      "customer_id,company,segment,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr,new_mrr,end_mrr,nps,"
      "at_risk,saved,cac\n"
      "a,Acme,SMB,2026-10,100,10,0,0,0,110,10,1,,5000\n"
      "b,\"Acme, Inc.\",SMB,2026-10,100.5,0,0.25,0,0,100.25,9,0,,\n"
      "c,\"The \"\"Best\"\"\",\"Mid Market\",2026-10,5.,0,0,5,0,0,,TRUE,no,1.000001\n"
      "d,x,SMB,2026-10-01,.5,0,0,0,0,.5,01,y,n,\"1,000\"\n"
      "e,x,,2026-10,0,0,0,0,250,250,0,false,,\n"
      "f,x,SMB,2026-10,100,0,0,0,0,100,11,0,,\n"
      "g,x,SMB,2026-10,-1,0,0,0,0,0,,0,,\n"
      "h,x,SMB,2026-10,100,0,0,50,0,50,,0,,\n"
      "a,x,SMB,2026-10,1,0,0,0,0,1,,0,,\n"
      "i,x,SMB,2026-10,100.1234567,0,0,0,0,100.1234567,,0,,\n"
      "j,x,SMB,2026-10,1234567890123,0,0,0,0,1234567890123,,0,,\n"
      "k,x,SMB,2026-10, 7 ,0,0,0,0,7,,0,,\n"
      "l,x,SMB,2026-10,7,0,0,0,0,7,,0\n"
      "m,x,SMB,2026-10,7,0,0,0,0,7,,0,,,\n"
      "  ,x,SMB,2026-10,7,0,0,0,0,7,,0,,\n"
      "n,x,SMB,2026-Q4,7,0,0,0,0,7,,0,,\n";
  const Outcome fast = run_with(text, true), slow = run_with(text, false);
  CHECK(fast.diagnostics == slow.diagnostics);
  CHECK(fast.rows == slow.rows);
  CHECK(fast == slow);
  CHECK(fast.used == 8);
}

TEST_CASE("two threads, one thread and the general path give identical records on a generated file", "[ingest]") {
  // Several batches' worth of rows: quoted names, new periods, invalid rows and duplicates
  // whose first occurrence is batches earlier, so every hand-over between the threads and
  // between the fast and the general path is crossed.
  std::string text =
      "customer_id,company,segment,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr,nps,at_risk\n";
  std::uint64_t state = 42;
  const auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  for (int i = 0; i < 30'000; ++i) {
    const std::uint64_t r = next();
    const std::string id = i % 4'999 == 4'998 ? "C-" + std::to_string(i / 3) : "C-" + std::to_string(i);
    const std::string company = r % 37 == 0 ? "\"Acme, \"\"Inc\"\"\"" : "Acme";
    const std::string period = i < 20'000 ? "2026-10" : "2026-11";
    const std::uint64_t cents = 1'000 + r % 900'000;
    std::string start = std::to_string(cents / 100) + "." + std::to_string(10 + cents % 90);
    if (r % 997 == 0) start = "12x";            // invalid number
    if (r % 1'201 == 0) start = "\"1,234.50\""; // grouped: general path
    const bool churn = r % 50 == 0;
    text += id + "," + company + ",SMB," + period + "," + start + ",0," + "0," + (churn ? start : "0") + "," +
        (r % 3 == 0 ? std::to_string(r % 11) : "") + "," + (r % 13 == 0 ? "yes" : "no") + "\n";
  }
  const Outcome one = run_with(text, true, 1), two = run_with(text, true, 2), general = run_with(text, false, 1);
  CHECK(one.diagnostics.size() > 10);
  CHECK(two.diagnostics == one.diagnostics);
  CHECK(two.rows == one.rows);
  CHECK(two == one);
  CHECK(general == one);
}

TEST_CASE("hostile: 10,000 columns are read, and a header without the required ones is summarised",
          "[ingest][hostile]") {
  std::string header = "customer_id,start_mrr,expansion_mrr,contraction_mrr,churned_mrr";
  std::string row = "a,100,5,0,0";
  for (int i = 5; i < 10000; ++i) {
    header += fmt::format(",extra_{}", i);
    row += ",x";
  }
  const std::string row_b = "b" + row.substr(1);
  const Run r = read_csv(header + "\n" + row + "\n" + row_b + "\n");
  CHECK(r.diags.lines.empty());
  CHECK(r.summary.rows_used == 2);
  CHECK(r.rows.rows[1].expansion == Money::from_units(5));

  const Run missing = read_csv(header.substr(header.find("extra_")) + "\n");
  REQUIRE(missing.diags.lines.size() == 1);
  CHECK(missing.diags.lines[0].size() < 1500); // 50 names at most, then "... N more", and the forms
  CHECK(missing.diags.lines[0].find("... 9945 more)") != std::string::npos);
}

TEST_CASE("hostile: a 20 MB line stops the file with a clear message", "[ingest][hostile]") {
  const std::string huge(20u << 20, 'x');
  Run r = read_csv(k_header + "a,1,0,0,0\n" + huge + ",1,0,0,0\nc,1,0,0,0\n");
  CHECK(r.diags.lines ==
        std::vector<std::string>{"t.csv:3: error: line is longer than 16 MiB; stopped reading this file"});
  CHECK(r.summary.unreadable);
  CHECK(r.summary.rows_read == r.summary.rows_used + r.summary.rows_rejected);
  r = read_csv(huge + "\n"); // a 20 MB header: the message quotes a 40-character prefix only
  REQUIRE(r.diags.lines.size() == 1);
  CHECK(r.diags.lines[0].size() < 400);
}

TEST_CASE("hostile: NUL bytes, stray quotes and invalid UTF-8", "[ingest][hostile]") {
  const Run r = read_csv(k_header + std::string("a\0b,1,0,0,0\n", 12) + "5\" screens,1,0,0,0\n\xff\xfe,1,0,0,0\n");
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv:2:1: error: customer_id \"a\\x00b\" holds a NUL byte: binary data, not text",
            "t.csv:3:1: error: a quote inside an unquoted field: quote the whole field and double the quote "
            "(\"5\"\" screens\"), or is this the rest of a field from the line before?",
            "t.csv:4:1: error: the line is not valid UTF-8 (byte 0xFF in \"\\xff\\xfe,1,0,0,0\"): the file looks like "
            "Windows-1252 or Latin-1; read it with --encoding cp1252 (or latin1)"});
  CHECK(r.rows.rows.empty());
  CHECK(r.summary.unreadable); // invalid UTF-8 stops the file: it is in another encoding
}

TEST_CASE("hostile: a row whose own movements overflow int64 micro-units is rejected", "[ingest][hostile]") {
  const Run r = read_csv(k_header + "a,9000000000000,9000000000000,0,0\nb,1,0,0,0\n");
  CHECK(r.diags.lines == std::vector<std::string>{"t.csv:2:2: error: the row's movements overflow the money range"});
  CHECK(r.summary.rows_used == 1);
}

// ---------------------------------------------------------------------------- issue 12

TEST_CASE("a totals row is named, by its label or by amounts that repeat the sums above", "[ingest][totals]") {
  CHECK(looks_like_totals_label("Total"));
  CHECK(looks_like_totals_label(" grand TOTAL: "));
  CHECK(looks_like_totals_label("Summe"));
  CHECK(looks_like_totals_label("Gesamtergebnis"));
  CHECK_FALSE(looks_like_totals_label("Totally Legit GmbH"));
  CHECK_FALSE(looks_like_totals_label(""));
  Run r = read_csv(k_header + "a,100,10,0,0\nb,50,0,5,0\nTotal,150,10,5,0\n");
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv:4:1: error: customer_id \"Total\" looks like a totals row, not a customer: delete the "
            "line from the export"});
  CHECK(r.summary.rows_used == 2);
  CHECK(r.summary.rows_rejected == 1);
  // Without a label: the amounts are exactly the sums of the rows above (fast and slow path alike).
  for (const bool fast : {true, false}) {
    IngestOptions o;
    o.fast_path = fast;
    r = read_csv(k_header + "a,100,10,0,0\nb,50,0,5,0\nc,150,10,5,0\n", o);
    CHECK(r.diags.lines ==
          std::vector<std::string>{
              "t.csv:4:2: error: this looks like a totals row: its amounts are the sums of the 2 rows above "
              "(start_mrr 150.00); delete the line from the export"});
  }
  // One column alone (100 + 100 = 200) is a coincidence, not a total.
  r = read_csv(k_header + "a,100,0,0,0\nb,100,0,0,0\nc,200,0,0,0\n");
  CHECK(r.diags.lines.empty());
  CHECK(r.summary.rows_used == 3);
  // A totals row over several periods is found too.
  r = read_csv("customer_id,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n"
               "a,2026-09,100,10,0,0\nb,2026-09,50,0,5,0\na,2026-10,110,0,0,0\nx,2026-10,260,10,5,0\n");
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv:5:3: error: this looks like a totals row: its amounts are the sums of the 3 rows above "
            "(start_mrr 260.00); delete the line from the export"});
}

TEST_CASE("a currency column: one currency is fine, several are an error naming them", "[ingest][currency]") {
  const std::string header = "customer_id,currency,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n";
  Run r = read_csv(header + "a,EUR,100,0,0,0\nb,eur,50,0,0,0\n");
  CHECK(r.diags.lines.empty());
  CHECK(r.summary.currency == "EUR");
  r = read_csv(header + "a,EUR,100,0,0,0\nb,USD,50,0,0,0\nc,JPY,5000,0,0,0\nd,EUR,1,0,0,0\n");
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv: error: mixed currencies EUR (first at line 2), JPY (first at line 4), USD (first at line 3): "
            "amounts in different currencies cannot be added; convert them with --fx RATES.csv --currency EUR "
            "(see cskpi explain fx)"});
  CHECK(r.summary.unreadable);
  IngestOptions o;
  o.currency = "USD";
  r = read_csv(header + "a,EUR,100,0,0,0\n", o);
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv:2: error: the amounts are in EUR, not USD (--currency); give --fx FILE to convert them"});
}

TEST_CASE("fx: a rates file converts every amount exactly, rounding half-to-even to micro-units",
          "[ingest][currency]") {
  const std::string rates = fmt::format("/tmp/cskpi_test_fx_{}.csv", ::getpid()); // apart from a parallel run
  {
    std::ofstream f(rates);
    f << "month,currency,rate\n2026-10,USD,0.9\n,USD,0.5\n,JPY,0.0061234567\n";
  }
  IngestOptions o;
  o.fx_file = rates;
  o.currency = "EUR";
  const std::string header = "customer_id,period,currency,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n";
  const Run r = read_csv(header +
                             "a,2026-10,USD,100,10,0,0\nb,2026-09,USD,100,0,0,0\nc,2026-10,JPY,1000,0,0,0\n"
                             "d,2026-10,EUR,7,0,0,0\ne,2026-10,GBP,1,0,0,0\n",
                         o);
  CHECK(r.diags.lines ==
        std::vector<std::string>{"t.csv:6:3: error: no exchange rate from GBP to EUR for 2026-10 in the --fx file"});
  REQUIRE(r.rows.rows.size() == 4);
  CHECK(r.rows.rows[0].start == Money{90'000'000}); // the October rate
  CHECK(r.rows.rows[0].expansion == Money{9'000'000});
  CHECK(r.rows.rows[1].start == Money{50'000'000});    // no September rate: the flat one
  CHECK(r.rows.rows[2].start == Money{6'123'457});     // 6.1234567 rounded to 6.123457
  CHECK(r.rows.rows[3].start == Money::from_units(7)); // already in EUR
  CHECK(r.summary.currency == "EUR");
  CHECK(r.summary.converted_from == "GBP, JPY, USD");
  std::remove(rates.c_str());
}

TEST_CASE("encoding: cp1252 is transcoded, and UTF-8 with a Latin-1 byte stops the file", "[ingest][encoding]") {
  const std::string latin = k_header + "M\xfcller GmbH,100,0,0,0\n";
  Run r = read_csv(latin);
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv:2:1: error: the line is not valid UTF-8 (byte 0xFC in \"M\\xfcller GmbH,100,0,0,0\"): the file "
            "looks like Windows-1252 or Latin-1; read it with --encoding cp1252 (or latin1)"});
  IngestOptions o;
  o.encoding = "cp1252";
  r = read_csv(latin + "\x80uro AG,1,0,0,0\n", o);
  CHECK(r.diags.lines.empty());
  REQUIRE(r.rows.rows.size() == 2);
  CHECK(r.rows.rows[0].id == "M\xc3\xbcller GmbH");
  CHECK(r.rows.rows[1].id == "\xe2\x82\xacuro AG"); // 0x80 is the euro sign in Windows-1252
  r = read_csv(k_header +
                   "a\x81"
                   "b,1,0,0,0\n",
               o); // 0x81 is not a character in Windows-1252
  REQUIRE(r.diags.lines.size() == 1);
  CHECK(r.diags.lines[0].find("byte 0x81 is not a character in Windows-1252") != std::string::npos);
}

TEST_CASE("column mapping reads an export's own column names as ours", "[ingest][map]") {
  IngestOptions o;
  o.column_map = {{"start_mrr", "mrr_start"}, {"customer_id", "kunden_id"}};
  const Run r = read_csv("Kunden-ID,MRR Start,expansion_mrr,contraction_mrr,churned_mrr\nk1,100,0,0,0\n", o);
  CHECK(r.diags.lines.empty());
  REQUIRE(r.rows.rows.size() == 1);
  CHECK(r.rows.rows[0].id == "k1");
  CHECK(r.rows.rows[0].start == Money::from_units(100));
}

TEST_CASE("a header-only file is read with a warning, a workbook is named", "[ingest]") {
  Run r = read_csv(k_header);
  CHECK(r.diags.lines == std::vector<std::string>{"t.csv:1: warning: the file holds a header (movements) but no rows"});
  CHECK_FALSE(r.summary.unreadable);
  r = read_csv(std::string("PK\x03\x04\x14\0\x06\0", 8) + "[Content_Types].xml\n");
  REQUIRE(r.diags.lines.size() == 1);
  CHECK(r.diags.lines[0].starts_with("t.csv: error: this is a zip archive, not CSV: an Excel (.xlsx)"));
}

TEST_CASE("periods written as dates people use become months, an undecidable one is an error", "[ingest][dates]") {
  const std::string header = "customer_id,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n";
  Run r = read_csv(
      header + "a,31.10.2026,100,0,0,0\nb,2026-10-31T12:00:00Z,1,0,0,0\nc,Oct 2026,1,0,0,0\nd,10/31/2026,1,0,0,0\n");
  CHECK(r.diags.lines.empty());
  REQUIRE(r.rows.rows.size() == 4);
  for (const auto& row : r.rows.rows) CHECK(row.period == "2026-10");
  r = read_csv(header + "a,03/04/2026,100,0,0,0\n");
  REQUIRE(r.diags.lines.size() == 1);
  CHECK(r.diags.lines[0].find("--date-format") != std::string::npos);
  IngestOptions o;
  o.date_format = "DD/MM/YYYY";
  r = read_csv(header + "a,03/04/2026,100,0,0,0\n", o);
  REQUIRE(r.rows.rows.size() == 1);
  CHECK(r.rows.rows[0].period == "2026-04");
}

TEST_CASE("Stripe subscriptions become monthly MRR: intervals, seats, coupons, trials, cancellations",
          "[ingest][stripe]") {
  Diags diags;
  Rows rows;
  IngestOptions o;
  Ingestor ingestor(o, diags);
  std::istringstream coupons("id,Name,Amount Off,Currency,Duration,Duration In Months,Percent Off\n"
                             "HALF3,,,,repeating,3,50\nTEN,,10.00,usd,forever,,\n");
  ingestor.read_stream(coupons, "coupons.csv", rows);
  std::istringstream subs(
      "id,Customer ID,Plan,Quantity,Currency,Interval,Amount,Status,Created (UTC),Start (UTC),Current Period Start "
      "(UTC),"
      "Current Period End (UTC),Trial End (UTC),Coupon,Canceled At (UTC),Cancel At Period End,Ended At (UTC)\n"
      // 120/year = 10/month from January on
      "s1,cus_a,y,1,usd,year,120.00,active,2026-01-05 10:00,2026-01-05 10:00,2026-01-05 10:00,2027-01-05 "
      "10:00,,,,false,\n"
      // 4 seats x 25 = 100/month, half price for the first 3 months (Jan..Mar)
      "s2,cus_b,m,4,usd,month,25.00,active,2026-01-10 10:00,2026-01-10 10:00,2026-04-10 10:00,2026-05-10 "
      "10:00,,HALF3,,false,\n"
      // 10/week = 43.333333/month, less nothing; asked to cancel in March, ended April 2: counts through March
      "s3,cus_c,w,1,usd,week,10.00,canceled,2026-01-01 10:00,2026-01-01 10:00,2026-03-26 10:00,2026-04-02 10:00,,,"
      "2026-03-20 10:00,true,2026-04-02 10:00\n"
      // in trial until April 20: nothing in March, from April on 50 less the 10.00 coupon
      "s4,cus_d,m,1,usd,month,50.00,active,2026-03-01 10:00,2026-03-01 10:00,2026-04-20 10:00,2026-05-20 "
      "10:00,2026-04-20 10:00,TEN,,false,\n"
      // never paid
      "s5,cus_e,m,1,usd,month,50.00,incomplete_expired,2026-02-01 10:00,2026-02-01 10:00,,,,,,false,\n"
      // the export's latest date: 2026-05-31, so May is the last whole month
      "s6,cus_a,m,1,usd,month,5.00,active,2026-05-31 10:00,2026-05-31 10:00,2026-05-31 10:00,2026-06-30 "
      "10:00,,,,false,\n");
  const InputSummary s = ingestor.read_stream(subs, "subscriptions.csv", rows);
  CHECK(s.role == "stripe");
  CHECK(s.rows_read == 6);
  CHECK(s.rows_used == 6);
  CHECK(
      diags.lines ==
      std::vector<std::string>{"subscriptions.csv: warning: left out of MRR: 1 incomplete subscription (never paid)"});
  const SnapshotTable* t = ingestor.snapshots();
  REQUIRE(t != nullptr);
  CHECK(month_label(t->first()) == "2026-01");
  CHECK(month_label(t->last()) == "2026-05");
  const auto mrr = [&](std::string_view id, const char* month) {
    for (std::uint32_t c = 0; c < t->customers(); ++c)
      if (t->id(c) == id) return t->at(c, *parse_month(month));
    return Money{-1};
  };
  CHECK(mrr("cus_a", "2026-01") == Money::from_units(10));
  CHECK(mrr("cus_a", "2026-05") == Money::from_units(15)); // two subscriptions summed
  CHECK(mrr("cus_b", "2026-03") == Money::from_units(50));
  CHECK(mrr("cus_b", "2026-04") == Money::from_units(100));
  CHECK(mrr("cus_c", "2026-03") == Money{43'333'333});
  CHECK(mrr("cus_c", "2026-04") == Money{});
  CHECK(mrr("cus_d", "2026-03") == Money{});
  CHECK(mrr("cus_d", "2026-04") == Money::from_units(40));
}

TEST_CASE("ChartMogul: the MRR column is checked against the running sum, per customer or per subscription",
          "[ingest][chartmogul]") {
  const std::string header =
      "DATE,CUSTOMER_EXTERNAL_ID,MRR_MOVEMENT,MRR,MOVEMENT_TYPE,CURRENCY_CODE,SUBSCRIPTION_EXTERNAL_ID\n";
  // Invoices in EUR and USD: one account currency, so no "mixed currencies" here.
  Run r = read_csv(header +
                   "2026-01-05,a,10000,10000,new_biz,EUR,s1\n2026-02-03,a,5000,15000,expansion,EUR,s1\n"
                   "2026-01-07,b,20000,20000,new_biz,USD,s2\n2026-03-01,b,0,20000,expansion,USD,s2\n");
  CHECK(r.diags.lines.empty());
  CHECK_FALSE(r.summary.unreadable);
  // MRR per subscription: customer c has two subscriptions; each row's MRR is its own.
  r = read_csv(header +
               "2026-01-05,c,10000,10000,new_biz,EUR,s1\n2026-01-06,c,3000,3000,new_biz,EUR,s2\n"
               "2026-02-01,c,1000,11000,expansion,EUR,s1\n2026-03-01,c,0,11000,expansion,EUR,s1\n");
  CHECK(r.diags.lines.empty());
  // A movement missing from the export: the MRR column says so.
  r = read_csv(header +
               "2026-01-05,d,10000,10000,new_biz,EUR,s1\n2026-02-03,d,5000,17000,expansion,EUR,s1\n"
               "2026-03-03,d,0,17000,expansion,EUR,s1\n");
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv:3:4: error: MRR 170.00 of customer \"d\" does not match 150.00, the sum of its "
            "MRR_MOVEMENTs up to the end of 2026-02 (2 customer-months differ; this is the first): the export "
            "is missing movements (export the whole history)"});
  CHECK(r.summary.unreadable);
}

TEST_CASE("fx: a bad rates file is refused with the line and column", "[ingest][currency]") {
  const std::string path = fmt::format("/tmp/cskpi_test_fx_bad_{}.csv", ::getpid());
  const auto refused = [&](const std::string& text) -> std::string {
    {
      std::ofstream f(path);
      f << text;
    }
    IngestOptions o;
    o.fx_file = path;
    o.currency = "EUR";
    Diags diags;
    try {
      Ingestor ingestor(o, diags);
    } catch (const Error& e) {
      std::remove(path.c_str());
      return e.what();
    }
    std::remove(path.c_str());
    return "accepted";
  };
  CHECK(refused("currency,rate\nUSD,0.92\n") == "accepted");
  CHECK(refused("code,value\nUSD,0.92\n") ==
        path + ":1: an --fx file has the columns currency,rate or month,currency,rate");
  CHECK(refused("currency,rate\nUS,0.92\n") == path + ":2:1: currency \"US\" is not a three-letter ISO code");
  CHECK(refused("currency,rate\nUSD,-1\n") == path + ":2:2: rate \"-1\" is not a positive decimal number such as 0.92");
  CHECK(refused("currency,rate\nUSD,0.92\nUSD,0.93\n") == path + ":3:1: a second rate for USD");
  CHECK(refused("month,currency,rate\n2026-13,USD,0.92\n") ==
        path + ":2:1: month \"2026-13\" is not a month (use YYYY-MM)");
  CHECK(refused("currency,rate\nEUR,2\n") == path + ":2:2: the rate of EUR into itself is 1, not 2");
  CHECK(refused("currency,rate\nUSD\n") == path + ":2:2: expected 2 fields, found 1");
  CHECK(refused("") == path + ": the --fx file is empty");
}

TEST_CASE("Stripe coupons: every bad cell is named", "[ingest][stripe]") {
  const Run r = read_csv("id,Name,Amount Off,Currency,Duration,Duration In Months,Percent Off\n"
                         "A,,,,forever,,120\n"
                         "B,,5.00,usd,forever,,10\n"
                         "C,,,,monthly,,10\n"
                         "D,,,,repeating,,10\n"
                         "E,,,,once,,25\n"
                         "E,,,,once,,25\n");
  CHECK(r.summary.role == "coupons");
  CHECK(r.diags.lines ==
        std::vector<std::string>{"t.csv:2:7: error: Percent Off \"120\" is not a number above 0 and at most 100",
                                 "t.csv:3:7: error: a coupon has either Percent Off or Amount Off",
                                 "t.csv:4:5: error: Duration \"monthly\" is not once, repeating or forever",
                                 "t.csv:5:6: error: a repeating coupon needs Duration In Months",
                                 "t.csv:7:1: error: coupon \"E\" appears twice: lines 6 and 7"});
  CHECK(r.summary.rows_used == 1);
  CHECK(r.summary.rows_rejected == 5);
}

} // namespace test_ingest
