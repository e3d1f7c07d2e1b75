// SPDX-License-Identifier: MIT
// POSIX memory mappings (platform/memory.hpp).
#include "platform/memory.hpp"

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

} // namespace cskpi::platform
