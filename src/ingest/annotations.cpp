// SPDX-License-Identifier: MIT
#include "ingest/annotations.hpp"

#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "ingest/engine/line_source.hpp"
#include "ingest/rules.hpp"
#include "platform/files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <span>
#include <system_error>

namespace cskpi::ingest {

namespace {

constexpr std::string_view k_date[] = {"date", "day", "event_date"};
constexpr std::string_view k_label[] = {"label", "event", "annotation", "note"};
constexpr std::size_t k_none = static_cast<std::size_t>(-1);

std::size_t find_column(const std::vector<std::string>& names, std::span<const std::string_view> aliases) {
  for (std::string_view a : aliases)
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == a) return i;
  return k_none;
}

/// The month of an ISO date YYYY-MM-DD (a real day) or a month YYYY-MM, as year * 12 + month - 1.
std::optional<int> parse_event_date(std::string_view s) {
  if ((s.size() != 7 && s.size() != 10) || s[4] != '-' || !all_digits(s.substr(0, 4)) || !all_digits(s.substr(5, 2)))
    return std::nullopt;
  const int year = std::stoi(std::string(s.substr(0, 4)));
  const int month = std::stoi(std::string(s.substr(5, 2)));
  if (year < 1900 || month < 1 || month > 12) return std::nullopt;
  if (s.size() == 10) {
    if (s[7] != '-' || !all_digits(s.substr(8, 2))) return std::nullopt;
    const int day = std::stoi(std::string(s.substr(8, 2)));
    constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int last = k_days[month - 1] + (month == 2 && leap ? 1 : 0);
    if (day < 1 || day > last) return std::nullopt;
  }
  return year * 12 + month - 1;
}

/// The rows after the header, one at a time; every bad row is an error of its own.
class Parser {
public:
  explicit Parser(const std::string& file) : m_file(file) {}

  /// The header: finds the date and label columns, or throws.
  void header(std::uint64_t line_no, std::string_view line) {
    m_delimiter = detect_delimiter(line);
    split_record(line, m_delimiter, m_fields, m_scratch);
    std::vector<std::string> names;
    for (std::string_view f : m_fields) names.push_back(normalise_column_name(f));
    m_date = find_column(names, k_date);
    m_label = find_column(names, k_label);
    if (m_date == k_none || m_label == k_none)
      throw input_error(fmt::format("{}:{}:1: an annotations file needs the columns date and label (found: {})", m_file,
                                    line_no, fmt::join(names, ", ")));
  }

  void row(std::uint64_t line_no, std::string_view line) {
    const SplitResult split = split_record(line, m_delimiter, m_fields, m_scratch);
    if (split.status != SplitResult::Status::ok)
      return error(line_no, split.field, "a quote is not closed or is followed by text: the row is not CSV");
    if (m_fields.size() <= std::max(m_date, m_label))
      return error(line_no, m_fields.empty() ? 0 : m_fields.size() - 1,
                   fmt::format("the row has {} fields; the header has more", m_fields.size()));
    const std::string_view date = key_cell(m_fields[m_date]);
    const std::string_view label = key_cell(m_fields[m_label]);
    if (totals_label(date) || (date.empty() && totals_label(label)))
      return error(
          line_no, date.empty() ? m_label : m_date,
          fmt::format("\"{}\" looks like a totals row, not an event: delete the line", date.empty() ? label : date));
    const std::optional<int> month = parse_event_date(date);
    if (!month)
      return error(line_no, m_date,
                   date.empty()
                       ? std::string("date is empty: write the day of the event (YYYY-MM-DD) or its month (YYYY-MM)")
                       : fmt::format("date \"{}\" is not a date: write YYYY-MM-DD (or YYYY-MM for a month)", date));
    if (label.empty())
      return error(line_no, m_label, "label is empty: say what happened, it is what a flagged figure is explained by");
    const auto [it, fresh] = m_seen.try_emplace(fmt::format("{}\x1f{}", date, label), line_no);
    if (!fresh)
      return error(line_no, m_date,
                   fmt::format("the event {} \"{}\" appears twice: lines {} and {}; keep one", date, label, it->second,
                               line_no));
    auto same = std::find_if(m_out.begin(), m_out.end(), [&](const Annotation& a) { return a.date == date; });
    if (same != m_out.end()) same->label += fmt::format("; {}", label); // two events of one day: both are named
    else
      m_out.push_back(Annotation{std::string(date), *month, std::string(label), static_cast<std::uint32_t>(line_no)});
  }

  std::vector<Annotation> finish() {
    if (!m_errors.empty()) throw input_error(fmt::format("{}", fmt::join(m_errors, "\n")));
    return std::move(m_out);
  }

private:
  void error(std::uint64_t line, std::size_t field, std::string_view message) {
    m_errors.push_back(fmt::format("{}:{}:{}: {}", m_file, line, field + 1, message));
  }

  const std::string& m_file;
  std::vector<std::string> m_errors;
  std::vector<Annotation> m_out;
  std::map<std::string, std::uint64_t> m_seen; // date and label: the line it was first on
  std::vector<std::string_view> m_fields;
  std::string m_scratch;
  std::size_t m_date = k_none, m_label = k_none;
  char m_delimiter = ',';
};

} // namespace

std::vector<Annotation> parse_annotations(std::string_view text, const std::string& file) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3); // a UTF-8 byte-order mark
  Parser parser(file);
  std::uint64_t line_no = 0;
  bool header = true;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim_spaces(line).empty()) continue;
    if (header) parser.header(line_no, line);
    else parser.row(line_no, line);
    header = false;
  }
  if (header) throw input_error(fmt::format("{}: empty: an annotations file needs a header date,label", file));
  return parser.finish();
}

std::vector<Annotation> read_annotations(const std::string& file) {
  const int fd = platform::open_read(file);
  if (fd < 0) throw input_error(fmt::format("{}: cannot open the annotations file: {}", file, std::strerror(errno)));
  const std::optional<platform::FileInfo> before = platform::file_info(fd);
  if (before && before->kind == platform::FileKind::directory) {
    platform::close_file(fd);
    throw input_error(fmt::format("{}: is a directory, not an annotations file", file));
  }
  // The engine's LineSource reads it as every input form is read (a BOM, UTF-16, CR line ends),
  // and its changed() is the one rule for a file written to while it was read.
  std::string text;
  try {
    LineSource lines(fd, true, Encoding::utf8);
    std::string_view line;
    while (lines.next(line)) text.append(line).push_back('\n');
    if (const std::optional<std::string> how = lines.changed())
      throw input_error(
          fmt::format("{}: changed while it was read ({}): read a copy that nothing writes to", file, *how));
  } catch (const std::system_error& e) {
    throw input_error(fmt::format("{}: cannot read the annotations file: {}", file, e.what()));
  } catch (const LineSource::BadEncoding& e) {
    throw input_error(fmt::format("{}:{}:{}: not UTF-8 text (save the file as UTF-8)", file, e.line, e.offset + 1));
  } catch (const LineSource::Unclosed& e) {
    throw input_error(fmt::format("{}:{}: a quoted field opened here is never closed", file, e.line));
  } catch (const LineSource::TooLong&) {
    throw input_error(fmt::format("{}: a line longer than 16 MiB: not an annotations file", file));
  }
  return parse_annotations(text, file);
}

} // namespace cskpi::ingest
