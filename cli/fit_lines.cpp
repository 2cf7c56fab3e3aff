// dtwin fit for lines (issue 14): in progress.
#include "cli/commands.hpp"
#include "engine/base/error.hpp"

namespace dtwin::cli {

int fit_lines(const FitOptions&) {
  throw UsageError("dtwin fit: calibrating a line from its history is not available yet");
}

}  // namespace dtwin::cli
