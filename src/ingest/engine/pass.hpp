// SPDX-License-Identifier: MIT
// The parallel pass over a file (issue 13), generic over a row parser (issue 29): it knows
// chunks, keys and the running sums of the totals rule, and no column. The rest of the file
// is cut into chunks at byte offsets; a chunk holds the lines that start in it, so no line
// is read twice and none is missed. Each thread takes the next chunk and reads it with its
// own buffer: only rows the parser's fast path takes, each checked against the state the
// general path would have at that line (the duplicate keys of the run so far), summed into a
// fork of the sink. The first line that needs anything else (an error, a warning, a new kind
// of period) ends its chunk there. Afterwards the good chunks from the start are kept, with
// the lines before the problem in the first bad one, less any chunk holding the second of
// two equal keys or a row that repeats the sums above it, both only decidable once the
// chunks before are known; the general path reads on from there, through the problem line
// (or the chunk not kept), and the next pass starts after it. A file with no problem is read
// in one pass; every diagnostic comes from the general path, so the output is the same for
// any number of threads.
//
// The parser (a RowParser, below) is the form's fast path: movements_fast.cpp's.
#pragma once

#include "core/parallel.hpp"
#include "core/records.hpp"
#include "ingest/engine/chunks.hpp"
#include "ingest/engine/dedup.hpp"
#include "ingest/engine/padded.hpp"

#include <atomic>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cskpi::ingest {

/// What a pass needs of a form's fast path:
///   P::State                          one thread's parsing state, reused from line to line
///   p.blank(text)                     a line the general path skips too
///   p.row(state, line, number)        the row of a line the fast path takes, checked as the
///                                     general path would check it at that point of the file
///                                     (valid until the next call), or nullptr: the general
///                                     path must read the line
/// A parser is copied into what reads a pass's keys again later (PendingKeys::reread).
template <class P>
concept RowParser = std::copy_constructible<P> && std::default_initializable<typename P::State> &&
    requires(const P& p, typename P::State& s, PaddedLine line, std::uint64_t n) {
  { p.blank(line.text()) } -> std::convertible_to<bool>;
  { p.row(s, line, n) } -> std::same_as<const MovementRow*>;
};

/// A parallel pass's keys, not in the run's duplicate index yet (Run::pending_keys).
struct PendingKeys {
  std::unique_ptr<KeyPartitions> keys;
  std::size_t chunks = 0; ///< the chunks committed: [0, chunks)
  std::uint32_t file = 0;
  std::vector<std::uint64_t> first_line; ///< per chunk
  /// For chunks of words only, or of no keys: each chunk's bytes [begin, end), and what
  /// reads the keys of such bytes again (set while their file is read), checking them
  /// against the chunk's range when it kept no keys.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> bytes;
  std::function<void(std::uint64_t begin, std::uint64_t end, const KeyRange* range, KeyOrder order,
                     std::vector<KeyPartitions::Found>& keys)>
      reread;
  /// Set when the chunks kept no keys, their rows being ordered: a key is looked for only
  /// in the chunk whose range holds it. Such keys stay pending to the end of the file.
  std::optional<OrderedChunks> ordered;
};

/// What of the run a pass reads, and the pending keys it adds to.
struct PassRun {
  const DuplicateIndex& seen;
  std::vector<PendingKeys>& pending;
  /// The text of each key in `seen`, while they are few and all known (Run::key_texts).
  const std::vector<std::pair<std::string, std::string>>& key_texts;
  bool key_texts_whole = true;
  bool last_file = false; ///< no file follows this one
};

/// Where and how a pass reads.
struct PassSetup {
  unsigned threads = 1;
  bool first = false;            ///< the file's first pass
  std::uint64_t chunk_bytes = 0; ///< the chunk size asked for; 0: sized to the threads
  std::uint64_t file_size = 0;
  std::uint32_t file_index = 0;
};

/// The sums of the four amounts a totals row repeats (start, expansion, contraction and
/// churned MRR) over the rows before the pass, and over those since the last totals row: a
/// pass keeps no row that repeats either, and moves them on over the rows it keeps.
struct PassTotals {
  struct Sums {
    std::int64_t sums[4] = {};
    std::uint64_t rows = 0;
    bool overflow = false; ///< the sums left int64: no row repeats them any more
  };
  Sums all;   ///< every row above: a grand total repeats them
  Sums since; ///< the rows since the last totals row: a group's subtotal repeats them
};

__extension__ typedef __int128 PassSum;

/// One pass's chunks and what its threads share.
struct ChunkPass {
  struct alignas(64) Chunk {          // threads write neighbouring chunks: no shared cache lines
    std::uint64_t from = 0, to = 0;   ///< the byte range: the chunk holds the lines that start in it
    std::uint64_t begin = 0, end = 0; ///< its first line's start; the next chunk's
    std::uint64_t lines = 0;          ///< lines that start in it, blank ones included
    std::uint64_t rows = 0;
    enum class State : std::uint8_t { waiting, done, failed } state = State::waiting;
    bool partial = false; ///< failed, but its lines from `begin` to `end` (a line start) are good
    bool keyed = true;    ///< its keys are in the pass's lists; else its rows are ordered (`range`)
    KeyRange range;
    std::uint64_t keyed_from = 0; ///< a keyed chunk's first line with a key in the lists
    std::uint64_t keyed_rows = 0; ///< rows from there
    std::unique_ptr<RowSink> sink;
    PassSum sums[4] = {}; ///< the four amounts of PassTotals over its rows
    /// Rows that might repeat the sums of the rows above them (PassTotals, either set): at least
    /// two non-zero amounts, each at least the sum of the chunk's rows before. As each such row
    /// at least doubles two of the chunk's sums, a chunk has at most a few hundred.
    struct Candidate {
      std::uint64_t row; ///< rows of the chunk before it
      std::int64_t amounts[4];
      PassSum before[4]; ///< the chunk's sums before it
    };
    std::vector<Candidate> candidates;
  };
  /// The ranges of earlier passes' ordered chunks: a row whose key lies in one ends its chunk.
  struct OrderedBefore {
    const OrderedChunks* chunks;
    /// The last key of all: a row after it (in a sorted file, every later row) is in no range.
    std::string_view period;
    char id[64 + 16] = {}; ///< read 16 bytes on (compare_padded)
    std::size_t id_size = 0;
    bool after(std::string_view row_period, std::string_view row_id) const noexcept;
  };

  /// Cuts bytes [begin, end) of `fd` into chunks for `setup.threads` threads, each with a
  /// fork of `sink`; `first_line` is the number of the line at `begin`.
  ChunkPass(const PassRun& run, const PassSetup& setup, RowSink& sink, int fd, std::uint64_t begin,
            std::uint64_t first_line);

  ChunkFile file;
  std::uint64_t chunk = 0;      ///< the chunk size
  std::uint64_t first_line = 0; ///< the number of the line at `file.begin`
  /// The first pass over the run's last file keeps its keys' words only (KeyPartitions).
  bool words = false;
  /// Keys seen before the pass are looked up row by row when they are many (another file's);
  /// the few of the first rows are compared after the pass, with the pass's own keys.
  bool look_up = false;
  /// The chunks keep no keys while their rows' keys increase (KeyRange): on the first pass
  /// over the run's last file, with no other pass's keys pending.
  bool ordered = false;
  /// A chunk's rows were out of order: the chunks begun after keep keys from their start.
  std::atomic<bool> disordered{false};
  std::vector<OrderedBefore> ordered_before;
  std::vector<Chunk> chunks;
  KeyPartitions keys;
  std::atomic<std::size_t> failed{0}; ///< the lowest failed chunk (chunks.size(): none)
  void fail(std::size_t k) {
    chunks[k].state = Chunk::State::failed;
    for (std::size_t have = failed.load(); k < have && !failed.compare_exchange_weak(have, k);) {}
  }

  /// After the threads: the chunks kept from the start, less those from the first that holds
  /// a row repeating the sums above it (`totals`, the rows before the pass).
  std::size_t kept_before_totals(std::size_t kept, const PassTotals& totals) const;
  /// Adds chunks [0, kept) to `sink` and `totals` (less those from one whose sums overflow
  /// the sink); returns the chunks added and sets `rows` to their rows.
  std::size_t merge(std::size_t kept, RowSink& sink, PassTotals& totals, std::uint64_t& rows);
  /// Where the general path goes on after chunks [0, kept); keeps their keys pending in
  /// `run` (returned; nullptr when no chunk is kept). `ordered_kept`: settle_order() held.
  PassEnd end(std::size_t kept, PassRun& run, std::uint32_t file_index, bool ordered_kept, PendingKeys*& pending);
};

/// The KeyOrder bits in which key (period, id) follows key (prev_period, prev_id). `padded`:
/// both ids may be read 16 bytes on (compare_padded()).
template <bool padded = false> std::uint8_t follows(std::string_view prev_period, std::string_view prev_id,
                                                    std::string_view period, std::string_view id) noexcept {
  const int by_id = padded ? compare_padded(id.data(), id.size(), prev_id.data(), prev_id.size()) : id.compare(prev_id);
  const int by_period =
      period.data() == prev_period.data() && period.size() == prev_period.size() ? 0 : period.compare(prev_period);
  const bool period_first = by_period > 0 || (by_period == 0 && by_id > 0);
  const bool customer_first = by_id > 0 || (by_id == 0 && by_period > 0);
  return static_cast<std::uint8_t>((period_first ? static_cast<std::uint8_t>(KeyOrder::period_first) : 0) |
                                   (customer_first ? static_cast<std::uint8_t>(KeyOrder::customer_first) : 0));
}

/// One thread's reading state, reused from chunk to chunk. On cache lines of its own: the
/// threads write theirs row after row (the stage's end, the hasher's cache), and two scanners
/// sharing a line ran the shuffled 10 M rows at 0.95 s instead of 0.60 s in about half the runs
/// (as ASLR placed the vector).
template <RowParser P> struct alignas(64) PassScanner {
  ChunkBuffer buf;
  KeyHasher hasher;
  typename P::State state;
  char last_id[64 + 16] = {}; ///< the last row's customer_id in an ordered chunk (read 16 bytes on)
  // For reading a chunk's lines again while the chunk is read.
  ChunkBuffer again;
  typename P::State again_state;
  std::vector<KeyPartitions::Found> found;
  KeyPartitions::Stage stage; ///< the keys of the chunk being read
};

/// Calls f(row, line) for each row of the lines that start in bytes [begin, end) of file
/// `fd`, which a pass read: every line there is blank or one the parser takes. Throws
/// FileChanged if not.
template <RowParser P, class F> void each_row_again(const P& parser, typename P::State& state, ChunkBuffer& buf, int fd,
                                                    std::uint64_t begin, std::uint64_t end, F&& f) {
  ChunkFile file;
  file.fd = fd;
  file.begin = begin;
  file.end = end;
  ChunkLines in(file, buf, begin, end);
  PaddedLine text;
  for (std::uint32_t line = 0;; ++line) {
    const ChunkLines::Next got = in.next(text);
    if (got == ChunkLines::Next::end) break;
    if (got == ChunkLines::Next::stop) throw FileChanged{}; // the file shrank, or cannot be read
    if (parser.blank(text.text())) continue;
    const MovementRow* r = parser.row(state, text, line);
    if (r == nullptr) throw FileChanged{};
    f(*r, line);
  }
}

/// The keys of the lines each_row_again() reads, added to `keys`: for PendingKeys::reread,
/// and for a chunk whose rows stop being ordered. With a `range`, they must be its keys,
/// increasing in `order`. Throws FileChanged if not.
template <RowParser P> void reread_keys(const P& parser, typename P::State& state, KeyHasher& hasher, ChunkBuffer& buf,
                                        int fd, std::uint64_t begin, std::uint64_t end, const KeyRange* range,
                                        KeyOrder order, std::vector<KeyPartitions::Found>& keys) {
  std::string_view last_period;
  std::string last_id;
  const std::size_t had = keys.size();
  each_row_again(parser, state, buf, fd, begin, end, [&](const MovementRow& r, std::uint32_t line) {
    if (range != nullptr) { // the chunk's range, key after key
      const bool first = keys.size() == had;
      if (first ? r.period != range->first_period || r.customer_id != range->first_id
                : (follows(last_period, last_id, r.period, r.customer_id) & static_cast<std::uint8_t>(order)) == 0)
        throw FileChanged{};
      last_period = r.period;
      last_id.assign(r.customer_id);
    }
    keys.push_back(KeyPartitions::Found{hasher(r.period, r.customer_id), line});
  });
  if (range != nullptr &&
      (keys.size() - had != range->rows || last_period != range->last_period || last_id != range->last_id))
    throw FileChanged{};
}

/// Reads chunk `k` of `pass` (ChunkPass): see the file's head.
template <RowParser P> class ChunkScan {
public:
  ChunkScan(const P& parser, ChunkPass& pass, const DuplicateIndex& seen, std::size_t k, PassScanner<P>& w)
      : m_parser(parser),
        m_pass(pass),
        m_seen(seen),
        m_k(k),
        m_c(pass.chunks[k]),
        m_w(w),
        m_in(pass.file, w.buf, m_c.from, m_c.to) {}

  void run() {
    m_w.stage.clear(); // (a chunk given up leaves its keys there)
    try {
      for (;;) {
        if (m_pass.failed.load(std::memory_order_relaxed) < m_k) return; // not needed any more
        PaddedLine text;
        const ChunkLines::Next got = m_in.next(text);
        if (got == ChunkLines::Next::end) break;
        const std::uint64_t line_start = m_in.line_start();
        if (got == ChunkLines::Next::stop) return stop(line_start, m_lines);
        const std::uint64_t line = m_lines++;
        if (m_parser.blank(text.text())) continue;
        if (m_in.high() && invalid_utf8(text.text())) return stop(line_start, line);
        const MovementRow* r = m_parser.row(m_w.state, text, line);
        if (r == nullptr || !take(*r, line_start, line)) return stop(line_start, line);
      }
    } catch (...) {            // a sum of the fork overflowed, memory ran out, or the lines read again
      return m_pass.fail(m_k); // differ: the general path tells (nothing of the chunk is kept)
    }
    m_pass.keys.seal(m_k, m_w.stage);
    close_range();
    m_c.lines = m_lines;
    m_c.rows = m_rows;
    for (int i = 0; i < 4; ++i) m_c.sums[i] = m_sums[i];
    m_c.begin = m_in.begin();
    m_c.end = m_in.offset();
    m_c.state = ChunkPass::Chunk::State::done;
  }

private:
  /// Takes a row the parser took; false when its key ends the chunk.
  bool take(const MovementRow& r, std::uint64_t line_start, std::uint64_t line) {
    for (const ChunkPass::OrderedBefore& o : m_pass.ordered_before) // may repeat a key of an ordered chunk
      if (!o.after(r.period, r.customer_id) && o.chunks->holder(r.period, r.customer_id)) return false;
    if (m_in_order) keep_order(r, line_start);
    if (!m_in_order) {
      const KeyHasher::Probe probe = m_w.hasher(r.period, r.customer_id);
      if (m_pass.look_up && m_seen.contains(probe)) return false; // seen before this pass
      m_w.stage.add(probe, static_cast<std::uint32_t>(line));
    }
    const std::int64_t amounts[4] = {r.start.micros, r.expansion.micros, r.contraction.micros, r.churned.micros};
    if ((amounts[0] != 0) + (amounts[1] != 0) + (amounts[2] != 0) + (amounts[3] != 0) >= 2 && amounts[0] >= m_sums[0] &&
        amounts[1] >= m_sums[1] && amounts[2] >= m_sums[2] && amounts[3] >= m_sums[3])
      m_c.candidates.push_back(ChunkPass::Chunk::Candidate{
          m_rows, {amounts[0], amounts[1], amounts[2], amounts[3]}, {m_sums[0], m_sums[1], m_sums[2], m_sums[3]}});
    for (int i = 0; i < 4; ++i) m_sums[i] += amounts[i];
    m_c.sink->add(r);
    ++m_rows;
    return true;
  }

  /// While its rows' keys increase, an ordered pass's chunk keeps only its first and last
  /// key (the keys read before the pass are few: none is looked up here).
  void keep_order(const MovementRow& r, std::uint64_t line_start) {
    const bool fits = r.customer_id.size() <= sizeof m_w.last_id - 16;
    if (m_rows == 0 && fits) {
      m_c.range.first_period = r.period;
      m_c.range.first_id = r.customer_id;
    } else if (!fits ||
               (m_orders &= follows<true>(m_last_period, std::string_view(m_w.last_id, m_last_id_size), r.period,
                                          r.customer_id)) == 0) {
      // Out of order (or an id too long to keep): the rows before get their keys from their
      // lines again.
      m_in_order = false;
      m_pass.disordered.store(true, std::memory_order_relaxed);
      m_keyed_from = line_start;
      m_rows_in_order = m_rows;
      m_w.found.clear();
      reread_keys(m_parser, m_w.again_state, m_w.hasher, m_w.again, m_pass.file.fd, m_in.begin(), line_start, nullptr,
                  KeyOrder::period_first, m_w.found);
      if (m_w.found.size() != m_rows) throw FileChanged{};
      for (const KeyPartitions::Found& f : m_w.found) m_w.stage.add(f.probe, f.line);
      return;
    }
    m_last_period = r.period;
    m_last_id_size = r.customer_id.size();
    std::memcpy(m_w.last_id, r.customer_id.data(), m_last_id_size);
  }

  /// What the chunk's rows tell of their order, at its end or where it stops.
  void close_range() {
    m_c.keyed = !m_in_order;
    m_c.keyed_from = m_keyed_from == UINT64_MAX ? m_in.begin() : m_keyed_from;
    m_c.keyed_rows = m_rows - m_rows_in_order;
    m_c.range.last_period = m_last_period;
    m_c.range.last_id.assign(m_w.last_id, m_last_id_size);
    m_c.range.rows = m_rows;
    m_c.range.orders = m_orders;
  }

  /// A line the fast path cannot take ends the chunk there: the lines before it are kept.
  void stop(std::uint64_t line_start, std::uint64_t lines_before) {
    if (m_in.started()) { // the lines before it are good
      m_pass.keys.seal(m_k, m_w.stage);
      close_range();
      m_c.begin = m_in.begin();
      m_c.end = line_start;
      m_c.lines = lines_before;
      m_c.rows = m_rows;
      for (int i = 0; i < 4; ++i) m_c.sums[i] = m_sums[i];
      m_c.partial = true;
    }
    m_pass.fail(m_k);
  }

  const P& m_parser;
  ChunkPass& m_pass;
  const DuplicateIndex& m_seen;
  std::size_t m_k;
  ChunkPass::Chunk& m_c;
  PassScanner<P>& m_w;
  ChunkLines m_in;
  bool m_in_order = m_pass.ordered && !m_pass.disordered.load(std::memory_order_relaxed);
  std::uint64_t m_rows_in_order = 0; ///< rows before keys were kept
  std::uint64_t m_keyed_from = UINT64_MAX;
  std::uint8_t m_orders =
      static_cast<std::uint8_t>(KeyOrder::period_first) | static_cast<std::uint8_t>(KeyOrder::customer_first);
  std::string_view m_last_period;        ///< a label the parser keeps
  std::size_t m_last_id_size = 0;        ///< in m_w.last_id
  std::uint64_t m_lines = 0, m_rows = 0; ///< counted here, stored in the chunk at its end
  PassSum m_sums[4] = {};
};

/// After an ordered pass: which of the chunks [0, kept) that kept no keys stay so, the others
/// getting their keys' words, so that no repeat among the pass's rows and the keys read
/// before goes unseen. False when none stays so.
template <RowParser P>
bool settle_order(const P& parser, ChunkPass& pass, const PassRun& run, std::size_t kept, unsigned threads) {
  // The kept chunks that kept no keys (ordered) and the rows that did (keyed).
  std::vector<KeyRange> ranges(kept); // a keyed chunk's has no rows
  std::uint64_t ordered_rows = 0, keyed_rows = 0;
  for (std::size_t k = 0; k < kept; ++k) {
    const ChunkPass::Chunk& c = pass.chunks[k];
    if (c.keyed) {
      keyed_rows += c.keyed_rows;
    } else {
      ranges[k] = c.range;
      ordered_rows += c.range.rows;
    }
  }
  if (ordered_rows == 0) return false;
  std::vector<std::uint8_t> to_key(kept, 0); // ordered chunks that get their keys
  const std::optional<OrderedChunks> chunks = OrderedChunks::make(ranges);
  if (chunks)
    for (const auto& [period, id] : run.key_texts) // a key read before: the chunk that may hold it gets its keys
      if (const auto c = chunks->holder(period, id)) to_key[*c] = 1;
  std::vector<PassScanner<P>> scanners(std::max(threads, 1u));
  if (!chunks || keyed_rows >= ordered_rows) { // (then reading the ordered chunks again costs less)
    for (std::size_t k = 0; k < kept; ++k) to_key[k] = !pass.chunks[k].keyed;
  } else if (keyed_rows > 0) { // the keyed rows, read again, tell which ordered chunk may hold one
    std::mutex marks;
    parallel_for(kept, threads, [&](std::size_t k, unsigned slot) {
      const ChunkPass::Chunk& c = pass.chunks[k];
      if (!c.keyed || c.keyed_rows == 0) return;
      PassScanner<P>& w = scanners[slot];
      std::vector<std::size_t> hit;
      each_row_again(parser, w.state, w.buf, pass.file.fd, c.keyed_from, c.end,
                     [&](const MovementRow& r, std::uint32_t) {
                       if (const auto o = chunks->holder(r.period, r.customer_id)) hit.push_back(*o);
                     });
      const std::lock_guard<std::mutex> hold(marks);
      for (const std::size_t o : hit) to_key[o] = 1;
    });
  }
  parallel_for(kept, threads, [&](std::size_t k, unsigned slot) {
    ChunkPass::Chunk& c = pass.chunks[k];
    if (!to_key[k]) return;
    PassScanner<P>& w = scanners[slot];
    w.found.clear();
    const bool period_first = (c.range.orders & static_cast<std::uint8_t>(KeyOrder::period_first)) != 0;
    reread_keys(parser, w.state, w.hasher, w.buf, pass.file.fd, c.begin, c.end, &c.range,
                period_first ? KeyOrder::period_first : KeyOrder::customer_first, w.found);
    for (const KeyPartitions::Found& f : w.found) w.stage.add(f.probe, f.line);
    pass.keys.seal(k, w.stage);
    c.keyed = true;
  });
  for (std::size_t k = 0; k < kept; ++k)
    if (!pass.chunks[k].keyed) return true;
  return false;
}

/// The result of parallel_pass(): where the general path goes on, and the rows the pass kept.
struct PassResult {
  PassEnd end;
  std::size_t chunks = 0; ///< chunks kept
  std::uint64_t rows = 0; ///< their rows
};

/// Reads bytes [lines.offset(), setup.file_size) of `lines`' file in chunks on every thread
/// with `parser`, and keeps the longest run of chunks from the start that hold only rows it
/// takes (see the file's head): their rows go to `sink` and `totals`, their keys to
/// `run.pending`.
template <RowParser P> PassResult parallel_pass(const P& parser, PassRun& run, RowSink& sink, LineSource& lines,
                                                const PassSetup& setup, PassTotals& totals) {
  const std::uint64_t begin = lines.offset();
  ChunkPass pass(run, setup, sink, lines.seekable_fd(), begin, lines.next_line_number());
  const std::size_t n = pass.chunks.size();
  std::vector<PassScanner<P>> scanners(std::max(setup.threads, 1u));
  scanners[0].buf.progress = &lines; // (slot 0 is this thread)
  parallel_for(n, setup.threads, [&](std::size_t k, unsigned slot) {
    if (k <= pass.failed.load()) ChunkScan<P>(parser, pass, run.seen, k, scanners[slot]).run();
  });
  scanners.clear();

  // The chunks kept: the good ones before the first failed one...
  std::size_t kept = 0;
  while (kept < n && pass.chunks[kept].state == ChunkPass::Chunk::State::done) ++kept;
  if (kept < n && pass.chunks[kept].partial) ++kept; // the lines before its problem
  // ...before the first that holds the second of two equal keys... Ordered chunks whose
  // ranges do not overlap, and hold no key of another row, hold no repeat; the others get
  // their keys.
  const bool ordered = pass.ordered && settle_order(parser, pass, run, kept, setup.threads);
  std::vector<std::pair<const KeyPartitions*, std::size_t>> earlier;
  for (const PendingKeys& p : run.pending) earlier.emplace_back(p.keys.get(), p.chunks);
  kept = pass.keys.first_repeat(kept, setup.threads, pass.look_up ? nullptr : &run.seen, earlier);
  // ...or a row repeating the sums of the rows above it, which the general path rejects.
  kept = pass.kept_before_totals(kept, totals);
  PassResult out;
  kept = pass.merge(kept, sink, totals, out.rows);
  PendingKeys* pending = nullptr;
  out.end = pass.end(kept, run, setup.file_index, ordered, pending);
  out.chunks = kept;
  if (pending != nullptr && pass.words) // the lines are read again when a key is asked for
    pending->reread = [parser, fd = pass.file.fd, w = std::make_shared<PassScanner<P>>()](
                          std::uint64_t from, std::uint64_t to, const KeyRange* range, KeyOrder order,
                          std::vector<KeyPartitions::Found>& keys) { // one buffer for every chunk read again
      reread_keys(parser, w->state, w->hasher, w->buf, fd, from, to, range, order, keys);
    };
  return out;
}

} // namespace cskpi::ingest
