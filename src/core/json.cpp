// SPDX-License-Identifier: MIT
#include "core/json.hpp"

#include <string>

namespace cskpi {

namespace {

constexpr int k_max_depth = 64;

class Parser {
public:
  Parser(std::string_view text, const std::vector<JsonStream>& streams) : m_text(text), m_streams(streams) {}

  JsonValue document() {
    JsonValue v = value(0);
    skip_space();
    if (m_at < m_text.size()) fail("unexpected text after the JSON value");
    return v;
  }

private:
  std::string_view m_text;
  const std::vector<JsonStream>& m_streams;
  std::vector<std::string> m_path; ///< the member names from the root to the value being read
  std::size_t m_at = 0;
  std::uint32_t m_line = 1;
  std::size_t m_line_start = 0; ///< offset where the current line begins

  std::uint32_t column() const { return static_cast<std::uint32_t>(m_at - m_line_start + 1); }
  [[noreturn]] void fail(const std::string& message) const { throw JsonError(message, m_line, column()); }
  /// An error at `at` on the current line (where a number starts, say).
  [[noreturn]] void fail_at(std::size_t at, const std::string& message) const {
    throw JsonError(message, m_line, static_cast<std::uint32_t>(at - m_line_start + 1));
  }

  void skip_space() {
    while (m_at < m_text.size()) {
      const char c = m_text[m_at];
      if (c == '\n') {
        ++m_line;
        m_line_start = m_at + 1;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        return;
      }
      ++m_at;
    }
  }

  bool literal(std::string_view word) {
    if (m_text.substr(m_at, word.size()) != word) return false;
    m_at += word.size();
    return true;
  }

  JsonValue value(int depth) {
    skip_space();
    if (m_at >= m_text.size()) fail("unexpected end of the file: a JSON value was expected");
    JsonValue v;
    v.line = m_line;
    v.column = column();
    const char c = m_text[m_at];
    if (c == '{' || c == '[') {
      if (depth >= k_max_depth) fail("JSON nested too deeply");
      if (c == '{') object(v, depth);
      else array(v, depth);
    } else if (c == '"') {
      v.kind = JsonValue::Kind::string;
      v.text = string();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v.kind = JsonValue::Kind::number;
      v.text = number();
    } else if (literal("true") || literal("false")) {
      v.kind = JsonValue::Kind::boolean;
      v.boolean = c == 't';
    } else if (!literal("null")) {
      fail(std::string("unexpected character '") + c + "'");
    }
    return v;
  }

  void object(JsonValue& v, int depth) {
    v.kind = JsonValue::Kind::object;
    ++m_at;
    skip_space();
    if (m_at < m_text.size() && m_text[m_at] == '}') {
      ++m_at;
      return;
    }
    for (;;) {
      skip_space();
      if (m_at >= m_text.size() || m_text[m_at] != '"') fail("expected a member name in quotes");
      std::string name = string();
      skip_space();
      if (m_at >= m_text.size() || m_text[m_at] != ':') fail("expected ':' after the member name");
      ++m_at;
      m_path.push_back(name);
      JsonValue member = value(depth + 1);
      m_path.pop_back();
      v.members.emplace_back(std::move(name), std::move(member));
      skip_space();
      if (m_at < m_text.size() && m_text[m_at] == ',') {
        ++m_at;
        continue;
      }
      if (m_at < m_text.size() && m_text[m_at] == '}') {
        ++m_at;
        return;
      }
      fail("expected ',' or '}' in the object");
    }
  }

  void array(JsonValue& v, int depth) {
    v.kind = JsonValue::Kind::array;
    ++m_at;
    skip_space();
    if (m_at < m_text.size() && m_text[m_at] == ']') {
      ++m_at;
      return;
    }
    const JsonStream* stream = nullptr;
    for (const JsonStream& st : m_streams)
      if (st.path == m_path) stream = &st;
    const std::size_t depth_in = m_path.size();
    for (;;) {
      m_path.emplace_back(); // an item is no member: its path never matches a stream's
      JsonValue item = value(depth + 1);
      m_path.resize(depth_in);
      if (stream != nullptr) stream->take(std::move(item));
      else v.items.push_back(std::move(item));
      skip_space();
      if (m_at < m_text.size() && m_text[m_at] == ',') {
        ++m_at;
        continue;
      }
      if (m_at < m_text.size() && m_text[m_at] == ']') {
        ++m_at;
        return;
      }
      fail("expected ',' or ']' in the array");
    }
  }

  std::string number() {
    const std::size_t start = m_at;
    const auto digits = [this] {
      const std::size_t from = m_at;
      while (m_at < m_text.size() && m_text[m_at] >= '0' && m_text[m_at] <= '9') ++m_at;
      return m_at - from;
    };
    if (m_text[m_at] == '-') ++m_at;
    const std::size_t int_at = m_at;
    const std::size_t n = digits();
    if (n == 0) fail("a number needs digits");
    if (n > 1 && m_text[int_at] == '0') fail_at(start, "a number does not start with 0");
    if (m_at < m_text.size() && m_text[m_at] == '.') {
      ++m_at;
      if (digits() == 0) fail("a number needs digits after '.'");
    }
    if (m_at < m_text.size() && (m_text[m_at] == 'e' || m_text[m_at] == 'E')) {
      ++m_at;
      if (m_at < m_text.size() && (m_text[m_at] == '+' || m_text[m_at] == '-')) ++m_at;
      if (digits() == 0) fail("a number needs digits in its exponent");
    }
    return std::string(m_text.substr(start, m_at - start));
  }

  unsigned hex4() {
    unsigned u = 0;
    for (int i = 0; i < 4; ++i, ++m_at) {
      if (m_at >= m_text.size()) fail("a \\u escape needs 4 hex digits");
      const char c = m_text[m_at];
      u <<= 4;
      if (c >= '0' && c <= '9') u |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') u |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') u |= static_cast<unsigned>(c - 'A' + 10);
      else fail("a \\u escape needs 4 hex digits");
    }
    return u;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  /// A string from its opening quote; m_at ends after the closing one.
  std::string string() {
    std::string out;
    ++m_at;
    for (;;) {
      if (m_at >= m_text.size()) fail("the string has no closing quote");
      const char c = m_text[m_at];
      if (c == '"') {
        ++m_at;
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) fail("a control character inside a string");
      if (c != '\\') {
        out.push_back(c);
        ++m_at;
        continue;
      }
      if (++m_at >= m_text.size()) fail("the string has no closing quote");
      const char e = m_text[m_at++];
      switch (e) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        unsigned cp = hex4();
        if (cp >= 0xD800 && cp < 0xDC00 && m_text.substr(m_at, 2) == "\\u") {
          m_at += 2;
          const unsigned low = hex4();
          cp = low >= 0xDC00 && low < 0xE000 ? 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD;
        } else if (cp >= 0xD800 && cp < 0xE000) {
          cp = 0xFFFD; // a lone surrogate
        }
        append_utf8(out, cp);
        break;
      }
      default: --m_at; fail(std::string("unknown escape \\") + e + " in a string");
      }
    }
  }
};

} // namespace

const JsonValue* JsonValue::find(std::string_view name) const noexcept {
  for (const auto& [key, value] : members)
    if (key == name) return &value;
  return nullptr;
}

const char* to_string(JsonValue::Kind k) noexcept {
  switch (k) {
  case JsonValue::Kind::null: return "null";
  case JsonValue::Kind::boolean: return "a boolean";
  case JsonValue::Kind::number: return "a number";
  case JsonValue::Kind::string: return "a string";
  case JsonValue::Kind::array: return "an array";
  case JsonValue::Kind::object: return "an object";
  }
  return "a value";
}

JsonValue parse_json(std::string_view text, const std::vector<JsonStream>& streams) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3); // a BOM an editor added
  return Parser(text, streams).document();
}

} // namespace cskpi
