// SPDX-License-Identifier: MIT
// The xlsx writer (report/workbook.hpp). The parts follow ECMA-376 (Office Open XML), part 1
// (SpreadsheetML) and part 2 (packaging); the archive follows PKWARE's APPNOTE.TXT.
#include "report/workbook.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <tuple>

namespace cskpi::xlsx {

namespace {

constexpr std::string_view k_xml_head = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
constexpr std::string_view k_main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr std::string_view k_rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
constexpr std::uint32_t k_max_rows = 1048576, k_max_cols = 16384; // Excel's grid

void check_cell(std::uint32_t row, std::uint32_t col) {
  if (row >= k_max_rows || col >= k_max_cols)
    throw std::length_error(
        fmt::format("a workbook sheet holds {} rows of {} columns; the report needs more", k_max_rows, k_max_cols));
}

std::string cell_ref(std::uint32_t row, std::uint32_t col) { return column_letters(col) + std::to_string(row + 1); }

/// The width a column is stored with: Excel adds the cell padding (5 pixels at a 7-pixel
/// digit) and keeps 1/256 of a character.
double stored_width(double width) {
  if (width <= 0) return 0;
  const double pixels = std::floor(width * 7 + 0.5) + 5;
  return std::floor(pixels / 7 * 256) / 256;
}

/// The built-in number formats ECMA-376 part 1 §18.8.30 numbers, which need no entry.
int builtin_number_format(std::string_view code) {
  if (code.empty() || code == "General") return 0;
  if (code == "0") return 1;
  if (code == "0.00") return 2;
  if (code == "#,##0") return 3;
  if (code == "#,##0.00") return 4;
  if (code == "0%") return 9;
  if (code == "0.00%") return 10;
  return -1;
}

void little_endian(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::string part(std::string_view body) { return std::string(k_xml_head) + std::string(body); }

} // namespace

std::string column_letters(std::uint32_t col) {
  std::string s;
  for (std::uint64_t n = std::uint64_t{col} + 1; n > 0; n = (n - 1) / 26)
    s.insert(s.begin(), static_cast<char>('A' + (n - 1) % 26));
  return s;
}

std::string xml_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '_': // "_x0041_" in a cell reads as "A": keep a literal one literal
      out += s.substr(i, 2) == "_x" ? "_x005F_" : "_";
      break;
    default:
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') out += fmt::format("_x{:04X}_", c);
      else out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::uint32_t crc32(std::string_view bytes) noexcept {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (const char b : bytes) c = table[(c ^ static_cast<unsigned char>(b)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string zip_stored(const std::vector<ZipEntry>& entries) {
  constexpr std::uint16_t version = 20, date_1980_01_01 = (0 << 9) | (1 << 5) | 1;
  if (entries.size() > 0xFFFF) throw std::length_error("a ZIP archive holds 65,535 files at most");
  std::string out, central;
  for (const ZipEntry& e : entries) {
    if (out.size() > 0xFFFFFFFFu || e.data.size() > 0xFFFFFFFFu) throw std::length_error("a ZIP archive ends at 4 GiB");
    const std::uint32_t crc = crc32(e.data);
    const auto offset = static_cast<std::uint32_t>(out.size());
    auto common = [&](std::string& to) { // from "version needed" to the extra field's length
      little_endian(to, version, 2);
      little_endian(to, 0, 2); // flags: none
      little_endian(to, 0, 2); // method: stored
      little_endian(to, 0, 2); // time 00:00
      little_endian(to, date_1980_01_01, 2);
      little_endian(to, crc, 4);
      little_endian(to, e.data.size(), 4); // compressed size: stored, the same
      little_endian(to, e.data.size(), 4);
      little_endian(to, e.name.size(), 2);
      little_endian(to, 0, 2); // no extra field
    };
    little_endian(out, 0x04034b50, 4); // local file header
    common(out);
    out += e.name;
    out += e.data;
    little_endian(central, 0x02014b50, 4); // central directory header
    little_endian(central, version, 2);    // made by: MS-DOS attributes, version 2.0
    common(central);
    little_endian(central, 0, 2); // comment
    little_endian(central, 0, 2); // disk
    little_endian(central, 0, 2); // internal attributes
    little_endian(central, 0, 4); // external attributes
    little_endian(central, offset, 4);
    central += e.name;
  }
  if (out.size() + central.size() > 0xFFFFFFFFu) throw std::length_error("a ZIP archive ends at 4 GiB");
  const auto central_at = static_cast<std::uint32_t>(out.size());
  out += central;
  little_endian(out, 0x06054b50, 4); // end of central directory
  little_endian(out, 0, 2);
  little_endian(out, 0, 2);
  little_endian(out, entries.size(), 2);
  little_endian(out, entries.size(), 2);
  little_endian(out, central.size(), 4);
  little_endian(out, central_at, 4);
  little_endian(out, 0, 2); // comment
  return out;
}

void Sheet::text(std::uint32_t row, std::uint32_t col, std::string_view s, FormatId f) {
  check_cell(row, col);
  if (!s.empty()) m_cells.push_back(Cell{row, col, f, true, 0.0, std::string(s)});
}

void Sheet::number(std::uint32_t row, std::uint32_t col, double v, FormatId f) {
  check_cell(row, col);
  if (std::isfinite(v)) m_cells.push_back(Cell{row, col, f, false, v, {}});
}

void Sheet::column_width(std::uint32_t first, std::uint32_t last, double width) {
  check_cell(0, last);
  m_widths.push_back(Width{first, last, width});
}

void Sheet::autofilter(std::uint32_t first_row, std::uint32_t first_col, std::uint32_t last_row,
                       std::uint32_t last_col) {
  check_cell(last_row, last_col);
  m_filter = true;
  m_filter_box[0] = first_row, m_filter_box[1] = first_col, m_filter_box[2] = last_row, m_filter_box[3] = last_col;
}

std::string Sheet::filter_range(bool absolute) const {
  if (!m_filter) return "";
  const char* d = absolute ? "$" : "";
  return fmt::format("{0}{1}{0}{2}:{0}{3}{0}{4}", d, column_letters(m_filter_box[1]), m_filter_box[0] + 1,
                     column_letters(m_filter_box[3]), m_filter_box[2] + 1);
}

std::string Sheet::xml() const {
  std::string x = fmt::format("<worksheet xmlns=\"{}\" xmlns:r=\"{}\">", k_main_ns, k_rel_ns);
  x += "<sheetViews><sheetView workbookViewId=\"0\">";
  if (m_freeze_row > 0 || m_freeze_col > 0) {
    const char* pane = m_freeze_row > 0 && m_freeze_col > 0 ? "bottomRight"
        : m_freeze_row > 0                                  ? "bottomLeft"
                                                            : "topRight";
    x += "<pane";
    if (m_freeze_col > 0) x += fmt::format(" xSplit=\"{}\"", m_freeze_col);
    if (m_freeze_row > 0) x += fmt::format(" ySplit=\"{}\"", m_freeze_row);
    x += fmt::format(" topLeftCell=\"{}\" activePane=\"{}\" state=\"frozen\"/>", cell_ref(m_freeze_row, m_freeze_col),
                     pane);
    x += fmt::format("<selection pane=\"{}\"/>", pane);
  }
  x += "</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>";
  if (!m_widths.empty()) {
    x += "<cols>";
    for (const Width& w : m_widths)
      x += fmt::format("<col min=\"{}\" max=\"{}\" width=\"{}\" customWidth=\"1\"/>", w.first + 1, w.last + 1,
                       stored_width(w.width));
    x += "</cols>";
  }
  // Cells in grid order, the last write to a cell winning, as a spreadsheet keeps them.
  std::vector<const Cell*> cells;
  cells.reserve(m_cells.size());
  for (const Cell& c : m_cells) cells.push_back(&c);
  std::stable_sort(cells.begin(), cells.end(),
                   [](const Cell* a, const Cell* b) { return std::tie(a->row, a->col) < std::tie(b->row, b->col); });
  x += "<sheetData>";
  bool open = false;
  std::uint32_t open_row = 0;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const Cell& c = *cells[i];
    if (i + 1 < cells.size() && cells[i + 1]->row == c.row && cells[i + 1]->col == c.col) continue; // overwritten
    if (!open || open_row != c.row) {
      if (open) x += "</row>";
      x += fmt::format("<row r=\"{}\">", c.row + 1);
      open = true;
      open_row = c.row;
    }
    x += fmt::format("<c r=\"{}\"", cell_ref(c.row, c.col));
    if (c.format != 0) x += fmt::format(" s=\"{}\"", c.format);
    if (c.is_text) {
      const bool keep_spaces = c.text.front() == ' ' || c.text.back() == ' ' || c.text.find('\n') != std::string::npos;
      x += fmt::format(" t=\"inlineStr\"><is><t{}>{}</t></is></c>", keep_spaces ? " xml:space=\"preserve\"" : "",
                       xml_text(c.text));
    } else {
      x += fmt::format("><v>{}</v></c>", c.number); // the shortest text that reads back as the same double
    }
  }
  if (open) x += "</row>";
  x += "</sheetData>";
  if (m_filter) x += fmt::format("<autoFilter ref=\"{}\"/>", filter_range());
  x += "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>";
  x += "</worksheet>";
  return part(x);
}

FormatId Workbook::format(const CellFormat& f) {
  const auto at = std::find(m_formats.begin(), m_formats.end(), f);
  if (at != m_formats.end()) return static_cast<FormatId>(at - m_formats.begin());
  m_formats.push_back(f);
  return static_cast<FormatId>(m_formats.size() - 1);
}

Sheet& Workbook::add_sheet(std::string name) { return m_sheets.emplace_back(std::move(name)); }

std::string Workbook::styles_xml() const {
  // Fonts, fills and number formats each listed once; a cell format (xf) points at them.
  std::vector<std::pair<bool, int>> fonts{{false, 11}};
  std::vector<std::uint32_t> fills;
  std::vector<std::string> codes;
  std::string xfs;
  for (const CellFormat& f : m_formats) {
    const std::pair<bool, int> font{f.bold, f.font_size};
    auto font_at = std::find(fonts.begin(), fonts.end(), font);
    if (font_at == fonts.end()) font_at = fonts.insert(fonts.end(), font);
    std::size_t fill_id = 0;
    if (f.fill != 0) {
      auto fill_at = std::find(fills.begin(), fills.end(), f.fill);
      if (fill_at == fills.end()) fill_at = fills.insert(fills.end(), f.fill);
      fill_id = 2 + static_cast<std::size_t>(fill_at - fills.begin()); // 0 and 1 are reserved
    }
    int num = builtin_number_format(f.number_format);
    if (num < 0) {
      auto code_at = std::find(codes.begin(), codes.end(), f.number_format);
      if (code_at == codes.end()) code_at = codes.insert(codes.end(), f.number_format);
      num = 164 + static_cast<int>(code_at - codes.begin()); // the first id for a workbook's own
    }
    xfs += fmt::format("<xf numFmtId=\"{}\" fontId=\"{}\" fillId=\"{}\" borderId=\"{}\" xfId=\"0\"{}{}{}{}/>", num,
                       font_at - fonts.begin(), fill_id, f.bottom_border ? 1 : 0,
                       num != 0 ? " applyNumberFormat=\"1\"" : "", font_at != fonts.begin() ? " applyFont=\"1\"" : "",
                       fill_id != 0 ? " applyFill=\"1\"" : "", f.bottom_border ? " applyBorder=\"1\"" : "");
  }
  std::string x = fmt::format("<styleSheet xmlns=\"{}\">", k_main_ns);
  if (!codes.empty()) {
    x += fmt::format("<numFmts count=\"{}\">", codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i)
      x += fmt::format("<numFmt numFmtId=\"{}\" formatCode=\"{}\"/>", 164 + i, xml_text(codes[i]));
    x += "</numFmts>";
  }
  x += fmt::format("<fonts count=\"{}\">", fonts.size());
  for (const auto& [bold, size] : fonts)
    x += fmt::format("<font>{}<sz val=\"{}\"/><name val=\"Calibri\"/><family val=\"2\"/></font>", bold ? "<b/>" : "",
                     size);
  x += fmt::format("</fonts><fills count=\"{}\"><fill><patternFill patternType=\"none\"/></fill>"
                   "<fill><patternFill patternType=\"gray125\"/></fill>",
                   fills.size() + 2);
  for (const std::uint32_t rgb : fills)
    x += fmt::format("<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FF{:06X}\"/><bgColor indexed=\"64\"/>"
                     "</patternFill></fill>",
                     rgb);
  x += "</fills><borders count=\"2\"><border><left/><right/><top/><bottom/><diagonal/></border>"
       "<border><left/><right/><top/><bottom style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border></borders>"
       "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>";
  x += fmt::format("<cellXfs count=\"{}\">{}</cellXfs>", m_formats.size(), xfs);
  x += "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>";
  return part(x);
}

std::string Workbook::workbook_xml() const {
  std::string x = fmt::format("<workbook xmlns=\"{}\" xmlns:r=\"{}\"><bookViews><workbookView/></bookViews><sheets>",
                              k_main_ns, k_rel_ns);
  std::string names;
  for (std::size_t i = 0; i < m_sheets.size(); ++i) {
    x += fmt::format("<sheet name=\"{}\" sheetId=\"{}\" r:id=\"rId{}\"/>", xml_text(m_sheets[i].name()), i + 1, i + 1);
    const std::string range = m_sheets[i].filter_range();
    if (range.empty()) continue;
    // Excel keeps a filter's range as this hidden name; a sheet name in it is quoted, ' doubled.
    std::string quoted;
    for (const char c : m_sheets[i].name()) quoted += c == '\'' ? "''" : std::string(1, c);
    names += fmt::format("<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"{}\" hidden=\"1\">'{}'!{}"
                         "</definedName>",
                         i, xml_text(quoted), m_sheets[i].filter_range(true));
  }
  x += "</sheets>";
  if (!names.empty()) x += "<definedNames>" + names + "</definedNames>";
  x += "</workbook>";
  return part(x);
}

std::string Workbook::bytes() const {
  std::string types = "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                      "<Default Extension=\"rels\" "
                      "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                      "<Override PartName=\"/xl/workbook.xml\" "
                      "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
                      "<Override PartName=\"/xl/styles.xml\" "
                      "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
                      "<Override PartName=\"/docProps/core.xml\" "
                      "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
                      "<Override PartName=\"/docProps/app.xml\" "
                      "ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>";
  std::string rels = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  for (std::size_t i = 1; i <= m_sheets.size(); ++i) {
    types += fmt::format("<Override PartName=\"/xl/worksheets/sheet{}.xml\" "
                         "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
                         i);
    rels += fmt::format("<Relationship Id=\"rId{}\" Type=\"{}/worksheet\" Target=\"worksheets/sheet{}.xml\"/>", i,
                        k_rel_ns, i);
  }
  types += "</Types>";
  rels += fmt::format("<Relationship Id=\"rId{}\" Type=\"{}/styles\" Target=\"styles.xml\"/></Relationships>",
                      m_sheets.size() + 1, k_rel_ns);
  std::vector<ZipEntry> parts;
  parts.push_back({"[Content_Types].xml", part(types)});
  parts.push_back(
      {"_rels/.rels",
       part(fmt::format("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                        "<Relationship Id=\"rId1\" Type=\"{0}/officeDocument\" Target=\"xl/workbook.xml\"/>"
                        "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/"
                        "relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
                        "<Relationship Id=\"rId3\" Type=\"{0}/extended-properties\" "
                        "Target=\"docProps/app.xml\"/></Relationships>",
                        k_rel_ns))});
  // A fixed creation time: the same report gives the same bytes.
  parts.push_back(
      {"docProps/core.xml",
       part(fmt::format("<cp:coreProperties "
                        "xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
                        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
                        "xmlns:dcterms=\"http://purl.org/dc/terms/\" "
                        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
                        "<dc:title>{}</dc:title><dc:creator>cskpi</dc:creator>"
                        "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2000-01-01T00:00:00Z</dcterms:created>"
                        "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2000-01-01T00:00:00Z"
                        "</dcterms:modified></cp:coreProperties>",
                        xml_text(m_title)))});
  parts.push_back({"docProps/app.xml",
                   part("<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                        "extended-properties\"><Application>cskpi</Application></Properties>")});
  parts.push_back({"xl/workbook.xml", workbook_xml()});
  parts.push_back({"xl/_rels/workbook.xml.rels", part(rels)});
  parts.push_back({"xl/styles.xml", styles_xml()});
  for (std::size_t i = 0; i < m_sheets.size(); ++i)
    parts.push_back({fmt::format("xl/worksheets/sheet{}.xml", i + 1), m_sheets[i].xml()});
  return zip_stored(parts);
}

namespace {

/// The lower case of code point `cp` for fold_case().
char32_t lower_letter(char32_t cp) {
  if ((cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)) return cp + 32;
  if (cp >= 0x100 && cp <= 0x17F) { // Latin Extended-A: pairs, capital first
    if (cp == 0x178) return 0xFF;   // Ÿ
    const bool odd_capital = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    const bool paired = cp <= 0x137 || odd_capital || (cp >= 0x14A && cp <= 0x177);
    if (cp == 0x130 || cp == 0x131 || !paired) return cp; // İ and ı have no pair in this range
    return (cp % 2 == 1) == odd_capital ? cp + 1 : cp;
  }
  if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 32; // Greek capitals
  if (cp == 0x386) return 0x3AC;
  if (cp >= 0x388 && cp <= 0x38A) return cp + 37;
  if (cp == 0x38C) return 0x3CC;
  if (cp == 0x38E || cp == 0x38F) return cp + 63;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32; // Cyrillic
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  return cp;
}

/// The length of the UTF-8 sequence led by `c` (1 for a byte that leads none).
std::size_t utf8_length(unsigned char c) { return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1; }

} // namespace

std::string fold_case(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : static_cast<char>(c));
      ++i;
      continue;
    }
    const std::size_t len = utf8_length(c);
    if (len != 2 || i + 2 > s.size()) { // the letters folded here are all two bytes long
      const std::size_t n = std::min(len, s.size() - i);
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    const char32_t cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
    const char32_t low = lower_letter(cp);
    out.push_back(static_cast<char>(0xC0 | (low >> 6)));
    out.push_back(static_cast<char>(0x80 | (low & 0x3F)));
    i += 2;
  }
  return out;
}

std::string first_utf16_units(std::string_view s, std::size_t n) {
  std::size_t i = 0;
  for (std::size_t units = 0; i < s.size();) {
    const std::size_t len = std::min(utf8_length(static_cast<unsigned char>(s[i])), s.size() - i);
    const std::size_t need = len == 4 ? 2 : 1;
    if (units + need > n) break;
    units += need;
    i += len;
  }
  return std::string(s.substr(0, i));
}

std::string sheet_name(std::string_view wanted, std::set<std::string>& taken) {
  std::string base;
  for (char c : wanted) base.push_back(std::string_view("[]:*?/\\").find(c) != std::string_view::npos ? '_' : c);
  if (base.empty() || base.front() == '\'' || base.back() == '\'') base = "(" + base + ")";
  for (int n = 1;; ++n) {
    const std::string suffix = n == 1 ? "" : fmt::format(" ({})", n);
    const std::string name = first_utf16_units(base, 31 - suffix.size()) + suffix;
    if (taken.insert(fold_case(name)).second) return name;
  }
}

} // namespace cskpi::xlsx
