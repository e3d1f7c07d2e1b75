// SPDX-License-Identifier: MIT
// A small xlsx (Office Open XML SpreadsheetML) writer: text and number cells, a few cell
// formats, column widths, frozen panes and an autofilter, which is all the report's workbook
// uses. The package is a ZIP archive of stored (uncompressed) XML parts with a fixed date, so
// the same workbook is the same bytes. Pure: it returns the bytes, the caller writes them.
//
// Why our own (issue 29): libxlsxwriter links libcrypto, libminizip and libz, which the
// dynamic loader maps and relocates in every run of cskpi, for every format, to serve the
// one format that needs them; a workbook of a report is a few hundred cells.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi::xlsx {

/// How a cell looks. Formats are compared by value: the same look is one style.
struct CellFormat {
  bool bold = false;
  int font_size = 11;
  bool bottom_border = false;  ///< a thin line under the cell
  std::uint32_t fill = 0;      ///< solid background 0xRRGGBB, 0 for none
  std::string number_format{}; ///< "0.00%", "#,##0.00", ... ("" for General)
  bool operator==(const CellFormat&) const = default;
};

/// A format's place in the workbook: 0 is the default look.
using FormatId = std::uint32_t;

/// One worksheet. Rows and columns count from 0, as in the A1 grid less one.
class Sheet {
public:
  explicit Sheet(std::string name) : m_name(std::move(name)) {}
  /// A text cell, always text (never a formula, whatever it starts with). Empty text is no cell.
  void text(std::uint32_t row, std::uint32_t col, std::string_view s, FormatId f = 0);
  /// A number cell; a value that is not finite is no cell (a spreadsheet cannot hold it).
  void number(std::uint32_t row, std::uint32_t col, double v, FormatId f = 0);
  /// Columns first..last (inclusive) `width` characters wide.
  void column_width(std::uint32_t first, std::uint32_t last, double width);
  /// Rows above `row` and columns left of `col` stay in view.
  void freeze(std::uint32_t row, std::uint32_t col) {
    m_freeze_row = row;
    m_freeze_col = col;
  }
  /// Filter buttons on the header row of the range.
  void autofilter(std::uint32_t first_row, std::uint32_t first_col, std::uint32_t last_row, std::uint32_t last_col);

  const std::string& name() const { return m_name; }
  /// The worksheet part's XML.
  std::string xml() const;
  /// The autofilter range as "A1:P20" (absolute: "$A$1:$P$20"), "" without one.
  std::string filter_range(bool absolute = false) const;

private:
  struct Cell {
    std::uint32_t row, col;
    FormatId format;
    bool is_text;
    double number;
    std::string text;
  };
  struct Width {
    std::uint32_t first, last;
    double width;
  };
  std::string m_name;
  std::vector<Cell> m_cells;
  std::vector<Width> m_widths;
  std::uint32_t m_freeze_row = 0, m_freeze_col = 0;
  bool m_filter = false;
  std::uint32_t m_filter_box[4] = {0, 0, 0, 0};
};

/// A workbook: formats, sheets in tab order, and the document's title.
class Workbook {
public:
  explicit Workbook(std::string title) : m_title(std::move(title)) { m_formats.emplace_back(); }
  /// The id of a look, added on first use.
  FormatId format(const CellFormat& f);
  /// A new sheet at the end; `name` must be a name Excel takes (31 characters at most, none
  /// of []:*?/\, unique without case): the caller makes it so.
  Sheet& add_sheet(std::string name);
  /// The .xlsx file's bytes. Throws std::length_error past the ZIP format's 4 GiB.
  std::string bytes() const;

private:
  std::string styles_xml() const;
  std::string workbook_xml() const;
  std::string m_title;
  std::vector<CellFormat> m_formats;
  std::vector<Sheet> m_sheets;
};

/// "A", "Z", "AA", ... for a column counted from 0.
std::string column_letters(std::uint32_t col);
/// Text made safe for XML content and attributes; characters XML 1.0 cannot hold are written
/// the way Excel writes them (_x0001_), and a literal "_x" escape is kept by escaping its "_".
std::string xml_text(std::string_view s);
/// `s` with its letters in lower case, as Excel compares sheet names: ASCII, Latin-1,
/// Latin Extended-A, Greek and Cyrillic capitals folded (Ä as ä, Σ as σ, Ж as ж); other
/// characters as they are.
std::string fold_case(std::string_view s);
/// The first `n` UTF-16 code units of UTF-8 text (Excel counts a sheet name's 31 characters
/// so: a character past U+FFFF takes two), never half a character.
std::string first_utf16_units(std::string_view s, std::size_t n);
/// A sheet name Excel takes: at most 31 UTF-16 units, none of []:*?/\, no quote at either end,
/// unique in the book without case (fold_case(), kept in `taken`): a name already taken gets
/// " (2)", " (3)", ...
std::string sheet_name(std::string_view wanted, std::set<std::string>& taken);
/// The CRC-32 of ZIP (and zlib, and PNG): reflected polynomial 0xEDB88320.
std::uint32_t crc32(std::string_view bytes) noexcept;

/// One file of a ZIP archive.
struct ZipEntry {
  std::string name;
  std::string data;
};
/// A ZIP archive of stored (uncompressed) entries, dated 1980-01-01 00:00 (the format's first
/// day), in the given order. Throws std::length_error past 4 GiB or 65,535 entries.
std::string zip_stored(const std::vector<ZipEntry>& entries);

} // namespace cskpi::xlsx
