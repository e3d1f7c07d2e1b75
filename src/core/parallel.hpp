// SPDX-License-Identifier: MIT
// Splitting a range of customers over threads: the snapshot table's derivation and the exact
// cohorts share it. The ingest engine's chunked pass has its own scheduler (ingest/engine).
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace cskpi {

/// Runs `work(part, from, to)` for `parts` ranges of `n` customers, part 0 on the calling
/// thread; the first exception a part threw is thrown after all have ended.
template <typename Work> void for_ranges(std::size_t n, unsigned parts, Work&& work) {
  std::vector<std::exception_ptr> failed(parts);
  const auto run = [&](unsigned i) {
    try {
      work(i, n * i / parts, n * (i + 1) / parts);
    } catch (...) {
      failed[i] = std::current_exception();
    }
  };
  std::vector<std::thread> helpers;
  for (unsigned i = 1; i < parts; ++i) helpers.emplace_back(run, i);
  run(0);
  for (std::thread& t : helpers) t.join();
  for (const std::exception_ptr& e : failed)
    if (e) std::rethrow_exception(e);
}

/// Ranges worth a thread each: at least 64k customers a range.
inline unsigned parts_for(std::size_t customers, unsigned threads) {
  return static_cast<unsigned>(std::clamp<std::size_t>(customers >> 16, 1, std::max(threads, 1u)));
}

} // namespace cskpi
