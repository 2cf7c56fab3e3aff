// The event log of one run, as a MES or a historian exports a plant's: every change of every
// twin's reported property (its mirror properties, not the derived ones), at the time it
// happened. CSV: time_s,twin,property,value (value as the wire has it: a number, true/false, an
// enumeration's name). `dtwin run --events FILE` writes it; `dtwin fit --events FILE` reads it.
#pragma once

#include <cstdint>
#include <ostream>

#include "engine/scenario/scenario.hpp"

namespace dtwin {

// Runs replication `replication` of the variant to its duration (the warm-up included: the log
// is what the plant did) and writes its log. Returns the rows written.
std::uint64_t write_event_log(const CompiledVariant& v, std::uint32_t replication,
                              std::ostream& out);

}  // namespace dtwin
