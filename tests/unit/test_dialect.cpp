// SPDX-License-Identifier: MIT
// The CSV dialects spreadsheets write (issue 28): UTF-16, Excel's sep= line, rows of only
// delimiters, quoted fields spanning lines and CR-only line ends, from LineSource's records
// to the rows and diagnostics of a whole read.
#include "core/snapshot_table.hpp"
#include "ingest/engine/line_source.hpp"
#include "ingest/ingest.hpp"
#include "metrics/aggregate.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

namespace test_dialect {

using namespace cskpi;
using namespace cskpi::ingest;

namespace {

/// `text` (UTF-8, ASCII or two-byte characters only... or any, through char32_t) as UTF-16.
std::string utf16(std::u16string_view text, bool big_endian, bool bom) {
  std::string out;
  const auto put = [&](char16_t u) {
    const char hi = static_cast<char>(u >> 8), lo = static_cast<char>(u & 0xFF);
    out += big_endian ? std::string{hi, lo} : std::string{lo, hi};
  };
  if (bom) put(0xFEFF);
  for (const char16_t u : text) put(u);
  return out;
}

std::string to_utf8(std::string_view in, bool big_endian) {
  std::string out;
  CHECK(utf16_to_utf8(in, big_endian, true, out) == in.size());
  return out;
}

using Records = std::vector<std::pair<std::uint64_t, std::string>>;

/// Every record `lines` reads with its first line's number; the delimiter set after the first.
Records read_all(LineSource& lines, char delimiter) {
  Records out;
  std::string_view line;
  while (lines.next(line)) {
    out.emplace_back(lines.line_number(), std::string(line));
    lines.set_delimiter(delimiter);
  }
  return out;
}

/// The same for `text`.
Records records(const std::string& text, char delimiter = ',') {
  std::istringstream in(text);
  LineSource lines(in, Encoding::utf8);
  return read_all(lines, delimiter);
}

struct Diags : DiagnosticSink {
  std::vector<std::string> lines;
  void report(const Diagnostic& d) override { lines.push_back(format_diagnostic(d)); }
};
struct Ids : RowSink {
  std::vector<std::string> ids;
  std::vector<std::string> groups;
  void add(const MovementRow& r) override {
    ids.emplace_back(r.customer_id);
    groups.emplace_back(r.group);
  }
};
struct Read {
  Ids rows;
  Diags diags;
  InputSummary summary;
};
Read read(const std::string& text, IngestOptions opts = {}) {
  Read r;
  Ingestor ingestor(opts, r.diags);
  std::istringstream in(text);
  r.summary = ingestor.read_stream(in, "t.csv", r.rows);
  return r;
}
const std::string k_header = "customer_id,segment,start_mrr,expansion_mrr,contraction_mrr,churned_mrr";

} // namespace

TEST_CASE("utf16_to_utf8 transcodes both byte orders, surrogate pairs included", "[dialect]") {
  const std::u16string text = u"id\tMüller €5 \U0001F680 z";
  const std::string want = "id\tMüller €5 \xF0\x9F\x9A\x80 z";
  CHECK(to_utf8(utf16(text, false, false), false) == want);
  CHECK(to_utf8(utf16(text, true, false), true) == want);
  // A block may end inside a pair or a unit: those bytes wait for the next block.
  const std::string bytes = utf16(u"a\U0001F680", false, false);
  std::string out;
  CHECK(utf16_to_utf8(bytes.substr(0, 4), false, false, out) == 2);
  CHECK(out == "a");
  CHECK(utf16_to_utf8(bytes.substr(0, 3), false, false, out) == 2);
}

TEST_CASE("utf16_to_utf8 marks a surrogate without its pair as byte 0xFF", "[dialect]") {
  CHECK(to_utf8(std::string("a\0\x3d\xd8"
                            "b\0",
                            6),
                false) ==
        "a\xFF"
        "b");                                                       // a high one, then no low one
  CHECK(to_utf8(std::string("\xdc\x00\x00z", 4), true) == "\xFFz"); // a low one alone
  CHECK(to_utf8(std::string("a\0\x3d\xd8", 4), false) == "a\xFF");  // a high one at the end
  CHECK(to_utf8(std::string("a\0b", 3), false) == "a\xFF");         // an odd last byte
}

TEST_CASE("detect_utf16 reads the byte order mark or the NUL bytes of an ASCII header", "[dialect]") {
  CHECK(detect_utf16(utf16(u"customer_id", false, true)) == 1);
  CHECK(detect_utf16(utf16(u"customer_id", true, true)) == 2);
  CHECK(detect_utf16(utf16(u"customer_id,mrr", false, false)) == 1);
  CHECK(detect_utf16(utf16(u"customer_id,mrr", true, false)) == 2);
  CHECK(detect_utf16("customer_id,mrr") == 0);
  CHECK(detect_utf16(std::string("a\0b\0c\xff", 6)) == 0); // binary: a NUL byte is not enough
  CHECK(detect_utf16("\xEF\xBB\xBF"
                     "a,b") == 0);
  CHECK(detect_utf16("a") == 0);
}

TEST_CASE("sep_line reads Excel's delimiter line", "[dialect]") {
  CHECK(sep_line("sep=;") == ';');
  CHECK(sep_line("sep=,") == ',');
  CHECK(sep_line("sep=\t") == '\t');
  CHECK(sep_line("sep=\\t") == '\t');
  CHECK(sep_line("\"sep=;\"") == ';');
  CHECK(sep_line("SEP=;;;;") == ';');
  CHECK(sep_line("\"sep=,\",,,") == ',');
  CHECK(sep_line("sep=|") == '|');
  CHECK(sep_line("sep=") == 0);
  CHECK(sep_line("sep=;,") == 0);
  CHECK(sep_line("sep=x") == 0);
  CHECK(sep_line("separator,mrr") == 0);
  CHECK(sep_line("customer_id,mrr") == 0);
}

TEST_CASE("LineSource joins the lines of a quoted field and numbers the record by its first line", "[dialect]") {
  CHECK(records("h,n\na,\"one\ntwo\"\nb,x\n") == Records{{1, "h,n"}, {2, "a,\"one\ntwo\""}, {4, "b,x"}});
  // CRLF inside and at the end; "" inside; a quote inside an unquoted field opens nothing.
  CHECK(records("h,n\r\na,\"say \"\"hi\r\n\"\"\"\r\n5\" screens,x\r\nc,\"\"\r\n") ==
        Records{{1, "h,n"}, {2, "a,\"say \"\"hi\r\n\"\"\""}, {4, "5\" screens,x"}, {5, "c,\"\""}});
  // A closed quote followed by a line break ends the record; empty lines inside are kept.
  CHECK(records("h,n\na,\"\n\n\"\nb,\"x\"\n") == Records{{1, "h,n"}, {2, "a,\"\n\n\""}, {5, "b,\"x\""}});
  // With ';' as the delimiter, a quote after ',' is inside an unquoted field.
  CHECK(records("h;n\na;b,\"c\nd;e\n", ';') == Records{{1, "h;n"}, {2, "a;b,\"c"}, {3, "d;e"}});
}

TEST_CASE("LineSource finds records across blocks it reads", "[dialect]") {
  // A record longer than the first read (a third of 4 MiB) must be joined across refills.
  std::string note(3u << 20, 'x');
  note[1000] = '\n';
  const std::string text = "h,n\na,\"" + note + "\"\nb,y\n";
  const Records got = records(text);
  REQUIRE(got.size() == 3);
  CHECK(got[1].first == 2);
  CHECK(got[1].second.size() == note.size() + 4);
  CHECK(got[2] == std::pair<std::uint64_t, std::string>{4, "b,y"});
}

TEST_CASE("LineSource::look_ahead returns the lines ahead, which next() then serves in turn", "[dialect]") {
  std::istringstream in("h,n\na,\"one\ntwo\"\nb,x\nc,y\n");
  LineSource lines(in, Encoding::utf8);
  std::string_view line;
  REQUIRE(lines.next(line));
  CHECK(line == "h,n");
  lines.set_delimiter(',');
  {
    const auto ahead = lines.look_ahead(2);
    REQUIRE(ahead.size() == 2);
    CHECK(ahead[0].number == 2);
    CHECK(ahead[0].text == "a,\"one\ntwo\"");
    CHECK(ahead[1].number == 4);
    CHECK(ahead[1].text == "b,x");
  }
  REQUIRE(lines.next(line));
  CHECK(line == "a,\"one\ntwo\"");
  CHECK(lines.line_number() == 2);
  // Asking again returns what is not served yet, and reads on to `count` of them.
  const auto ahead = lines.look_ahead(5);
  REQUIRE(ahead.size() == 2);
  CHECK(ahead[0].text == "b,x");
  CHECK(ahead[1].number == 5);
  CHECK(ahead[1].text == "c,y");
  const Records rest = read_all(lines, ',');
  CHECK(rest == Records{{4, "b,x"}, {5, "c,y"}});
}

TEST_CASE("LineSource::look_ahead keeps an error for next() to throw in its turn", "[dialect]") {
  std::istringstream in("h,n\na,1\nb,\"open\n");
  LineSource lines(in, Encoding::utf8);
  std::string_view line;
  REQUIRE(lines.next(line));
  lines.set_delimiter(',');
  const auto ahead = lines.look_ahead(10);
  REQUIRE(ahead.size() == 1);
  CHECK(ahead[0].text == "a,1");
  REQUIRE(lines.next(line));
  CHECK(line == "a,1");
  CHECK_THROWS_AS(lines.next(line), LineSource::Unclosed);
}

TEST_CASE("LineSource throws Unclosed naming the line where an unclosed quote opens", "[dialect]") {
  std::istringstream in("h,n\na,\"one\ntwo\n");
  LineSource lines(in, Encoding::utf8);
  std::string_view line;
  REQUIRE(lines.next(line));
  try {
    lines.next(line);
    FAIL("no Unclosed thrown");
  } catch (const LineSource::Unclosed& e) {
    CHECK(e.line == 2);
    CHECK(e.at_end);
  }
}

TEST_CASE("LineSource splits CR-only files and skips rows of only delimiters", "[dialect]") {
  CHECK(records("h,n\ra,1\r\rb,\"x\ry\"\rc,2") ==
        Records{{1, "h,n"}, {2, "a,1"}, {4, "b,\"x\ry\""}, {6, "c,2"}});         // the blank line 3 is skipped
  CHECK(records("h,n\r\na,1\r\n") == Records{{1, "h,n"}, {2, "a,1"}});           // CRLF stays CRLF
  CHECK(records("h,\"x\ry\"\na,1\n") == Records{{1, "h,\"x\ry\""}, {2, "a,1"}}); // the first break is the LF
  std::istringstream in("h,n,m\na,1,2\n,,\n , ,\n;;\nb,1,2\n,,\n");
  LineSource lines(in, Encoding::utf8);
  CHECK(read_all(lines, ',') == Records{{1, "h,n,m"}, {2, "a,1,2"}, {5, ";;"}, {6, "b,1,2"}});
  CHECK(lines.delimiter_rows() == 3);
  CHECK(lines.blank_rows() == 0);
  CHECK(lines.first_skipped_row() == 3);
}

TEST_CASE("LineSource counts blank rows after the header with rows of only delimiters", "[dialect]") {
  std::istringstream in("h,n\na,1\n\n,\n  \nb,2\n");
  LineSource lines(in, Encoding::utf8);
  CHECK(read_all(lines, ',') == Records{{1, "h,n"}, {2, "a,1"}, {6, "b,2"}});
  CHECK(lines.blank_rows() == 2);
  CHECK(lines.delimiter_rows() == 1);
  CHECK(lines.first_skipped_row() == 3);
}

TEST_CASE("LineSource does not count the blank lines a file ends with", "[dialect]") {
  std::istringstream in("h,n\na,1\n\nb,2\n\n\r\n  \n");
  LineSource lines(in, Encoding::utf8);
  CHECK(read_all(lines, ',') == Records{{1, "h,n"}, {2, "a,1"}, {4, "b,2"}});
  CHECK(lines.blank_rows() == 1); // line 3, between two rows; lines 5 to 7 only end the file
  CHECK(lines.first_skipped_row() == 3);
}

TEST_CASE("LineSource reads UTF-16 with or without a byte order mark", "[dialect]") {
  for (const bool be : {false, true})
    for (const bool bom : {false, true}) {
      std::istringstream in(utf16(u"id\tname\r\n1\tMüller\r\n2\t\"two\r\nlines\"\r\n", be, bom));
      LineSource lines(in, Encoding::utf8);
      CHECK(read_all(lines, '\t') == Records{{1, "id\tname"}, {2, "1\tMüller"}, {3, "2\t\"two\r\nlines\""}});
      CHECK(lines.utf16());
      CHECK_FALSE(lines.seekable());
    }
}

TEST_CASE("a whole read: UTF-16, sep=, delimiter rows, quoted line breaks and CR-only give the same rows",
          "[dialect]") {
  const std::string plain = k_header + "\na,SMB,100,10,0,0\nb,Ent,50,0,5,0\n";
  const Read want = read(plain);
  REQUIRE(want.diags.lines.empty());
  REQUIRE(want.rows.ids == std::vector<std::string>{"a", "b"});
  std::u16string wide;
  for (const char c : plain) wide.push_back(static_cast<char16_t>(c));
  for (const std::string& text :
       {utf16(wide, false, true), utf16(wide, true, false), "sep=,\n" + plain, "\"sep=,\"\r\n" + plain, [&] {
          std::string cr = plain;
          for (char& c : cr)
            if (c == '\n') c = '\r';
          return cr;
        }()}) {
    const Read got = read(text);
    CHECK(got.diags.lines.empty());
    CHECK(got.rows.ids == want.rows.ids);
    CHECK(got.summary.rows_read == 2);
    CHECK(got.summary.rows_used == 2);
  }
}

TEST_CASE("a whole read: sep= sets the delimiter and counts as a line", "[dialect]") {
  // The header alone would be taken as comma-separated.
  const Read r = read(
      "sep=;\ncustomer_id;segment,x;start_mrr;expansion_mrr;contraction_mrr;churned_mrr\na;S;1,5;0;0;0\nb;S;x;0;0;0\n");
  CHECK(r.rows.ids == std::vector<std::string>{"a"});
  CHECK(r.summary.delimiter == ';');
  CHECK(r.diags.lines == std::vector<std::string>{"t.csv:4:3: error: start_mrr \"x\" is not a number"});
}

TEST_CASE("a whole read: rows of only delimiters are skipped, counted once, not read", "[dialect]") {
  const Read r = read(k_header + "\na,SMB,100,10,0,0\n,,,,,\nb,Ent,50,0,5,0\n,,,,,\n , ,,,,\n");
  CHECK(r.rows.ids == std::vector<std::string>{"a", "b"});
  CHECK(r.summary.rows_read == 2);
  CHECK(r.summary.rows_used == 2);
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv:3: warning: 3 rows of only delimiters were skipped like blank lines, not counted as rows "
            "(first at line 3)"});
}

TEST_CASE("a whole read: a quoted field spanning lines is read, its errors name the first line", "[dialect]") {
  IngestOptions by;
  by.by_column = "segment";
  Read r = read(k_header + "\na,\"Ent\n::error::pwned\",100,10,0,0\nb,SMB,x,0,0,0\nc,\"S\nM\nB\",x,0,0,0\n", by);
  CHECK(r.rows.ids == std::vector<std::string>{"a"});
  CHECK(r.rows.groups == std::vector<std::string>{"Ent\n::error::pwned"});
  CHECK(r.diags.lines ==
        std::vector<std::string>{"t.csv:4:3: error: start_mrr \"x\" is not a number",
                                 "t.csv:5:3: error: start_mrr \"x\" is not a number"});
  // A missing closing quote: the record runs on to the next quote, and its error says so.
  r = read(k_header + "\na,\"SMB,100,10,0,0\nb,SMB,50,0,0,0\nc,\"SMB\",1,0,0,0\n");
  CHECK(r.rows.ids == std::vector<std::string>{});
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv:2:2: error: unexpected text after a closing quote (a quote inside a field must be "
            "doubled: \"\") (this record spans lines 2 to 4: a quoted field holds line breaks; is a "
            "closing quote missing?)"});
  CHECK(r.summary.rows_read == 1);
  CHECK(r.summary.rows_rejected == 1);
}

TEST_CASE("a whole read: a file cut inside a quoted field is an error at the line the record starts", "[dialect]") {
  const Read r = read(k_header + "\na,SMB,100,10,0,0\nb,\"Ent\nerprise");
  CHECK(r.rows.ids == std::vector<std::string>{"a"});
  CHECK(r.summary.unreadable);
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv:3: error: the file ends inside a quoted field that opens on this line: the file is cut "
            "short (export it again), or the field's closing quote is missing"});
}

TEST_CASE("a whole read: a UTF-16 surrogate without its pair is an error naming the line", "[dialect]") {
  std::u16string text;
  for (const char c : k_header + "\na,SMB,100,10,0,0\nb,E") text.push_back(static_cast<char16_t>(c));
  text.push_back(0xD83D);
  for (const char c : std::string("nt,50,0,5,0\n")) text.push_back(static_cast<char16_t>(c));
  const Read r = read(utf16(text, false, true));
  CHECK(r.summary.unreadable);
  CHECK(r.diags.lines ==
        std::vector<std::string>{
            "t.csv:3:2: error: the line is not valid UTF-16 (a surrogate without its pair, shown as byte "
            "0xFF in \"b,E\\xffnt,50,0,5,0\"): the file is damaged; export it again"});
}

TEST_CASE("peek_header finds the header as read_file does", "[dialect]") {
  char declared = 0;
  CHECK(peek_header("sep=;\r\na;b\r\n1;2\r\n", true, declared) == std::optional<std::string>("a;b"));
  CHECK(declared == ';');
  CHECK(peek_header(utf16(u"id\tmrr\r\n1\t2\r\n", false, true), true, declared) ==
        std::optional<std::string>("id\tmrr"));
  CHECK(declared == 0);
  CHECK(peek_header("a,b\rc,d\r", true, declared) == std::optional<std::string>("a,b"));
  CHECK(peek_header("a,b", false, declared) == std::nullopt); // the header may go on
  CHECK(peek_header("a,b", true, declared) == std::optional<std::string>("a,b"));
  CHECK(peek_header("a,\"b\nc\",d\n1,2,3\n", false, declared) == std::optional<std::string>("a,\"b\nc\",d"));
  CHECK(peek_header("\"a\nb", true, declared) == std::nullopt);
}

namespace {

/// The totals of every period, the long snapshots' cells and the accounting of a file read with
/// the parallel passes (`chunk_bytes`, on `threads`) or line by line (chunk_bytes 0).
std::string outcome(const std::string& text, unsigned threads, std::uint64_t chunk_bytes) {
  const std::string path = fmt::format("/tmp/cskpi_test_dialect_{}.csv", ::getpid());
  std::ofstream(path, std::ios::binary) << text;
  IngestOptions o;
  o.threads = static_cast<int>(threads);
  o.parallel_bytes = chunk_bytes == 0 ? ~std::uint64_t{0} : 0;
  o.chunk_bytes = chunk_bytes;
  Diags d;
  Aggregator agg(false);
  std::string out;
  {
    Ingestor ingestor(o, d);
    const InputSummary s = ingestor.read_path(path, agg, true);
    out += fmt::format("read {} used {} rejected {}\n", s.rows_read, s.rows_used, s.rows_rejected);
    if (const SnapshotTable* t = ingestor.snapshots())
      out += fmt::format("customers {} cells {}\n", t->customers(), t->cells());
  }
  std::remove(path.c_str());
  for (const std::string& line : d.lines) out += line + "\n";
  for (const auto& [period, totals] : agg.periods())
    out += fmt::format("{} {} {} {} {}\n", period, totals.all.start.micros, totals.all.expansion.micros,
                       totals.all.churned.micros, totals.all.customers);
  return out;
}

/// Rows of a movements or long snapshots file, every `every`th with a quoted note holding line
/// breaks and a line that would pass for a row of its own (`sep` between a note's lines).
std::string noted(bool snapshots, int rows, int every, const std::string& sep) {
  std::string text = snapshots ? "customer_id,month,mrr,note\n"
                               : "customer_id,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr,note\n";
  for (int i = 0; i < rows; ++i) {
    const std::string note = i % every == every / 2
        ? fmt::format("\"call{}{}{}\"", sep, snapshots ? "C-9,2026-01,5," : "C-9,2026-01,5.00,0,0,0,", sep)
        : "";
    text += snapshots
        ? fmt::format("C-{:05},2026-{:02},{}.00,{}\n", i / 3, 1 + i % 3, 100 + i % 17, note)
        : fmt::format("C-{:05},2026-{:02},{}.00,{}.00,0,0,{}\n", i % 997, 1 + i / 997, 100 + i % 17, i % 5, note);
  }
  return text;
}

} // namespace

TEST_CASE("the parallel passes never split a record whose quoted field spans lines", "[dialect]") {
  for (const bool snapshots : {false, true}) {
    const std::string want = outcome(noted(snapshots, 3000, 500, " "), 1, 0);
    CHECK(want.find("read 3000 used 3000 rejected 0") == 0);
    for (const std::uint64_t chunk : {std::uint64_t{0}, std::uint64_t{512}, std::uint64_t{4096}})
      for (const unsigned threads : {1u, 3u}) {
        INFO("snapshots " << snapshots << " chunk " << chunk << " threads " << threads);
        CHECK(outcome(noted(snapshots, 3000, 500, "\n"), threads, chunk) == want);
        CHECK(outcome(noted(snapshots, 3000, 500, "\r\n"), threads, chunk) == want);
      }
  }
}

TEST_CASE("a group's unlabelled subtotal is found on every path, in any chunk", "[dialect]") {
  // Groups of 40 customers, each followed by a row of its sums (keyed by the group's name), and a
  // grand total at the end: a spreadsheet's subtotals, without a label to know them by.
  std::string text = "customer_id,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr\n";
  std::int64_t all[3] = {};
  for (int g = 0; g < 12; ++g) {
    std::int64_t sums[3] = {};
    for (int i = 0; i < 40; ++i) {
      const std::int64_t row[3] = {100 + (g * 40 + i) % 37, (g + i) % 5, (g * i) % 3};
      text += fmt::format("C-{:03}-{:02},2026-10,{},{},{},0\n", g, i, row[0], row[1], row[2]);
      for (int k = 0; k < 3; ++k) sums[k] += row[k], all[k] += row[k];
    }
    text += fmt::format("Group {},2026-10,{},{},{},0\n", g, sums[0], sums[1], sums[2]);
  }
  text += fmt::format("Everyone,2026-10,{},{},{},0\n", all[0], all[1], all[2]);
  const std::string want = outcome(text, 1, 0);
  CHECK(want.find("read 493 used 480 rejected 13") == 0);
  for (const std::uint64_t chunk : {std::uint64_t{512}, std::uint64_t{4096}})
    for (const unsigned threads : {1u, 3u}) {
      INFO("chunk " << chunk << " threads " << threads);
      CHECK(outcome(text, threads, chunk) == want);
    }
}

} // namespace test_dialect
