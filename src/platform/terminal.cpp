// SPDX-License-Identifier: MIT
// POSIX terminals (platform/terminal.hpp).
#include "platform/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

namespace cskpi::platform {

namespace {

int descriptor(Stream stream) {
  switch (stream) {
  case Stream::in: return STDIN_FILENO;
  case Stream::out: return STDOUT_FILENO;
  case Stream::err: break;
  }
  return STDERR_FILENO;
}

} // namespace

bool is_terminal(Stream stream) { return ::isatty(descriptor(stream)) == 1; }

std::size_t terminal_columns(Stream stream) {
  winsize ws{};
  if (!is_terminal(stream) || ::ioctl(descriptor(stream), TIOCGWINSZ, &ws) != 0) return 0;
  return ws.ws_col;
}

} // namespace cskpi::platform
