// SPDX-License-Identifier: MIT
// fmt's compiled part, built once for the whole program (issue 29; cmake/StartupTuning.cmake).
// Debian's libfmt.so is one more shared library for every run to load, and with the start-up
// tuning it would load the shared libstdc++ beside the linked one; including fmt header-only
// instead compiles its implementation in every translation unit, three minutes of CI. So every
// file includes fmt as for the library (Debian's libfmt-dev headers), and this one file holds
// what the library would: the non-template functions of format-inl.h and the instantiations
// format.h declares extern or leaves to the library.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {

template FMT_API auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template FMT_API auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;
template FMT_API locale_ref::locale_ref(const std::locale& loc);
template FMT_API auto locale_ref::get<std::locale>() const -> std::locale;
template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;
template FMT_API void buffer<char>::append(const char*, const char*);
template FMT_API void vformat_to(buffer<char>&, string_view, basic_format_args<FMT_BUFFER_CONTEXT(char)>, locale_ref);
template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<wchar_t>;
template FMT_API auto decimal_point_impl(locale_ref) -> wchar_t;
template FMT_API void buffer<wchar_t>::append(const wchar_t*, const wchar_t*);

} // namespace detail
FMT_END_NAMESPACE
