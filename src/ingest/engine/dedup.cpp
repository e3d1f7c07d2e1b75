// SPDX-License-Identifier: MIT
#include "ingest/engine/dedup.hpp"

#include "core/csv.hpp"
#include "core/parallel.hpp"

#include "platform/memory.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <stdexcept>
#include <thread>

namespace cskpi {

namespace {

constexpr std::uint64_t mix(std::uint64_t x) noexcept {
  x ^= x >> 32;
  x *= 0xD6E8FEB86659FD93ull;
  x ^= x >> 32;
  x *= 0xD6E8FEB86659FD93ull;
  x ^= x >> 32;
  return x;
}

std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed) noexcept {
  std::uint64_t h = seed ^ (s.size() * 0x9E3779B97F4A7C15ull);
  const char* p = s.data();
  std::size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t v = 0;
    std::memcpy(&v, p, 8);
    h = mix(h ^ v) + 0x9E3779B97F4A7C15ull;
  }
  std::uint64_t v = 0;
  if (n > 0) std::memcpy(&v, p, n); // an empty view may have no data pointer at all
  return mix(h ^ v ^ (static_cast<std::uint64_t>(n) << 59));
}

/// The 128-bit product of a and b (wyhash's "mum").
inline void multiply(std::uint64_t a, std::uint64_t b, std::uint64_t& lo, std::uint64_t& hi) noexcept {
  __extension__ typedef unsigned __int128 u128;
  const u128 p = static_cast<u128>(a) * b;
  lo = static_cast<std::uint64_t>(p);
  hi = static_cast<std::uint64_t>(p >> 64);
}

/// Two independent 64-bit hashes of `s`, one per seed, for ids of any length; ids of up to
/// 16 bytes (the common case) cost two 128-bit multiplies per seed.
void hash_bytes2(std::string_view s, std::uint64_t seed1, std::uint64_t seed2, std::uint64_t& out1,
                 std::uint64_t& out2) noexcept {
  const std::size_t n = s.size();
  if (n > 16) {
    out1 = hash_bytes(s, seed1);
    out2 = hash_bytes(s, seed2);
    return;
  }
  std::uint64_t a = 0, b = 0;
  const char* p = s.data();
  if (n >= 8) { // the first and the last eight bytes, overlapping for 9..15
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + n - 8, 8);
  } else if (n >= 4) {
    std::uint32_t x, y;
    std::memcpy(&x, p, 4);
    std::memcpy(&y, p + n - 4, 4);
    a = x;
    b = y;
  } else if (n > 0) {
    a = static_cast<unsigned char>(p[0]) | static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8 |
        static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16;
  }
  const auto one = [&](std::uint64_t seed) {
    std::uint64_t lo, hi;
    // The length goes in spread over all 64 bits: xored into the low bits only, "C-1000" and
    // "C-10000" met as equal words.
    multiply(a ^ seed ^ (n * 0x9E3779B97F4A7C15ull), b ^ 0xE7037ED1A0B428DBull, lo, hi);
    multiply(lo ^ 0x8EBC6AF09C88C6E3ull, hi ^ seed, lo, hi);
    return lo ^ hi;
  };
  out1 = one(seed1);
  out2 = one(seed2);
}

} // namespace

// 256 slots, one 4 KiB page: a small file's keys fit without growing, and a large file reserves
// its estimate before the first insert.
DuplicateIndex::DuplicateIndex() { grow(256); }

DuplicateIndex::~DuplicateIndex() { release(); }

namespace {

using platform::k_huge_page;

/// Maps a hash onto [0, capacity) by its high bits (Lemire's multiply-shift): any capacity,
/// no modulo.
std::size_t slot_of(std::uint64_t hash, std::size_t capacity) noexcept {
  __extension__ typedef unsigned __int128 u128;
  return static_cast<std::size_t>((static_cast<u128>(hash) * capacity) >> 64);
}

/// Tables of 64 MiB and more go on huge pages: the first touch of one zeroes 2 MiB, a start-up
/// cost a small file should not pay.
bool on_huge_pages(std::size_t capacity) noexcept { return capacity * 16 >= (64u << 20); }

/// Tables of 256 KiB and more get a mapping of their own, which the kernel zeroes page by page as
/// they are touched and takes back whole; a smaller one (a small file's) comes zeroed from the
/// heap, without the system calls and the fresh page a mapping costs.
bool mapped(std::size_t capacity) noexcept { return capacity * 16 >= (256u << 10); }

/// The bytes mapped for a table: on huge pages, whole huge pages and one more, so the table can
/// start on a huge-page boundary; otherwise the table alone (16 KiB for a small file, not 4 MiB).
std::size_t mapped_bytes(std::size_t capacity) noexcept {
  const std::size_t bytes = capacity * 16;
  if (!on_huge_pages(capacity)) return bytes;
  return (bytes + k_huge_page - 1) / k_huge_page * k_huge_page + k_huge_page;
}

} // namespace

void DuplicateIndex::release() noexcept {
  if (m_map != nullptr && mapped(m_capacity)) platform::unmap_memory(m_map, mapped_bytes(m_capacity));
  else std::free(m_map);
  m_map = nullptr;
  m_slots = nullptr;
}

void DuplicateIndex::reserve(std::size_t keys) {
  // As large as 70 % load needs (a power of two could nearly double the memory), but at least
  // half as large again: many small reserves (one per parallel pass) must not rehash each time.
  if (keys > m_capacity / 10 * 7) grow(std::max(keys / 7 * 10 + 16, m_capacity + m_capacity / 2));
}

void DuplicateIndex::grow(std::size_t capacity) {
  static_assert(sizeof(Slot) == 16);
  void* map = mapped(capacity) ? platform::map_memory(mapped_bytes(capacity)) : std::calloc(capacity, sizeof(Slot));
  if (map == nullptr) throw std::bad_alloc();
  void* mem = map;
  if (on_huge_pages(capacity)) {
    const auto addr = reinterpret_cast<std::uintptr_t>(map);
    mem = reinterpret_cast<void*>((addr + k_huge_page - 1) & ~static_cast<std::uintptr_t>(k_huge_page - 1));
    platform::advise_huge_pages(mem, mapped_bytes(capacity) - k_huge_page); // a hint
  }
  Slot* fresh = static_cast<Slot*>(mem);
  for (std::size_t i = 0; i < m_capacity; ++i) {
    const Slot& s = m_slots[i];
    if (s.hash == 0) continue;
    std::size_t at = slot_of(s.hash, capacity);
    while (fresh[at].hash != 0)
      if (++at == capacity) at = 0;
    fresh[at] = s;
  }
  release();
  m_map = map;
  m_slots = fresh;
  m_capacity = capacity;
}

KeyHasher::Probe KeyHasher::operator()(std::string_view period, std::string_view id) {
  if (!same_text(period, m_period) || !m_period_hashed) { // rows of one period come together: hash it once
    m_period.assign(period);
    m_seed1 = hash_bytes(period, 0x243F6A8885A308D3ull);
    m_seed2 = hash_bytes(period, 0x13198A2E03707344ull);
    m_period_hashed = true;
  }
  Probe p;
  hash_bytes2(id, m_seed1, m_seed2, p.hash, p.tag);
  p.hash |= 1u; // never 0
  p.tag >>= 40;
  return p;
}

void DuplicateIndex::prefetch(const Probe& p) const noexcept {
  __builtin_prefetch(&m_slots[slot_of(p.hash, m_capacity)]);
}

bool DuplicateIndex::contains(const Probe& probe) const noexcept {
  for (std::size_t at = slot_of(probe.hash, m_capacity);; at = at + 1 == m_capacity ? 0 : at + 1) {
    const Slot& s = m_slots[at];
    if (s.hash == 0) return false;
    if (s.hash == probe.hash && (s.tag_loc >> 40) == probe.tag) return true;
  }
}

std::optional<DuplicateIndex::Location> DuplicateIndex::insert(const Probe& probe, std::uint32_t file,
                                                               std::uint64_t line) {
  const std::uint64_t h1 = probe.hash, tag = probe.tag;
  for (std::size_t at = slot_of(h1, m_capacity);; at = at + 1 == m_capacity ? 0 : at + 1) {
    if (m_slots[at].hash == 0) {
      const Location kept = stored(file, line);
      m_slots[at] = Slot{h1, (tag << 40) | (std::uint64_t{kept.file} << 32) | kept.line};
      if (++m_size > m_capacity / 10 * 7) grow(m_capacity * 2);
      return std::nullopt;
    }
    const Slot& s = m_slots[at];
    if (s.hash == h1 && (s.tag_loc >> 40) == tag) {
      Location loc;
      loc.file = static_cast<std::uint32_t>((s.tag_loc >> 32) & 0xFF);
      loc.line = s.tag_loc & 0xFFFFFFFFu;
      return loc;
    }
  }
}

int compare_keys(KeyOrder order, std::string_view period_a, std::string_view id_a, std::string_view period_b,
                 std::string_view id_b) noexcept {
  if (order == KeyOrder::period_first) {
    const int period = period_a.compare(period_b);
    return period != 0 ? period : id_a.compare(id_b);
  }
  const int id = id_a.compare(id_b);
  return id != 0 ? id : period_a.compare(period_b);
}

std::optional<OrderedChunks> OrderedChunks::make(const std::vector<KeyRange>& ranges) {
  for (const KeyOrder order : {KeyOrder::period_first, KeyOrder::customer_first}) {
    const auto bit = static_cast<std::uint8_t>(order);
    // A chunk without rows has no key, and no range to hold one.
    if (!std::all_of(ranges.begin(), ranges.end(),
                     [&](const KeyRange& r) { return r.rows == 0 || (r.orders & bit) != 0; }))
      continue;
    OrderedChunks out;
    out.m_order = order;
    out.m_ranges = ranges;
    for (std::size_t i = 0; i < ranges.size(); ++i)
      if (ranges[i].rows > 0) out.m_sorted.push_back(i);
    std::sort(out.m_sorted.begin(), out.m_sorted.end(), [&](std::size_t a, std::size_t b) {
      return compare_keys(order, ranges[a].first_period, ranges[a].first_id, ranges[b].first_period,
                          ranges[b].first_id) < 0;
    });
    bool apart = true;
    for (std::size_t i = 1; i < out.m_sorted.size() && apart; ++i) {
      const KeyRange &before = ranges[out.m_sorted[i - 1]], &after = ranges[out.m_sorted[i]];
      apart = compare_keys(order, before.last_period, before.last_id, after.first_period, after.first_id) < 0;
    }
    if (apart) return out;
  }
  return std::nullopt;
}

bool OrderedChunks::within(std::string_view period, std::string_view id) const {
  if (m_sorted.empty()) return false;
  const KeyRange &low = m_ranges[m_sorted.front()], &high = m_ranges[m_sorted.back()];
  return compare_keys(m_order, period, id, high.last_period, high.last_id) <= 0 &&
      compare_keys(m_order, low.first_period, low.first_id, period, id) <= 0;
}

std::optional<std::size_t> OrderedChunks::holder(std::string_view period, std::string_view id) const {
  if (!within(period, id)) return std::nullopt;
  // The last range whose first key is at or before the key.
  const auto after = std::upper_bound(m_sorted.begin(), m_sorted.end(), 0, [&](int, std::size_t c) {
    return compare_keys(m_order, period, id, m_ranges[c].first_period, m_ranges[c].first_id) < 0;
  });
  const std::size_t c = *(after - 1); // within(): the first range's first key is at or before it
  if (compare_keys(m_order, period, id, m_ranges[c].last_period, m_ranges[c].last_id) > 0) return std::nullopt;
  return c;
}

struct KeyPartitions::Arena {
  static constexpr std::size_t k_first_block = (1u << 20) / sizeof(std::uint64_t);
  static constexpr std::size_t k_last_block = (64u << 20) / sizeof(std::uint64_t);
  std::mutex lock;
  std::vector<std::unique_ptr<std::uint64_t[]>> blocks;
  std::size_t used = 0, room = 0; ///< of the last block, in words
};

KeyPartitions::KeyPartitions(std::size_t chunks, bool lines)
    : m_keys(chunks), m_arena(std::make_unique<Arena>()), m_state(chunks, State::kept), m_lines(lines) {}
KeyPartitions::KeyPartitions(KeyPartitions&&) noexcept = default;
KeyPartitions& KeyPartitions::operator=(KeyPartitions&&) noexcept = default;
KeyPartitions::~KeyPartitions() = default;

std::uint64_t* KeyPartitions::take(std::size_t words) {
  Arena& a = *m_arena;
  const std::lock_guard<std::mutex> hold(a.lock);
  if (words > a.room - a.used) { // a new block, twice the last (a small file's keys stay small)
    const std::size_t size = std::max(words, std::min(std::max(a.room * 2, Arena::k_first_block), Arena::k_last_block));
    a.blocks.emplace_back(new std::uint64_t[size]); // left unset: only what is written is backed
    a.used = 0;
    a.room = size;
  }
  std::uint64_t* at = a.blocks.back().get() + a.used;
  a.used += words;
  return at;
}

void KeyPartitions::seal(std::size_t chunk, Stage& stage) {
  Keys& k = m_keys[chunk];
  const std::size_t step = stride(chunk);
  const std::vector<std::uint64_t>& staged = stage.m_keys;
  // Counting sort, stable: the keys held, then the staged ones, each partition in its order.
  std::array<std::size_t, k_parts + 1> at{};
  for (std::size_t p = 0; p < k_parts; ++p) at[p + 1] = list(chunk, p).size();
  for (std::size_t i = 1; i < staged.size(); i += 2) at[(staged[i] >> 56) + 1] += step;
  for (std::size_t p = 0; p < k_parts; ++p) at[p + 1] += at[p];
  const std::size_t words = at[k_parts];
  if (words > UINT32_MAX) throw std::length_error("KeyPartitions::seal: a chunk of more than 2^32 words");
  if (words != 0) {
    std::uint64_t* out = take(words);
    std::array<std::size_t, k_parts> next{};
    for (std::size_t p = 0; p < k_parts; ++p) {
      const std::span<const std::uint64_t> had = list(chunk, p);
      std::copy(had.begin(), had.end(), out + at[p]);
      next[p] = at[p] + had.size();
    }
    for (std::size_t i = 0; i + 1 < staged.size(); i += 2) {
      std::size_t& to = next[staged[i + 1] >> 56];
      out[to++] = staged[i];
      if (step == 2) out[to++] = staged[i + 1] & 0x00FF'FFFF'FFFF'FFFFu;
    }
    k.data = out;
    for (std::size_t p = 0; p <= k_parts; ++p) k.at[p] = static_cast<std::uint32_t>(at[p]);
    std::vector<std::uint64_t>().swap(k.own);
  }
  stage.clear();
}

std::size_t KeyPartitions::repeat_in(std::size_t part, std::size_t limit, const std::vector<std::uint64_t>& earlier,
                                     const std::vector<std::pair<const KeyPartitions*, std::size_t>>& pending,
                                     std::vector<std::uint64_t>& table) const {
  std::size_t n = earlier.size();
  for (const auto& [keys, chunks] : pending)
    for (std::size_t c = 0; c < chunks; ++c) n += keys->list(c, part).size() / keys->stride(c);
  for (std::size_t c = 0; c < limit; ++c) n += list(c, part).size() / stride(c);
  if (n < 2) return limit;
  unsigned bits = 4;
  while ((std::size_t{1} << bits) < 2 * n) ++bits;
  const std::size_t capacity = std::size_t{1} << bits, mask = capacity - 1;
  // One word a key, 0 = empty.
  table.assign(capacity, 0);
  // Keys seen before first, then the chunks in order: the first key met again is the second
  // of its pair in the lowest chunk.
  const auto insert = [&](std::uint64_t word) {
    for (std::size_t at = word >> (64 - bits);; at = (at + 1) & mask) {
      std::uint64_t& h = table[at];
      if (h == 0) {
        h = word;
        return true;
      }
      if (h == word) return false;
    }
  };
  for (const std::uint64_t w : earlier) insert(w);
  for (const auto& [keys, chunks] : pending)
    for (std::size_t c = 0; c < chunks; ++c) {
      const std::span<const std::uint64_t> list = keys->list(c, part);
      for (std::size_t i = 0, step = keys->stride(c); i < list.size(); i += step) insert(list[i]);
    }
  for (std::size_t c = 0; c < limit; ++c) {
    const std::span<const std::uint64_t> keys = list(c, part);
    for (std::size_t i = 0, step = stride(c); i < keys.size(); i += step)
      if (!insert(keys[i])) return c;
  }
  return limit;
}

std::size_t
KeyPartitions::first_repeat(std::size_t limit, unsigned threads, const DuplicateIndex* earlier,
                            const std::vector<std::pair<const KeyPartitions*, std::size_t>>& pending) const {
  std::vector<std::vector<std::uint64_t>> before(k_parts);
  if (earlier != nullptr)
    earlier->for_each([&](const DuplicateIndex::Probe& p) { before[p.hash >> (64 - k_bits)].push_back(word(p)); });
  std::atomic<std::size_t> lowest{limit};
  std::vector<std::vector<std::uint64_t>> tables(std::max(threads, 1u)); // one per thread
  parallel_for(k_parts, threads, [&](std::size_t p, unsigned slot) {
    const std::size_t c =
        repeat_in(p, std::min(limit, lowest.load(std::memory_order_relaxed)), before[p], pending, tables[slot]);
    for (std::size_t have = lowest.load(); c < have && !lowest.compare_exchange_weak(have, c);) {}
  });
  return lowest.load();
}

void KeyPartitions::insert_into(DuplicateIndex& index, std::size_t limit, std::uint32_t file,
                                const std::vector<std::uint64_t>& first_line) const {
  std::size_t n = 0;
  for (std::size_t c = 0; c < limit; ++c) n += m_keys[c].data == nullptr ? 0 : m_keys[c].at[k_parts] / 2;
  index.reserve(index.size() + n);
  for (std::size_t c = 0; c < limit; ++c) {
    if (!whole(c)) throw std::logic_error("KeyPartitions::insert_into: a chunk of words only");
    for (std::size_t p = 0; p < k_parts; ++p) {
      const std::span<const std::uint64_t> keys = list(c, p);
      for (std::size_t i = 0; i + 1 < keys.size(); i += 2) {
        // The partition gives the hash's top bits back.
        const DuplicateIndex::Probe probe{(std::uint64_t{p} << (64 - k_bits)) | (keys[i] >> k_bits), keys[i + 1] >> 32};
        index.insert(probe, file, first_line[c] + (keys[i + 1] & 0xFFFFFFFFu));
      }
    }
  }
}

std::optional<KeyPartitions::Hit> KeyPartitions::find(const KeyHasher::Probe& p, std::size_t limit) const {
  const std::size_t part = p.hash >> (64 - k_bits);
  const std::uint64_t w = word(p);
  for (std::size_t c = 0; c < limit; ++c) {
    const std::span<const std::uint64_t> keys = list(c, part);
    if (!whole(c)) {
      if (std::find(keys.begin(), keys.end(), w) != keys.end()) return Hit{c, std::nullopt};
      continue;
    }
    for (std::size_t i = 0; i + 1 < keys.size(); i += 2)
      if (keys[i] == w && (keys[i + 1] >> 32) == p.tag) return Hit{c, static_cast<std::uint32_t>(keys[i + 1])};
  }
  return std::nullopt;
}

bool KeyPartitions::expand(std::size_t chunk, const std::vector<Found>& keys) {
  if (whole(chunk)) return true;
  std::array<std::size_t, k_parts + 1> at{};
  for (const Found& k : keys) at[(k.probe.hash >> (64 - k_bits)) + 1] += 2;
  for (std::size_t p = 0; p < k_parts; ++p) at[p + 1] += at[p];
  if (at[k_parts] > UINT32_MAX) return false;
  std::vector<std::uint64_t> own(at[k_parts]);
  std::array<std::size_t, k_parts> next{};
  std::copy(at.begin(), at.end() - 1, next.begin());
  for (const Found& k : keys) {
    std::size_t& to = next[k.probe.hash >> (64 - k_bits)];
    own[to++] = word(k.probe);
    own[to++] = (k.probe.tag << 32) | k.line;
  }
  for (std::size_t p = 0; p < k_parts && !absent(chunk); ++p) {
    const std::span<const std::uint64_t> had = list(chunk, p);
    if (had.size() * 2 != at[p + 1] - at[p]) return false;
    for (std::size_t i = 0; i < had.size(); ++i)
      if (had[i] != own[at[p] + 2 * i]) return false;
  }
  Keys& k = m_keys[chunk];
  k.own = std::move(own);
  k.data = k.own.data();
  for (std::size_t p = 0; p <= k_parts; ++p) k.at[p] = static_cast<std::uint32_t>(at[p]);
  m_state[chunk] = State::expanded;
  return true;
}

void KeyPartitions::drop_from(std::size_t limit) {
  for (std::size_t c = limit; c < m_keys.size(); ++c) m_keys[c] = Keys{}; // (the arena keeps their room)
}

} // namespace cskpi
