// dtwin fit for greenhouses: the parameters of a greenhouse scenario from observations of its
// time series (twins/greenhouse/calibration.hpp), printed with their 95% intervals, written as
// a merge patch for dtwin run --patch.
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "engine/base/calendar.hpp"
#include "engine/base/error.hpp"
#include "engine/base/format.hpp"
#include "engine/sim/world.hpp"
#include "twins/greenhouse/calibration.hpp"
#include "twins/register.hpp"

namespace dtwin::cli {

namespace {

using greenhouse::Calibration;
using greenhouse::Observations;

// mean of |model - observed| / |observed|
double mean_relative_error(const std::vector<double>& model, const std::vector<double>& obs) {
  double sum = 0;
  for (std::size_t i = 0; i < obs.size(); ++i)
    sum += std::fabs(model[i] - obs[i]) / std::fabs(obs[i]);
  return obs.empty() ? 0 : sum / static_cast<double>(obs.size());
}

std::string percent(double fraction) {
  std::ostringstream s;
  s << std::showpos << std::fixed << std::setprecision(1) << 100 * fraction << " %";
  return s.str();
}

// an observation's time as the file could give it
std::string time_text(double t, std::optional<double> origin) {
  return origin ? iso_local(*origin + t) : format_number(t) + " s";
}

void print(const Calibration& c, const Observations& obs, std::optional<double> origin,
           double seconds) {
  std::cout << "parameter                                start        estimate     95% interval"
               "                 se\n";
  for (std::size_t k = 0; k < c.params.size(); ++k) {
    const std::string ci = "[" + format_number(c.lo[k]) + ", " + format_number(c.hi[k]) + "]";
    std::cout << std::left << std::setw(41) << c.params[k].pointer << std::setw(13)
              << format_number(c.params[k].start) << std::setw(13) << format_number(c.estimate[k])
              << std::setw(29) << ci << format_number(100 * c.se_rel[k], 3) << " %\n";
  }
  for (std::size_t k = 0; k < c.params.size(); ++k)
    for (std::size_t m = k + 1; m < c.params.size(); ++m)
      std::cout << "correlation of " << c.params[k].pointer << " and " << c.params[m].pointer
                << ": " << format_number(c.lsq.cor[k][m], 3) << "\n";
  std::cout << "weighted sum of squares " << format_number(c.lsq.rss_start, 4) << " -> "
            << format_number(c.lsq.rss, 4) << " (" << c.lsq.dof << " degrees of freedom); "
            << c.lsq.iterations << " iterations, " << c.lsq.evaluations << " runs, "
            << format_number(seconds, 3) << " s; stopped at " << c.lsq.stop << "\n\n";
  std::cout << std::left << std::setw(22) << "time" << std::setw(34) << "series" << std::setw(14)
            << "observed" << std::setw(26) << "before"
            << "after\n";
  const auto cells = obs.cells();
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const auto [r, s] = cells[i];
    const double y = c.observed[i];
    std::cout << std::setw(22) << time_text(obs.time_s[r], origin) << std::setw(34) << obs.series[s]
              << std::setw(14) << format_number(y, 4) << std::setw(26)
              << (format_number(c.before[i], 4) + " (" + percent(c.before[i] / y - 1) + ")")
              << format_number(c.after[i], 4) << " (" << percent(c.after[i] / y - 1) << ")\n";
  }
  std::cout << "mean absolute relative error: "
            << format_number(100 * mean_relative_error(c.before, c.observed), 3) << " % -> "
            << format_number(100 * mean_relative_error(c.after, c.observed), 3) << " %\n";
}

nlohmann::json report_of(const Calibration& c, const Observations& obs,
                         std::optional<double> origin, double seconds) {
  nlohmann::json j;
  for (std::size_t k = 0; k < c.params.size(); ++k)
    j["params"].push_back({{"pointer", c.params[k].pointer},
                           {"start", c.params[k].start},
                           {"estimate", c.estimate[k]},
                           {"ci95", {c.lo[k], c.hi[k]}},
                           {"se_relative", c.se_rel[k]}});
  j["correlation"] = c.lsq.cor;
  j["weighted_rss"] = {{"start", c.lsq.rss_start}, {"fit", c.lsq.rss}};
  j["degrees_of_freedom"] = c.lsq.dof;
  j["iterations"] = c.lsq.iterations;
  j["runs"] = c.lsq.evaluations;
  j["seconds"] = seconds;
  j["stopped_at"] = c.lsq.stop;
  const auto cells = obs.cells();
  for (std::size_t i = 0; i < cells.size(); ++i)
    j["observations"].push_back({{"time", time_text(obs.time_s[cells[i].first], origin)},
                                 {"series", obs.series[cells[i].second]},
                                 {"observed", c.observed[i]},
                                 {"before", c.before[i]},
                                 {"after", c.after[i]}});
  j["mean_relative_error"] = {{"before", mean_relative_error(c.before, c.observed)},
                              {"after", mean_relative_error(c.after, c.observed)}};
  j["patch"] = c.patch;
  return j;
}

void write_json(const std::string& path, const nlohmann::json& j) {
  std::ofstream f(path, std::ios::binary);
  if (!(f << j.dump(2) << "\n")) throw UsageError("cannot write " + path);
}

}  // namespace

int fit_crops(const FitOptions& o) {
  Registry reg;
  twins::register_all(reg);
  const Scenario sc = Scenario::load(o.file);
  const greenhouse::Recipe recipe = greenhouse::read_recipe(sc, reg);  // checked if it is there
  std::string observed = o.observed, shown = o.observed;
  if (observed.empty()) {
    observed = recipe.observed;
    shown = recipe.shown;
  }
  const std::vector<std::string> pointers = o.params.empty() ? recipe.params : o.params;
  if (observed.empty() || pointers.empty())
    throw UsageError(
        "dtwin fit: a greenhouse needs --observed CSV and --param POINTER (repeatable), or a "
        "\"calibrate\": {\"observed\": ..., \"params\": [...]} recipe in the scenario");
  std::vector<greenhouse::FitParam> params;
  for (const auto& p : pointers) params.push_back(greenhouse::fit_param(sc, reg, p));
  const Observations obs = greenhouse::observations_for(sc, reg, observed, shown);
  const auto origin = World(sc.compile(0, reg).models).calendar_origin();

  const auto t0 = std::chrono::steady_clock::now();
  const Calibration c = greenhouse::calibrate(sc, reg, params, obs);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!o.quiet) {
    std::cout << "dtwin fit: " << o.file << ", " << obs.count() << " observations in " << shown
              << "\n";
    print(c, obs, origin, seconds);
  }
  if (!o.out.empty()) write_json(o.out, c.patch);
  if (!o.report.empty()) write_json(o.report, report_of(c, obs, origin, seconds));
  if (!o.quiet) {
    if (!o.out.empty())
      std::cout << "patch: " << o.out << " (dtwin run " << o.file << " --patch " << o.out << ")\n";
    else
      std::cout << "patch (--out FILE writes it): " << c.patch.dump() << "\n";
  }
  return 0;
}

}  // namespace dtwin::cli
