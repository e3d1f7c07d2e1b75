// SPDX-License-Identifier: MIT
// parallel_for (core/parallel.hpp), the one place that starts threads: every index runs once,
// on 1 to 8 threads, the first exception comes back to the caller, and the first indexes may
// wait for each other. Tagged [ingest] too, so the TSan run covers it.
#include "core/parallel.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace test_thread_pool {

using namespace cskpi;

TEST_CASE("parallel_for runs every index once on 1 to 8 threads", "[parallel_for][ingest]") {
  for (unsigned threads = 1; threads <= 8; ++threads)
    for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{8}, std::size_t{1000}}) {
      std::vector<std::atomic<int>> runs(n);
      std::vector<std::atomic<int>> slots(threads);
      std::atomic<int> bad_slots{0}; // Catch2's assertions are not thread-safe: count, then check here
      parallel_for(n, threads, [&](std::size_t i, unsigned slot) {
        ++runs[i];
        if (slot < threads) ++slots[slot];
        else ++bad_slots;
      });
      REQUIRE(bad_slots.load() == 0);
      for (std::size_t i = 0; i < n; ++i) REQUIRE(runs[i].load() == 1);
      int total = 0;
      for (const std::atomic<int>& s : slots) total += s.load();
      CHECK(total == static_cast<int>(n));
    }
}

TEST_CASE("parallel_for runs index 0 on the calling thread", "[parallel_for][ingest]") {
  for (unsigned threads = 1; threads <= 8; ++threads) {
    std::thread::id first;
    parallel_for(16, threads, [&](std::size_t i) {
      if (i == 0) first = std::this_thread::get_id();
    });
    CHECK(first == std::this_thread::get_id());
  }
}

TEST_CASE("parallel_for throws the first exception again after every thread ended", "[parallel_for][ingest]") {
  for (unsigned threads = 1; threads <= 8; ++threads) {
    std::atomic<int> running{0}, ended{0};
    const auto work = [&](std::size_t i) {
      ++running;
      if (i == 5) throw std::runtime_error("index 5");
      ++ended;
      --running;
    };
    CHECK_THROWS_WITH(parallel_for(100, threads, work), "index 5");
    CHECK(running.load() == 1); // only the call that threw did not end; none runs any more
    CHECK(ended.load() < 100);
  }
  // A throw on every index: one of them comes back, nothing is lost or left running.
  CHECK_THROWS_AS(parallel_for(50, 4, [](std::size_t) { throw std::logic_error("all"); }), std::logic_error);
}

TEST_CASE("parallel_for gives the first indexes a thread each, so they may wait for each other",
          "[parallel_for][ingest]") {
  for (unsigned threads = 2; threads <= 8; ++threads) {
    // Each of the first `threads` indexes waits until all of them have started: one thread
    // running two of them would never return.
    std::mutex m;
    std::condition_variable cv;
    unsigned started = 0;
    parallel_for(threads, threads, [&](std::size_t) {
      std::unique_lock<std::mutex> lock(m);
      ++started;
      cv.notify_all();
      cv.wait(lock, [&] { return started == threads; });
    });
    CHECK(started == threads);
  }
}

} // namespace test_thread_pool
