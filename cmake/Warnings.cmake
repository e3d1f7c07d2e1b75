# SPDX-License-Identifier: MIT
# INTERFACE targets linked PRIVATE by the project's own targets only (ccache's pattern).
add_library(cskpi_warnings INTERFACE)
target_compile_options(cskpi_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  $<$<BOOL:${CSKPI_WERROR}>:-Werror>)

add_library(cskpi_sanitizers INTERFACE)
if(CSKPI_SANITIZERS)
  list(JOIN CSKPI_SANITIZERS "," _cskpi_san)
  target_compile_options(cskpi_sanitizers INTERFACE -fsanitize=${_cskpi_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(cskpi_sanitizers INTERFACE -fsanitize=${_cskpi_san})
  # ASan + UBSan at -O0 leave about two million relative relocations (UBSan's check-site data, ASan's
  # global descriptors), which a position-independent executable applies at every start: 0.4 s of
  # CPU and 23,000 page faults per run, paid by each golden case and each unit test. Linked at a
  # fixed address the linker resolves them once: 0.2 s and 8,500 faults. ThreadSanitizer keeps PIE.
  if("address" IN_LIST CSKPI_SANITIZERS)
    target_link_options(cskpi_sanitizers INTERFACE -no-pie)
  endif()
endif()
