// `dtwin report`: one self-contained HTML file from a run's or a sweep's output directory, to
// read in any browser offline and to send to someone who has no dtwin. The file holds the data
// (the results table's report, the expectations' verdicts, the time series) as JSON, the page's
// own script and style, and Chart.js (Debian's libjs-chart.js, embedded at build time), so it
// needs no network. Charts: KPIs per variant as bars with their 95% CI whiskers and the paired
// deltas against the baseline; the stations' state breakdown as stacked bars; a sweep's KPIs
// over its parameters; time series on a date axis when the run has a calendar (a `time` column),
// zoomable to a window.
// The output depends only on the directory's files: the same results give the same bytes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace dtwin {

struct ReportOptions {
  std::string dir;                    // written by dtwin run, sweep or compare --out
  std::vector<std::string> series;    // time-series columns to include ('*' wildcards); empty: all
                                      // that fit in max_cells
  std::size_t max_cells = 4'000'000;  // time-series numbers embedded, over all variants
};

struct ReportInfo {
  std::size_t metrics = 0, series_files = 0, series_columns = 0;
  std::vector<std::string> omitted;  // time-series columns left out (too many numbers)
};

// The HTML text. Errors (no results in the directory, an unreadable time series) are UsageError
// naming the file.
std::string make_html_report(const ReportOptions& o, ReportInfo* info = nullptr);

// '*' matches any run of characters (including none); everything else literally.
bool glob_match(const std::string& pattern, const std::string& text);

}  // namespace dtwin
