// SPDX-License-Identifier: MIT
// Files read by descriptor: open, read, read at an offset, seek, close, and what fstat says of
// a file (its kind, size, modification time and identity). The one place ingest and the CLI
// reach the file system below the C++ library; no OS type crosses this header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace cskpi::platform {

/// The standard descriptors.
inline constexpr int k_stdin = 0;

enum class FileKind : std::uint8_t { regular, directory, other };

/// What stat(2) says of a file, in our own terms.
struct FileInfo {
  FileKind kind = FileKind::other;
  std::uint64_t size = 0;
  std::int64_t mtime_sec = 0, mtime_nsec = 0; ///< the last modification
  std::uint64_t device = 0, inode = 0;        ///< the file's identity
  bool regular() const { return kind == FileKind::regular; }
  /// The same file, under any name (a hard link, a symbolic link followed, a descriptor).
  bool same_file(const FileInfo& other) const { return device == other.device && inode == other.inode; }
};

/// The file `path` names, symbolic links followed; nullopt (errno set) when it cannot be examined.
std::optional<FileInfo> file_info(const std::string& path);
/// The file open as `fd`; nullopt (errno set) when it cannot be examined.
std::optional<FileInfo> file_info(int fd);
/// False only when nothing is at `path` (no such file or directory): one that cannot be
/// examined may exist.
bool may_exist(const std::string& path);

/// Opens `path` for reading, not inherited by child processes; -1 (errno set) on failure.
int open_read(const std::string& path);
/// Closes a descriptor opened here.
void close_file(int fd) noexcept;
/// Up to `size` bytes from `fd` into `into` (one read(2)): the bytes read, 0 at the end,
/// -1 (errno set) on failure.
std::int64_t read_some(int fd, char* into, std::size_t size);
/// Up to `size` bytes from `fd` at `offset` (pread(2)), which leaves the descriptor's offset as
/// it was: the bytes read, 0 at the end, -1 (errno set) on failure.
std::int64_t read_at(int fd, char* into, std::size_t size, std::uint64_t offset);
/// The descriptor's offset, or -1 (errno set) when it has none (a pipe).
std::int64_t file_offset(int fd);
/// Moves the descriptor's offset to `offset`; false (errno set) on failure.
bool seek_file(int fd, std::uint64_t offset);

} // namespace cskpi::platform
