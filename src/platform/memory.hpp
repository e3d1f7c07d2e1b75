// SPDX-License-Identifier: MIT
// Memory straight from the kernel: anonymous mappings, and the hint that asks for them to be
// backed by transparent huge pages. Huge pages come only this way, on memory we own: never by
// changing how the C library's allocator runs.
#pragma once

#include <cstddef>

namespace cskpi::platform {

/// The size of a (transparent) huge page on x86-64 and most arm64 kernels.
inline constexpr std::size_t k_huge_page = std::size_t{2} << 20;

/// `bytes` of zeroed, private, read-write memory, page-aligned; throws std::bad_alloc.
void* map_memory(std::size_t bytes);
/// Returns memory from map_memory() (the same `bytes`).
void unmap_memory(void* at, std::size_t bytes) noexcept;
/// Asks the kernel to back [at, at + bytes) with huge pages (madvise MADV_HUGEPAGE): fewer page
/// faults and TLB misses on a big table. A hint: where the kernel has none, nothing changes.
void advise_huge_pages(void* at, std::size_t bytes) noexcept;

/// Blocks this big or bigger come from allocate_huge() when the program's operator new is the
/// one in platform/heap.cpp: big vectors and hash tables, where huge pages pay (the snapshot
/// table's month columns: 122,000 page faults on 1 M customers x 24 months at 8 MiB, 24,000
/// here). A huge page is cleared whole when first touched, so a block this big should be one
/// that is filled: the read buffer starts small (LineSource::k_first_block) for that reason.
inline constexpr std::size_t k_huge_block = k_huge_page;
/// `bytes` from the C library's allocator (free() returns them), aligned to a huge page and
/// advised as one; nullptr when out of memory. The tail of the last huge page is left unused.
void* allocate_huge(std::size_t bytes) noexcept;

} // namespace cskpi::platform
