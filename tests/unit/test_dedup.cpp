// SPDX-License-Identifier: MIT
#include "ingest/engine/dedup.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace test_dedup {

using namespace cskpi;

namespace {
// Files keys as chunk `c`'s, after those it holds: what a pass's reader does at a chunk's end.
void file_keys(KeyPartitions& parts, std::size_t c, const std::vector<KeyPartitions::Found>& keys) {
  KeyPartitions::Stage stage;
  for (const KeyPartitions::Found& k : keys) stage.add(k.probe, k.line);
  parts.seal(c, stage);
  REQUIRE(stage.size() == 0);
}
} // namespace

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
  for (std::uint64_t i = 0; i < 200'000; ++i) REQUIRE_FALSE(idx.insert("p", "C-" + std::to_string(i), 0, i + 2));
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
      std::vector<KeyPartitions::Found> keys;
      for (int i = 0; i < 5'000; ++i)
        keys.push_back({key(static_cast<int>(c) * 5'000 + i), static_cast<std::uint32_t>(i)});
      file_keys(parts, c, keys);
    }
  };
  for (const unsigned threads : {1u, 3u})
    for (const bool lines : {true, false}) { // whole keys or words: the same answers
      INFO("threads " << threads << ", lines " << lines);
      KeyPartitions clean(4, lines);
      fill(clean);
      CHECK(clean.first_repeat(4, threads, nullptr) == 4);
      CHECK(clean.first_repeat(2, threads, nullptr) == 2); // only chunks [0, limit) count

      KeyPartitions repeat(4, lines);
      fill(repeat);
      file_keys(repeat, 3, {{key(17), 5'000}});     // chunk 3 repeats a key of chunk 0...
      file_keys(repeat, 2, {{key(12'345), 5'000}}); // ...and chunk 2 one of its own
      CHECK(repeat.first_repeat(4, threads, nullptr) == 2);
      CHECK(repeat.first_repeat(2, threads, nullptr) == 2);

      DuplicateIndex earlier; // a key seen before the pass, met in chunk 1
      earlier.insert(key(6'000), 0, 2);
      KeyPartitions seen(4, lines);
      fill(seen);
      CHECK(seen.first_repeat(4, threads, &earlier) == 1);

      KeyPartitions later(2, !lines); // another pass's chunks: their keys count as seen before
      file_keys(later, 0, {{key(19'999), 0}});
      const std::vector<std::pair<const KeyPartitions*, std::size_t>> pending{{&seen, 4}};
      CHECK(later.first_repeat(2, threads, nullptr, pending) == 0);
    }
  // Keys that differ in their hash or in the tag's low byte are not repeats.
  KeyPartitions near(1, false);
  const KeyHasher::Probe p = key(1);
  file_keys(near, 0, {{p, 0}, {KeyHasher::Probe{p.hash ^ 2u, p.tag}, 1}, {KeyHasher::Probe{p.hash, p.tag ^ 1u}, 2}});
  CHECK(near.first_repeat(1, 1, nullptr) == 1);
}

TEST_CASE("key partitions give each key back with its line, blank lines between included", "[dedup]") {
  KeyHasher hasher;
  const auto key = [&](int i) { return hasher("2026-10", "C-" + std::to_string(i)); };
  // Chunk 0: keys 0..999 on lines 0..999; chunk 1: keys 1000..1999 with a blank line before
  // every 100th key and three at the start.
  KeyPartitions parts(2, true);
  std::vector<std::uint32_t> line_of(2'000);
  std::vector<KeyPartitions::Found> half_a, second;
  for (int i = 0; i < 1'000; ++i)
    half_a.push_back({key(i), line_of[static_cast<std::size_t>(i)] = static_cast<std::uint32_t>(i)});
  file_keys(parts, 0, half_a);
  std::uint32_t line = 3;
  for (int i = 1'000; i < 2'000; ++i) {
    if (i % 100 == 0) ++line;
    second.push_back({key(i), line_of[static_cast<std::size_t>(i)] = line++});
    if (i == 1'499) { // filed in two goes: the second half lands after the first
      file_keys(parts, 1, second);
      second.clear();
    }
  }
  file_keys(parts, 1, second);
  for (const int i : {0, 1, 999, 1'000, 1'001, 1'099, 1'100, 1'555, 1'999}) {
    const auto at = parts.find(key(i), 2);
    REQUIRE(at);
    CHECK(at->chunk == (i < 1'000 ? 0u : 1u));
    REQUIRE(at->line);
    CHECK(*at->line == line_of[static_cast<std::size_t>(i)]);
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

TEST_CASE("key partitions of words only: a match is a candidate until its chunk is read again", "[dedup]") {
  KeyHasher hasher;
  const auto key = [&](int i) { return hasher("2026-10", "C-" + std::to_string(i)); };
  // Two chunks of 1,000 keys; chunk 1 has blank lines, so its keys' lines are not their order.
  KeyPartitions parts(2, false);
  std::vector<KeyPartitions::Found> lines[2];
  for (int i = 0; i < 2'000; ++i) {
    const std::size_t c = i < 1'000 ? 0 : 1;
    const auto line = static_cast<std::uint32_t>(c == 0 ? i : (i - 1'000) * 2 + 1);
    lines[c].push_back(KeyPartitions::Found{key(i), line});
  }
  file_keys(parts, 0, lines[0]);
  file_keys(parts, 1, lines[1]);
  CHECK_FALSE(parts.whole(0));
  const auto candidate = parts.find(key(1'234), 2);
  REQUIRE(candidate);
  CHECK(candidate->chunk == 1);
  CHECK_FALSE(candidate->line); // a word matched: the line is not known yet
  CHECK_FALSE(parts.find(key(2'000), 2));
  const KeyHasher::Probe p = key(7);
  const auto low = parts.find(KeyHasher::Probe{p.hash, p.tag ^ 0x100u}, 2); // differs above the tag's low byte
  REQUIRE(low);
  CHECK_FALSE(low->line);

  // Reading the chunk again must give the same keys in the same order; else nothing changes.
  std::vector<KeyPartitions::Found> missing = lines[1];
  missing.pop_back();
  CHECK_FALSE(parts.expand(1, missing)); // a key missing
  std::vector<KeyPartitions::Found> other = lines[1];
  other[5].probe = key(9'999);
  CHECK_FALSE(parts.expand(1, other));                  // another key
  std::vector<KeyPartitions::Found> swapped = lines[1]; // two keys of one partition in the other order
  std::size_t a = 0, b = 1;
  while (swapped[a].probe.hash >> 56 != swapped[b].probe.hash >> 56) ++b;
  std::swap(swapped[a].probe, swapped[b].probe);
  CHECK_FALSE(parts.expand(1, swapped));
  CHECK_FALSE(parts.whole(1));

  REQUIRE(parts.expand(1, lines[1]));
  CHECK(parts.whole(1));
  const auto hit = parts.find(key(1'234), 2);
  REQUIRE(hit);
  CHECK(hit->chunk == 1);
  REQUIRE(hit->line);
  CHECK(*hit->line == 469);
  CHECK_FALSE(parts.find(KeyHasher::Probe{key(1'007).hash, key(1'007).tag ^ 0x100u}, 2)); // the whole tag counts now
  CHECK_FALSE(parts.find(key(7), 2)->line);                                               // chunk 0 is still words only

  DuplicateIndex index;
  CHECK_THROWS_AS(parts.insert_into(index, 2, 0, {1, 2'000}), std::logic_error); // chunk 0 is not whole
  REQUIRE(parts.expand(0, lines[0]));
  parts.insert_into(index, 2, 4, {1, 2'000});
  CHECK(index.size() == 2'000);
  const auto first = index.insert(key(1'500), 0, 1);
  REQUIRE(first);
  CHECK(first->file == 4);
  CHECK(first->line == 2'000 + 1'001);
}

TEST_CASE("keys compare by period first or by customer first", "[dedup]") {
  CHECK(compare_keys(KeyOrder::period_first, "2026-01", "C-9", "2026-02", "C-1") < 0);
  CHECK(compare_keys(KeyOrder::customer_first, "2026-01", "C-9", "2026-02", "C-1") > 0);
  CHECK(compare_keys(KeyOrder::customer_first, "2026-02", "C-1", "2026-01", "C-1") > 0);
  CHECK(compare_keys(KeyOrder::period_first, "2026-01", "C-1", "2026-01", "C-1") == 0);
  CHECK(compare_keys(KeyOrder::period_first, "", "C-10", "", "C-9") < 0); // text, not numbers
}

namespace {
KeyRange range(std::string p1, std::string i1, std::string p2, std::string i2, std::uint8_t orders,
               std::uint64_t rows = 10) {
  return KeyRange{std::move(p1), std::move(i1), std::move(p2), std::move(i2), rows, orders};
}
constexpr std::uint8_t k_period = static_cast<std::uint8_t>(KeyOrder::period_first);
constexpr std::uint8_t k_customer = static_cast<std::uint8_t>(KeyOrder::customer_first);
} // namespace

TEST_CASE("ordered chunks: ranges apart in one order find the only chunk that may hold a key", "[dedup]") {
  // Chunks in any order of their ranges; one without rows has no range at all.
  const auto ordered = OrderedChunks::make({range("2026-02", "C-000", "2026-02", "C-499", k_period | k_customer),
                                            range("2026-01", "C-000", "2026-01", "C-999", k_period),
                                            range("", "", "", "", k_period | k_customer, 0),
                                            range("2026-02", "C-500", "2026-03", "C-100", k_period)});
  REQUIRE(ordered);
  CHECK(ordered->order() == KeyOrder::period_first);
  CHECK(ordered->holder("2026-01", "C-000") == std::optional<std::size_t>(1));
  CHECK(ordered->holder("2026-01", "C-5") == std::optional<std::size_t>(1));
  CHECK(ordered->holder("2026-02", "C-499") == std::optional<std::size_t>(0));
  CHECK(ordered->holder("2026-02", "C-4990") == std::nullopt); // between two ranges
  CHECK(ordered->holder("2026-02", "C-500") == std::optional<std::size_t>(3));
  CHECK(ordered->holder("2026-03", "C-100") == std::optional<std::size_t>(3));
  CHECK(ordered->holder("2026-03", "C-1000") == std::nullopt); // after them all
  CHECK(ordered->holder("2025-12", "C-500") == std::nullopt);  // before them all
  CHECK_FALSE(ordered->within("2026-04", "A"));
  CHECK(ordered->within("2026-02", "C-4990"));

  // Customer first: one customer's periods, customer after customer.
  const auto by_customer = OrderedChunks::make(
      {range("2026-01", "C-1", "2026-12", "C-4", k_customer), range("2026-01", "C-5", "2026-06", "C-9", k_customer)});
  REQUIRE(by_customer);
  CHECK(by_customer->order() == KeyOrder::customer_first);
  CHECK(by_customer->holder("2027-01", "C-3") == std::optional<std::size_t>(0));
  CHECK(by_customer->holder("2027-01", "C-4") == std::nullopt); // after C-4's last period in the range
  CHECK(by_customer->holder("2026-01", "C-5") == std::optional<std::size_t>(1));

  // Overlapping ranges, or no order that every chunk follows, prove nothing.
  CHECK_FALSE(OrderedChunks::make({range("2026-01", "C-0", "2026-01", "C-5", k_period),
                                   range("2026-01", "C-5", "2026-01", "C-9", k_period)})); // C-5 in both
  CHECK_FALSE(OrderedChunks::make(
      {range("2026-01", "C-0", "2026-01", "C-4", k_period), range("2026-01", "C-5", "2026-01", "C-9", k_customer)}));
  CHECK(OrderedChunks::make({})); // nothing to hold a key
  CHECK_FALSE(OrderedChunks::make({})->holder("2026-01", "C-1"));
}

TEST_CASE("key partitions: an absent chunk has no keys until it is given them", "[dedup]") {
  KeyHasher hasher;
  const auto key = [&](int i) { return hasher("2026-10", "C-" + std::to_string(i)); };
  KeyPartitions parts(2, false);
  std::vector<KeyPartitions::Found> lines, own;
  for (int i = 0; i < 100; ++i) {
    own.push_back(KeyPartitions::Found{key(i), static_cast<std::uint32_t>(i)});
    lines.push_back(KeyPartitions::Found{key(i + 1'000), static_cast<std::uint32_t>(i)});
  }
  file_keys(parts, 1, own);
  parts.set_absent(0);
  CHECK(parts.absent(0));
  CHECK_FALSE(parts.whole(0));
  CHECK_FALSE(parts.find(key(1'005), 2));        // chunk 0 keeps nothing to find
  CHECK(parts.first_repeat(2, 1, nullptr) == 2); // nor anything to repeat
  REQUIRE(parts.expand(0, lines));               // taken as they are
  CHECK(parts.whole(0));
  CHECK_FALSE(parts.absent(0));
  const auto hit = parts.find(key(1'005), 2);
  REQUIRE(hit);
  CHECK(hit->chunk == 0);
  CHECK(hit->line == std::optional<std::uint32_t>(5));
  lines[3].probe = key(50); // a key of chunk 1 as well
  KeyPartitions again(2, false);
  again.set_absent(0);
  file_keys(again, 1, own);
  REQUIRE(again.expand(0, lines));
  CHECK(again.first_repeat(2, 1, nullptr) == 1);
}

} // namespace test_dedup
