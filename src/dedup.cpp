// SPDX-License-Identifier: MIT
#include "dedup.hpp"

#include <cstring>
#include <new>

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
  std::memcpy(&v, p, n);
  return mix(h ^ v ^ (static_cast<std::uint64_t>(n) << 59));
}

} // namespace

DuplicateIndex::DuplicateIndex() { grow(1024); }

void DuplicateIndex::reserve(std::size_t keys) {
  std::size_t capacity = m_capacity;
  while (capacity / 10 * 7 < keys) capacity *= 2;
  if (capacity != m_capacity) grow(capacity);
}

void DuplicateIndex::grow(std::size_t capacity) {
  Slot* fresh = static_cast<Slot*>(std::calloc(capacity, sizeof(Slot)));
  if (fresh == nullptr) throw std::bad_alloc();
  for (std::size_t i = 0; i < m_capacity; ++i) {
    const Slot& s = m_slots[i];
    if (s.hash == 0) continue;
    std::size_t at = s.hash & (capacity - 1);
    while (fresh[at].hash != 0) at = (at + 1) & (capacity - 1);
    fresh[at] = s;
  }
  m_slots.reset(fresh);
  m_capacity = capacity;
}

std::optional<DuplicateIndex::Location> DuplicateIndex::insert(std::string_view period, std::string_view id,
                                                               std::uint32_t file, std::uint64_t line) {
  if (period != m_period || !m_period_hashed) { // rows of one period come together: hash it once
    m_period.assign(period);
    m_seed1 = hash_bytes(period, 0x243F6A8885A308D3ull);
    m_seed2 = hash_bytes(period, 0x13198A2E03707344ull);
    m_period_hashed = true;
  }
  const std::uint64_t h1 = hash_bytes(id, m_seed1) | 1u; // never 0
  const std::uint64_t tag = hash_bytes(id, m_seed2) >> 40;
  std::size_t at = h1 & (m_capacity - 1);
  for (; m_slots[at].hash != 0; at = (at + 1) & (m_capacity - 1)) {
    const Slot& s = m_slots[at];
    if (s.hash == h1 && (s.tag_loc >> 40) == tag) {
      Location loc;
      loc.file = static_cast<std::uint32_t>((s.tag_loc >> 32) & 0xFF);
      loc.line = s.tag_loc & 0xFFFFFFFFu;
      return loc;
    }
  }
  const std::uint64_t f = file < k_unknown_file ? file : k_unknown_file;
  const std::uint64_t l = line <= 0xFFFFFFFFu ? line : 0;
  m_slots[at] = Slot{h1, (tag << 40) | (f << 32) | l};
  if (++m_size > m_capacity / 10 * 7) grow(m_capacity * 2);
  return std::nullopt;
}

} // namespace cskpi
