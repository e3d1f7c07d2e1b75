// SPDX-License-Identifier: MIT
// A small JSON reader (RFC 8259) for what cskpi reads back of its own output: the baseline of
// `cskpi check --baseline` (issue 30). cskpi's JSON is flat and written by cskpi, so a reader
// of ~200 lines beats a dependency; it keeps each number's text, so a figure read back compares
// exactly with one rendered again, and it says where a value is (line and column) for errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cskpi {

/// One JSON value with where it starts in the text (1-based line and column, in bytes).
struct JsonValue {
  enum class Kind : std::uint8_t { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  std::string text; ///< a string's value (unescaped), or a number as written
  std::vector<JsonValue> items;
  std::vector<std::pair<std::string, JsonValue>> members; ///< in document order
  std::uint32_t line = 1, column = 1;

  bool is(Kind k) const noexcept { return kind == k; }
  /// The first member named `name`, or nullptr (also when this is not an object).
  const JsonValue* find(std::string_view name) const noexcept;
};

/// "an object", "a string", ...: for messages.
const char* to_string(JsonValue::Kind k) noexcept;

/// A syntax error at a 1-based line and column.
class JsonError : public std::runtime_error {
public:
  JsonError(const std::string& message, std::uint32_t line, std::uint32_t column)
      : std::runtime_error(message), m_line(line), m_column(column) {}
  std::uint32_t line() const noexcept { return m_line; }
  std::uint32_t column() const noexcept { return m_column; }

private:
  std::uint32_t m_line, m_column;
};

/// Takes the items of the array at `path` (member names from the root: {"lock", "customers"})
/// one by one as they are read, instead of the document holding them: a baseline's lock of
/// millions of entries is read without a tree of them. The array itself is left empty.
struct JsonStream {
  std::vector<std::string> path;
  std::function<void(JsonValue&&)> take;
};

/// Parses one JSON document (whitespace around it allowed, nothing else); throws JsonError
/// (and whatever a stream's `take` throws). Nesting deeper than 64 levels is refused
/// (cskpi's documents nest 4 deep).
JsonValue parse_json(std::string_view text, const std::vector<JsonStream>& streams = {});

} // namespace cskpi
