// Energy: a machine's power draw by state, and switching off while idle (after off_after_s)
// with a warm-up before the next part. The power model itself: health.hpp (PowerSpec).
#include <algorithm>

#include "twins/line/model_detail.hpp"

namespace dtwin::line {

// try_start for a machine that switches off when idle
void LineModel::powered_start(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const PowerSpec& pw = spec_.machines[m].power;
  if (ms.power == kPowerAsleep) {
    if (!can_start(c, m)) return;
    power_to(c, m, kPowerWarming);
    set_status(c, m, Status::Setup);  // warm-up shows as setup
    ms.setup_rem = pw.warmup_s;
    ms.seg_start = c.now;
    c.at(c.now + pw.warmup_s, kModel, m, kWarmDone, ++ms.token);
    return;
  }
  if (take_and_begin(c, m)) {
    ms.sleep_armed = false;
  } else if (!ms.sleep_armed) {
    ms.sleep_armed = true;
    c.at(std::max(c.now, ms.status_since + pw.off_after_s), kModel, m, kSleep, ++ms.token);
  }
}

void LineModel::warmed_up(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  ms.setup_rem = 0;
  power_to(c, m, kPowerOn);
  ms.sleep_armed = false;
  set_status(c, m, Status::Starved);
  try_start(c, m);
}

void LineModel::sleep_due(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  ms.sleep_armed = false;
  if (ms.status == Status::Starved && ms.power == kPowerOn) power_to(c, m, kPowerAsleep);
}

void LineModel::power_to(Ctx& c, std::uint32_t m, std::uint8_t mode) const {
  MachineState& ms = c.s.machines[m];
  if (ms.power == kPowerAsleep) ms.sleep_s += c.now - ms.power_since;
  if (ms.power == kPowerWarming) ms.warm_s += c.now - ms.power_since;
  ms.power = mode;
  ms.power_since = c.now;
}

double LineModel::power_kw(const MachineState& ms, const MachineSpec& m) const {
  const PowerSpec& p = m.power;
  switch (ms.status) {
    case Status::Working:
      return p.working_kw + p.per_speed_kw * (ms.part_speed - 1);
    case Status::Setup:
      return ms.power == kPowerWarming ? p.warmup_kw : p.setup_kw;
    case Status::Down:
      return p.down_kw;
    case Status::Off:
      return p.off_kw;
    default:
      return ms.power == kPowerAsleep ? p.off_kw : p.idle_kw;
  }
}

}  // namespace dtwin::line
