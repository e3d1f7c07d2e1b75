// SPDX-License-Identifier: MIT
// Writing an output file atomically: the bytes go to a new file beside the target, which is
// then renamed over it, so a reader never sees half a report and a failed run leaves the old
// file as it was (issue 15). The new file keeps the access the old one had (issue 28).
#pragma once

#include <cstdio>
#include <string>

namespace cskpi::platform {

/// The file a write to `path` lands in: `path` itself or, through its chain of symbolic links,
/// the file the last one names (it may not exist yet). Renaming over the link would replace it
/// with a regular file and leave the file it names as it was (issue 28). Throws an input error
/// naming `path` when a link cannot be read or the chain is too long.
std::string resolve_output(const std::string& path);

/// A new file beside `target` (same directory: a rename replaces `target` at once) with the
/// owner, group and mode of `target` when it is a regular file, else the mode any new file gets
/// (0666 less the umask); its name in `temp`. Returned open for writing ("wb"), or nullptr
/// (errno set) when it was made but cannot be opened as a stream. Throws an input error naming
/// `path`, the name the user gave, when it cannot be made.
std::FILE* open_temp_beside(const std::string& path, const std::string& target, std::string& temp);

/// Whether `path` is an existing file that is not a regular one (a device, a pipe).
bool special_file(const std::string& path);

} // namespace cskpi::platform
