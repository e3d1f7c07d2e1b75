// SPDX-License-Identifier: MIT
#include "dedup.hpp"

#include <cstring>
#include <new>
#include <sys/mman.h>

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

} // namespace

DuplicateIndex::DuplicateIndex() { grow(1024); }

DuplicateIndex::~DuplicateIndex() { release(); }

namespace {

constexpr std::size_t k_huge_page = 2u << 20;

/// Maps a hash onto [0, capacity) by its high bits (Lemire's multiply-shift): any capacity,
/// no modulo.
std::size_t slot_of(std::uint64_t hash, std::size_t capacity) noexcept {
  __extension__ typedef unsigned __int128 u128;
  return static_cast<std::size_t>((static_cast<u128>(hash) * capacity) >> 64);
}

std::size_t mapped_bytes(std::size_t capacity) noexcept {
  const std::size_t bytes = capacity * 16;
  return (bytes + k_huge_page - 1) / k_huge_page * k_huge_page;
}

} // namespace

void DuplicateIndex::release() noexcept {
  if (m_map != nullptr) ::munmap(m_map, mapped_bytes(m_capacity) + k_huge_page);
  m_map = nullptr;
  m_slots = nullptr;
}

void DuplicateIndex::reserve(std::size_t keys) {
  // Exactly as large as 70 % load needs: a power of two could nearly double the memory.
  if (keys > m_capacity / 10 * 7) grow(keys / 7 * 10 + 16);
}

void DuplicateIndex::grow(std::size_t capacity) {
  static_assert(sizeof(Slot) == 16);
  // One huge page more than needed, so the table can start on a huge-page boundary.
  void* map = ::mmap(nullptr, mapped_bytes(capacity) + k_huge_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) throw std::bad_alloc();
  const auto addr = reinterpret_cast<std::uintptr_t>(map);
  void* mem = reinterpret_cast<void*>((addr + k_huge_page - 1) & ~static_cast<std::uintptr_t>(k_huge_page - 1));
  // Huge pages only for big tables: the first touch of one zeroes 2 MiB, a start-up cost a
  // small file should not pay.
  if (capacity * sizeof(Slot) >= (64u << 20)) ::madvise(mem, mapped_bytes(capacity), MADV_HUGEPAGE); // a hint
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

DuplicateIndex::Probe DuplicateIndex::prepare(std::string_view period, std::string_view id) {
  if (period != m_period || !m_period_hashed) { // rows of one period come together: hash it once
    m_period.assign(period);
    m_seed1 = hash_bytes(period, 0x243F6A8885A308D3ull);
    m_seed2 = hash_bytes(period, 0x13198A2E03707344ull);
    m_period_hashed = true;
  }
  Probe p;
  p.hash = hash_bytes(id, m_seed1) | 1u; // never 0
  p.tag = hash_bytes(id, m_seed2) >> 40;
  __builtin_prefetch(&m_slots[slot_of(p.hash, m_capacity)]);
  return p;
}

std::optional<DuplicateIndex::Location> DuplicateIndex::insert(const Probe& probe, std::uint32_t file, std::uint64_t line) {
  const std::uint64_t h1 = probe.hash, tag = probe.tag;
  for (std::size_t at = slot_of(h1, m_capacity);; at = at + 1 == m_capacity ? 0 : at + 1) {
    if (m_slots[at].hash == 0) {
      const std::uint64_t f = file < k_unknown_file ? file : k_unknown_file;
      const std::uint64_t l = line <= 0xFFFFFFFFu ? line : 0;
      m_slots[at] = Slot{h1, (tag << 40) | (f << 32) | l};
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


} // namespace cskpi
