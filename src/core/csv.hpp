// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

/// Outcome of splitting one CSV record.
struct SplitResult {
  enum class Status {
    ok,
    unterminated_quote, ///< an open quote at the end of the record
    text_after_quote,   ///< "ab"c
    quote_in_unquoted,  ///< ab"c: all fields are still split; `field` is the first such
  };
  Status status = Status::ok;
  std::size_t field = 0; ///< 0-based field where the problem is
};

/// Splits one line into fields (RFC 4180 quoting: `"a,b"`, `"say ""hi"""`).
/// Unquoted fields are views into `line`; quoted fields are unescaped into `scratch`,
/// which is reserved up front so the views stay valid until the next call.
/// `line` is a whole record: LineSource joins the lines of a quoted field holding line
/// breaks, which stay in the field. An open quote at the end is `unterminated_quote`.
SplitResult split_record(std::string_view line, char delimiter, std::vector<std::string_view>& fields,
                         std::string& scratch);

/// Picks the delimiter of a header line: the most frequent of ',', ';' and tab outside
/// quotes; ',' when none occurs or on a tie with ','.
char detect_delimiter(std::string_view header_line);

/// `s` without leading and trailing spaces, tabs and a trailing CR.
std::string_view trim_spaces(std::string_view s);

namespace detail {
/// Whether a and b (n bytes each, sizeof(Word) <= n <= 2 * sizeof(Word)) are equal, as two
/// overlapping words: the first and the last sizeof(Word) bytes.
template <class Word> bool same_ends(const char* a, const char* b, std::size_t n) noexcept {
  Word a0, a1, b0, b1;
  std::memcpy(&a0, a, sizeof(Word));
  std::memcpy(&b0, b, sizeof(Word));
  std::memcpy(&a1, a + n - sizeof(Word), sizeof(Word));
  std::memcpy(&b1, b + n - sizeof(Word), sizeof(Word));
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}
} // namespace detail

/// a == b for the short texts compared on every row (periods, groups), without a call to
/// memcmp or a loop for the common length of up to 16 bytes.
inline bool same_text(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8 && n <= 16) return detail::same_ends<std::uint64_t>(a.data(), b.data(), n);
  if (n >= 4 && n < 8) return detail::same_ends<std::uint32_t>(a.data(), b.data(), n);
  if (n < 4) // the first, middle and last bytes are all of them
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
  return std::memcmp(a.data(), b.data(), n) == 0;
}

/// Normalises a header name: trims spaces, lower-cases ASCII, maps '-' and ' ' to '_'.
std::string normalise_column_name(std::string_view name);

/// Quotes a field for CSV output when it holds the delimiter, a quote, CR or LF.
std::string csv_quote(std::string_view field, char delimiter = ',');

/// Human name of a delimiter for messages: "','", "';'", "tab".
std::string delimiter_name(char delimiter);

} // namespace cskpi
