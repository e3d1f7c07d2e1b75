// SPDX-License-Identifier: MIT
// Internal to ingest: a compact set of (period, customer_id) keys for duplicate detection.
#pragma once

#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
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
    std::uint32_t file = 0; ///< index of the file; k_unknown_file when it did not fit
    std::uint64_t line = 0; ///< 1-based line; 0 when it did not fit in 32 bits
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
  void* m_map = nullptr; ///< the heap block or mapping (mapped()); m_slots is its first huge-page boundary
  Slot* m_slots = nullptr;
  std::size_t m_capacity = 0;
  std::size_t m_size = 0;
  KeyHasher m_hasher;
};

/// Two strict orders of (period, customer_id) keys, as a sorted export's rows follow one:
/// by period, then customer (a month's rows, month after month), or by customer, then
/// period. Text compares byte by byte; any strict order would do, as only equality matters.
enum class KeyOrder : std::uint8_t { period_first = 1, customer_first = 2 };
/// <0, 0 or >0 as key a is before, equal to or after key b in `order`.
int compare_keys(KeyOrder order, std::string_view period_a, std::string_view id_a, std::string_view period_b,
                 std::string_view id_b) noexcept;

/// A chunk of a pass whose rows' keys strictly increase in an order: no two of its rows
/// share a key, and a key outside [first, last] in that order is none of its rows'.
struct KeyRange {
  std::string first_period, first_id, last_period, last_id;
  std::uint64_t rows = 0;
  std::uint8_t orders = 0; ///< the KeyOrder bits in which every row's key follows the one before
};

/// The chunks of a pass that kept no keys because each one's keys increase (KeyRange): when
/// they all do so in one order and no two ranges overlap, no two rows of them share a key,
/// and a key lies in one chunk's range at most, which finds the only chunk that may hold it.
class OrderedChunks {
public:
  /// nullopt unless one order has every range increasing and no two of them overlapping.
  static std::optional<OrderedChunks> make(const std::vector<KeyRange>& ranges);
  /// The chunk whose range holds the key, if any.
  std::optional<std::size_t> holder(std::string_view period, std::string_view id) const;
  /// Whether the key lies within the first key of all and the last (a quick test first).
  bool within(std::string_view period, std::string_view id) const;
  KeyOrder order() const noexcept { return m_order; }
  const KeyRange& range(std::size_t chunk) const { return m_ranges[chunk]; }
  /// The range that ends with the last key of all (nullptr when there is none).
  const KeyRange* highest() const noexcept { return m_sorted.empty() ? nullptr : &m_ranges[m_sorted.back()]; }

private:
  KeyOrder m_order = KeyOrder::period_first;
  std::vector<KeyRange> m_ranges;    ///< by chunk
  std::vector<std::size_t> m_sorted; ///< the chunks, by their first keys
};

/// The keys of one parallel pass over a file (issue 13), kept per chunk of the file and per
/// partition of the hash space, with no random access while the chunks are read. After the
/// pass, equal keys are found partition by partition in tables that fit the cache, and the
/// keys of the committed chunks go into the run's DuplicateIndex only if something later
/// needs them there (another file, or a chunk read the general way).
///
/// A chunk may also keep no keys at all (absent): its rows were sorted by key, and the pass
/// showed from their ranges (OrderedChunks) that none of them repeats; expand() gives it its
/// keys when one is looked for in its range.
///
/// Each key is kept as its word: the hash below the partition's bits and the tag's low byte,
/// 72 of its 88 bits with the partition. A pass keeps the rest too, the tag's other 16 bits
/// and the line (16 bytes a key), except the first pass over the run's last file (all of a
/// clean file): it keeps the word only (8 bytes a key: 80 MB less at 10 M rows), and a
/// chunk's lines and the rest of its keys come back, when a duplicate or the general path
/// needs them, from reading the chunk again (expand()).
class KeyPartitions {
public:
  static constexpr unsigned k_bits = 8;
  static constexpr std::size_t k_parts = std::size_t{1} << k_bits;
  /// A key's word; never 0 (the hash's lowest bit is set).
  static std::uint64_t word(const KeyHasher::Probe& p) noexcept { return (p.hash << k_bits) | (p.tag & 0xFFu); }
  /// A key of a chunk's line and the line's index in the chunk, from 0, as reading the
  /// chunk again gives them.
  struct Found {
    KeyHasher::Probe probe;
    std::uint32_t line;
  };

  /// A chunk's keys as its reader meets them, before seal() files them; one per thread,
  /// reused from chunk to chunk (its memory stays warm).
  class Stage {
  public:
    void add(const KeyHasher::Probe& p, std::uint32_t line) {
      m_keys.push_back(word(p));
      m_keys.push_back((p.hash >> (64 - k_bits) << 56) | (p.tag << 32) | line); // the partition on top
    }
    std::size_t size() const noexcept { return m_keys.size() / 2; }
    void clear() noexcept { m_keys.clear(); }

  private:
    friend class KeyPartitions;
    /// Per key: its word, then (its partition << 56) | (the tag << 32) | the line.
    std::vector<std::uint64_t> m_keys;
  };

  /// `lines`: whether every chunk keeps each key whole with its line (else its word only).
  KeyPartitions(std::size_t chunks, bool lines);
  KeyPartitions(KeyPartitions&&) noexcept;
  KeyPartitions& operator=(KeyPartitions&&) noexcept;
  ~KeyPartitions();
  /// Files the keys of `stage` as chunk `chunk`'s, after those it holds, and clears `stage`.
  /// A chunk is filed by one thread; different chunks may be filed at once.
  void seal(std::size_t chunk, Stage& stage);
  /// Whether chunk `chunk` holds its keys whole, with their lines.
  bool whole(std::size_t chunk) const noexcept {
    return m_state[chunk] == State::expanded || (m_lines && m_state[chunk] == State::kept);
  }
  /// Marks chunk `chunk`, which holds no key, as one whose keys were not kept (its rows are
  /// ordered: OrderedChunks); expand() gives it its keys, find() and first_repeat() skip it.
  void set_absent(std::size_t chunk) noexcept { m_state[chunk] = State::absent; }
  bool absent(std::size_t chunk) const noexcept { return m_state[chunk] == State::absent; }
  /// Among the keys of chunks [0, limit): the lowest chunk that holds the second of two
  /// equal keys, or a key of `earlier` (keys seen before the pass; none if nullptr) or of
  /// `pending` (other passes' keys, each of its chunks [0, second)), or
  /// `limit` when there is no such chunk. Runs on `threads` threads. Keys are compared by
  /// their words: two keys that differ only in the rest of the tag, about one pair in 10^19,
  /// end the kept chunks early, which costs the general path a chunk to read and changes no
  /// result.
  std::size_t first_repeat(std::size_t limit, unsigned threads, const DuplicateIndex* earlier,
                           const std::vector<std::pair<const KeyPartitions*, std::size_t>>& pending = {}) const;
  /// Adds the keys of chunks [0, limit), which must all be whole(), to `index` as seen in
  /// file `file` at line `first_line[chunk] + line`.
  void insert_into(DuplicateIndex& index, std::size_t limit, std::uint32_t file,
                   const std::vector<std::uint64_t>& first_line) const;
  /// Frees the keys of chunks [limit, chunks()).
  void drop_from(std::size_t limit);
  /// A key of chunks [0, limit) that may equal `p`: the lowest chunk whose word equals p's,
  /// with the line when that chunk is whole() and the whole key is equal. A chunk of words
  /// only gives no line: expand() it and ask again.
  struct Hit {
    std::size_t chunk;
    std::optional<std::uint32_t> line;
  };
  std::optional<Hit> find(const KeyHasher::Probe& p, std::size_t limit) const;
  /// Makes chunk `chunk` whole from `keys`: the keys of its lines again, in line order.
  /// False, changing nothing, when their words are not the chunk's (the file changed); an
  /// absent() chunk takes them as they are (its reader checks them against its range).
  bool expand(std::size_t chunk, const std::vector<Found>& keys);

private:
  /// How many words an entry of chunk `chunk` takes.
  std::size_t stride(std::size_t chunk) const noexcept { return whole(chunk) ? 2 : 1; }
  std::size_t repeat_in(std::size_t part, std::size_t limit, const std::vector<std::uint64_t>& earlier,
                        const std::vector<std::pair<const KeyPartitions*, std::size_t>>& pending,
                        std::vector<std::uint64_t>& table) const;
  /// The keys of chunk `chunk` in partition `part`: each key's word, followed in a whole chunk
  /// by (the tag << 32) | the line.
  std::span<const std::uint64_t> list(std::size_t chunk, std::size_t part) const noexcept {
    const Keys& k = m_keys[chunk];
    if (k.data == nullptr) return {};
    return {k.data + k.at[part], k.data + k.at[part + 1]};
  }
  /// Room for `words` words, for the lifetime of this object (Arena in dedup.cpp).
  std::uint64_t* take(std::size_t words);

  /// A chunk's keys, partition after partition: partition p at [at[p], at[p + 1]) of data.
  /// The words lie in the arena, or in `own` when expand() gave them.
  struct Keys {
    const std::uint64_t* data = nullptr;
    std::array<std::uint32_t, k_parts + 1> at{};
    std::vector<std::uint64_t> own;
  };
  std::vector<Keys> m_keys; ///< per chunk
  /// Where the chunks' keys lie: big blocks taken from as chunks are sealed, never given back
  /// one by one (a chunk's keys live as long as the pass's), so a 10 M-row file's keys are a
  /// few blocks the program's operator new can put on huge pages, not 256 small lists a chunk.
  struct Arena;
  std::unique_ptr<Arena> m_arena;
  enum class State : std::uint8_t {
    kept,     ///< as the pass kept its keys: words only, or whole (m_lines)
    expanded, ///< made whole by expand()
    absent    ///< no keys until expand()
  };
  std::vector<State> m_state; ///< per chunk
  bool m_lines;
};

} // namespace cskpi
