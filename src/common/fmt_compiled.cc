// fmt's non-template code, compiled once for every binary (the static guest agent too).
//
// Debian ships fmt as headers plus a shared library only; the static agent cannot link the
// shared one, so the build used fmt header-only, and then every source that formats
// anything compiled fmt's whole formatting engine again: about 4 s of CPU per source,
// half of a clean build (docs/targets.md, "CI budget"). Here format-inl.h gives the
// definitions of fmt's FMT_FUNC functions, and the explicit instantiations below provide
// the templates that format.h declares `extern template` when FMT_HEADER_ONLY is unset.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {

template auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;

template locale_ref::locale_ref(const std::locale& loc);
template auto locale_ref::get<std::locale>() const -> std::locale;

template auto thousands_sep_impl<char>(locale_ref) -> thousands_sep_result<char>;
template auto thousands_sep_impl<wchar_t>(locale_ref) -> thousands_sep_result<wchar_t>;
template auto decimal_point_impl(locale_ref) -> char;
template auto decimal_point_impl(locale_ref) -> wchar_t;

template void buffer<char>::append(const char*, const char*);
template void buffer<wchar_t>::append(const wchar_t*, const wchar_t*);

template void vformat_to(buffer<char>&, string_view, basic_format_args<FMT_BUFFER_CONTEXT(char)>,
                         locale_ref);

}  // namespace detail
FMT_END_NAMESPACE
