// SPDX-License-Identifier: MIT
// Internal to ingest: bytes in (fast-cpp-csv-parser's byte sources: files, stdin, streams),
// lines out, every line checked to be UTF-8 or transcoded from a single-byte encoding.
#pragma once

#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace io {
class ByteSourceBase;
}

namespace cskpi::ingest {

/// The encoding of an input file (--encoding).
enum class Encoding : std::uint8_t { utf8, cp1252, latin1 };
/// Parses "utf-8"/"utf8", "cp1252"/"windows-1252", "latin1"/"iso-8859-1" (any case).
std::optional<Encoding> parse_encoding(std::string_view text);

/// The offset of the first byte that makes `text` invalid UTF-8 (overlong forms, surrogates
/// and code points past U+10FFFF included), or nullopt when it is valid.
std::optional<std::size_t> invalid_utf8(std::string_view text) noexcept;
/// `text`, read as Windows-1252 or Latin-1 (`encoding` is not utf8), written to `out` as UTF-8.
/// Returns the offset of the first byte Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90,
/// 0x9D), or nullopt; Latin-1 defines every byte. Our own table, not iconv: it needs no gconv
/// module at run time, which a statically linked binary would have to load with glibc's dlopen.
std::optional<std::size_t> single_byte_to_utf8(std::string_view text, Encoding encoding, std::string& out);
/// True when a byte of `s` is 0x80 or above (eight bytes at a time).
bool has_high_byte(std::string_view s) noexcept;

/// Splits the bytes of a byte source into lines with memchr: a UTF-8 BOM is dropped, CRLF
/// and a missing final newline are accepted, NUL bytes stay in the line. fccp's own
/// LineReader scans byte by byte and hands out C strings; on a 10 M-row, 665 MB file it
/// takes 0.69 s alone, against 0.09 s for `wc -l` (bench/README.md), so we split here.
/// Lines after the first are checked to be UTF-8 (the first is the header, which is looked
/// at for binary formats before it is checked), or transcoded to UTF-8 with --encoding.
class LineSource {
public:
  static constexpr std::size_t k_max_line = 16u << 20;
  static constexpr std::size_t k_block = 4u << 20;
  struct TooLong {};
  /// A line that is not UTF-8 (or, in cp1252, holds a byte Windows-1252 leaves undefined).
  struct BadEncoding {
    std::uint64_t line;
    std::string text;   ///< the line as read
    std::size_t offset; ///< of the offending byte
  };

  using Progress = std::function<void(std::uint64_t bytes_read)>;
  /// Reads a file descriptor (closed at the end when `owned`), or a stream (tests pass
  /// literal strings this way).
  LineSource(int fd, bool owned, Encoding encoding, Progress progress = {});
  LineSource(std::istream& in, Encoding encoding);
  ~LineSource();
  LineSource(const LineSource&) = delete;
  LineSource& operator=(const LineSource&) = delete;

  /// The next line without its terminator; false at the end. Throws TooLong past 16 MiB,
  /// BadEncoding, or std::system_error when reading fails.
  bool next(std::string_view& line);
  /// The number of the line next() returned last.
  std::uint64_t line_number() const { return m_number; }
  /// Reads up to `count` lines ahead and returns them with their numbers; next() serves
  /// them afterwards as if nothing had happened (an error met on the way is thrown by
  /// next() in its turn).
  const std::deque<std::pair<std::uint64_t, std::string>>& look_ahead(std::size_t count);
  Encoding encoding() const { return m_encoding; }

  // For parallel passes over a file (issue 13), which read its bytes themselves.
  /// The file descriptor when the bytes come from a regular file's descriptor in UTF-8 and
  /// nothing read ahead waits in look_ahead()'s queue; -1 otherwise.
  int seekable_fd() const;
  /// Whether seekable_fd() will be >= 0 once the lines read ahead are served.
  bool seekable() const { return m_fd >= 0 && m_encoding == Encoding::utf8; }
  /// The offset in the file of the next line next() would return (see seekable_fd()).
  std::uint64_t offset() const { return m_bytes - (m_end - m_begin); }
  /// Goes on at `offset`, the start of line `line`; throws std::system_error on failure.
  void seek(std::uint64_t offset, std::uint64_t line);
  /// The size of the regular file read, taken when it was opened; 0 for anything else.
  std::uint64_t size_at_open() const { return m_opened ? m_opened->size : 0; }
  /// Whether the regular file read changed since it was opened: its size or modification
  /// time now differ from those taken then, or the lines read ended before the size taken
  /// then (the file was cut short). Call it after the last read; it says how ("size 300 ->
  /// 120 bytes"), or nullopt when nothing changed (or the bytes are no regular file's).
  std::optional<std::string> changed() const;
  /// Tells the progress callback that `bytes` of the file have been read.
  void progress(std::uint64_t bytes) {
    if (m_progress) m_progress(bytes);
  }

private:
  bool read_line(std::string_view& line);
  bool emit(const char* start, std::size_t len, std::string_view& line);
  void refill();

  std::unique_ptr<io::ByteSourceBase> m_source;
  int m_fd = -1; ///< when m_source reads a regular file
  /// A regular file as fstat saw it when it was opened (changed() compares).
  struct Opened {
    int fd;
    std::uint64_t size;
    std::int64_t mtime_sec, mtime_nsec;
    bool from_start; ///< read from offset 0: every byte up to `size` must be read
  };
  std::optional<Opened> m_opened;
  Encoding m_encoding;
  Progress m_progress;
  std::uint64_t m_bytes = 0;
  std::unique_ptr<char[]> m_buf; ///< not zeroed: a small file should not pay for 4 MiB of memset
  std::size_t m_size;
  std::size_t m_begin = 0, m_end = 0;
  std::uint64_t m_line = 0;
  bool m_eof = false;
  bool m_high = false; ///< a byte >= 0x80 may lie in the buffer: lines are checked for UTF-8
  std::string m_converted; ///< the current line in UTF-8, when transcoding
  std::uint64_t m_number = 0;
  std::deque<std::pair<std::uint64_t, std::string>> m_ahead;
  std::string m_served; ///< the look-ahead line next() returned last
  std::exception_ptr m_ahead_error;
};

} // namespace cskpi::ingest
