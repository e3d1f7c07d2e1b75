// SPDX-License-Identifier: MIT
// The parts of the parallel pass (pass.hpp) that do not depend on the row parser: cutting the
// file into chunks, and deciding after the threads which chunks are kept.
#include "ingest/engine/pass.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace cskpi::ingest {

namespace {
constexpr PassSum k_int64_max = std::numeric_limits<std::int64_t>::max();

/// Chunks small enough that the last one finishes soon after the others, and at most 1,024
/// of them (each chunk has its key lists).
std::uint64_t chunk_size(const PassSetup& setup, std::uint64_t size) {
  std::uint64_t chunk =
      setup.chunk_bytes > 0 ? setup.chunk_bytes : std::max<std::uint64_t>(size / (setup.threads * 24u) + 1, 1u << 20);
  return std::max<std::uint64_t>(chunk, size / 1024 + 1);
}
} // namespace

bool ChunkPass::OrderedBefore::after(std::string_view row_period, std::string_view row_id) const noexcept {
  if (id_size > 64) return false; // (the look-up decides)
  if (chunks->order() == KeyOrder::period_first) {
    const int by_period = row_period.compare(period);
    return by_period > 0 || (by_period == 0 && compare_padded(row_id.data(), row_id.size(), id, id_size) > 0);
  }
  const int by_id = compare_padded(row_id.data(), row_id.size(), id, id_size);
  return by_id > 0 || (by_id == 0 && row_period.compare(period) > 0);
}

ChunkPass::ChunkPass(const PassRun& run, const PassSetup& setup, RowSink& sink, int fd, std::uint64_t begin,
                     std::uint64_t first_line_number)
    : chunk(chunk_size(setup, setup.file_size - begin)),
      first_line(first_line_number),
      // The first pass over the run's last file keeps its keys' words only: on a clean file
      // it is the only pass, and nothing reads its keys again. A later pass follows a problem
      // line, and a file with problems may have its keys read line by line against the
      // pass's: those keep each key whole (a bad line every million rows: 1 s more on 10 M
      // rows to read the words' chunks again otherwise).
      words(run.last_file && setup.first),
      chunks(static_cast<std::size_t>((setup.file_size - begin + chunk - 1) / chunk)),
      keys(chunks.size(), !words) {
  // The threads only read the index. Keys that earlier passes left pending stay out of it:
  // they are compared with this pass's after it (a file gets a few passes only).
  const std::size_t n = chunks.size();
  file.fd = fd;
  file.begin = begin;
  file.end = setup.file_size;
  failed = n;
  look_up = run.seen.size() > (64u << 10);
  // With no other pass's keys to compare with, that pass keeps no keys at all for chunks
  // whose rows are sorted by key (as exports often are): their ranges show there is no
  // repeat. The keys read before are few, and their text known: they are looked for in the
  // ranges after the pass.
  ordered = words && run.pending.empty() && run.key_texts_whole;
  for (const PendingKeys& p : run.pending)
    if (p.ordered)
      if (const KeyRange* high = p.ordered->highest()) {
        OrderedBefore& o = ordered_before.emplace_back();
        o.chunks = &*p.ordered;
        o.period = high->last_period;
        o.id_size = high->last_id.size();
        std::memcpy(o.id, high->last_id.data(), std::min<std::size_t>(o.id_size, 64));
      }
  for (std::size_t k = 0; k < n; ++k) {
    chunks[k].from = begin + k * chunk;
    chunks[k].to = std::min(file.end, begin + (k + 1) * chunk);
    chunks[k].sink = sink.fork();
  }
}

namespace {

/// The running sums of one set of PassTotals over a pass's chunks, wide enough not to overflow.
struct Above {
  PassSum sums[4];
  std::uint64_t rows;
  bool usable; ///< the set's sums have not left int64

  explicit Above(const PassTotals::Sums& s)
      : sums{s.sums[0], s.sums[1], s.sums[2], s.sums[3]}, rows(s.rows), usable(!s.overflow) {}
  /// Whether candidate `x` repeats the sums up to it; false once they leave int64.
  bool repeated_by(const ChunkPass::Chunk::Candidate& x) {
    if (!usable) return false;
    bool equal = rows + x.row >= 2;
    for (int i = 0; i < 4; ++i) {
      const PassSum sum = sums[i] + x.before[i];
      usable = usable && sum <= k_int64_max; // the running sums stop counting there
      equal = equal && sum == x.amounts[i];
    }
    return usable && equal;
  }
  void add(const ChunkPass::Chunk& c) {
    for (int i = 0; i < 4; ++i) {
      sums[i] += c.sums[i];
      usable = usable && sums[i] <= k_int64_max;
    }
    rows += c.rows;
  }
};

void add_chunk(PassTotals::Sums& s, const ChunkPass::Chunk& c) {
  s.rows += c.rows;
  bool overflow = false;
  for (int i = 0; i < 4; ++i)
    overflow = overflow || c.sums[i] > k_int64_max ||
        __builtin_add_overflow(s.sums[i], static_cast<std::int64_t>(c.sums[i]), &s.sums[i]);
  s.overflow = s.overflow || overflow;
}

} // namespace

std::size_t ChunkPass::kept_before_totals(std::size_t kept, const PassTotals& totals) const {
  Above all(totals.all), since(totals.since);
  for (std::size_t k = 0; k < kept && (all.usable || since.usable); ++k) {
    const Chunk& c = chunks[k];
    for (const Chunk::Candidate& x : c.candidates) {
      const bool grand = all.repeated_by(x), subtotal = since.repeated_by(x);
      if (grand || subtotal) return k;
    }
    all.add(c);
    since.add(c);
  }
  return kept;
}

std::size_t ChunkPass::merge(std::size_t kept, RowSink& sink, PassTotals& totals, std::uint64_t& rows) {
  // The chunks' rows go to the sink, in order; one whose sums overflow is read again row by row.
  for (std::size_t k = 0; k < kept; ++k)
    if (!sink.merge(*chunks[k].sink)) {
      kept = k;
      break;
    }
  rows = 0;
  for (std::size_t k = 0; k < kept; ++k) {
    rows += chunks[k].rows;
    add_chunk(totals.all, chunks[k]);
    add_chunk(totals.since, chunks[k]);
  }
  return kept;
}

PassEnd ChunkPass::end(std::size_t kept, PassRun& run, std::uint32_t file_index, bool ordered_kept,
                       PendingKeys*& pending) {
  const std::size_t n = chunks.size();
  PassEnd out;
  out.chunk = chunk;
  std::vector<std::uint64_t> first_lines(kept + 1, first_line);
  for (std::size_t k = 0; k < kept; ++k) first_lines[k + 1] = first_lines[k] + chunks[k].lines;
  const bool part = kept > 0 && chunks[kept - 1].state != Chunk::State::done; // ends at a problem line
  out.all = kept == n && !part;
  out.offset = kept == 0 ? file.begin : chunks[kept - 1].end;
  out.line = first_lines[kept];
  // The general path reads the problem line, or the whole chunk that was not kept.
  out.through = part ? out.offset + 1 : kept == n ? file.end : chunks[kept].to;
  pending = nullptr;
  if (kept == 0) return out;
  keys.drop_from(kept);
  first_lines.pop_back();
  PendingKeys& p = run.pending.emplace_back(PendingKeys{
      std::make_unique<KeyPartitions>(std::move(keys)), kept, file_index, std::move(first_lines), {}, {}, {}});
  if (ordered_kept) { // the chunks that kept no keys, by their ranges
    std::vector<KeyRange> ranges(kept);
    for (std::size_t k = 0; k < kept; ++k)
      if (!chunks[k].keyed) {
        ranges[k] = chunks[k].range;
        p.keys->set_absent(k);
      }
    p.ordered = OrderedChunks::make(ranges); // fewer ranges than settle_order() took overlap no more
    if (!p.ordered) throw std::logic_error("parallel_pass: ordered chunks whose ranges overlap");
  }
  if (words)
    for (std::size_t k = 0; k < kept; ++k) p.bytes.emplace_back(chunks[k].begin, chunks[k].end);
  pending = &p;
  return out;
}

} // namespace cskpi::ingest
