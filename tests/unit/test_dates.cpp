// SPDX-License-Identifier: MIT
#include "ingest/dates.hpp"

#include "core/attributes.hpp"
#include "core/snapshot_table.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace test_dates {

using namespace cskpi;
using namespace cskpi::ingest;

namespace {

/// A read result as text: "2026-10-31", "month 2026-10" or the status.
std::string shown(const DateColumn::Result& r) {
  switch (r.status) {
  case DateColumn::Status::ok:
    if (!r.value.day) return "month " + month_label(r.value.month);
    CHECK(month_label(r.value.month) == format_date(*r.value.day).substr(0, 7)); // the day's own month
    return format_date(*r.value.day);
  case DateColumn::Status::empty: return "empty";
  case DateColumn::Status::not_a_date: return "not_a_date";
  case DateColumn::Status::ambiguous: return "ambiguous";
  case DateColumn::Status::contradicts: return "contradicts";
  }
  return "?";
}

/// What a fresh column reads.
std::string read_as(std::string_view text, DateOrder order = DateOrder::unknown) {
  DateColumn c(order);
  return shown(c.read(text, 1));
}

/// The message of a failed read in a fresh column.
std::string message_of(std::string_view text, DateOrder order = DateOrder::unknown) {
  DateColumn c(order);
  return c.message(c.read(text, 1), "signup_date", text);
}

constexpr const char* k_not_a_date_tail =
    " is not a date (use YYYY-MM-DD, DD.MM.YYYY, MM/DD/YYYY or DD/MM/YYYY with --date-format, or Oct 2026)";

} // namespace

TEST_CASE("ISO dates are read as written, with or without a time of day and zone", "[dates]") {
  for (const char* text :
       {"2026-10-31", " 2026-10-31 ", "\t2026-10-31\r", "2026/10/31", "2026-10-31T12:00:00Z",
        "2026-10-31T12:00:00.123+02:00", "2026-10-31 12:00", "2026-10-31 12:00:00", "2026-10-31T12:00",
        "2026-10-31T23:30:00-05:00", "2026-10-31T12:00:00+0200", "2026-10-31T12:00:00.5Z", "2026-10-31T00:00:00-03"}) {
    INFO(text);
    CHECK(read_as(text) == "2026-10-31");
  }
  CHECK(*DateColumn().read("2026-10-31", 1).value.day == *parse_date("2026-10-31"));
  CHECK(DateColumn().read("2026-10-31", 1).value.month == *parse_month("2026-10"));
}

TEST_CASE("ISO dates with a malformed time or mixed separators are not dates", "[dates]") {
  for (const char* text : {"2026-10-31T", "2026-10-31T25:00", "2026-10-31T12:60", "2026-10-31 12", "2026-10-31T1:00",
                           "2026-10-31T12:00:00.", "2026-10-31T12:00:00+2", "2026-10-31T12:00:00Zulu",
                           "2026-10-31 noon", "2026-10/31", "2026/10-31", "2026-1-31", "2026-10-1", "2026-10-31x",
                           "2026-10-31T12:00:00+02:00:00", "2026-10-31 12:00 PM", "20261031"}) {
    INFO(text);
    CHECK(read_as(text) == "not_a_date");
  }
}

TEST_CASE("YYYY-MM is a month without a day", "[dates]") {
  CHECK(read_as("2026-10") == "month 2026-10");
  CHECK(read_as(" 2026-01 ") == "month 2026-01");
  CHECK(DateColumn().read("2026-10", 1).value.month == *parse_month("2026-10"));
  for (const char* text : {"2026-13", "2026-00", "2026-1", "2026/10", "1899-12", "2200-01"}) {
    INFO(text);
    CHECK(read_as(text) == "not_a_date");
  }
}

TEST_CASE("impossible dates and years outside 1900-2199 are rejected", "[dates]") {
  for (const char* text :
       {"2026-02-30", "2026-04-31", "2026-13-01", "2026-00-10", "2026-10-00", "2026-10-32", "1899-12-31", "2200-01-01",
        "31.04.2026", "0.10.2026", "31.13.2026", "31/31/2026", "00/00/2026", "10/32/2026", "1/1/1899"}) {
    INFO(text);
    CHECK(read_as(text) == "not_a_date");
  }
  CHECK(read_as("1900-01-01") == "1900-01-01");
  CHECK(read_as("2199-12-31") == "2199-12-31");
}

TEST_CASE("leap days exist only in leap years", "[dates]") {
  CHECK(read_as("2024-02-29") == "2024-02-29");
  CHECK(read_as("2000-02-29") == "2000-02-29");
  CHECK(read_as("29.02.2024") == "2024-02-29");
  CHECK(read_as("02/29/2024") == "2024-02-29");
  for (const char* text : {"2026-02-29", "2100-02-29", "1900-02-29", "29.02.2026", "02/29/2026", "29/02/2026"}) {
    INFO(text);
    CHECK(read_as(text) == "not_a_date");
  }
}

TEST_CASE("German dotted dates are always day first and never ambiguous", "[dates]") {
  CHECK(read_as("31.10.2026") == "2026-10-31");
  CHECK(read_as("1.10.2026") == "2026-10-01");
  CHECK(read_as("1.2.2026") == "2026-02-01");
  CHECK(read_as("01.02.2026") == "2026-02-01");
  CHECK(read_as("01.02.2026", DateOrder::mdy) == "2026-02-01");
  CHECK(read_as("31.10.2026 12:00") == "2026-10-31");
  CHECK(read_as("31.10.2026 9:05:59") == "2026-10-31");
  DateColumn c;
  CHECK(shown(c.read("01.02.2026", 1)) == "2026-02-01");
  CHECK(c.order() == DateOrder::unknown); // a dotted date does not decide the slash order
  for (const char* text : {"31.10.26", "31.10.2026T12:00", "31.10.2026 24:00", "31.10.2026 12", "31-10-2026",
                           "31.10/2026", "131.10.2026", "31.10.02026"}) {
    INFO(text);
    CHECK(read_as(text) == "not_a_date");
  }
}

TEST_CASE("slash dates with a part above 12 are read and decide the order", "[dates]") {
  DateColumn dmy;
  CHECK(shown(dmy.read("31/10/2026", 4)) == "2026-10-31");
  CHECK(dmy.order() == DateOrder::dmy);
  CHECK(shown(dmy.read("3/4/2026", 5)) == "2026-04-03");
  DateColumn mdy;
  CHECK(shown(mdy.read("10/31/2026", 4)) == "2026-10-31");
  CHECK(mdy.order() == DateOrder::mdy);
  CHECK(shown(mdy.read("3/4/2026", 5)) == "2026-03-04");
}

TEST_CASE("slash dates may carry a time, in 24-hour or AM/PM form", "[dates]") {
  for (const char* text : {"10/31/2026 3:05 PM", "10/31/2026 03:05 pm", "10/31/2026 15:05:00", "10/31/2026 12:00 AM",
                           "10/31/2026 11:59:59 am"}) {
    INFO(text);
    CHECK(read_as(text) == "2026-10-31");
  }
  CHECK(read_as("31/10/2026 0:00") == "2026-10-31");
  for (const char* text : {"10/31/2026 13:00 PM", "10/31/2026 0:30 AM", "10/31/2026 3:05PM", "10/31/2026 3:5",
                           "10/31/2026T15:05", "10/31/2026 15:05 XM", "10/31/2026 15:05Z"}) {
    INFO(text);
    CHECK(read_as(text) == "not_a_date");
  }
}

TEST_CASE("two-digit years are not accepted in any form", "[dates]") {
  for (const char* text : {"31/10/26", "10/31/26", "31.10.26", "Oct-26", "Oct 26", "26-10-31", "26-10", "26/10/31"}) {
    INFO(text);
    CHECK(read_as(text) == "not_a_date");
  }
}

TEST_CASE("month names give a month without a day", "[dates]") {
  for (const char* text : {"Oct 2026", "October 2026", "oct-2026", "OCTOBER 2026", "october-2026", " Oct  2026 "}) {
    INFO(text);
    CHECK(read_as(text) == "month 2026-10");
  }
  CHECK(read_as("May 2026") == "month 2026-05");
  CHECK(read_as("sep 2026") == "month 2026-09");
  CHECK(read_as("January 1900") == "month 1900-01");
  CHECK(DateColumn().read("Oct 2026", 1).value.month == *parse_month("Oct 2026"));
  for (const char* text : {"Octo 2026", "Sept 2026", "Oct2026", "2026 Oct", "Oct 1899", "Dec 2200", "Oct 2026 1",
                           "Oct_2026", "Okt 2026", "Oct 31 2026", "31 Oct 2026"}) {
    INFO(text);
    CHECK(read_as(text) == "not_a_date");
  }
}

TEST_CASE("empty cells are empty, not errors", "[dates]") {
  CHECK(read_as("") == "empty");
  CHECK(read_as("  \t ") == "empty");
  CHECK(message_of(" ") == "signup_date is empty");
  DateColumn c;
  CHECK(c.message(c.read("2026-10-31", 1), "signup_date", "2026-10-31").empty());
}

TEST_CASE("an ambiguous slash date is an error that names both readings and decides nothing", "[dates]") {
  DateColumn c;
  const DateColumn::Result r = c.read("03/04/2026", 2);
  CHECK(r.status == DateColumn::Status::ambiguous);
  CHECK(c.message(r, "signup_date", "03/04/2026") ==
        "signup_date \"03/04/2026\" could be 3 April or March 4: pass --date-format DD/MM/YYYY or MM/DD/YYYY");
  CHECK(c.order() == DateOrder::unknown);
  CHECK(message_of(" 12/1/2026 10:00 PM") ==
        "signup_date \"12/1/2026 10:00 PM\" could be 12 January or December 1: pass --date-format DD/MM/YYYY or "
        "MM/DD/YYYY");
}

TEST_CASE("equal day and month parts are not ambiguous and do not decide the order", "[dates]") {
  DateColumn c;
  CHECK(shown(c.read("05/05/2026", 1)) == "2026-05-05");
  CHECK(shown(c.read("12/12/2026", 2)) == "2026-12-12");
  CHECK(c.order() == DateOrder::unknown);
  CHECK(shown(c.read("03/04/2026", 3)) == "ambiguous");
  CHECK(shown(DateColumn(DateOrder::mdy).read("5/05/2026", 1)) == "2026-05-05");
}

TEST_CASE("once decided MM/DD, ambiguous values follow it and DD/MM values contradict it", "[dates]") {
  DateColumn c;
  CHECK(shown(c.read("03/04/2026", 2)) == "ambiguous");
  CHECK(shown(c.read("04/13/2026", 7)) == "2026-04-13");
  CHECK(c.order() == DateOrder::mdy);
  CHECK(shown(c.read("03/04/2026", 8)) == "2026-03-04");
  const DateColumn::Result r = c.read("13/04/2026", 9);
  CHECK(r.status == DateColumn::Status::contradicts);
  CHECK(c.message(r, "signup_date", "13/04/2026") ==
        "signup_date \"13/04/2026\" is not MM/DD/YYYY, the order decided by \"04/13/2026\" on line 7; pass "
        "--date-format if the file mixes them");
  CHECK(c.order() == DateOrder::mdy);                     // never a silent swap
  CHECK(shown(c.read("04/31/2026", 10)) == "not_a_date"); // no April 31 and no month 31: not a contradiction
}

TEST_CASE("once decided DD/MM, MM/DD values contradict it, naming the deciding value as trimmed", "[dates]") {
  DateColumn c;
  CHECK(shown(c.read(" 13/04/2026 10:00 ", 3)) == "2026-04-13");
  CHECK(c.order() == DateOrder::dmy);
  CHECK(shown(c.read("03/04/2026", 4)) == "2026-04-03");
  const DateColumn::Result r = c.read("04/13/2026", 5);
  CHECK(c.message(r, "renewal_date", " 04/13/2026") ==
        "renewal_date \"04/13/2026\" is not DD/MM/YYYY, the order decided by \"13/04/2026 10:00\" on line 3; pass "
        "--date-format if the file mixes them");
}

TEST_CASE("an impossible slash date does not decide the order", "[dates]") {
  DateColumn c;
  CHECK(shown(c.read("31/02/2026", 1)) == "not_a_date");
  CHECK(shown(c.read("02/30/2026", 2)) == "not_a_date");
  CHECK(c.order() == DateOrder::unknown);
}

TEST_CASE("a given --date-format reads ambiguous values in its order and rejects the other", "[dates]") {
  CHECK(read_as("03/04/2026", DateOrder::dmy) == "2026-04-03");
  CHECK(read_as("03/04/2026", DateOrder::mdy) == "2026-03-04");
  CHECK(read_as("13/04/2026", DateOrder::dmy) == "2026-04-13");
  CHECK(read_as("13/04/2026", DateOrder::mdy) == "contradicts");
  CHECK(message_of("04/13/2026", DateOrder::dmy) ==
        "signup_date \"04/13/2026\" is not DD/MM/YYYY, the order given by --date-format");
  CHECK(message_of("13/04/2026", DateOrder::mdy) ==
        "signup_date \"13/04/2026\" is not MM/DD/YYYY, the order given by --date-format");
  CHECK(read_as("2026-10-31", DateOrder::mdy) == "2026-10-31");
}

TEST_CASE("not-a-date messages list the accepted forms", "[dates]") {
  CHECK(message_of("31/31/2026") == std::string("signup_date \"31/31/2026\"") + k_not_a_date_tail);
  CHECK(message_of("2026-02-30") == std::string("signup_date \"2026-02-30\"") + k_not_a_date_tail);
  CHECK(message_of(" soon ") == std::string("signup_date \"soon\"") + k_not_a_date_tail);
}

TEST_CASE("messages show values quoted, with control bytes escaped and cut at 40 characters", "[dates]") {
  CHECK(message_of("2026\x01-10\"x") == std::string("signup_date \"2026\\x01-10\\\"x\"") + k_not_a_date_tail);
  const std::string long_text(50, 'x');
  CHECK(message_of(long_text) == "signup_date \"" + std::string(40, 'x') + "...\"" + k_not_a_date_tail);
  std::string umlauts; // 45 two-byte characters: cut after 40 of them, never inside one
  for (int i = 0; i < 45; ++i) umlauts += "\xc3\xa4";
  std::string shown_umlauts;
  for (int i = 0; i < 40; ++i) shown_umlauts += "\xc3\xa4";
  CHECK(message_of(umlauts) == "signup_date \"" + shown_umlauts + "...\"" + k_not_a_date_tail);
  CHECK(message_of(std::string(40, '1')) == "signup_date \"" + std::string(40, '1') + "\"" + k_not_a_date_tail);
}

TEST_CASE("parse_date_order accepts auto, both formats and their short names in any case", "[dates]") {
  CHECK(parse_date_order("auto") == DateOrder::unknown);
  CHECK(parse_date_order("AUTO") == DateOrder::unknown);
  CHECK(parse_date_order("DD/MM/YYYY") == DateOrder::dmy);
  CHECK(parse_date_order("dd/mm/yyyy") == DateOrder::dmy);
  CHECK(parse_date_order("dmy") == DateOrder::dmy);
  CHECK(parse_date_order("DMY") == DateOrder::dmy);
  CHECK(parse_date_order("MM/DD/YYYY") == DateOrder::mdy);
  CHECK(parse_date_order("Mdy") == DateOrder::mdy);
  CHECK(parse_date_order(" mdy ") == DateOrder::mdy);
  for (const char* text : {"", "YYYY-MM-DD", "dm", "DD/MM/YY", "ymd", "DD.MM.YYYY", "MM-DD-YYYY", "automatic"}) {
    INFO(text);
    CHECK_FALSE(parse_date_order(text).has_value());
  }
}

TEST_CASE("learn decides the order from a look-ahead and never fails", "[dates]") {
  DateColumn c;
  c.learn("garbage", 1);
  c.learn("", 2);
  c.learn("03/04/2026", 3); // ambiguous: decides nothing
  c.learn("05/05/2026", 4); // equal parts
  c.learn("31/02/2026", 5); // impossible
  c.learn("13.04.2026", 6); // dotted, not a slash date
  c.learn("2026-04-13", 7);
  CHECK(c.order() == DateOrder::unknown);
  c.learn(" 25/12/2026 ", 8);
  CHECK(c.order() == DateOrder::dmy);
  c.learn("12/25/2026", 9); // too late: the first deciding value wins
  CHECK(c.order() == DateOrder::dmy);
  CHECK(shown(c.read("03/04/2026", 3)) == "2026-04-03");
  const DateColumn::Result r = c.read("12/25/2026", 9);
  CHECK(c.message(r, "signup_date", "12/25/2026") ==
        "signup_date \"12/25/2026\" is not DD/MM/YYYY, the order decided by \"25/12/2026\" on line 8; pass "
        "--date-format if the file mixes them");
}

TEST_CASE("learn does not override a given --date-format", "[dates]") {
  DateColumn c(DateOrder::mdy);
  c.learn("25/12/2026", 2);
  CHECK(c.order() == DateOrder::mdy);
  CHECK(c.message(c.read("25/12/2026", 2), "d", "25/12/2026") ==
        "d \"25/12/2026\" is not MM/DD/YYYY, the order given by --date-format");
}

} // namespace test_dates
