// SPDX-License-Identifier: MIT
// Internal to ingest: what the parallel passes over a file share (issue 13). A pass cuts
// the rest of a file into chunks at byte offsets; a chunk holds the lines that start in it,
// so no line is read twice and none is missed. Each thread reads its chunks with pread in
// blocks that stay in the core's cache while they are parsed (no mmap: the file's bytes do
// not count as the process's memory).
#pragma once

#include "ingest/engine/line_source.hpp"
#include "ingest/engine/padded.hpp"
#include "platform/files.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace cskpi::ingest {

/// The end of an unquoted field: the first delimiter, quote or NUL byte from `p`, or `end`.
/// Sixteen bytes at a time where SSE2 is (every x86-64), then eight at a time (a zero byte
/// in x ^ pattern marks a match; the lowest such mark is exact), then byte by byte for the
/// last few. Reads nothing at or past `end`.
[[gnu::always_inline]] inline const char* field_end(const char* p, const char* end, char delim) noexcept {
#ifdef __SSE2__
  const __m128i vd = _mm_set1_epi8(delim), vq = _mm_set1_epi8('"'), zero = _mm_setzero_si128();
  for (; end - p >= 16; p += 16) {
    const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, vd), _mm_cmpeq_epi8(w, vq)), _mm_cmpeq_epi8(w, zero));
    if (const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hit)); mask != 0) return p + __builtin_ctz(mask);
  }
#endif
  constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  const std::uint64_t d = ones * static_cast<unsigned char>(delim), q = ones * static_cast<unsigned char>('"');
  for (; end - p >= 8; p += 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    const std::uint64_t xd = w ^ d, xq = w ^ q;
    const std::uint64_t hit = ((xd - ones) & ~xd) | ((xq - ones) & ~xq) | ((w - ones) & ~w);
    if ((hit & highs) != 0) return p + __builtin_ctzll(hit & highs) / 8;
  }
  for (; p != end; ++p)
    if (*p == delim || *p == '"' || *p == '\0') return p;
  return p;
}

/// Text a and b compared as std::string_view::compare does, for text without NUL bytes: each
/// in a buffer that may be read 16 bytes from its start (a ChunkBuffer's lines, say). Up to
/// 16 bytes each, without a call to memcmp.
inline int compare_padded(const char* a, std::size_t na, const char* b, std::size_t nb) noexcept {
  if (na > 16 || nb > 16) return std::string_view(a, na).compare(std::string_view(b, nb));
  const auto word = [](const char* p, std::size_t n) { // bytes [0, n) of p, n <= 8, the first one highest
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    if (n < 8) x &= (std::uint64_t{1} << (8 * n)) - 1; // (little-endian: the first bytes are the low ones)
    return __builtin_bswap64(x);
  };
  const std::uint64_t a0 = word(a, std::min<std::size_t>(na, 8)), b0 = word(b, std::min<std::size_t>(nb, 8));
  if (a0 != b0) return a0 < b0 ? -1 : 1;
  const std::uint64_t a1 = word(a + 8, na > 8 ? na - 8 : 0), b1 = word(b + 8, nb > 8 ? nb - 8 : 0);
  if (a1 != b1) return a1 < b1 ? -1 : 1;
  return (na > nb) - (na < nb); // (equal bytes: equal lengths, as there is no NUL)
}

/// Thrown when a file's bytes, read a second time, no longer hold what the first reading
/// found (something wrote to the file while it was read).
struct FileChanged {};

/// The bytes one pass reads, shared by its threads.
struct ChunkFile {
  int fd = -1;
  std::uint64_t begin = 0, end = 0;    ///< from a line start to the file's end when the pass began
  std::atomic<std::uint64_t> bytes{0}; ///< read so far, for the progress line
};

/// One thread's read buffer, reused from chunk to chunk. Sixteen bytes past its sentinel
/// may be read (compare_padded()).
struct ChunkBuffer {
  static constexpr std::size_t k_padding = 1 + 16; ///< the sentinel, and bytes that may be read past it
  std::unique_ptr<char[]> data;
  std::size_t capacity = 0;
  LineSource* progress = nullptr; ///< set on the thread that may call the progress callback
};

/// The lines that start in bytes [from, to) of a ChunkFile. A range that does not start
/// the pass begins after the first newline at or after from - 1: the line that newline
/// ends belongs to the chunk before. A quoted field holding a line break (a record that
/// LineSource reads whole) may put a chunk's start inside a record: the line opening that
/// field has an open quote, which no fast parser takes, so the chunk holding it stops there
/// and every chunk after it is dropped; the general path reads the record.
class ChunkLines {
public:
  ChunkLines(ChunkFile& file, ChunkBuffer& buf, std::uint64_t from, std::uint64_t to)
      : m_file(file),
        m_buf(buf),
        m_to(to),
        m_base(from == file.begin ? from : from - 1),
        m_begin(from),
        m_started(from == file.begin) {
    if (m_buf.capacity == 0) {
      m_buf.capacity = 2u << 20;
      m_buf.data.reset(new char[m_buf.capacity + ChunkBuffer::k_padding]); // (bytes read unset are masked off)
    }
  }

  enum class Next : std::uint8_t {
    line, ///< `text` holds the next line, without its newline and a CR before it
    end,  ///< no more lines start in the range
    stop  ///< the line at line_start() is longer than LineSource allows, or could not be read: the general path tells
  };
  Next next(std::string_view& text) {
    for (;;) {
      const char* const at = m_buf.data.get() + m_head;
      const auto* nl = static_cast<const char*>(std::memchr(at, '\n', m_tail - m_head));
      std::size_t len;
      if (nl != nullptr) {
        len = static_cast<std::size_t>(nl - at);
      } else if (!m_eof) {
        if (!fill()) {
          m_line_start = m_base + m_head;
          return Next::stop;
        }
        continue;
      } else if (m_head == m_tail) {
        return Next::end;
      } else {
        len = m_tail - m_head; // the last line, without a newline
      }
      const std::size_t next = nl != nullptr ? m_head + len + 1 : m_tail;
      if (!m_started) { // the rest of the line before
        m_started = true;
        m_head = next;
        m_begin = m_base + m_head;
        continue;
      }
      m_line_start = m_base + m_head;
      if (m_line_start >= m_to) return Next::end;
      if (len > LineSource::k_max_line) return Next::stop;
      text = std::string_view(at, len);
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      m_head = next;
      return Next::line;
    }
  }

  /// next(), the line as a PaddedLine: the buffer holds a '\n' after it (or after the CR
  /// removed from its end), as fill() sees to.
  Next next(PaddedLine& line) {
    std::string_view text;
    const Next got = next(text);
    if (got == Next::line) line = PaddedLine::assume_padded(text);
    return got;
  }

  /// The start of the line next() returned or stopped at.
  std::uint64_t line_start() const noexcept { return m_line_start; }
  /// The start of the range's first line.
  std::uint64_t begin() const noexcept { return m_begin; }
  /// Whether that start is known: the line the range began in was read to its end.
  bool started() const noexcept { return m_started; }
  /// The start of the line after the last one next() returned.
  std::uint64_t offset() const noexcept { return m_base + m_head; }
  /// Whether a byte >= 0x80 was read (then a line may not be valid UTF-8).
  bool high() const noexcept { return m_high; }

private:
  /// Keeps the unread bytes and reads the next block after them; false on a read error, a
  /// file that shrank, or a line longer than LineSource allows.
  bool fill() {
    char* const data = m_buf.data.get();
    std::memmove(data, data + m_head, m_tail - m_head);
    m_base += m_head;
    m_tail -= m_head;
    m_head = 0;
    if (m_tail > LineSource::k_max_line) return false;
    if (m_buf.capacity - m_tail < k_block) {
      std::unique_ptr<char[]> bigger(new char[m_buf.capacity * 2 + ChunkBuffer::k_padding]);
      std::memcpy(bigger.get(), m_buf.data.get(), m_tail);
      m_buf.data = std::move(bigger);
      m_buf.capacity *= 2;
    }
    const std::uint64_t want =
        std::min<std::uint64_t>({m_buf.capacity - m_tail, k_block, m_file.end - (m_base + m_tail)});
    if (want == 0) {
      m_eof = true;
    } else {
      char* const into = m_buf.data.get() + m_tail;
      const std::int64_t got = platform::read_at(m_file.fd, into, want, m_base + m_tail);
      if (got <= 0) return false;
      m_high = m_high || has_high_byte(std::string_view(into, static_cast<std::size_t>(got)));
      m_tail += static_cast<std::size_t>(got);
      const std::uint64_t done = m_file.bytes.fetch_add(static_cast<std::uint64_t>(got), std::memory_order_relaxed);
      if (m_buf.progress) m_buf.progress->progress(m_file.begin + done + static_cast<std::uint64_t>(got));
    }
    m_buf.data[m_tail] = '\n'; // the sentinel: a line's text is always followed by '\n' or '\r'
    return true;
  }

  static constexpr std::size_t k_block = 256u << 10;
  ChunkFile& m_file;
  ChunkBuffer& m_buf;
  std::uint64_t m_to;
  std::uint64_t m_base;  ///< the file offset of the buffer's first byte
  std::uint64_t m_begin; ///< see begin()
  std::uint64_t m_line_start = 0;
  std::size_t m_head = 0, m_tail = 0; ///< unread bytes: [head, tail)
  bool m_started, m_eof = false, m_high = false;
};

/// Where a pass ended: the general path reads on from there.
struct PassEnd {
  std::uint64_t offset = 0, line = 0; ///< where the general path goes on: a line start and its number
  std::uint64_t through = 0;          ///< ... and how far it reads at least before the next pass
  bool all = false;                   ///< the pass read every line up to the end
  std::uint64_t chunk = 0;            ///< the pass's chunk size
};

/// When a form reads lines one by one (the general path, which tells every problem) and
/// when in a pass over chunks. A pass stops at the first line the general path must read;
/// after a pass that read less than a chunk, the general path reads on twice as far as
/// after the one before, so a file with problems everywhere is not read twice over. A file
/// gets eight passes at most.
class PassPlan {
public:
  static constexpr int k_max_passes = 8;
  /// `parallel`: whether passes are made at all.
  PassPlan(bool parallel, std::uint64_t file_size, std::uint64_t parallel_bytes, std::uint64_t chunk_bytes)
      : m_until(parallel ? 0 : UINT64_MAX),
        m_size(file_size),
        m_parallel_bytes(parallel_bytes),
        m_chunk_bytes(chunk_bytes) {}
  /// The passes made so far (after() counts them).
  int passes() const noexcept { return m_passes; }
  /// Lines are read one by one until the next line starts at or after this offset.
  std::uint64_t serial_until() const noexcept { return m_until; }
  /// A pass could not be made yet at `offset` (no valid row so far, say): read on.
  void not_ready(std::uint64_t offset) noexcept {
    m_span = std::max<std::uint64_t>(m_span * 2, m_chunk_bytes > 0 ? m_chunk_bytes : 1u << 20);
    m_until = offset >= m_size || m_size - offset < m_parallel_bytes ? UINT64_MAX : offset + m_span;
  }
  /// After a pass that began at `at`; true when the general path now reads a long stretch.
  bool after(std::uint64_t at, const PassEnd& end) noexcept {
    const bool last = ++m_passes == k_max_passes;
    if (end.all) { // whatever the file grew by since is read one line at a time
      m_until = UINT64_MAX;
      return false;
    }
    m_span = end.offset - at < end.chunk ? std::max(m_span * 2, end.chunk) : 0;
    m_until = last ? UINT64_MAX : std::max(end.through, end.offset + m_span);
    return m_span > 0 || last;
  }

private:
  std::uint64_t m_until, m_size, m_parallel_bytes, m_chunk_bytes;
  std::uint64_t m_span = 0;
  int m_passes = 0;
};

} // namespace cskpi::ingest
