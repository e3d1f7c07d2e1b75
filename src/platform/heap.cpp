// SPDX-License-Identifier: MIT
// The program's operator new: big blocks on huge pages (issue 29).
//
// A run over a large file spends much of its time in page faults and TLB misses on a few big
// blocks: the snapshot table's columns, its index, the key tables. Asking the kernel to back
// those with transparent huge pages (madvise MADV_HUGEPAGE, the "madvise" setting most
// distributions ship) turns 512 faults into one. C++ lets a program replace operator new; this
// one sends blocks of k_huge_block bytes or more to platform::allocate_huge() and the rest to
// malloc, as libstdc++'s own does. Every block comes from the C library's allocator, so the
// library's operator delete (free) returns each of them, and new[], nothrow and sized forms,
// which libstdc++ builds on this function, need no replacement.
//
// Linked into the cskpi executable only (CMakeLists.txt), never into a sanitizer build: the
// sanitizers bring their own operator new to track every block.
#include "platform/memory.hpp"

#include <cstdlib>
#include <new>

void* operator new(std::size_t bytes) {
  for (;;) {
    void* at = bytes >= cskpi::platform::k_huge_block ? cskpi::platform::allocate_huge(bytes)
                                                      : std::malloc(bytes == 0 ? 1 : bytes);
    if (at != nullptr) return at;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}
