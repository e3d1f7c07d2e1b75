// SPDX-License-Identifier: MIT
// The platform layer: files, memory and atomic output, through our own types only.
#include "platform/files.hpp"
#include "platform/memory.hpp"
#include "platform/output.hpp"

#include "core/error.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <stdlib.h> // mkdtemp

namespace test_platform {

using namespace cskpi;
namespace fs = std::filesystem;

namespace {

/// A fresh, empty directory under the system's temporary one, removed at the end.
/// mkdtemp gives each one a name no other test process has: ctest runs test cases at once, and
/// an unseeded std::rand() gave every process the same name, so they removed each other's files.
struct TempDir {
  TempDir() {
    std::string name = (fs::temp_directory_path() / "cskpi_test_platform_XXXXXX").string();
    REQUIRE(::mkdtemp(name.data()) != nullptr);
    path = name;
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

TEST_CASE("may_exist is false only when nothing is there", "[platform]") {
  const TempDir dir;
  write_text(dir.path / "cskpi.toml", "");
  CHECK(platform::may_exist((dir.path / "cskpi.toml").string()));
  CHECK(platform::may_exist(dir.path.string())); // a directory is something
  CHECK_FALSE(platform::may_exist((dir.path / "none.toml").string()));
  CHECK_FALSE(platform::may_exist((dir.path / "cskpi.toml" / "x").string())); // ENOTDIR: nothing there either
}

TEST_CASE("file_info tells regular files, directories and one file under two names", "[platform]") {
  const TempDir dir;
  write_text(dir.path / "a.csv", "12345");
  fs::create_hard_link(dir.path / "a.csv", dir.path / "b.csv");
  const auto a = platform::file_info((dir.path / "a.csv").string());
  const auto b = platform::file_info((dir.path / "b.csv").string());
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->regular());
  CHECK(a->size == 5);
  CHECK(a->same_file(*b));
  CHECK(platform::file_info(dir.path.string())->kind == platform::FileKind::directory);
  CHECK_FALSE(platform::file_info((dir.path / "none.csv").string()));

  const int fd = platform::open_read((dir.path / "a.csv").string());
  REQUIRE(fd >= 0);
  CHECK(platform::file_info(fd)->same_file(*a));
  char buf[8] = {};
  CHECK(platform::read_at(fd, buf, 3, 2) == 3);
  CHECK(std::string(buf, 3) == "345");
  CHECK(platform::file_offset(fd) == 0); // read_at leaves the offset as it was
  CHECK(platform::read_some(fd, buf, sizeof buf) == 5);
  CHECK(platform::seek_file(fd, 4));
  CHECK(platform::read_some(fd, buf, sizeof buf) == 1);
  CHECK(buf[0] == '5');
  platform::close_file(fd);
  CHECK(platform::open_read((dir.path / "none.csv").string()) < 0);
}

TEST_CASE("a temporary file beside a target keeps the target's mode, and renaming it replaces the target",
          "[platform]") {
  const TempDir dir;
  const fs::path target = dir.path / "report.csv";
  write_text(target, "old");
  fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  std::string temp;
  std::FILE* f = platform::open_temp_beside("report.csv", target.string(), temp);
  REQUIRE(f != nullptr);
  CHECK(fs::path(temp).parent_path() == dir.path);
  CHECK(fs::path(temp).filename().string().rfind(".report.csv.cskpi-", 0) == 0);
  std::fputs("new", f);
  std::fclose(f);
  CHECK(fs::status(temp).permissions() == (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
  CHECK(read_text(target) == "old"); // nothing replaced until the rename
  fs::rename(temp, target);
  CHECK(read_text(target) == "new");
  CHECK(fs::status(target).permissions() == (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("a temporary file for a new target gets the mode any new file gets", "[platform]") {
  const TempDir dir;
  const fs::path plain = dir.path / "plain";
  write_text(plain, ""); // made the ordinary way: 0666 less the umask
  std::string temp;
  std::FILE* f = platform::open_temp_beside("new.csv", (dir.path / "new.csv").string(), temp);
  REQUIRE(f != nullptr);
  std::fclose(f);
  CHECK(fs::exists(temp));
  CHECK(fs::status(temp).permissions() == fs::status(plain).permissions());
  CHECK_FALSE(fs::exists(dir.path / "new.csv"));
}

TEST_CASE("a temporary file that cannot be made is an input error naming the output", "[platform]") {
  std::string temp;
  try {
    (void)platform::open_temp_beside("out/r.csv", "/nonexistent-cskpi-dir/r.csv", temp);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::input);
    CHECK(std::string(e.what()) == "out/r.csv: cannot write: the directory /nonexistent-cskpi-dir/ does not exist");
  }
}

TEST_CASE("resolve_output follows a chain of symbolic links to the file written", "[platform]") {
  const TempDir dir;
  fs::create_directories(dir.path / "reports");
  write_text(dir.path / "reports" / "target.csv", "x");
  fs::create_symlink("reports/target.csv", dir.path / "link1"); // relative to the link's directory
  fs::create_symlink(dir.path / "link1", dir.path / "link2");   // absolute
  fs::create_symlink("missing.csv", dir.path / "dangling");     // a file that does not exist yet
  CHECK(platform::resolve_output((dir.path / "link2").string()) == (dir.path / "reports/target.csv").string());
  CHECK(platform::resolve_output((dir.path / "dangling").string()) == (dir.path / "missing.csv").string());
  CHECK(platform::resolve_output((dir.path / "plain.csv").string()) == (dir.path / "plain.csv").string());
  fs::create_symlink("loop_b", dir.path / "loop_a");
  fs::create_symlink("loop_a", dir.path / "loop_b");
  CHECK_THROWS_WITH(platform::resolve_output((dir.path / "loop_a").string()), Catch::Contains("cannot write"));
}

TEST_CASE("special_file is true only for an existing file that is not a regular one", "[platform]") {
  const TempDir dir;
  write_text(dir.path / "a.csv", "");
  CHECK(platform::special_file("/dev/null"));
  CHECK_FALSE(platform::special_file((dir.path / "a.csv").string()));
  CHECK_FALSE(platform::special_file((dir.path / "none.csv").string()));
}

TEST_CASE("mapped memory is zeroed and writable, with or without the huge-page hint", "[platform]") {
  const std::size_t bytes = 2 * platform::k_huge_page;
  auto* p = static_cast<unsigned char*>(platform::map_memory(bytes));
  platform::advise_huge_pages(p, bytes);
  CHECK(p[0] == 0);
  CHECK(p[bytes - 1] == 0);
  p[bytes / 2] = 7;
  CHECK(p[bytes / 2] == 7);
  platform::unmap_memory(p, bytes);
}

TEST_CASE("allocate_huge gives huge-page-aligned blocks that free() returns", "[platform]") {
  for (const std::size_t bytes : {platform::k_huge_block, platform::k_huge_block + 1, 5 * platform::k_huge_page / 2}) {
    auto* p = static_cast<unsigned char*>(platform::allocate_huge(bytes));
    REQUIRE(p != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(p) % platform::k_huge_page == 0);
    p[0] = 1;
    p[bytes - 1] = 2;
    CHECK(p[0] + p[bytes - 1] == 3);
    std::free(p);
  }
  CHECK(platform::allocate_huge(SIZE_MAX - 1) == nullptr); // rounding up overflows: no block, no wrap
}

} // namespace test_platform
