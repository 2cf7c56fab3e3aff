// dtwin fit: which calibration a scenario gets (cli/commands.hpp).
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "engine/base/error.hpp"
#include "engine/scenario/scenario.hpp"

namespace dtwin::cli {

int cmd_fit(const FitOptions& o) {
  const Scenario sc = Scenario::load(o.file);
  const bool crops =
      !o.observed.empty() || !o.params.empty() || sc.doc().value.contains("calibrate");
  const bool lines = !o.events.empty() || !o.store.empty();
  if (crops && lines)
    throw UsageError(
        "dtwin fit: a line from its history (--events or --store) or a greenhouse from "
        "observations (--observed, --param), not both");
  if (crops) return fit_crops(o);
  if (!lines)
    throw UsageError(
        "dtwin fit: give the data: --events CSV or --store DB (a line's history), or "
        "--observed CSV --param POINTER (a greenhouse's crop samples)");
  return fit_lines(o);
}

}  // namespace dtwin::cli
