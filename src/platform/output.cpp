// SPDX-License-Identifier: MIT
// POSIX atomic output (platform/output.hpp).
#include "platform/output.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include <sys/stat.h>
#include <unistd.h>

namespace cskpi::platform {

namespace {

/// Gives the new file `fd` the owner, group and mode of the file it replaces, `target`, so
/// replacing a file never widens who may read it: a 0600 report stays 0600 (issue 28). A
/// group that cannot be kept (only root may give a file away) takes its permissions with it.
/// With no file there yet, the mode is the one any new file gets (0666 less the umask).
void keep_access(int fd, const std::string& target) {
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    const mode_t mask = ::umask(0); // mkstemp makes it private; the output gets the mode any new file gets
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    return;
  }
  mode_t mode = st.st_mode & 0777; // never set-user-id and the like: they are not the data's to keep
  if (::fchown(fd, st.st_uid, st.st_gid) != 0 && ::fchown(fd, static_cast<uid_t>(-1), st.st_gid) != 0)
    mode &= ~static_cast<mode_t>(S_IRWXG);
  ::fchmod(fd, mode);
}

int temp_beside(const std::string& path, const std::string& target, std::string& temp) {
  // A file the user may not write is not replaced behind its back, as a shell's > would not
  // write it: renaming over it needs only the directory's permission.
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(target.c_str(), W_OK) != 0)
    throw input_error(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
  const std::size_t slash = target.find_last_of('/');
  const std::string dir = slash == std::string::npos ? std::string() : target.substr(0, slash + 1);
  // .report.csv.cskpi-Ab12Cd; a long name is cut so that the temporary name fits where the target's does.
  const std::string base = slash == std::string::npos ? target : target.substr(slash + 1);
  temp = fmt::format("{}.{}.cskpi-XXXXXX", dir, base.substr(0, 200));
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      throw input_error(
          fmt::format("{}: cannot write: the directory {} does not exist", path, dir.empty() ? std::string(".") : dir));
    throw input_error(fmt::format("{}: cannot write a file beside it: {}", path, std::strerror(err)));
  }
  keep_access(fd, target);
  return fd;
}

} // namespace

std::string resolve_output(const std::string& path) {
  std::string at = path;
  for (int hops = 0; hops < 40; ++hops) { // the kernel's own limit on a chain of links
    struct stat st {};
    if (::lstat(at.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return at;
    std::string target(PATH_MAX, '\0');
    const ssize_t n = ::readlink(at.c_str(), target.data(), target.size());
    if (n < 0) throw input_error(fmt::format("{}: cannot read the symbolic link: {}", path, std::strerror(errno)));
    target.resize(static_cast<std::size_t>(n));
    // A relative target is relative to the link's directory; the kernel resolves "dir/../x" as it would.
    const std::size_t slash = at.find_last_of('/');
    at = target.starts_with('/') || slash == std::string::npos ? target : at.substr(0, slash + 1) + target;
  }
  throw input_error(fmt::format("{}: cannot write: {}", path, std::strerror(ELOOP)));
}

std::FILE* open_temp_beside(const std::string& path, const std::string& target, std::string& temp) {
  const int fd = temp_beside(path, target, temp);
  std::FILE* file = ::fdopen(fd, "wb");
  if (file == nullptr) {
    const int err = errno;
    ::close(fd);
    errno = err;
  }
  return file;
}

bool special_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
}

} // namespace cskpi::platform
