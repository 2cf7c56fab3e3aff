// Shift calendars: planned downtime freezes a machine (work, setup, repair and warm-up pause)
// and the end of it resumes what was interrupted. The calendars themselves: calendar.hpp.
#include <algorithm>

#include "twins/line/model_detail.hpp"

namespace dtwin::line {

// The calendar switches between on and off: the next change is scheduled, and an on-shift
// machine whose shift ended is frozen, an off-shift one whose shift started resumes.
void LineModel::shift_change(Ctx& c, std::uint32_t m) const {
  const Calendar& cal = spec_.calendars[spec_.machines[m].calendar];
  const bool on = cal.on_at(c.now);
  c.at(cal.next_change(c.now), kDerived, m, kShift);  // after work ending then
  const Status st = c.s.machines[m].status;
  if (!on && st != Status::Off)
    shift_ends(c, m);
  else if (on && st == Status::Off)
    shift_starts(c, m);
}

// Planned downtime freezes a machine: what it was doing keeps the time it has left.
void LineModel::shift_ends(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  const double e = c.now - ms.seg_start;
  if (spec.power.auto_off) {  // planned downtime ends idle switching-off and pauses warm-up
    if (ms.power == kPowerAsleep) power_to(c, m, kPowerOn);
    if (ms.power == kPowerWarming) power_to(c, m, kPowerWarming);
    if (ms.sleep_armed) ++ms.token;
    ms.sleep_armed = false;
  }
  switch (ms.status) {
    case Status::Working:
      count_operating(ms, spec, c.now);
      ++ms.token;
      break;
    case Status::Setup:
      ms.setup_rem = std::max(0.0, ms.setup_rem - e);
      ++ms.token;
      break;
    case Status::Down:
      if (ms.pending == 0) ms.rep_rem = std::max(0.0, ms.rep_rem - e);  // else not started
      ++ms.token;
      break;
    default:
      break;
  }
  ms.resume = ms.status;
  set_status(c, m, Status::Off);
}

// The end of planned downtime resumes what was interrupted.
void LineModel::shift_starts(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  switch (ms.resume) {
    case Status::Working:
      schedule_segment(c, m);
      break;
    case Status::Setup:
      set_status(c, m, Status::Setup);
      ms.seg_start = c.now;
      if (ms.power == kPowerWarming) ms.power_since = c.now;
      c.at(c.now + ms.setup_rem, kModel, m, ms.power == kPowerWarming ? kWarmDone : kSetupDone,
           ++ms.token);
      break;
    case Status::Down:
      set_status(c, m, Status::Down);
      ms.seg_start = c.now;
      if (!ms.waiting && ms.pending == 0)
        c.at(c.now + ms.rep_rem, kModel, m, kRepaired, ++ms.token);
      break;
    case Status::Blocked:
      deliver(c, m);
      break;
    default:
      set_status(c, m, Status::Starved);
      if (ms.pending == 0) try_start(c, m);
      break;
  }
  if (ms.pending != 0) serve(c, spec_.machines[m].needs.pool);  // it waits for operators
}

}  // namespace dtwin::line
