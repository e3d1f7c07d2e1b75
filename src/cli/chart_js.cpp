// SPDX-License-Identifier: MIT
// Chart.js, from Debian's libjs-chart.js, built into the binary (issue 14): an HTML report
// inlines it, so the page opens offline and cskpi needs nothing at run time. The assembler
// includes the file's bytes as they are (its MIT licence header among them).
#include "cli/common.hpp"

#ifndef CSKPI_CHART_JS_PATH
#error "CSKPI_CHART_JS_PATH: the path of chart.min.js (CMake finds it)"
#endif

#define CSKPI_STRINGIFY2(x) #x
#define CSKPI_STRINGIFY(x) CSKPI_STRINGIFY2(x)

__asm__(".section .rodata\n"
        ".balign 16\n"
        "cskpi_chart_js_begin:\n"
        ".incbin \"" CSKPI_STRINGIFY(CSKPI_CHART_JS_PATH) "\"\n"
                                                          "cskpi_chart_js_end:\n"
                                                          ".previous\n"
                                                          ".global cskpi_chart_js_bytes\n"
                                                          ".section .data.rel.ro\n"
                                                          ".balign 8\n"
                                                          "cskpi_chart_js_bytes:\n"
                                                          ".quad cskpi_chart_js_begin\n"
                                                          ".quad cskpi_chart_js_end\n"
                                                          ".previous\n");

extern "C" const char* const cskpi_chart_js_bytes[2];

namespace cskpi::cli {

std::string_view chart_js() {
  return std::string_view(cskpi_chart_js_bytes[0],
                          static_cast<std::size_t>(cskpi_chart_js_bytes[1] - cskpi_chart_js_bytes[0]));
}

} // namespace cskpi::cli
