// SPDX-License-Identifier: MIT
// Whether a standard stream is a terminal, and how wide it is.
#pragma once

#include <cstddef>

namespace cskpi::platform {

enum class Stream { in, out, err };

/// Whether the stream is a terminal (isatty).
bool is_terminal(Stream stream);
/// The columns of the terminal the stream is, or 0 when it is none or does not say.
std::size_t terminal_columns(Stream stream);

} // namespace cskpi::platform
