// SPDX-License-Identifier: MIT
#include "ingest/dedup.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace cskpi;

TEST_CASE("the duplicate index finds repeats and where they were first seen", "[dedup]") {
  DuplicateIndex idx;
  CHECK_FALSE(idx.insert("2026-10", "C-1", 0, 2));
  CHECK_FALSE(idx.insert("2026-10", "C-2", 0, 3));
  CHECK_FALSE(idx.insert("2026-11", "C-1", 1, 2)); // other period: not a repeat
  CHECK_FALSE(idx.insert("", "2026-10C-1", 1, 3)); // the period boundary is part of the key
  const auto again = idx.insert("2026-10", "C-1", 1, 9);
  REQUIRE(again);
  CHECK(again->file == 0);
  CHECK(again->line == 2);
  CHECK(idx.size() == 4);
}

TEST_CASE("the duplicate index stays exact through growth and odd keys", "[dedup]") {
  DuplicateIndex idx;
  for (std::uint64_t i = 0; i < 200'000; ++i)
    REQUIRE_FALSE(idx.insert("p", "C-" + std::to_string(i), 0, i + 2));
  for (std::uint64_t i = 0; i < 200'000; i += 9973) {
    const auto hit = idx.insert("p", "C-" + std::to_string(i), 0, 1);
    REQUIRE(hit);
    CHECK(hit->line == i + 2);
  }
  CHECK_FALSE(idx.insert("p", "", 0, 1));
  CHECK(idx.insert("p", "", 0, 2));
  CHECK_FALSE(idx.insert("p", std::string("a\0b", 3), 0, 3));
  CHECK_FALSE(idx.insert("p", std::string("a\0c", 3), 0, 4));
}

TEST_CASE("locations that do not fit are reported as unknown, not wrong", "[dedup]") {
  DuplicateIndex idx;
  idx.reserve(10);
  CHECK_FALSE(idx.insert("p", "x", 300, 5'000'000'000ull));
  const auto hit = idx.insert("p", "x", 0, 1);
  REQUIRE(hit);
  CHECK(hit->file == DuplicateIndex::k_unknown_file);
  CHECK(hit->line == 0);
}
