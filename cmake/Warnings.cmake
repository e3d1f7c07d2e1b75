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
endif()
