// SPDX-License-Identifier: MIT
// Internal to ingest: bytes in (fast-cpp-csv-parser's byte sources: files, stdin, streams),
// records out (a record is a line, or several when a quoted field holds line breaks), every
// record checked to be UTF-8 or transcoded from UTF-16 or a single-byte encoding.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
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
/// module at run time, and it reads the same with any glibc.
std::optional<std::size_t> single_byte_to_utf8(std::string_view text, Encoding encoding, std::string& out);
/// True when a byte of `s` is 0x80 or above (eight bytes at a time).
bool has_high_byte(std::string_view s) noexcept;

/// UTF-16 code units in `in` (little- or big-endian), appended to `out` as UTF-8. Returns the
/// bytes of `in` taken: all of them when `last`, else a final odd byte or high surrogate stays
/// for the next call. An unpaired surrogate (or, when `last`, an odd final byte) is written as
/// byte 0xFF, which no UTF-8 text holds: the line's UTF-8 check then names its line. Our own
/// code, not iconv, for the same reason as single_byte_to_utf8.
std::size_t utf16_to_utf8(std::string_view in, bool big_endian, bool last, std::string& out);
/// The byte order of a file's first bytes when they are UTF-16: a byte order mark (FF FE,
/// FE FF), or ASCII text with a NUL byte every other byte (Excel's "Unicode Text" without its
/// mark). 1 little-endian, 2 big-endian, 0 not UTF-16.
int detect_utf16(std::string_view first) noexcept;
/// The delimiter an Excel `sep=;` line declares (`sep=,`, `sep=<tab>`, `sep=\t`, quoted or not,
/// trailing delimiters allowed), or 0 when `line` is no such line.
char sep_line(std::string_view line) noexcept;

/// The header line of a file whose first bytes are `head`, as read_file() finds it: UTF-16
/// transcoded, any line ends, a `sep=` line skipped (its delimiter in `declared`). nullopt when
/// there is none, or when `head` is not the `whole` file and may end inside the header.
std::optional<std::string> peek_header(std::string_view head, bool whole, char& declared);

/// Splits the bytes of a byte source into records with memchr: a UTF-8 BOM is dropped, CRLF,
/// CR alone (old Mac Excel: when the file's first line break is a CR without LF) and a missing
/// final newline are accepted, NUL bytes stay in the line. UTF-16 (detect_utf16()) is
/// transcoded to UTF-8 first. A record goes on past a line break while a quoted field is open
/// (RFC 4180): it is handed out whole, its line breaks in it, and line_number() is the number
/// of its first line; only buffers holding a quote pay for that scan. fccp's own
/// LineReader scans byte by byte and hands out C strings; on a 10 M-row, 665 MB file it
/// takes 0.69 s alone, against 0.09 s for `wc -l` (bench/README.md), so we split here.
/// Lines after the first are checked to be UTF-8 (the first is the header, which is looked
/// at for binary formats before it is checked), or transcoded to UTF-8 with --encoding.
class LineSource {
public:
  static constexpr std::size_t k_max_line = 16u << 20;
  /// The buffer: k_first_block, doubled up to k_block while reads fill it (and past it for a
  /// long line).
  static constexpr std::size_t k_first_block = 64u << 10;
  static constexpr std::size_t k_block = 4u << 20;
  struct TooLong {};
  /// A quoted field opened on line `line` and still open at the end of the file (`at_end`) or
  /// after 16 MiB.
  struct Unclosed {
    std::uint64_t line;
    bool at_end;
  };
  /// A line that is not UTF-8 (or, in cp1252, holds a byte Windows-1252 leaves undefined).
  struct BadEncoding {
    std::uint64_t line;
    std::string text;   ///< the line as read
    std::size_t offset; ///< of the offending byte
    /// The offending bytes are the file's last and the start of a character: the file is
    /// cut short in the middle of one (UTF-8 missing its last bytes, UTF-16 an odd byte or
    /// a surrogate pair's first half).
    bool cut_short = false;
  };

  using Progress = std::function<void(std::uint64_t bytes_read)>;
  /// Reads a file descriptor (closed at the end when `owned`), or a stream (tests pass
  /// literal strings this way).
  LineSource(int fd, bool owned, Encoding encoding, Progress progress = {});
  LineSource(std::istream& in, Encoding encoding);
  /// Reads `bytes`, which must outlive the source.
  LineSource(std::string_view bytes, Encoding encoding);
  ~LineSource();
  LineSource(const LineSource&) = delete;
  LineSource& operator=(const LineSource&) = delete;

  /// The next line without its terminator; false at the end. Throws TooLong past 16 MiB,
  /// BadEncoding, or std::system_error when reading fails.
  bool next(std::string_view& line);
  /// The number of the (first) line of the record next() returned last.
  std::uint64_t line_number() const { return m_number; }
  /// The number of the line after the last one read (a record spanning lines counts them all).
  std::uint64_t next_line_number() const { return m_line + 1; }
  /// From the line after the header: the field delimiter, for quotes to open records only
  /// at a field's start and for rows of only delimiters (and spaces) to be skipped and counted.
  void set_delimiter(char delimiter) { m_delim = delimiter; }
  /// The rows of only delimiters and the blank rows skipped after the header, and the line
  /// of the first of either.
  std::uint64_t delimiter_rows() const { return m_delim_rows; }
  std::uint64_t blank_rows() const { return m_blank_rows; }
  std::uint64_t first_skipped_row() const { return m_delim_row_first; }
  /// Whether the bytes are UTF-16 (transcoded to UTF-8 as they are read).
  bool utf16() const { return m_utf16 != 0; }
  /// A line read ahead: its number and text.
  struct AheadLine {
    std::uint64_t number = 0;
    std::string_view text;
  };
  /// Reads up to `count` lines ahead and returns those not served yet with their numbers;
  /// next() serves them afterwards as if nothing had happened (an error met on the way is
  /// thrown by next() in its turn). Their text lives in one buffer, valid until next() has
  /// served them all; like reading, it ends the line next() returned last.
  std::span<const AheadLine> look_ahead(std::size_t count);
  Encoding encoding() const { return m_encoding; }

  // For parallel passes over a file (issue 13), which read its bytes themselves.
  /// The file descriptor when the bytes come from a regular file's descriptor in UTF-8 and
  /// nothing read ahead waits in look_ahead()'s queue; -1 otherwise.
  int seekable_fd() const;
  /// Whether seekable_fd() will be >= 0 once the lines read ahead are served.
  bool seekable() const { return m_fd >= 0 && m_encoding == Encoding::utf8 && m_utf16 == 0 && m_eol == '\n'; }
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
  /// What the public constructors share: the source and an empty first block.
  LineSource(std::unique_ptr<io::ByteSourceBase> source, Encoding encoding, Progress progress = {});

  bool read_record(std::string_view& line);
  bool read_line(std::string_view& line);
  bool emit(const char* start, std::size_t len, std::string_view& line);
  bool quote_open(const char* from, const char* to) noexcept;
  void refill();
  std::size_t read_utf16(char* into, std::size_t room);
  std::size_t detect(std::size_t got);

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
  bool m_grow = false; ///< the last read filled half of the room it had
  std::size_t m_begin = 0, m_end = 0;
  std::uint64_t m_line = 0;
  bool m_eof = false;
  bool m_high = false;     ///< a byte >= 0x80 may lie in the buffer: lines are checked for UTF-8
  std::string m_converted; ///< the current line in UTF-8, when transcoding
  // Records spanning lines.
  bool m_quote = false; ///< a quote may lie in the buffer: line breaks inside quotes are looked for
  enum class Quoting : std::uint8_t { field_start, unquoted, quoted, after_quote };
  Quoting m_state = Quoting::field_start; ///< at m_begin + m_scan
  std::size_t m_scan = 0;                 ///< bytes of the current record already looked at (whole lines)
  std::uint64_t m_breaks = 0;             ///< line breaks inside the current record so far
  std::uint64_t m_first = 0;              ///< the first line of the record read last
  char m_delim = 0;                       ///< 0: the header, where any of , ; tab starts a field
  std::uint64_t m_delim_rows = 0, m_blank_rows = 0, m_delim_row_first = 0;
  std::uint64_t m_blank_pending = 0, m_blank_pending_first = 0; ///< blank lines not yet followed by a row
  // The dialect, found in the first bytes.
  bool m_detected = false;
  char m_eol = '\n';        ///< '\r' in a file whose lines end in CR alone
  int m_utf16 = 0;          ///< detect_utf16()
  std::string m_raw;        ///< UTF-16 bytes read but not transcoded yet
  std::string m_wide;       ///< a block transcoded from UTF-16
  bool m_cut_utf16 = false; ///< the UTF-16 bytes end in an odd byte or a high surrogate
  std::uint64_t m_number = 0;
  // Lines read ahead (look_ahead): their bytes one after another, where each starts, and how
  // many next() has served. Emptied when next() is called after serving the last.
  struct Ahead {
    std::uint64_t number = 0;
    std::size_t at = 0, size = 0;
  };
  std::string m_ahead_bytes;
  std::vector<Ahead> m_ahead;
  std::size_t m_ahead_served = 0;
  std::vector<AheadLine> m_ahead_lines; ///< what look_ahead() returned
  std::exception_ptr m_ahead_error;
  bool ahead_pending() const { return m_ahead_served < m_ahead.size(); }
};

} // namespace cskpi::ingest
