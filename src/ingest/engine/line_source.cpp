// SPDX-License-Identifier: MIT
#include "ingest/engine/line_source.hpp"

#include "platform/files.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#endif
#include <libfccp/csv.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <istream>
#include <stdexcept>
#include <system_error>
#include <utility>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace cskpi::ingest {

namespace {

/// Reads a file descriptor; read errors surface as exceptions.
class FdSource : public io::ByteSourceBase {
public:
  FdSource(int fd, bool owned) : m_fd(fd), m_owned(owned) {}
  ~FdSource() override {
    if (m_owned) platform::close_file(m_fd);
  }
  int read(char* buffer, int size) override {
    int total = 0;
    while (total < size) {
      const std::int64_t got = platform::read_some(m_fd, buffer + total, static_cast<std::size_t>(size - total));
      if (got < 0) {
        if (errno == EINTR) continue;
        throw std::system_error(errno, std::generic_category(), "cannot read");
      }
      if (got == 0) break;
      total += static_cast<int>(got);
    }
    return total;
  }

private:
  int m_fd;
  bool m_owned;
};

/// Reads a std::istream (tests pass literal strings this way).
class StreamSource : public io::ByteSourceBase {
public:
  explicit StreamSource(std::istream& in) : m_in(in) {}
  int read(char* buffer, int size) override {
    m_in.read(buffer, size);
    return static_cast<int>(m_in.gcount());
  }

private:
  std::istream& m_in;
};

/// Reads bytes already in memory (a file's first block, peeked at).
class BytesSource : public io::ByteSourceBase {
public:
  explicit BytesSource(std::string_view bytes) : m_rest(bytes) {}
  int read(char* buffer, int size) override {
    const std::size_t n = std::min(m_rest.size(), static_cast<std::size_t>(size));
    std::memcpy(buffer, m_rest.data(), n);
    m_rest.remove_prefix(n);
    return static_cast<int>(n);
  }

private:
  std::string_view m_rest;
};

} // namespace

bool has_high_byte(std::string_view s) noexcept {
  std::size_t i = 0;
  std::uint64_t any = 0;
#ifdef __SSE2__
  // Every block the parallel pass reads comes through here: 64 bytes an iteration.
  __m128i acc = _mm_setzero_si128();
  for (; i + 64 <= s.size(); i += 64) {
    const auto* v = reinterpret_cast<const __m128i*>(s.data() + i);
    acc = _mm_or_si128(acc,
                       _mm_or_si128(_mm_or_si128(_mm_loadu_si128(v), _mm_loadu_si128(v + 1)),
                                    _mm_or_si128(_mm_loadu_si128(v + 2), _mm_loadu_si128(v + 3))));
  }
  if (_mm_movemask_epi8(acc) != 0) return true;
#endif
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    any |= w;
  }
  for (; i < s.size(); ++i) any |= static_cast<unsigned char>(s[i]);
  return (any & 0x8080808080808080ull) != 0;
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

} // namespace

std::optional<Encoding> parse_encoding(std::string_view text) {
  const std::string t = lower(text);
  if (t == "utf-8" || t == "utf8") return Encoding::utf8;
  if (t == "cp1252" || t == "windows-1252" || t == "win1252") return Encoding::cp1252;
  if (t == "latin1" || t == "latin-1" || t == "iso-8859-1" || t == "iso8859-1") return Encoding::latin1;
  return std::nullopt;
}

std::optional<std::size_t> invalid_utf8(std::string_view text) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // Eight ASCII bytes at a time: the common case costs one test per word.
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, s + i, 8);
      if ((w & 0x8080808080808080ull) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF; // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;      // no overlong forms
      else if (c == 0xED) hi = 0x9F; // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      else if (c == 0xF4) hi = 0x8F; // nothing past U+10FFFF
    } else return i;
    if (i + len > n || s[i + 1] < lo || s[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if ((s[i + k] & 0xC0) != 0x80) return i;
    i += len;
  }
  return std::nullopt;
}

std::optional<std::size_t> single_byte_to_utf8(std::string_view text, Encoding encoding, std::string& out) {
  // Windows-1252's 0x80-0x9F, by code point; 0 where the code page defines no character.
  static constexpr std::uint16_t k_cp1252[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                                 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                                 0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                                 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};
  out.clear();
  out.reserve(text.size() * 3);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::uint32_t cp = byte;
    if (encoding == Encoding::cp1252 && byte >= 0x80 && byte < 0xA0) {
      cp = k_cp1252[byte - 0x80];
      if (cp == 0) return i;
    }
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return std::nullopt;
}

std::size_t utf16_to_utf8(std::string_view in, bool big_endian, bool last, std::string& out) {
  const auto* b = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t n = in.size();
  const auto unit = [&](std::size_t i) -> std::uint32_t {
    return big_endian ? (std::uint32_t{b[i]} << 8) | b[i + 1] : (std::uint32_t{b[i + 1]} << 8) | b[i];
  };
  out.reserve(out.size() + n / 2 * 3 + 1);
  std::size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    std::uint32_t cp = unit(i);
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
      continue;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) { // a high surrogate: its low one must follow
      if (i + 4 > n && !last) break;    // it may come with the next block
      const std::uint32_t lo = i + 4 <= n ? unit(i + 2) : 0;
      if (lo < 0xDC00 || lo > 0xDFFF) {
        out.push_back('\xFF');
        continue;
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      i += 2;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) { // a low surrogate alone
      out.push_back('\xFF');
      continue;
    }
    if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    }
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  if (last && i < n) { // an odd final byte: half a code unit
    out.push_back('\xFF');
    i = n;
  }
  return i;
}

int detect_utf16(std::string_view first) noexcept {
  const auto* b = reinterpret_cast<const unsigned char*>(first.data());
  const std::size_t n = first.size();
  if (n >= 2 && b[0] == 0xFF && b[1] == 0xFE) return 1;
  if (n >= 2 && b[0] == 0xFE && b[1] == 0xFF) return 2;
  // No mark: a header of ASCII characters shows as one NUL byte in every pair, on one side.
  // Most characters of a header are ASCII (Latin-1 ones show the same way); a few may not be.
  const std::size_t pairs = std::min<std::size_t>(n, 64) / 2;
  if (pairs < 2) return 0;
  std::size_t le = 0, be = 0;
  for (std::size_t k = 0; k < pairs; ++k) {
    const unsigned char x = b[2 * k], y = b[2 * k + 1];
    le += x != 0 && y == 0;
    be += x == 0 && y != 0;
  }
  if (be == 0 && le * 4 >= pairs * 3) return 1;
  if (le == 0 && be * 4 >= pairs * 3) return 2;
  return 0;
}

char sep_line(std::string_view line) noexcept {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
  const bool quoted = !line.empty() && line.front() == '"';
  if (quoted) line.remove_prefix(1);
  if (line.size() < 5) return 0;
  for (std::size_t i = 0; i < 4; ++i)
    if ((line[i] | 0x20) != "sep="[i]) return 0;
  line.remove_prefix(4);
  char d = line[0];
  std::size_t used = 1;
  if (line.substr(0, 2) == "\\t") {
    d = '\t';
    used = 2;
  }
  if (d != ',' && d != ';' && d != '\t' && d != '|') return 0;
  line.remove_prefix(used);
  if (quoted) {
    if (line.empty() || line.front() != '"') return 0;
    line.remove_prefix(1);
  }
  for (const char c : line) // a spreadsheet may pad the line with empty cells
    if (c != d && c != ' ') return 0;
  return d;
}

LineSource::LineSource(std::unique_ptr<io::ByteSourceBase> source, Encoding encoding, Progress progress)
    : m_source(std::move(source)),
      m_encoding(encoding),
      m_progress(std::move(progress)),
      m_buf(new char[k_first_block]),
      m_size(k_first_block) {}

LineSource::LineSource(int fd, bool owned, Encoding encoding, Progress progress)
    : LineSource(std::make_unique<FdSource>(fd, owned), encoding, std::move(progress)) {
  if (const std::optional<platform::FileInfo> f = platform::file_info(fd); f && f->regular()) {
    const bool from_start = platform::file_offset(fd) == 0;
    if (from_start) m_fd = fd;
    m_opened = Opened{fd, f->size, f->mtime_sec, f->mtime_nsec, from_start};
  }
}

std::optional<std::string> LineSource::changed() const {
  if (!m_opened) return std::nullopt;
  // Size and modification time, again: a file truncated and written anew (an export run
  // again over the file being read) gives other bytes than the first half of the read saw,
  // and the lines read then hold fewer customers, with nothing wrong in any one of them.
  const std::optional<platform::FileInfo> now = platform::file_info(m_opened->fd);
  if (!now) return std::string("it can no longer be examined");
  const std::uint64_t now_size = now->size;
  if (now_size != m_opened->size) return fmt::format("size {} -> {} bytes", m_opened->size, now_size);
  if (now->mtime_sec != m_opened->mtime_sec || now->mtime_nsec != m_opened->mtime_nsec) {
    std::tm utc{};
    const std::time_t t = now->mtime_sec;
    ::gmtime_r(&t, &utc);
    return fmt::format("modified at {:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:09} UTC, after it was opened",
                       utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                       now->mtime_nsec);
  }
  // The same size and time, yet the reads ended early: cut short and grown back between
  // two reads within the clock's resolution.
  if (m_opened->from_start && m_eof && m_bytes < m_opened->size)
    return fmt::format("size {} bytes, but its reads ended after {}", m_opened->size, m_bytes);
  return std::nullopt;
}

int LineSource::seekable_fd() const { return seekable() && !ahead_pending() && !m_ahead_error ? m_fd : -1; }

void LineSource::seek(std::uint64_t offset, std::uint64_t line) {
  if (m_fd < 0 || !platform::seek_file(m_fd, offset))
    throw std::system_error(m_fd < 0 ? ESPIPE : errno, std::generic_category(), "cannot seek");
  m_begin = m_end = 0;
  m_bytes = offset;
  m_line = line - 1;
  m_eof = false;
  m_high = false;
  m_quote = false;
  m_scan = 0;
  m_breaks = 0;
  m_state = Quoting::field_start;
}

LineSource::LineSource(std::istream& in, Encoding encoding)
    : LineSource(std::make_unique<StreamSource>(in), encoding) {}

LineSource::LineSource(std::string_view bytes, Encoding encoding)
    : LineSource(std::make_unique<BytesSource>(bytes), encoding) {}

LineSource::~LineSource() = default;

std::span<const LineSource::AheadLine> LineSource::look_ahead(std::size_t count) {
  // The bytes read but not served yet are what the lines ahead will mostly hold: room for them
  // at once, not a buffer doubling (and faulting in twice the memory) as they come.
  if (m_ahead.empty()) m_ahead_bytes.reserve(std::min<std::size_t>(m_end - m_begin, std::size_t{1} << 20));
  std::string_view line;
  try {
    while (m_ahead.size() - m_ahead_served < count && !m_ahead_error && read_record(line)) {
      m_ahead.push_back({m_first, m_ahead_bytes.size(), line.size()});
      m_ahead_bytes.append(line);
    }
  } catch (...) {
    m_ahead_error = std::current_exception();
  }
  m_ahead_lines.clear(); // views only now: appending may have moved the bytes
  for (std::size_t i = m_ahead_served; i < m_ahead.size(); ++i)
    m_ahead_lines.push_back(
        {m_ahead[i].number, std::string_view(m_ahead_bytes).substr(m_ahead[i].at, m_ahead[i].size)});
  return m_ahead_lines;
}

bool LineSource::next(std::string_view& line) {
  if (ahead_pending()) {
    const Ahead& a = m_ahead[m_ahead_served++];
    m_number = a.number;
    line = std::string_view(m_ahead_bytes).substr(a.at, a.size);
    return true;
  }
  if (!m_ahead.empty()) { // every line read ahead is served, the last one by the call before
    std::string().swap(m_ahead_bytes);
    std::vector<Ahead>().swap(m_ahead);
    std::vector<AheadLine>().swap(m_ahead_lines);
    m_ahead_served = 0;
  }
  if (m_ahead_error) {
    m_number = m_line;
    std::rethrow_exception(std::exchange(m_ahead_error, nullptr));
  }
  try {
    const bool more = read_record(line);
    m_number = m_first;
    return more;
  } catch (...) {
    m_number = m_line;
    throw;
  }
}

bool LineSource::read_record(std::string_view& line) {
  // A blank line, or a row of only delimiters (and spaces), which spreadsheets leave below the
  // data, is skipped; each is counted for a warning. Blank lines count once a row follows them:
  // the blank lines a file ends with are only its end.
  const auto count = [this](std::uint64_t& rows, std::uint64_t n, std::uint64_t first) {
    if (m_delim_rows + m_blank_rows == 0) m_delim_row_first = first;
    rows += n;
  };
  for (;;) {
    if (!read_line(line)) return false;
    if (m_delim == 0) return true;
    bool only = false, blank = true;
    for (const char c : line) {
      if (c == m_delim) only = true;
      else if (c != ' ' && c != '\t') {
        blank = false;
        break;
      }
    }
    if (blank && !only) {
      if (m_blank_pending++ == 0) m_blank_pending_first = m_first;
      continue;
    }
    if (m_blank_pending > 0) count(m_blank_rows, m_blank_pending, m_blank_pending_first);
    m_blank_pending = 0;
    if (!blank) return true;
    count(m_delim_rows, 1, m_first);
  }
}

bool LineSource::quote_open(const char* from, const char* to) noexcept {
  // RFC 4180: a quote opens a quoted field only at the field's start; "" inside is a quote.
  // A line without a quote, outside a quoted field, ends its record: the usual case, by memchr.
  if (m_state != Quoting::quoted && std::memchr(from, '"', static_cast<std::size_t>(to - from)) == nullptr)
    return false;
  const auto delimiter = [this](char c) { return m_delim != 0 ? c == m_delim : c == ',' || c == ';' || c == '\t'; };
  Quoting st = m_state;
  for (const char* p = from; p != to; ++p) {
    const char c = *p;
    switch (st) {
    case Quoting::field_start:
      st = c == '"' ? Quoting::quoted : delimiter(c) ? Quoting::field_start : Quoting::unquoted;
      break;
    case Quoting::unquoted:
      if (delimiter(c)) st = Quoting::field_start;
      break;
    case Quoting::quoted:
      if (c == '"') st = Quoting::after_quote;
      break;
    case Quoting::after_quote:
      st = c == '"' ? Quoting::quoted : delimiter(c) ? Quoting::field_start : Quoting::unquoted;
      break;
    }
  }
  m_state = st;
  return st == Quoting::quoted;
}

bool LineSource::read_line(std::string_view& line) {
  for (;;) {
    const char* start = m_buf.get() + m_begin;
    const auto* nl = static_cast<const char*>(std::memchr(start + m_scan, m_eol, m_end - m_begin - m_scan));
    if (nl != nullptr) {
      if (m_quote && quote_open(start + m_scan, nl)) { // the line break is inside a quoted field
        m_scan = static_cast<std::size_t>(nl - start) + 1;
        ++m_breaks;
        continue;
      }
      std::size_t len = static_cast<std::size_t>(nl - start);
      m_begin += len + 1;
      return emit(start, len, line);
    }
    if (m_eof) {
      if (m_begin == m_end) return false;
      const std::size_t len = m_end - m_begin;
      if (m_quote && quote_open(start + m_scan, start + len)) throw Unclosed{m_line + 1, true};
      m_begin = m_end;
      return emit(start, len, line);
    }
    refill();
  }
}

namespace {

/// True when the bytes of `line` from `offset` on are the first bytes of a UTF-8 character
/// that its end cuts off (a lead byte, then continuation bytes only, fewer than it needs).
bool utf8_cut_at_end(std::string_view line, std::size_t offset) noexcept {
  const auto c = static_cast<unsigned char>(line[offset]);
  const std::size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (len == 0 || line.size() - offset >= len) return false;
  for (std::size_t k = offset + 1; k < line.size(); ++k)
    if ((static_cast<unsigned char>(line[k]) & 0xC0) != 0x80) return false;
  return true;
}

} // namespace

bool LineSource::emit(const char* start, std::size_t len, std::string_view& line) {
  const bool last = m_eof && m_begin == m_end; // the file's last record, with no line break after it
  m_first = ++m_line;
  m_line += m_breaks;
  m_breaks = 0;
  m_scan = 0;
  m_state = Quoting::field_start;
  if (len > k_max_line) throw TooLong{};
  if (m_first == 1 && len >= 3 && std::memcmp(start, "\xEF\xBB\xBF", 3) == 0) {
    start += 3;
    len -= 3;
  }
  if (m_eol == '\r' && len > 0 && start[0] == '\n') { // a CRLF among CR line ends
    ++start;
    --len;
  }
  if (len > 0 && start[len - 1] == '\r') --len;
  line = std::string_view(start, len);
  if (m_encoding == Encoding::utf8 || m_utf16 != 0) {
    // An all-ASCII buffer needs no check line by line. The header is looked at for binary
    // formats before it is checked, unless it was UTF-16 or the file ends in it cut short.
    if (m_high)
      if (const auto bad = invalid_utf8(line)) {
        const bool cut = last &&
            (m_utf16 != 0 ? m_cut_utf16 && line.find_first_not_of('\xFF', *bad) == std::string_view::npos
                          : utf8_cut_at_end(line, *bad));
        const bool header = m_first == 1 && m_utf16 == 0;
        if (!header || (cut && line.find('\0') == std::string_view::npos))
          throw BadEncoding{m_first, std::string(line), *bad, cut};
      }
    return true;
  }
  // A single-byte encoding: ASCII lines stay as they are, others are transcoded.
  bool ascii = true;
  for (char c : line) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return true;
  if (const auto bad = single_byte_to_utf8(line, m_encoding, m_converted))
    throw BadEncoding{m_first, std::string(line), *bad};
  line = m_converted;
  return true;
}

std::size_t LineSource::read_utf16(char* into, std::size_t room) {
  // Read raw bytes behind those kept from the last block, transcode what is whole. Each
  // two bytes give at most three of UTF-8.
  const std::size_t kept = m_raw.size();
  const std::size_t want = std::max<std::size_t>(room / 3 * 2, 4);
  m_raw.resize(kept + want);
  const int got = m_source->read(m_raw.data() + kept, static_cast<int>(want));
  m_raw.resize(kept + static_cast<std::size_t>(std::max(got, 0)));
  if (got > 0) m_bytes += static_cast<std::uint64_t>(got);
  m_wide.clear();
  if (got <= 0 && !m_raw.empty()) { // the end: what is left is an odd byte or a lone first half
    const auto* b = reinterpret_cast<const unsigned char*>(m_raw.data());
    const std::size_t n = m_raw.size() / 2 * 2;
    const unsigned hi = n >= 2 ? (m_utf16 == 2 ? b[n - 2] : b[n - 1]) : 0;
    m_cut_utf16 = m_raw.size() % 2 != 0 || (hi >= 0xD8 && hi <= 0xDB);
  }
  const std::size_t used = utf16_to_utf8(m_raw, m_utf16 == 2, got <= 0, m_wide);
  m_raw.erase(0, used);
  if (m_wide.size() > room) throw std::logic_error("LineSource: UTF-16 block larger than its room");
  std::memcpy(into, m_wide.data(), m_wide.size());
  if (got <= 0 && m_wide.empty()) return 0;
  return m_wide.empty() ? read_utf16(into, room) : m_wide.size();
}

std::size_t LineSource::detect(std::size_t got) {
  // The first block: UTF-16, and whether lines end in CR alone.
  m_detected = true;
  char* const block = m_buf.get() + m_end;
  if ((m_utf16 = detect_utf16(std::string_view(block, got))) != 0) {
    m_raw.assign(block, got);
    m_wide.clear();
    m_raw.erase(0, utf16_to_utf8(m_raw, m_utf16 == 2, false, m_wide));
    std::memcpy(block, m_wide.data(), m_wide.size()); // (the UTF-8 of a third of the room fits in it)
    got = m_wide.size();
  }
  // Lines end in CR alone (old Mac Excel) when the file's first line break is a CR without LF.
  // (A line break inside a quoted header field does not count.)
  bool quoted = false;
  for (std::size_t i = 0; i + 1 < got; ++i) {
    quoted = quoted != (block[i] == '"');
    if (quoted) continue;
    if (block[i] == '\n') break;
    if (block[i] == '\r') {
      if (block[i + 1] != '\n') m_eol = '\r';
      break;
    }
  }
  return got;
}

void LineSource::refill() {
  // Keep the unfinished line, move it to the front, and read more behind it.
  const std::size_t kept = m_end - m_begin;
  if (kept > k_max_line) {
    if (m_breaks > 0) throw Unclosed{m_line + 1, false}; // a quoted field holds every line since
    ++m_line;
    throw TooLong{};
  }
  std::memmove(m_buf.get(), m_buf.get() + m_begin, kept);
  m_begin = 0;
  m_end = kept;
  m_high = m_high && kept > 0; // the unfinished line may hold the high byte seen before
  m_quote = m_quote && kept > 0;
  // A long line (it fills half the buffer), or a big input (the last read filled half of
  // what it asked for): a bigger buffer. Small files keep the first one: a 4 MiB buffer for
  // every run would put it on huge pages (platform/heap.cpp), each cleared whole.
  if (m_size - m_end < m_size / 2 || (m_grow && m_size < k_block)) {
    std::unique_ptr<char[]> bigger(new char[m_size * 2]);
    std::memcpy(bigger.get(), m_buf.get(), m_end);
    m_buf = std::move(bigger);
    m_size *= 2;
  }
  const std::size_t asked = m_size - m_end;
  std::size_t got = 0;
  if (m_utf16 != 0) {
    got = read_utf16(m_buf.get() + m_end, m_size - m_end);
  } else {
    // The first block is read at a third of the room: transcoded from UTF-16, it fits.
    const std::size_t room = m_detected ? m_size - m_end : (m_size - m_end) / 3;
    const int n = m_source->read(m_buf.get() + m_end, static_cast<int>(room));
    if (n > 0) {
      got = static_cast<std::size_t>(n);
      m_bytes += got;
      if (!m_detected) got = detect(got);
    }
    if (got == 0 && n > 0 && m_utf16 != 0) got = read_utf16(m_buf.get() + m_end, m_size - m_end);
  }
  if (got == 0) {
    m_eof = true;
    return;
  }
  m_grow = got >= asked / 2;
  const std::string_view block(m_buf.get() + m_end, got);
  m_high = m_high || has_high_byte(block);
  m_quote = m_quote || std::memchr(block.data(), '"', block.size()) != nullptr;
  m_end += got;
  if (m_progress) m_progress(m_bytes);
}

std::optional<std::string> peek_header(std::string_view head, bool whole, char& declared) {
  LineSource lines(head, Encoding::utf8);
  std::string_view line;
  declared = 0;
  try {
    while (lines.next(line)) {
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      if (declared == 0 && lines.line_number() == 1 && (declared = sep_line(line)) != 0) continue;
      std::string header(line);
      if (!whole && !lines.next(line)) return std::nullopt; // the header may go on past `head`
      return header;
    }
  } catch (...) { // cut inside a quoted field or a character: read_file() tells
  }
  return std::nullopt;
}

} // namespace cskpi::ingest
