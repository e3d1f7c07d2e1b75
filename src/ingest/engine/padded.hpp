// SPDX-License-Identifier: MIT
// The padding promise of a line as a type (issue 29; simdjson's padded_string_view): the fast
// parsers read a line without comparing each byte with its end, which is sound only when the
// byte after the line is a readable '\n' or '\r', a sentinel that is no digit, delimiter or
// quote. Only the code that puts the sentinel there (ChunkLines' buffer, the movements
// Pipeline's arena) constructs a PaddedLine; a parser that takes one may read its sentinel.
#pragma once

#include <string_view>

namespace cskpi::ingest {

class PaddedLine {
public:
  PaddedLine() = default;
  /// `text` must be followed by a readable '\n' or '\r': only the code that wrote it there
  /// calls this.
  static constexpr PaddedLine assume_padded(std::string_view text) noexcept { return PaddedLine(text); }

  constexpr std::string_view text() const noexcept { return m_text; }
  constexpr const char* data() const noexcept { return m_text.data(); }
  constexpr std::size_t size() const noexcept { return m_text.size(); }
  /// One past the line's last byte: the sentinel, which may be read.
  constexpr const char* end() const noexcept { return m_text.data() + m_text.size(); }

private:
  constexpr explicit PaddedLine(std::string_view text) noexcept : m_text(text) {}
  std::string_view m_text;
};

} // namespace cskpi::ingest
