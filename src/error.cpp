// SPDX-License-Identifier: MIT
#include "cskpi/error.hpp"

#include <fmt/format.h>

namespace cskpi {

std::string format_diagnostic(const Diagnostic& d) {
  const char* kind = d.severity == Severity::error ? "error" : "warning";
  if (d.line == 0) return fmt::format("{}: {}: {}", d.file, kind, d.message);
  if (d.column == 0) return fmt::format("{}:{}: {}: {}", d.file, d.line, kind, d.message);
  return fmt::format("{}:{}:{}: {}: {}", d.file, d.line, d.column, kind, d.message);
}

} // namespace cskpi
