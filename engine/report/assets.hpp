// What a report's HTML file carries besides its data, embedded in the program at build time
// (cmake/embed_assets.cmake): the page's script and style (engine/report/assets/, ours) and
// Chart.js from Debian's libjs-chart.js (MIT; its licence header kept in the text).
#pragma once

#include <string_view>

namespace dtwin::report_assets {

std::string_view chart_js();
std::string_view chart_js_version();  // "3.9.1", read from its header
std::string_view report_js();
std::string_view report_css();

}  // namespace dtwin::report_assets
