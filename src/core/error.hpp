// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace cskpi {

/// Process exit codes, SPEC §4.
enum class ExitCode : int { ok = 0, check_failed = 1, usage = 2, input = 3, internal = 4 };

/// The one exception type of the project. `code` says which exit code it maps to.
class Error : public std::runtime_error {
public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), m_code(code) {}
  ExitCode code() const noexcept { return m_code; }

private:
  ExitCode m_code;
};

/// A usage error: bad flag value, unknown metric, bad --by column (exit 2).
inline Error usage_error(const std::string& message) { return Error(ExitCode::usage, message); }
/// An input error: unreadable file, invalid data (exit 3).
inline Error input_error(const std::string& message) { return Error(ExitCode::input, message); }

enum class Severity : std::uint8_t { error, warning };

/// One problem found in an input, printed GCC style: `file:line:col: error: message`.
/// `line` and `column` are 1-based; `column` is the 1-based field number within the record.
struct Diagnostic {
  std::string file;
  std::uint64_t line = 0;
  std::uint32_t column = 0;
  Severity severity = Severity::error;
  std::string message;
  bool fatal = false; ///< the whole file is unusable (missing column, unreadable), not one row
};

/// "error" or "warning", painted bold red or yellow for a terminal when `color`.
const char* severity_label(Severity s, bool color = false);

/// Renders a diagnostic as one line without a trailing newline.
/// "file:line:col: error: message"; `color` paints "error:" red and "warning:" yellow.
std::string format_diagnostic(const Diagnostic& d, bool color = false);

} // namespace cskpi
