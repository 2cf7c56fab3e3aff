// dtwin fit for greenhouses: not written yet (issue 14); the command says so.
#include "cli/commands.hpp"
#include "engine/base/error.hpp"

namespace dtwin::cli {

int fit_crops(const FitOptions&) {
  throw UsageError("dtwin fit: calibrating a greenhouse from observations is not available yet");
}

}  // namespace dtwin::cli
