// SPDX-License-Identifier: MIT
// POSIX files (platform/files.hpp).
#include "platform/files.hpp"

#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cskpi::platform {

namespace {

FileInfo info_of(const struct stat& st) {
  FileInfo f;
  f.kind = S_ISREG(st.st_mode) ? FileKind::regular : S_ISDIR(st.st_mode) ? FileKind::directory : FileKind::other;
  f.size = static_cast<std::uint64_t>(st.st_size);
  f.mtime_sec = static_cast<std::int64_t>(st.st_mtim.tv_sec);
  f.mtime_nsec = static_cast<std::int64_t>(st.st_mtim.tv_nsec);
  f.device = static_cast<std::uint64_t>(st.st_dev);
  f.inode = static_cast<std::uint64_t>(st.st_ino);
  return f;
}

} // namespace

std::optional<FileInfo> file_info(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return info_of(st);
}

std::optional<FileInfo> file_info(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return std::nullopt;
  return info_of(st);
}

bool may_exist(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 || (errno != ENOENT && errno != ENOTDIR);
}

int open_read(const std::string& path) { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); }

void close_file(int fd) noexcept { ::close(fd); }

std::int64_t read_some(int fd, char* into, std::size_t size) { return ::read(fd, into, size); }

std::int64_t read_at(int fd, char* into, std::size_t size, std::uint64_t offset) {
  return ::pread(fd, into, size, static_cast<off_t>(offset));
}

std::int64_t file_offset(int fd) { return ::lseek(fd, 0, SEEK_CUR); }

bool seek_file(int fd, std::uint64_t offset) { return ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) >= 0; }

} // namespace cskpi::platform
