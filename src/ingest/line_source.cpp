// SPDX-License-Identifier: MIT
#include "line_source.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#endif
#include <libfccp/csv.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <fmt/format.h>

#include <cerrno>
#include <ctime>
#include <cstring>
#include <istream>
#include <system_error>
#include <utility>
#include <sys/stat.h>
#include <unistd.h>
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
    if (m_owned) ::close(m_fd);
  }
  int read(char* buffer, int size) override {
    int total = 0;
    while (total < size) {
      const ssize_t got = ::read(m_fd, buffer + total, static_cast<std::size_t>(size - total));
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

} // namespace

bool has_high_byte(std::string_view s) noexcept {
  std::size_t i = 0;
  std::uint64_t any = 0;
#ifdef __SSE2__
  // Every block the parallel pass reads comes through here: 64 bytes an iteration.
  __m128i acc = _mm_setzero_si128();
  for (; i + 64 <= s.size(); i += 64) {
    const auto* v = reinterpret_cast<const __m128i*>(s.data() + i);
    acc = _mm_or_si128(acc, _mm_or_si128(_mm_or_si128(_mm_loadu_si128(v), _mm_loadu_si128(v + 1)),
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
  static constexpr std::uint16_t k_cp1252[32] = {
      0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};
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

LineSource::LineSource(int fd, bool owned, Encoding encoding, Progress progress)
    : m_source(std::make_unique<FdSource>(fd, owned)), m_encoding(encoding), m_progress(std::move(progress)),
      m_buf(new char[k_block]), m_size(k_block) {
  struct stat sb{};
  if (::fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
    const bool from_start = ::lseek(fd, 0, SEEK_CUR) == 0;
    if (from_start) m_fd = fd;
    m_opened = Opened{fd, static_cast<std::uint64_t>(sb.st_size), static_cast<std::int64_t>(sb.st_mtim.tv_sec),
                      static_cast<std::int64_t>(sb.st_mtim.tv_nsec), from_start};
  }
}

std::optional<std::string> LineSource::changed() const {
  if (!m_opened) return std::nullopt;
  // Size and modification time, again: a file truncated and written anew (an export run
  // again over the file being read) gives other bytes than the first half of the read saw,
  // and the lines read then hold fewer customers, with nothing wrong in any one of them.
  struct stat sb{};
  if (::fstat(m_opened->fd, &sb) != 0) return std::string("it can no longer be examined");
  const auto now_size = static_cast<std::uint64_t>(sb.st_size);
  if (now_size != m_opened->size) return fmt::format("size {} -> {} bytes", m_opened->size, now_size);
  if (sb.st_mtim.tv_sec != m_opened->mtime_sec || sb.st_mtim.tv_nsec != m_opened->mtime_nsec) {
    std::tm utc{};
    const std::time_t t = sb.st_mtim.tv_sec;
    ::gmtime_r(&t, &utc);
    return fmt::format("modified at {:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:09} UTC, after it was opened", utc.tm_year + 1900,
                       utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, sb.st_mtim.tv_nsec);
  }
  // The same size and time, yet the reads ended early: cut short and grown back between
  // two reads within the clock's resolution.
  if (m_opened->from_start && m_eof && m_bytes < m_opened->size)
    return fmt::format("size {} bytes, but its reads ended after {}", m_opened->size, m_bytes);
  return std::nullopt;
}

int LineSource::seekable_fd() const {
  return m_fd >= 0 && m_encoding == Encoding::utf8 && m_ahead.empty() && !m_ahead_error ? m_fd : -1;
}

void LineSource::seek(std::uint64_t offset, std::uint64_t line) {
  if (m_fd < 0 || ::lseek(m_fd, static_cast<off_t>(offset), SEEK_SET) < 0)
    throw std::system_error(m_fd < 0 ? ESPIPE : errno, std::generic_category(), "cannot seek");
  m_begin = m_end = 0;
  m_bytes = offset;
  m_line = line - 1;
  m_eof = false;
  m_high = false;
}

LineSource::LineSource(std::istream& in, Encoding encoding)
    : m_source(std::make_unique<StreamSource>(in)), m_encoding(encoding), m_buf(new char[k_block]), m_size(k_block) {}

LineSource::~LineSource() = default;

const std::deque<std::pair<std::uint64_t, std::string>>& LineSource::look_ahead(std::size_t count) {
  std::string_view line;
  try {
    while (m_ahead.size() < count && !m_ahead_error && read_line(line)) m_ahead.emplace_back(m_line, std::string(line));
  } catch (...) {
    m_ahead_error = std::current_exception();
  }
  return m_ahead;
}

bool LineSource::next(std::string_view& line) {
  if (!m_ahead.empty()) {
    m_number = m_ahead.front().first;
    m_served = std::move(m_ahead.front().second);
    m_ahead.pop_front();
    line = m_served;
    return true;
  }
  if (m_ahead_error) {
    m_number = m_line;
    std::rethrow_exception(std::exchange(m_ahead_error, nullptr));
  }
  try {
    const bool more = read_line(line);
    m_number = m_line;
    return more;
  } catch (...) {
    m_number = m_line;
    throw;
  }
}

bool LineSource::read_line(std::string_view& line) {
  for (;;) {
    const char* start = m_buf.get() + m_begin;
    const auto* nl = static_cast<const char*>(std::memchr(start, '\n', m_end - m_begin));
    if (nl != nullptr) {
      std::size_t len = static_cast<std::size_t>(nl - start);
      m_begin += len + 1;
      return emit(start, len, line);
    }
    if (m_eof) {
      if (m_begin == m_end) return false;
      const std::size_t len = m_end - m_begin;
      m_begin = m_end;
      return emit(start, len, line);
    }
    refill();
  }
}

bool LineSource::emit(const char* start, std::size_t len, std::string_view& line) {
  ++m_line;
  if (len > k_max_line) throw TooLong{};
  if (m_line == 1 && len >= 3 && std::memcmp(start, "\xEF\xBB\xBF", 3) == 0) {
    start += 3;
    len -= 3;
  }
  if (len > 0 && start[len - 1] == '\r') --len;
  line = std::string_view(start, len);
  if (m_encoding == Encoding::utf8) {
    if (m_line > 1 && m_high) // an all-ASCII buffer needs no check line by line
      if (const auto bad = invalid_utf8(line)) throw BadEncoding{m_line, std::string(line), *bad};
    return true;
  }
  // A single-byte encoding: ASCII lines stay as they are, others are transcoded.
  bool ascii = true;
  for (char c : line) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return true;
  if (const auto bad = single_byte_to_utf8(line, m_encoding, m_converted)) throw BadEncoding{m_line, std::string(line), *bad};
  line = m_converted;
  return true;
}

void LineSource::refill() {
  // Keep the unfinished line, move it to the front, and read more behind it.
  const std::size_t kept = m_end - m_begin;
  if (kept > k_max_line) {
    ++m_line;
    throw TooLong{};
  }
  std::memmove(m_buf.get(), m_buf.get() + m_begin, kept);
  m_begin = 0;
  m_end = kept;
  m_high = m_high && kept > 0; // the unfinished line may hold the high byte seen before
  if (m_size - m_end < (1u << 20)) { // a long line: make room
    std::unique_ptr<char[]> bigger(new char[m_size * 2]);
    std::memcpy(bigger.get(), m_buf.get(), m_end);
    m_buf = std::move(bigger);
    m_size *= 2;
  }
  const int got = m_source->read(m_buf.get() + m_end, static_cast<int>(m_size - m_end));
  if (got <= 0) {
    m_eof = true;
  } else {
    m_high = m_high || has_high_byte(std::string_view(m_buf.get() + m_end, static_cast<std::size_t>(got)));
    m_end += static_cast<std::size_t>(got);
    m_bytes += static_cast<std::uint64_t>(got);
    if (m_progress) m_progress(m_bytes);
  }
}

} // namespace cskpi::ingest
