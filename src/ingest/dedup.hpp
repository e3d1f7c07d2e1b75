// SPDX-License-Identifier: MIT
// Internal to ingest: a compact set of (period, customer_id) keys for duplicate detection.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cskpi {

/// Hashes (period, customer_id) keys for DuplicateIndex: a 64-bit hash (never 0) and a
/// 24-bit tag from a second seed. Each thread keeps its own: the period's seeds are cached.
class KeyHasher {
public:
  struct Probe {
    std::uint64_t hash = 0, tag = 0;
  };
  Probe operator()(std::string_view period, std::string_view id);

private:
  std::string m_period; ///< the last period hashed, with its two seeds
  std::uint64_t m_seed1 = 0, m_seed2 = 0;
  bool m_period_hashed = false;
};

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
  /// How a key first seen in `file` at `line` is remembered: what does not fit the slot's
  /// 8 and 32 bits becomes k_unknown_file or line 0.
  static Location stored(std::uint32_t file, std::uint64_t line) noexcept {
    return Location{file < k_unknown_file ? file : k_unknown_file, line <= 0xFFFFFFFFu ? line : 0};
  }

  DuplicateIndex();
  ~DuplicateIndex();
  DuplicateIndex(const DuplicateIndex&) = delete;
  DuplicateIndex& operator=(const DuplicateIndex&) = delete;
  /// Makes room for `keys` keys without rehashing.
  void reserve(std::size_t keys);
  /// A key's hashes, computed ahead of the insert so its slot can be prefetched.
  using Probe = KeyHasher::Probe;
  /// Hashes a key and starts loading its slot into the cache.
  Probe prepare(std::string_view period, std::string_view id) {
    const Probe p = m_hasher(period, id);
    prefetch(p);
    return p;
  }
  void prefetch(const Probe& p) const noexcept;
  /// Whether an equal key is in the index; never changes it, so threads may ask at once.
  bool contains(const Probe& probe) const noexcept;
  /// Adds a prepared key; returns where an equal key was first seen, or nullopt if new.
  std::optional<Location> insert(const Probe& probe, std::uint32_t file, std::uint64_t line);
  /// prepare() and insert() in one.
  std::optional<Location> insert(std::string_view period, std::string_view id, std::uint32_t file, std::uint64_t line) {
    return insert(prepare(period, id), file, line);
  }
  std::size_t size() const noexcept { return m_size; }
  /// Calls f(probe) for every key held, in no particular order.
  template <class F> void for_each(F f) const {
    for (std::size_t i = 0; i < m_capacity; ++i)
      if (m_slots[i].hash != 0) f(Probe{m_slots[i].hash, m_slots[i].tag_loc >> 40});
  }
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
  KeyHasher m_hasher;
};

/// The keys of one parallel pass over a file (issue 13), kept per chunk of the file and per
/// partition of the hash space: 16 bytes per key, no random access while the chunks are
/// read. After the pass, equal keys are found partition by partition in tables that fit
/// the cache, and the keys of the committed chunks go into the run's DuplicateIndex only
/// if something later needs them there (another file, or a chunk read the general way).
class KeyPartitions {
public:
  static constexpr unsigned k_bits = 8;
  static constexpr std::size_t k_parts = std::size_t{1} << k_bits;
  struct Key {
    std::uint64_t hash;
    std::uint32_t tag;  ///< 24 bits
    std::uint32_t line; ///< the line's index in its chunk, from 0
  };

  explicit KeyPartitions(std::size_t chunks) : m_keys(chunks * k_parts) {}
  /// Makes room for about `rows` keys of chunk `chunk`.
  void reserve(std::size_t chunk, std::size_t rows);
  void add(std::size_t chunk, const KeyHasher::Probe& p, std::uint32_t line) {
    m_keys[chunk * k_parts + (p.hash >> (64 - k_bits))].push_back(Key{p.hash, static_cast<std::uint32_t>(p.tag), line});
  }
  /// Among the keys of chunks [0, limit): the lowest chunk that holds the second of two
  /// equal keys, or a key of `earlier` (keys seen before the pass; none if nullptr) or of
  /// `pending` (other passes' keys, each of its chunks [0, second)), or
  /// `limit` when there is no such chunk. Runs on `threads` threads. Keys are compared by
  /// 64 of their 88 bits (the hash below the partition's bits and the tag's low byte): two
  /// keys that differ only in the rest, about one pair in 10^19, end the kept chunks early,
  /// which costs the general path a chunk to read and changes no result.
  std::size_t first_repeat(std::size_t limit, unsigned threads, const DuplicateIndex* earlier,
                           const std::vector<std::pair<const KeyPartitions*, std::size_t>>& pending = {}) const;
  /// Adds the keys of chunks [0, limit) to `index` as seen in file `file` at line
  /// `first_line[chunk] + key.line`.
  void insert_into(DuplicateIndex& index, std::size_t limit, std::uint32_t file, const std::vector<std::uint64_t>& first_line) const;
  /// Frees the keys of chunks [limit, chunks()).
  void drop_from(std::size_t limit);
  /// The chunk and line of a key of chunks [0, limit) equal to `p`, if there is one.
  std::optional<std::pair<std::size_t, std::uint32_t>> find(const KeyHasher::Probe& p, std::size_t limit) const {
    const std::size_t part = p.hash >> (64 - k_bits);
    for (std::size_t c = 0; c < limit; ++c)
      for (const Key& k : m_keys[c * k_parts + part])
        if (k.hash == p.hash && k.tag == p.tag) return std::make_pair(c, k.line);
    return std::nullopt;
  }
  /// Gives back the room reserved for chunk `chunk` and not used.
  void shrink(std::size_t chunk) {
    for (std::size_t p = 0; p < k_parts; ++p) m_keys[chunk * k_parts + p].shrink_to_fit();
  }

private:
  std::size_t repeat_in(std::size_t part, std::size_t limit, const std::vector<Key>& earlier,
                        const std::vector<std::pair<const KeyPartitions*, std::size_t>>& pending,
                        std::vector<std::uint64_t>& table) const;
  std::vector<std::vector<Key>> m_keys; ///< [chunk * k_parts + partition]
};

} // namespace cskpi
