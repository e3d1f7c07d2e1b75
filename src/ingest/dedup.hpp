// SPDX-License-Identifier: MIT
// Internal to ingest: a compact set of (period, customer_id) keys for duplicate detection.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cskpi {

/// Remembers every (period, customer_id) of a run in 16 bytes per key, without storing the
/// keys: each is kept as an 88-bit hash (64 + 24 bits) plus where it was first seen. Two
/// different keys are taken for equal only if all 88 bits agree; for 10 million keys the
/// chance that any pair does is about 1e-13. Open addressing with linear probing. The table
/// is anonymous memory (zero pages cost nothing until touched) on transparent huge pages
/// where the kernel allows: inserts are random accesses, and 4 KiB pages make each one a
/// TLB miss (10 M rows: 5.3 s with them, see bench/README.md).
class DuplicateIndex {
public:
  struct Location {
    std::uint32_t file = 0;  ///< index of the file; k_unknown_file when it did not fit
    std::uint64_t line = 0;  ///< 1-based line; 0 when it did not fit in 32 bits
  };
  static constexpr std::uint32_t k_unknown_file = 255;

  DuplicateIndex();
  ~DuplicateIndex();
  DuplicateIndex(const DuplicateIndex&) = delete;
  DuplicateIndex& operator=(const DuplicateIndex&) = delete;
  /// Makes room for `keys` keys without rehashing.
  void reserve(std::size_t keys);
  /// A key's hashes, computed ahead of the insert so its slot can be prefetched.
  struct Probe {
    std::uint64_t hash = 0, tag = 0;
  };
  /// Hashes a key and starts loading its slot into the cache.
  Probe prepare(std::string_view period, std::string_view id);
  /// Adds a prepared key; returns where an equal key was first seen, or nullopt if new.
  std::optional<Location> insert(const Probe& probe, std::uint32_t file, std::uint64_t line);
  /// prepare() and insert() in one.
  std::optional<Location> insert(std::string_view period, std::string_view id, std::uint32_t file, std::uint64_t line) {
    return insert(prepare(period, id), file, line);
  }
  std::size_t size() const noexcept { return m_size; }
  /// Bytes held by the table.
  std::size_t bytes() const noexcept { return m_capacity * sizeof(Slot); }

private:
  struct Slot {
    std::uint64_t hash;    ///< 0 = empty slot
    std::uint64_t tag_loc; ///< 24 bits of a second hash, 8 bits file, 32 bits line
  };
  void grow(std::size_t capacity);
  void release() noexcept;
  void* m_map = nullptr;  ///< the mapping; m_slots is its first huge-page boundary
  Slot* m_slots = nullptr;
  std::size_t m_capacity = 0;
  std::size_t m_size = 0;
  std::string m_period; ///< the last period hashed, with its two seeds
  std::uint64_t m_seed1 = 0, m_seed2 = 0;
  bool m_period_hashed = false;
};

} // namespace cskpi
