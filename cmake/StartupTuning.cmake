# SPDX-License-Identifier: MIT
# Start-up tuning, opt-in (-DCSKPI_STARTUP_TUNING=ON; off by default). On a small file most of a
# run is process start: the dynamic loader maps and relocates each shared library. With the
# option, libstdc++ and libgcc are linked into the binary, fmt is used header-only, and the
# linker packs relative relocations (DT_RELR) and hashes symbols the GNU way; glibc and
# libxlsxwriter stay shared, so the binary runs on any later glibc and under any loader
# setting (env -i, setuid, file capabilities). bench/README.md has the measurements.
# Sanitizer, coverage and fuzz builds keep the shared runtimes their instrumentation expects.
#
# Sets CSKPI_FMT (the fmt target the layers link) and defines cskpi_startup_tuning(target),
# which adds the link options to an executable.
if(CSKPI_STARTUP_TUNING AND (CSKPI_SANITIZERS OR CSKPI_COVERAGE OR CSKPI_FUZZ))
  message(STATUS "CSKPI_STARTUP_TUNING is ignored in sanitizer, coverage and fuzz builds")
  set(CSKPI_STARTUP_TUNING OFF)
endif()

if(CSKPI_STARTUP_TUNING)
  set(CSKPI_FMT fmt::fmt-header-only)
else()
  set(CSKPI_FMT fmt::fmt)
endif()

function(cskpi_startup_tuning target)
  if(NOT CSKPI_STARTUP_TUNING)
    return()
  endif()
  include(CheckLinkerFlag)
  target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc)
  foreach(_flag "-Wl,-O1" "-Wl,--hash-style=gnu" "-Wl,-z,pack-relative-relocs")
    string(MAKE_C_IDENTIFIER "CSKPI_HAVE_LINK${_flag}" _have)
    check_linker_flag(CXX "${_flag}" ${_have})
    if(${_have})
      target_link_options(${target} PRIVATE "${_flag}")
    endif()
  endforeach()
endfunction()
