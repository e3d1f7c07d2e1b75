// SPDX-License-Identifier: MIT
// The one place that starts threads (issue 29): the parallel passes over a file, the duplicate
// check of a pass's keys, the snapshot table's derivation and the exact cohorts all run their
// work through parallel_for, so its guarantees are tested once (tests/unit/test_thread_pool.cpp).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace cskpi {

/// Runs work(i) once for each i in [0, n) on up to `threads` threads, the calling thread one
/// of them, and returns when every call has returned. Index i < threads starts at once on a
/// thread of its own (index 0 on the calling thread), so those may wait for each other (a
/// reader and its taker, say); the others go in increasing order to whichever thread is
/// free. work(i, slot) also gets the running thread's slot in [0, threads), slot 0 the
/// calling thread's: per-thread state (a read buffer) lives in a vector indexed by it.
///
/// The first exception a call throws is thrown again after all threads have ended; no index
/// starts after it (the calls under way finish). A thread that cannot be started is such an
/// exception too.
template <typename Work> void parallel_for(std::size_t n, unsigned threads, Work&& work) {
  if (n == 0) return;
  const unsigned count = static_cast<unsigned>(std::min<std::size_t>(std::max(threads, 1u), n));
  std::atomic<std::size_t> next{count}; // indexes [0, count) are the threads' first
  std::exception_ptr failure;
  std::mutex failure_lock;
  const auto fail = [&](std::exception_ptr e) {
    const std::lock_guard<std::mutex> hold(failure_lock);
    if (!failure) failure = std::move(e);
    next.store(n); // no index starts after it
  };
  const auto run = [&](unsigned slot, std::size_t first) {
    try {
      for (std::size_t i = first; i < n; i = next.fetch_add(1)) {
        if constexpr (std::is_invocable_v<Work&, std::size_t, unsigned>) work(i, slot);
        else work(i);
      }
    } catch (...) {
      fail(std::current_exception());
    }
  };
  std::vector<std::thread> helpers;
  bool started = false;
  try {
    helpers.reserve(count - 1);
    for (unsigned slot = 1; slot < count; ++slot) helpers.emplace_back(run, slot, std::size_t{slot});
    started = true;
  } catch (...) { // (index 0 might wait for an index that has no thread)
    fail(std::current_exception());
  }
  if (started) run(0, 0);
  for (std::thread& t : helpers) t.join();
  if (failure) std::rethrow_exception(failure);
}

/// Items [from, to) of part `part` when `n` items are cut into `parts` ranges.
struct PartRange {
  std::size_t from, to;
};
inline PartRange part_range(std::size_t n, std::size_t parts, std::size_t part) {
  return {n * part / parts, n * (part + 1) / parts};
}

/// Ranges worth a thread each: at least 64k customers a range.
inline unsigned parts_for(std::size_t customers, unsigned threads) {
  return static_cast<unsigned>(std::clamp<std::size_t>(customers >> 16, 1, std::max(threads, 1u)));
}

} // namespace cskpi
