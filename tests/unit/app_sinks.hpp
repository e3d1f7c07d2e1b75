// SPDX-License-Identifier: MIT
// What the tests of whole runs (app::run_report, --compare) share: a sink that keeps the
// problems and drops the notes, and input files written to the temporary directory.
#pragma once

#include "app/run.hpp"
#include "core/error.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace cskpi::testing {

/// Keeps each problem of a run as one formatted line; notes and the end of reading are dropped.
struct QuietRun : app::RunSink {
  std::vector<std::string> problems;
  void report(const Diagnostic& d) override { problems.push_back(format_diagnostic(d)); }
  void inputs_read() override {}
  void note(Severity, const std::string&) override {}
};

/// Writes `text` to `name` in this process's directory under the temporary one and returns its
/// path; the directory goes when the process ends. ctest runs each case as its own process, two
/// at a time: a file shared between processes (the rates every FX case reads) could be read while
/// another rewrites it.
inline std::string write_file(const std::string& name, const std::string& text) {
  struct Dir {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("cskpi_tests." + std::to_string(::getpid()));
    ~Dir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const Dir dir;
  std::filesystem::create_directories(dir.path);
  const std::filesystem::path path = dir.path / name;
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

} // namespace cskpi::testing
