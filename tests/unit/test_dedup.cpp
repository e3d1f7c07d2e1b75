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

TEST_CASE("key partitions: the first chunk holding a repeat, for any number of threads", "[dedup]") {
  KeyHasher hasher;
  const auto key = [&](int i) { return hasher("2026-10", "C-" + std::to_string(i)); };
  // Four chunks of 5,000 distinct keys each: keys 0..19,999.
  const auto fill = [&](KeyPartitions& parts) {
    for (std::size_t c = 0; c < 4; ++c) {
      parts.reserve(c, 5'000);
      for (int i = 0; i < 5'000; ++i) parts.add(c, key(static_cast<int>(c) * 5'000 + i), static_cast<std::uint32_t>(i));
    }
  };
  for (const unsigned threads : {1u, 3u}) {
    KeyPartitions clean(4);
    fill(clean);
    CHECK(clean.first_repeat(4, threads, nullptr) == 4);
    CHECK(clean.first_repeat(2, threads, nullptr) == 2); // only chunks [0, limit) count

    KeyPartitions repeat(4);
    fill(repeat);
    repeat.add(3, key(17), 5'000); // chunk 3 repeats a key of chunk 0...
    repeat.add(2, key(12'345), 5'000); // ...and chunk 2 one of its own
    CHECK(repeat.first_repeat(4, threads, nullptr) == 2);
    CHECK(repeat.first_repeat(2, threads, nullptr) == 2);

    DuplicateIndex earlier; // a key seen before the pass, met in chunk 1
    earlier.insert(key(6'000), 0, 2);
    KeyPartitions seen(4);
    fill(seen);
    CHECK(seen.first_repeat(4, threads, &earlier) == 1);

    KeyPartitions later(2); // another pass's chunks: their keys count as seen before
    later.reserve(0, 1);
    later.add(0, key(19'999), 0);
    const std::vector<std::pair<const KeyPartitions*, std::size_t>> pending{{&seen, 4}};
    CHECK(later.first_repeat(2, threads, nullptr, pending) == 0);
  }
  // Keys that differ in their hash or in the tag's low byte are not repeats.
  KeyPartitions near(1);
  near.reserve(0, 3);
  const KeyHasher::Probe p = key(1);
  near.add(0, p, 0);
  near.add(0, KeyHasher::Probe{p.hash ^ 2u, p.tag}, 1);
  near.add(0, KeyHasher::Probe{p.hash, p.tag ^ 1u}, 2);
  CHECK(near.first_repeat(1, 1, nullptr) == 1);
}

TEST_CASE("key partitions give each key back with its line, blank lines between included", "[dedup]") {
  KeyHasher hasher;
  const auto key = [&](int i) { return hasher("2026-10", "C-" + std::to_string(i)); };
  // Chunk 0: keys 0..999 on lines 0..999; chunk 1: keys 1000..1999 with a blank line before
  // every 100th key and three at the start.
  KeyPartitions parts(2);
  parts.reserve(0, 1'000);
  parts.reserve(1, 10); // too small: the lists grow
  std::vector<std::uint32_t> line_of(2'000);
  for (int i = 0; i < 1'000; ++i) parts.add(0, key(i), line_of[static_cast<std::size_t>(i)] = static_cast<std::uint32_t>(i));
  std::uint32_t line = 3;
  for (int i = 1'000; i < 2'000; ++i) {
    if (i % 100 == 0) ++line;
    parts.add(1, key(i), line_of[static_cast<std::size_t>(i)] = line++);
  }
  parts.shrink(1);
  for (const int i : {0, 1, 999, 1'000, 1'001, 1'099, 1'100, 1'555, 1'999}) {
    const auto at = parts.find(key(i), 2);
    REQUIRE(at);
    CHECK(at->first == (i < 1'000 ? 0u : 1u));
    CHECK(at->second == line_of[static_cast<std::size_t>(i)]);
  }
  CHECK_FALSE(parts.find(key(1'500), 1)); // chunk 1 is not asked
  CHECK_FALSE(parts.find(key(2'000), 2));
  const KeyHasher::Probe p = key(7);
  CHECK_FALSE(parts.find(KeyHasher::Probe{p.hash, p.tag ^ 0x100u}, 2)); // the tag's high bits count too

  DuplicateIndex index;
  parts.insert_into(index, 2, 3, {10, 5'000});
  CHECK(index.size() == 2'000);
  for (const int i : {0, 999, 1'000, 1'100, 1'999}) {
    const auto first = index.insert(key(i), 0, 1);
    REQUIRE(first);
    CHECK(first->file == 3);
    CHECK(first->line == (i < 1'000 ? 10 : 5'000) + line_of[static_cast<std::size_t>(i)]);
  }
  parts.drop_from(1);
  CHECK_FALSE(parts.find(key(1'500), 2));
}
