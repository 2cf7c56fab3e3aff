// A weather forecast for a greenhouse what-if (dtwin whatif --forecast FILE), read by the CLI
// and sent as data: the engine never opens a file a request names.
//
//   time_h,temp_c,rh_pct,rad_w_m2,wind_m_s      the header: these five columns, any order
//   0,8.5,85,0,2.1                              hours from now (the fork), increasing
//   1,8.1,87,0,2.3                              outdoor air (degC), relative humidity (%),
//   ...                                         global radiation (W/m2), wind speed (m/s)
//
// Lines starting with '#' and blank lines are skipped. Errors name FILE:LINE:COL (a UsageError:
// exit status 2).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace dtwin::cli {

// {"time_h": [...], "temp_c": [...], "rh_pct": [...], "rad_w_m2": [...], "wind_m_s": [...]}
nlohmann::json read_forecast_csv(const std::string& path);

}  // namespace dtwin::cli
