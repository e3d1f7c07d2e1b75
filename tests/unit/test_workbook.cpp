// SPDX-License-Identifier: MIT
// The xlsx writer: the ZIP container, cell references, escaping and the sheet's XML. The
// workbook as a whole is read back by LibreOffice in tests/xlsx_round_trip.sh.
#include "report/workbook.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>

namespace test_workbook {

using namespace cskpi::xlsx;

namespace {

std::uint32_t u32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + static_cast<std::size_t>(i)]);
  return v;
}
std::uint16_t u16(const std::string& s, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(s[at]) | static_cast<unsigned char>(s[at + 1]) << 8);
}

} // namespace

TEST_CASE("crc32 is ZIP's: the check value of 123456789", "[workbook]") {
  CHECK(crc32("123456789") == 0xCBF43926u);
  CHECK(crc32("") == 0u);
}

TEST_CASE("column letters run A..Z, AA..ZZ, AAA.. up to Excel's last, XFD", "[workbook]") {
  CHECK(column_letters(0) == "A");
  CHECK(column_letters(25) == "Z");
  CHECK(column_letters(26) == "AA");
  CHECK(column_letters(701) == "ZZ");
  CHECK(column_letters(702) == "AAA");
  CHECK(column_letters(16383) == "XFD");
}

TEST_CASE("xml_text escapes markup, control characters and a literal _x escape", "[workbook]") {
  CHECK(xml_text("a<b>&\"c\"") == "a&lt;b&gt;&amp;&quot;c&quot;");
  CHECK(xml_text(std::string("x\x01y", 3)) == "x_x0001_y");
  CHECK(xml_text("tab\there") == "tab\there");
  CHECK(xml_text("_x0041_ and a_b") == "_x005F_x0041_ and a_b");
  CHECK(xml_text("=SUM(A1)") == "=SUM(A1)"); // a text cell: never read as a formula
}

TEST_CASE("zip_stored writes headers a reader can walk: local files, central directory, end record", "[workbook]") {
  const std::string zip = zip_stored({{"a.txt", "hello"}, {"dir/b.xml", "<x/>"}});
  REQUIRE(u32(zip, 0) == 0x04034b50u);
  CHECK(u16(zip, 8) == 0);               // stored
  CHECK(u32(zip, 14) == crc32("hello")); // crc
  CHECK(u32(zip, 18) == 5);              // compressed = uncompressed size
  CHECK(zip.substr(30, 5) == "a.txt");
  CHECK(zip.substr(35, 5) == "hello");
  const std::size_t end = zip.size() - 22;
  REQUIRE(u32(zip, end) == 0x06054b50u);
  CHECK(u16(zip, end + 10) == 2); // entries
  const std::size_t central = u32(zip, end + 16);
  CHECK(u32(zip, end + 12) == end - central); // its size
  REQUIRE(u32(zip, central) == 0x02014b50u);
  CHECK(u32(zip, central + 42) == 0); // the first file's local header
  const std::size_t second = central + 46 + 5;
  REQUIRE(u32(zip, second) == 0x02014b50u);
  CHECK(zip.substr(u32(zip, second + 42) + 30, 9) == "dir/b.xml");
  CHECK(zip_stored({{"a.txt", "hello"}}) == zip_stored({{"a.txt", "hello"}})); // no clock in it
}

TEST_CASE("a sheet keeps cells in grid order, the last write winning, texts inline", "[workbook]") {
  Sheet s("S");
  s.number(1, 1, 2.5);
  s.text(0, 2, "late");
  s.text(0, 0, " padded ");
  s.number(1, 1, 7.25, 3);
  s.number(2, 0, std::nan(""));
  s.text(2, 1, "");
  const std::string x = s.xml();
  CHECK(x.find("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> padded </t></is></c>"
               "<c r=\"C1\" t=\"inlineStr\"><is><t>late</t></is></c></row>") != std::string::npos);
  CHECK(x.find("<row r=\"2\"><c r=\"B2\" s=\"3\"><v>7.25</v></c></row>") != std::string::npos);
  CHECK(x.find("r=\"3\"") == std::string::npos); // NaN and empty text are no cells
  CHECK(x.find("2.5") == std::string::npos);
  CHECK_THROWS_AS(s.text(1048576, 0, "x"), std::length_error);
  CHECK_THROWS_AS(s.number(0, 16384, 1), std::length_error);
}

TEST_CASE("frozen panes, widths and the autofilter", "[workbook]") {
  Sheet s("Records");
  s.freeze(1, 0);
  s.column_width(0, 2, 14);
  s.autofilter(0, 0, 9, 15);
  const std::string x = s.xml();
  CHECK(x.find("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>") !=
        std::string::npos);
  CHECK(x.find("<col min=\"1\" max=\"3\" width=\"14.7109375\" customWidth=\"1\"/>") != std::string::npos);
  CHECK(x.find("<autoFilter ref=\"A1:P10\"/>") != std::string::npos);
  CHECK(s.filter_range(true) == "$A$1:$P$10");
}

TEST_CASE("a workbook lists each look once and is the same bytes each time", "[workbook]") {
  Workbook wb("t");
  const FormatId bold = wb.format({.bold = true});
  CHECK(bold == 1);
  CHECK(wb.format({.bold = true}) == bold);
  CHECK(wb.format({.number_format = "0.00%"}) == 2);
  CHECK(wb.format({.number_format = "0.000%"}) == 3);
  wb.add_sheet("It's").autofilter(0, 0, 1, 1);
  const std::string a = wb.bytes();
  CHECK(a == wb.bytes());
  CHECK(a.find("<numFmt numFmtId=\"164\" formatCode=\"0.000%\"/>") != std::string::npos);
  CHECK(a.find("<xf numFmtId=\"10\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>") !=
        std::string::npos);
  CHECK(a.find("localSheetId=\"0\" hidden=\"1\">'It''s'!$A$1:$B$2</definedName>") != std::string::npos);
}

TEST_CASE("sheet names fold case as Excel does: Latin, Greek and Cyrillic letters", "[workbook]") {
  CHECK(fold_case("ÄRGER Ärger") == "ärger ärger");
  CHECK(fold_case("ÉCOLE ÀÞ × Ÿ") == "école àþ × ÿ");
  CHECK(fold_case("ŁÓDŹ ĽUBOŠ Ő") == "łódź ľuboš ő");
  CHECK(fold_case("ΣΟΦΊΑ") == "σοφία");
  CHECK(fold_case("МОСКВА Ёлка") == "москва ёлка");
  CHECK(fold_case("日本 🚀 ß ı") == "日本 🚀 ß ı");
  std::set<std::string> taken{"summary"};
  CHECK(sheet_name("Ärger", taken) == "Ärger");
  CHECK(sheet_name("ärger", taken) == "ärger (2)");
  CHECK(sheet_name("Москва", taken) == "Москва");
  CHECK(sheet_name("МОСКВА", taken) == "МОСКВА (2)");
  CHECK(sheet_name("Summary", taken) == "Summary (2)");
  CHECK(sheet_name("a/b", taken) == "a_b");
}

TEST_CASE("a sheet name is cut at 31 UTF-16 units, never inside a character", "[workbook]") {
  std::set<std::string> taken;
  const std::string rockets = "🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀"; // 16 characters, 32 units
  CHECK(first_utf16_units(rockets, 31) == "🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀");
  CHECK(sheet_name(rockets, taken) == "🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀");
  CHECK(sheet_name(rockets, taken) == "🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀 (2)");
  const std::string umlauts(40, 'x');
  CHECK(sheet_name("Ä" + umlauts, taken) == "Ä" + std::string(30, 'x'));
  CHECK(first_utf16_units("abc", 31) == "abc");
}

} // namespace test_workbook
