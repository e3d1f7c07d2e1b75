// SPDX-License-Identifier: MIT
// The part of reading a file that every input form shares: the header (binary formats
// named for what they are, the dialect, --map), fields, amounts, dates, currencies, the
// accounting of rows and the diagnostics.
#include "ingest/reader.hpp"

#include "ingest/engine/line_source.hpp"

#include "core/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace cskpi::ingest {

std::string show(std::string_view text) {
  std::string out = "\"";
  std::size_t shown = 0; // characters, not bytes: a cut never splits one
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool starts_character = (u & 0xC0) != 0x80;
    if (starts_character && shown == 40) {
      out += "...";
      break;
    }
    if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
    else if (c == '"') out += "\\\"";
    else out.push_back(c);
    shown += starts_character;
  }
  out.push_back('"');
  return out;
}

namespace {

/// True when a name has bytes a terminal should not get raw.
bool needs_quotes(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

} // namespace

std::string shown_columns(const std::vector<std::string>& names) {
  std::vector<std::string> shown;
  for (std::size_t i = 0; i < names.size() && i < 50; ++i)
    shown.push_back(needs_quotes(names[i]) || names[i].size() > 40 ? show(names[i]) : names[i]);
  if (names.size() > 50) shown.push_back(fmt::format("... {} more", names.size() - 50));
  return fmt::format("{}", fmt::join(shown, ", "));
}

std::string show_money(Money m) { return format_money_fixed(m, 2, true); }

bool is_blank(std::string_view line) {
  for (char c : line)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

Run::Run(IngestOptions o, DiagnosticSink& d) : options(std::move(o)), diagnostics(d) {}

void Run::expand(PendingKeys& p, std::size_t chunk, std::vector<KeyPartitions::Found>& found) {
  if (p.keys->whole(chunk)) return;
  if (!p.reread)
    throw std::logic_error("Run::expand: the words of a finished file were asked for (no file may follow the last)");
  found.clear();
  const bool absent = p.keys->absent(chunk);
  p.reread(p.bytes[chunk].first, p.bytes[chunk].second, absent ? &p.ordered->range(chunk) : nullptr,
           absent ? p.ordered->order() : KeyOrder::period_first, found);
  if (!p.keys->expand(chunk, found)) throw FileChanged{};
}

void Run::add_pending_keys() {
  // Chunks of words only (of the first pass over the run's last file) are read again first,
  // one after the other with one buffer: this happens only to a file with problems, before
  // it is read line by line for a while. Ordered chunks stay pending: a look-up reads again
  // only the one whose range holds the key.
  std::vector<KeyPartitions::Found> found;
  for (PendingKeys& p : pending_keys) {
    if (p.ordered) continue;
    for (std::size_t c = 0; c < p.chunks; ++c) expand(p, c, found);
    p.keys->insert_into(seen, p.chunks, p.file, p.first_line);
    key_texts_whole = false; // keys without their text
    key_texts.clear();
  }
  std::erase_if(pending_keys, [](const PendingKeys& p) { return !p.ordered; });
  pending_lookups = 0;
}

std::optional<DuplicateIndex::Location> Run::insert_key(const DuplicateIndex::Probe& probe, std::string_view period,
                                                        std::string_view id, std::uint32_t file, std::uint64_t line) {
  std::vector<KeyPartitions::Found> found;
  bool unordered = false;
  for (PendingKeys& p : pending_keys) {
    unordered = unordered || !p.ordered;
    if (p.ordered)
      if (const auto c = p.ordered->holder(period, id); c && *c < p.chunks) expand(p, *c, found);
  }
  // A look-up among the pending keys scans one partition of each (1/256 of them): cheaper
  // than adding them all to the index for the few lines read one by one after a problem,
  // dearer after 256 such lines.
  if (unordered && ++pending_lookups > KeyPartitions::k_parts) add_pending_keys();
  for (PendingKeys& p : pending_keys)
    while (const auto hit = p.keys->find(probe, p.chunks)) {
      if (hit->line) return DuplicateIndex::stored(p.file, p.first_line[hit->chunk] + *hit->line); // as the index would
      expand(p, hit->chunk, found); // a chunk of words only: its lines tell whether the whole key is there
    }
  const auto first = seen.insert(probe, file, line);
  if (!first && key_texts_whole) {
    if (key_texts.size() < k_key_texts) {
      key_texts.emplace_back(period, id);
    } else {
      key_texts_whole = false;
      key_texts.clear();
    }
  }
  return first;
}

Attributes& Run::attrs() {
  if (!attributes) {
    attributes = std::make_unique<Attributes>();
    attributes->component_names = options.components;
    attributes->csat_scale = options.csat_scale;
  }
  return *attributes;
}

std::size_t Header::find(std::span<const std::string_view> candidates) const {
  for (std::string_view o : candidates)
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == o) return i;
  return k_absent;
}

namespace {

/// The column a --map source `#N` names (N from 1), or k_absent when `source` is not one or a
/// column is named so.
std::size_t mapped_column_number(std::string_view source, const std::vector<std::string>& names) {
  if (source.size() < 2 || source.size() > 8 || source[0] != '#') return k_absent;
  std::size_t n = 0;
  for (const char c : source.substr(1)) {
    if (c < '0' || c > '9') return k_absent;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  if (n == 0 || n > names.size() || std::find(names.begin(), names.end(), source) != names.end()) return k_absent;
  return n - 1;
}

} // namespace

MapApplied apply_column_map(std::vector<std::string>& names, const std::string& target, const std::string& source) {
  MapApplied applied;
  const std::size_t numbered = mapped_column_number(source, names);
  applied.found = numbered != k_absent || std::find(names.begin(), names.end(), source) != names.end();
  for (std::size_t i = 0; applied.found && target != source && i < names.size(); ++i)
    if (names[i] == target && i != numbered) {
      applied.displaced.push_back(i);
      names[i].clear();
    }
  if (numbered != k_absent) names[numbered] = target;
  for (std::string& n : names)
    if (n == source) n = target;
  return applied;
}

std::size_t FileReader::find(std::span<const std::string_view> candidates) {
  const std::size_t at = header().find(candidates);
  if (at != k_absent) read_columns.push_back(at);
  return at;
}

std::size_t FileReader::find_utc(std::span<const std::string_view> candidates) {
  for (std::string_view n : candidates) {
    if (const std::size_t at = find({n}); at != k_absent) return at;
    if (const std::size_t at = find({std::string(n) + "_(utc)"}); at != k_absent) return at;
  }
  return k_absent;
}

std::string FileReader::duplicate_column(std::string_view field, std::size_t first, std::size_t second) const {
  return fmt::format("columns {} ({}) and {} ({}) both name {}: which one to read is unknown; keep one, or say "
                     "which with --map '{}=#{}' (a column's number)",
                     first + 1, show(trim_spaces(fields[first])), second + 1, show(trim_spaces(fields[second])), field,
                     field, second + 1);
}

bool FileReader::check_read_columns() {
  bool ok = true;
  std::vector<bool> told(names.size(), false);
  for (const std::size_t at : read_columns) {
    if (told[at] || names[at].empty()) continue;
    for (std::size_t i = 0; i < names.size(); ++i)
      if (i != at && names[i] == names[at]) {
        const std::size_t first = std::min(i, at), second = std::max(i, at);
        told[first] = told[second] = true;
        fatal(line, duplicate_column(names[at], first, second));
        ok = false;
        break;
      }
  }
  return ok;
}

void Form::read(FileReader& rd, LineSource& lines) {
  std::string_view text;
  while (lines.next(text)) {
    rd.line = lines.line_number();
    if (!is_blank(text)) row(rd, text);
    if (rd.summary.unreadable) return;
  }
  rd.finish_warnings();
  finish(rd);
}

FileReader::FileReader(Run& r, const std::string& n, std::uint32_t index, RowSink& k)
    : run(r), name(n), file_index(index), sink(k) {
  summary.file = n;
}

void FileReader::diag(std::uint64_t at_line, std::size_t field, Severity sev, std::string message) {
  const bool whole = building_history && sev == Severity::error; // the history is incomplete without the row
  if (whole) summary.unreadable = true;
  run.diagnostics.report(
      Diagnostic{name, at_line, static_cast<std::uint32_t>(field + 1), sev, std::move(message), whole});
}

void FileReader::field_error(std::size_t field, std::string message) {
  row_ok = false;
  diag(line, field, Severity::error, std::move(message));
}

void FileReader::fatal(std::uint64_t at_line, std::string message) {
  summary.unreadable = true;
  run.diagnostics.report(Diagnostic{name, at_line, 0, Severity::error, std::move(message), true});
}

void FileReader::check_by_column() const {
  const IngestOptions& opt = run.options;
  if (!opt.by_column.empty() && by_pos == k_absent && !opt.by_optional)
    throw usage_error(fmt::format("{}: --by column \"{}\" is not in the header (columns: {})", name, opt.by_column,
                                  shown_columns(names)));
}

bool FileReader::split_header(std::string_view text) {
  const IngestOptions& opt = run.options;
  if (text.size() >= 2 && text[0] == '\x1f' && text[1] == '\x8b') {
    fatal(0, "this is a gzip-compressed file, not CSV; decompress it first (gunzip -c FILE | cskpi report -)");
    return false;
  }
  if (text.size() >= 4 && text.substr(0, 4) == std::string_view("PK\x03\x04", 4)) {
    fatal(0,
          "this is a zip archive, not CSV: an Excel (.xlsx) or OpenDocument workbook? Save the sheet as CSV (UTF-8) "
          "first, or convert it: libreoffice --headless --convert-to csv FILE");
    return false;
  }
  if (text.size() >= 4 && text.substr(0, 4) == std::string_view("\xD0\xCF\x11\xE0", 4)) {
    fatal(0,
          "this is an old Excel workbook (.xls), not CSV; save the sheet as CSV (UTF-8) first, or convert it: "
          "libreoffice --headless --convert-to csv FILE");
    return false;
  }
  if (text.find('\0') != std::string_view::npos) {
    fatal(line, "the header line holds NUL bytes: this looks like a binary file, not CSV");
    return false;
  }
  if (const auto bad = invalid_utf8(text)) {
    fatal(line,
          fmt::format("the header is not valid UTF-8 (byte 0x{:02X} at byte {}): the file looks like Windows-1252 "
                      "or Latin-1; read it with --encoding cp1252 (or latin1)",
                      static_cast<unsigned char>(text[*bad]), *bad + 1));
    return false;
  }
  summary.delimiter = delimiter = opt.delimiter != 0 ? opt.delimiter
      : declared_delimiter != 0                      ? declared_delimiter
                                                     : detect_delimiter(text);
  summary.decimal_comma = opt.decimal_comma.value_or(summary.delimiter == ';');
  style = summary.decimal_comma ? DecimalStyle::comma : DecimalStyle::point;
  if (split_record(text, summary.delimiter, fields, scratch).status != SplitResult::Status::ok) {
    fatal(line, "the header line has an unterminated or misplaced quote");
    return false;
  }
  field_count = fields.size();
  names.clear();
  for (std::string_view f : fields) names.push_back(normalise_column_name(f));
  for (const auto& [target, source] : opt.column_map) {
    const MapApplied applied = apply_column_map(names, target, source);
    for (const std::size_t i : applied.displaced)
      diag(line, i, Severity::warning,
           fmt::format("--map {}={}: column {} ({}) is not read as {}: the mapped column is", target, source, i + 1,
                       show(trim_spaces(fields[i])), target));
    if (!applied.found && !opt.map_optional)
      diag(line, k_absent, Severity::warning,
           fmt::format("--map {}=...: no column \"{}\" in this header (columns: {})", target, source,
                       shown_columns(names)));
  }
  dates.assign(field_count, std::nullopt);
  if (!opt.by_column.empty())
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] != opt.by_column) continue;
      if (by_pos != k_absent) {
        fatal(
            line,
            fmt::format("--by column {} appears twice in the header (fields {} and {})", names[i], by_pos + 1, i + 1));
        return false;
      }
      by_pos = i;
    }
  return true;
}

bool FileReader::split_row(std::string_view text) {
  ++summary.rows_read;
  row_ok = true;
  const SplitResult split = split_record(text, summary.delimiter, fields, scratch);
  if (split.status != SplitResult::Status::ok) {
    row_ok = false;
    diag(line, split.field, Severity::error, [&]() -> std::string {
      switch (split.status) {
      case SplitResult::Status::unterminated_quote: return "quoted field is not closed" + spans(text);
      case SplitResult::Status::text_after_quote:
        return "unexpected text after a closing quote (a quote inside a field must be doubled: \"\")" + spans(text);
      default:
        return "a quote inside an unquoted field: quote the whole field and double the quote (\"5\"\" screens\"), "
               "or is this the rest of a field from the line before?" +
            spans(text);
      }
    }());
    ++summary.rows_rejected;
    return false;
  }
  if (fields.size() != field_count) {
    const std::size_t at = std::min(fields.size(), field_count);
    diag(line, at, Severity::error,
         fmt::format("expected {} fields as in the header, found {}{}", field_count, fields.size(), spans(text)));
    ++summary.rows_rejected;
    return false;
  }
  return true;
}

std::string FileReader::spans(std::string_view text) const {
  // The line breaks a record holds (in quoted fields): CRLF, LF or CR alone each count once.
  std::uint64_t breaks = 0;
  for (std::size_t i = 0; i < text.size(); ++i)
    breaks += text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'));
  if (breaks == 0) return {};
  return fmt::format(
      " (this record spans lines {} to {}: a quoted field holds line breaks; is a closing quote missing?)", line,
      line + breaks);
}

void FileReader::count_row() {
  if (row_ok) ++summary.rows_used;
  else ++summary.rows_rejected;
}

Money FileReader::amount(std::size_t field, std::string_view what, bool allow_negative) {
  const std::string_view text = fields[field];
  const auto error = [&](std::string message) { field_error(field, std::move(message)); };
  const ParsedMoney p = parse_money(text, style);
  switch (p.status) {
  case ParsedMoney::Status::empty: return Money{};
  case ParsedMoney::Status::overflow:
    error(fmt::format("{} {} is too large (the limit is 9,223,372,036,854.775807)", what, show(text)));
    return Money{};
  case ParsedMoney::Status::invalid: {
    std::string hint;
    const ParsedMoney other =
        parse_money(text, style == DecimalStyle::point ? DecimalStyle::comma : DecimalStyle::point);
    if (other.status == ParsedMoney::Status::ok)
      hint = style == DecimalStyle::point ? " (for a decimal comma use --decimal-comma)"
                                          : " (for a decimal point use --decimal-comma=false)";
    error(fmt::format("{} {} is not a number{}", what, show(text), hint));
    return Money{};
  }
  case ParsedMoney::Status::ok: break;
  }
  if (p.rounded) {
    ++summary.warnings;
    if (first_rounded_line == 0) {
      first_rounded_line = line;
      first_rounded_col = static_cast<std::uint32_t>(field + 1);
    }
  }
  if (!allow_negative && p.value.micros < 0) {
    error(fmt::format("{} {} is negative: {}", what, show(text),
                      form_info == &k_movements_form ? "movements are amounts >= 0, the column carries the sign"
                                                     : "MRR is >= 0"));
    return Money{};
  }
  if (cents) {
    if (p.value.micros % 100 != 0) {
      error(fmt::format("{} {} has more than 4 decimals as cents (--amounts cents)", what, show(text)));
      return Money{};
    }
    return Money{p.value.micros / 100};
  }
  return p.value;
}

std::optional<DateCell> FileReader::date(std::size_t field, std::string_view what) {
  if (field == k_absent) return std::nullopt;
  // The common month cell, YYYY-MM, without the general reader (a long snapshot file has
  // one per row).
  const std::string_view t = fields[field];
  if (const std::optional<MonthIndex> m = plain_month(t)) return DateCell{*m, std::nullopt};
  if (is_blank(t)) return std::nullopt;
  std::optional<DateColumn>& col = dates[field];
  if (!col) col = new_date_column();
  const DateColumn::Result r = col->read(fields[field], line);
  if (r.status == DateColumn::Status::ok) return r.value;
  if (r.status == DateColumn::Status::empty) return std::nullopt;
  field_error(field, col->message(r, what, fields[field]));
  return std::nullopt;
}

std::optional<Day> FileReader::day(std::size_t field, std::string_view what) {
  const std::optional<DateCell> d = date(field, what);
  if (!d) return std::nullopt;
  if (!d->day) {
    field_error(field, fmt::format("{} {} is a month, not a day (use YYYY-MM-DD)", what, show(fields[field])));
    return std::nullopt;
  }
  return d->day;
}

std::optional<MonthIndex> FileReader::month(std::size_t field, std::string_view what) {
  const std::optional<DateCell> d = date(field, what);
  if (!d) return std::nullopt;
  return d->month;
}

int FileReader::whole(std::size_t field, int lo, int hi) {
  if (field == k_absent) return -1;
  const std::string_view t = fields[field];
  const ParsedMoney p = parse_money(t, DecimalStyle::point);
  if (p.status == ParsedMoney::Status::empty) return -1;
  if (p.status == ParsedMoney::Status::ok && p.value.micros % Money::k_scale == 0 &&
      t.find_first_of(".,") == std::string_view::npos && p.value.micros >= lo * Money::k_scale &&
      p.value.micros <= hi * Money::k_scale)
    return static_cast<int>(p.value.micros / Money::k_scale);
  field_error(field, fmt::format("{} {} is not a whole number from {} to {}", names[field], show(t), lo, hi));
  return -1;
}

Money FileReader::convert(Money value, std::string_view currency, MonthIndex m, std::size_t field) {
  if (!run.fx) return value;
  const std::string code = currency_code(currency);
  const std::optional<Decimal> rate = run.fx->rate(code, m);
  if (!rate) {
    field_error(field,
                fmt::format("no exchange rate from {} to {} for {} in the --fx file",
                            code.empty() ? show(currency) : code, run.fx->target(), month_label(m)));
    return Money{};
  }
  const std::optional<Money> out = ingest::convert(value, *rate);
  if (!out) {
    field_error(
        field,
        fmt::format("{} {} converted to {} overflows the money range", show_money(value), code, run.fx->target()));
    return Money{};
  }
  return *out;
}

void FileReader::finish_warnings() {
  if (first_rounded_line != 0)
    run.diagnostics.report(Diagnostic{
        name, first_rounded_line, first_rounded_col, Severity::warning,
        fmt::format("{} value{} had more than 6 decimals and {} rounded half-to-even (this is the first)",
                    summary.warnings, summary.warnings == 1 ? "" : "s", summary.warnings == 1 ? "was" : "were")});
}

void CurrencyCheck::note(FileReader& rd, std::size_t field) {
  if (field == k_absent || is_blank(rd.fields[field])) return;
  const std::string code = currency_code(rd.fields[field]);
  if (code.empty()) {
    rd.field_error(field,
                   fmt::format("currency {} is not a three-letter ISO code such as EUR", show(rd.fields[field])));
    return;
  }
  m_first.try_emplace(code, rd.line);
}

void CurrencyCheck::finish(FileReader& rd) {
  if (m_first.empty()) return;
  const std::optional<FxTable>& fx = rd.run.fx;
  if (fx) {
    rd.summary.currency = fx->target();
    std::vector<std::string> converted;
    for (const auto& [code, line] : m_first)
      if (code != fx->target()) converted.push_back(code);
    rd.summary.converted_from = fmt::format("{}", fmt::join(converted, ", "));
    return;
  }
  if (m_first.size() == 1) {
    rd.summary.currency = m_first.begin()->first;
    const std::string& want = rd.options().currency;
    if (!want.empty() && want != rd.summary.currency)
      rd.fatal(m_first.begin()->second,
               fmt::format("the amounts are in {}, not {} (--currency); give --fx FILE to convert them",
                           rd.summary.currency, want));
    return;
  }
  std::vector<std::string> seen;
  for (const auto& [code, line] : m_first) seen.push_back(fmt::format("{} (first at line {})", code, line));
  const std::string& want = rd.options().currency;
  rd.fatal(0,
           fmt::format("mixed currencies {}: amounts in different currencies cannot be added; convert them with "
                       "--fx RATES.csv --currency {} (see cskpi explain fx)",
                       fmt::join(seen, ", "), want.empty() ? m_first.begin()->first : want));
}

namespace {

/// The warning on the blank rows and rows of only delimiters a file's reading skipped.
std::string skipped_rows(std::uint64_t blank, std::uint64_t delimiters, std::uint64_t first) {
  const auto rows = [](std::uint64_t n) { return n == 1 ? "row" : "rows"; };
  if (blank == 0)
    return fmt::format("{} {} of only delimiters {} skipped like blank lines, not counted as rows (first at line {})",
                       delimiters, rows(delimiters), delimiters == 1 ? "was" : "were", first);
  const std::string what = delimiters == 0
      ? fmt::format("{} blank {}", blank, rows(blank))
      : fmt::format("{} blank {} and {} {} of only delimiters", blank, rows(blank), delimiters, rows(delimiters));
  return fmt::format("{} {} skipped, not counted as rows (first at line {})", what,
                     blank + delimiters == 1 ? "was" : "were", first);
}

/// The field a byte offset of a line lies in, counting delimiters outside quotes.
std::size_t field_at(std::string_view text, std::size_t offset, char delimiter) {
  std::size_t field = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '"') quoted = !quoted;
    else if (!quoted && text[i] == delimiter) ++field;
  }
  return field;
}

} // namespace

/// Runs `read`; a line past 16 MiB, a line in the wrong encoding or an I/O error becomes
/// a fatal diagnostic of the file. Returns false then.
template <class Read> bool guarded(FileReader& rd, LineSource& lines, Read&& read) {
  try {
    read();
    return true;
  } catch (const LineSource::TooLong&) {
    rd.fatal(lines.line_number(), "line is longer than 16 MiB; stopped reading this file");
  } catch (const LineSource::Unclosed& e) {
    rd.fatal(e.line,
             e.at_end ? "the file ends inside a quoted field that opens on this line: the file is cut short "
                        "(export it again), or the field's closing quote is missing"
                      : "a quoted field that opens on this line is not closed within 16 MiB: its closing quote "
                        "is missing");
  } catch (const LineSource::BadEncoding& e) {
    const auto byte = static_cast<unsigned char>(e.text[e.offset]);
    // The bytes around the bad one, every byte outside printable ASCII escaped: the
    // terminal gets no invalid UTF-8 from us.
    // UTF-16 cut short: the marker byte 0xFF stands for no byte of the file, and is left out.
    const std::string_view text =
        e.cut_short && lines.utf16() ? std::string_view(e.text).substr(0, e.offset) : std::string_view(e.text);
    std::string cut = "\"";
    for (const char c : text.substr(e.offset >= 20 ? e.offset - 20 : 0, 40)) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x7f) cut += fmt::format("\\x{:02x}", u);
      else if (c == '"') cut += "\\\"";
      else cut.push_back(c);
    }
    cut.push_back('"');
    rd.summary.unreadable = true;
    rd.run.diagnostics.report(Diagnostic{
        rd.name, e.line, static_cast<std::uint32_t>(field_at(e.text, e.offset, rd.summary.delimiter) + 1),
        Severity::error,
        e.cut_short ? fmt::format("the file ends in the middle of a {} character (in {}): the file is cut short; "
                                  "export it again",
                                  lines.utf16() ? "UTF-16" : "UTF-8", cut)
            : lines.utf16()
            ? fmt::format("the line is not valid UTF-16 (a surrogate without its pair, shown as byte 0xFF in {}): "
                          "the file is damaged; export it again",
                          cut)
            : lines.encoding() == Encoding::utf8
            ? fmt::format("the line is not valid UTF-8 (byte 0x{:02X} in {}): the file looks like Windows-1252 or "
                          "Latin-1; read it with --encoding cp1252 (or latin1)",
                          byte, cut)
            : fmt::format("byte 0x{:02X} is not a character in Windows-1252 (in {}); is the file UTF-8 or Latin-1? "
                          "(--encoding utf-8 or latin1)",
                          byte, cut),
        true});
  } catch (const std::system_error& e) {
    rd.fatal(0, fmt::format("cannot read: {}", std::strerror(e.code().value())));
  } catch (const FileChanged&) {
    rd.fatal(0,
             "changed while it was read: reading its lines again gave other rows; read a copy that nothing writes to");
  }
  return false;
}

/// Slash dates: the file's first 1,000 lines decide DD/MM or MM/DD per column before any
/// row is read, so a value such as 03/04/2026 early in the file is read in the order a
/// later 31/03/2026 shows.
void learn_date_orders(FileReader& rd, LineSource& lines) {
  if (rd.run.date_order != DateOrder::unknown) return;
  std::vector<std::string_view> fields;
  std::string scratch;
  for (const auto& [number, text] : lines.look_ahead(1000)) {
    if (text.find('/') == std::string::npos) continue;
    if (split_record(text, rd.summary.delimiter, fields, scratch).status != SplitResult::Status::ok) continue;
    for (std::size_t i = 0; i < fields.size() && i < rd.field_count; ++i) {
      if (fields[i].find('/') == std::string_view::npos) continue;
      std::optional<DateColumn>& col = rd.dates[i];
      if (!col) col.emplace(rd.run.date_order);
      col->learn(fields[i], number);
    }
  }
  // One export writes every date one way: a column whose values cannot tell takes the order
  // the file's other columns decided, when they agree (Stripe's "Cancel At" 12/4/2026 beside
  // "Created" 7/16/2026).
  for (const std::optional<DateColumn>& col : rd.dates) {
    if (!col || col->order() == DateOrder::unknown) continue;
    if (rd.file_dates && rd.file_dates->order() != col->order()) {
      rd.file_dates.reset(); // the columns disagree: each keeps its own
      return;
    }
    if (!rd.file_dates) rd.file_dates = *col;
  }
  if (!rd.file_dates) return;
  for (std::optional<DateColumn>& col : rd.dates)
    if (col && col->order() == DateOrder::unknown) col = *rd.file_dates;
}

namespace {

/// Reads up to the first line that is not blank; false when the file ends first or cannot be read.
bool first_line(FileReader& rd, LineSource& lines, std::string_view& text) {
  bool found = false;
  if (!guarded(rd, lines, [&] {
        while (!found && lines.next(text)) {
          rd.line = lines.line_number();
          found = !is_blank(text);
        }
      }))
    return false;
  if (!found) rd.fatal(0, "the file is empty: expected a header line (cskpi explain inputs lists the input forms)");
  return found;
}

} // namespace

InputSummary read_file(FileReader& rd, LineSource& lines) {
  std::string_view text;
  if (!first_line(rd, lines, text)) return rd.summary;
  // Excel's `sep=;` line names the delimiter before the header (it counts as a line).
  if (const char declared = sep_line(text)) {
    rd.declared_delimiter = declared;
    if (!first_line(rd, lines, text)) return rd.summary;
  }
  if (!rd.split_header(text)) return rd.summary;
  lines.set_delimiter(rd.delimiter);
  FileRole role = FileRole::unknown;
  const FormInfo& info = recognise(rd.header(), role);
  rd.form_info = &info;
  rd.summary.role = std::string(info.name);
  const std::unique_ptr<Form> form = info.make();
  if (!form->start(rd) || !rd.check_read_columns()) return rd.summary;
  const std::uint64_t header_line = rd.line;
  learn_date_orders(rd, lines);
  guarded(rd, lines, [&] { form->read(rd, lines); });
  if (rd.summary.unreadable) return rd.summary;
  if (const std::uint64_t skipped = lines.delimiter_rows() + lines.blank_rows())
    rd.run.diagnostics.report(
        Diagnostic{rd.name, lines.first_skipped_row(), 0, Severity::warning,
                   skipped_rows(lines.blank_rows(), lines.delimiter_rows(), lines.first_skipped_row())});
  if (rd.summary.rows_read == 0)
    rd.run.diagnostics.report(Diagnostic{rd.name, header_line, 0, Severity::warning,
                                         fmt::format("the file holds a header ({}) but no rows", info.name)});
  return rd.summary;
}

} // namespace cskpi::ingest
