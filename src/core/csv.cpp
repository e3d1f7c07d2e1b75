// SPDX-License-Identifier: MIT
#include "core/csv.hpp"

#include "core/text.hpp"

#include <array>
#include <cstring>

namespace cskpi {

SplitResult split_record(std::string_view line, char delimiter, std::vector<std::string_view>& fields,
                         std::string& scratch) {
  fields.clear();
  SplitResult result;
  if (std::memchr(line.data(), '"', line.size()) == nullptr) {
    // No quotes: every field is a plain view (the common case, and the fast one).
    const char* p = line.data();
    const char* const end = p + line.size();
    for (;;) {
      const auto* d = static_cast<const char*>(std::memchr(p, delimiter, static_cast<std::size_t>(end - p)));
      if (d == nullptr) {
        fields.emplace_back(p, static_cast<std::size_t>(end - p));
        return result;
      }
      fields.emplace_back(p, static_cast<std::size_t>(d - p));
      p = d + 1;
    }
  }
  scratch.clear();
  scratch.reserve(line.size());
  std::size_t i = 0;
  const std::size_t n = line.size();
  for (;;) {
    if (i < n && line[i] == '"') {
      const std::size_t start = scratch.size();
      ++i;
      bool closed = false;
      while (i < n) {
        const char c = line[i];
        if (c == '"') {
          if (i + 1 < n && line[i + 1] == '"') {
            scratch.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        scratch.push_back(c);
        ++i;
      }
      fields.emplace_back(scratch.data() + start, scratch.size() - start);
      if (!closed) {
        result.status = SplitResult::Status::unterminated_quote;
        result.field = fields.size() - 1;
        return result;
      }
      if (i < n && line[i] != delimiter) {
        result.status = SplitResult::Status::text_after_quote;
        result.field = fields.size() - 1;
        return result;
      }
    } else {
      const std::size_t start = i;
      while (i < n && line[i] != delimiter) {
        if (line[i] == '"' && result.status == SplitResult::Status::ok) {
          result.status = SplitResult::Status::quote_in_unquoted;
          result.field = fields.size();
        }
        ++i;
      }
      fields.emplace_back(line.substr(start, i - start));
    }
    if (i >= n) break;
    ++i; // skip the delimiter; a trailing delimiter yields a final empty field
    if (i == n) {
      fields.emplace_back();
      break;
    }
  }
  return result;
}

char detect_delimiter(std::string_view header_line) {
  std::array<std::size_t, 3> counts{};
  bool quoted = false;
  for (char c : header_line) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == ',') ++counts[0];
    if (c == ';') ++counts[1];
    if (c == '\t') ++counts[2];
  }
  if (counts[1] > counts[0] && counts[1] >= counts[2]) return ';';
  if (counts[2] > counts[0] && counts[2] > counts[1]) return '\t';
  return ',';
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string normalise_column_name(std::string_view name) {
  name = trim_blanks(name);
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '-' || c == ' ') c = '_';
    out.push_back(c);
  }
  return out;
}

std::string csv_quote(std::string_view field, char delimiter) {
  if (field.find_first_of(std::string{'"', '\r', '\n', delimiter}) == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string delimiter_name(char delimiter) {
  if (delimiter == '\t') return "tab";
  return std::string("'") + delimiter + "'";
}

} // namespace cskpi
