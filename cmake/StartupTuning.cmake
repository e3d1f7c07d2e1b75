# SPDX-License-Identifier: MIT
# How fmt and the C++ runtime are linked (issue 29).
#
# fmt: its headers come from Debian's libfmt-dev (find_package), and its compiled part is built
# once into the binary (src/core/fmt_once.cpp), in every build. Debian ships fmt only as a shared
# library; loading it cost a 100-row report about 4 % of its run (one more library to map,
# relocate and bind), and header-only fmt would compile its implementation in every file.
#
# Start-up tuning, an opt-in (-DCSKPI_STARTUP_TUNING=ON), off by default as issue 29 asks of any
# start-up tuning: libstdc++ and libgcc are linked into the binary, and the linker packs relative
# relocations (DT_RELR, glibc 2.36 and later) and hashes symbols the GNU way. A default build
# links libstdc++ and libgcc as shared libraries like any Debian program. glibc stays shared
# either way: the binary runs on any later glibc, under any loader setting (env -i, setuid, file
# capabilities) and under valgrind, and a release upgrade keeps it installed.
# bench/README.md has the measurements. Sanitizer, coverage and fuzz builds keep the shared
# runtimes their instrumentation expects.
#
# Sets CSKPI_FMT (the fmt target the layers link) and defines cskpi_startup_tuning(target),
# which adds the link options to an executable.
if(CSKPI_STARTUP_TUNING AND (CSKPI_SANITIZERS OR CSKPI_COVERAGE OR CSKPI_FUZZ))
  message(STATUS "CSKPI_STARTUP_TUNING is ignored in sanitizer, coverage and fuzz builds")
  set(CSKPI_STARTUP_TUNING OFF)
endif()

# fmt's headers as for the library, its compiled part once (src/core/fmt_once.cpp).
add_library(cskpi_fmt STATIC src/core/fmt_once.cpp)
get_target_property(_fmt_include fmt::fmt INTERFACE_INCLUDE_DIRECTORIES)
target_include_directories(cskpi_fmt SYSTEM PUBLIC ${_fmt_include})
target_compile_features(cskpi_fmt PUBLIC cxx_std_20)
set(CSKPI_FMT cskpi_fmt)

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
