// SPDX-License-Identifier: MIT
// POSIX memory mappings (platform/memory.hpp).
#include "platform/memory.hpp"

#include <cstdlib>
#include <new>

#include <sys/mman.h>

namespace cskpi::platform {

void* map_memory(std::size_t bytes) {
  void* map = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) throw std::bad_alloc();
  return map;
}

void unmap_memory(void* at, std::size_t bytes) noexcept { ::munmap(at, bytes); }

void advise_huge_pages(void* at, std::size_t bytes) noexcept {
#ifdef MADV_HUGEPAGE
  ::madvise(at, bytes, MADV_HUGEPAGE);
#else
  (void)at, (void)bytes;
#endif
}

void* allocate_huge(std::size_t bytes) noexcept {
  // aligned_alloc wants a size that is a multiple of the alignment; rounding up costs address
  // space, not memory: the kernel backs only the pages written.
  const std::size_t rounded = (bytes + k_huge_page - 1) / k_huge_page * k_huge_page;
  if (rounded < bytes) return nullptr; // overflow: no such block
  void* at = std::aligned_alloc(k_huge_page, rounded);
  if (at != nullptr) advise_huge_pages(at, rounded);
  return at;
}

} // namespace cskpi::platform
