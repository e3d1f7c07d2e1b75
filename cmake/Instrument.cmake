# SPDX-License-Identifier: MIT
# Whole-build instrumentation: every target, cskpi_core included, must carry it.
if(CSKPI_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CSKPI_FUZZ needs clang: configure with CXX=clang++ (Debian: clang, libclang-rt-14-dev)")
  endif()
  # Coverage feedback for libFuzzer plus ASan + UBSan; the fuzz target alone links the
  # fuzzer's main (tests/CMakeLists.txt).
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
endif()
if(CSKPI_COVERAGE)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    message(FATAL_ERROR "CSKPI_COVERAGE uses gcov: configure with GCC")
  endif()
  add_compile_options(--coverage -O0 -g)
  add_link_options(--coverage)
endif()
