// SPDX-License-Identifier: MIT
#include "core/error.hpp"

#include <fmt/format.h>

namespace cskpi {

const char* severity_label(Severity s, bool color) {
  if (s == Severity::error) return color ? "\x1b[1;31merror\x1b[0m" : "error";
  return color ? "\x1b[1;33mwarning\x1b[0m" : "warning";
}

std::string format_diagnostic(const Diagnostic& d, bool color) {
  const char* kind = severity_label(d.severity, color);
  if (d.line == 0) return fmt::format("{}: {}: {}", d.file, kind, d.message);
  if (d.column == 0) return fmt::format("{}:{}: {}: {}", d.file, d.line, kind, d.message);
  return fmt::format("{}:{}:{}: {}: {}", d.file, d.line, d.column, kind, d.message);
}

} // namespace cskpi
