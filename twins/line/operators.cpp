// Operator pools: a machine that needs operators for an activity takes them from its pool before
// the activity starts and gives them back when no activity of its part needs them any more.
// Without enough free operators it waits in the pool's queue, served first come, first served
// (ties at one instant by machine id), and the activity starts when they come.
#include <algorithm>

#include "twins/line/model_detail.hpp"

namespace dtwin::line {

// The time integrals of busy and available operators (on shift, or finishing a job after it),
// up to now.
void LineModel::pool_changed(Ctx& c, std::uint32_t p) const {
  PoolState& ps = c.s.pools[p];
  const double el = c.now - ps.last;
  ps.busy_area += static_cast<double>(ps.busy) * el;
  ps.cap_area += static_cast<double>(ps.on ? spec_.pools[p].size : ps.busy) * el;
  ps.last = c.now;
}

// Before an activity (kForProcess, kForSetup, kForRepair): true when the machine may start it
// now. One that needs operators and has none asks its pool; when none are free it waits (the
// activity left to do is `pending`, its duration already in the machine's state) and false is
// returned; the pool starts the activity when the operators come. One that holds operators the
// activity does not need gives them back.
bool LineModel::staff(Ctx& c, std::uint32_t m, std::uint8_t activity, std::uint8_t pending) const {
  MachineState& ms = c.s.machines[m];
  const NeedsSpec& need = spec_.machines[m].needs;
  if (!(need.for_mask & activity)) {
    if (ms.holds) free_operators(c, m);
    return true;
  }
  if (ms.holds) return true;
  PoolState& ps = c.s.pools[need.pool];
  if (ps.on && ps.queue.empty() && ps.busy + need.count <= spec_.pools[need.pool].size) {
    pool_changed(c, need.pool);
    ps.busy += need.count;
    ms.holds = true;
    ++ps.grants;
    return true;
  }
  // in line: after every request made earlier, and at this instant by machine id
  const auto before = [&](const std::pair<double, std::uint32_t>& a,
                          const std::pair<double, std::uint32_t>& b) {
    return a.first < b.first ||
           (a.first == b.first && spec_.machines[a.second].id < spec_.machines[b.second].id);
  };
  auto at = std::upper_bound(ps.queue.begin(), ps.queue.end(), std::make_pair(c.now, m), before);
  ps.queue.insert(at, {c.now, m});
  ms.pending = pending;
  ms.op_since = c.now;
  if (pending != kPendRepair && ms.status != Status::Starved) set_status(c, m, Status::Starved);
  serve(c, need.pool);  // operators may be free while the machines before it are off shift
  return false;
}

// The machine gives its operators back; the pool serves whoever waits.
void LineModel::free_operators(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const NeedsSpec& need = spec_.machines[m].needs;
  pool_changed(c, need.pool);
  c.s.pools[need.pool].busy -= need.count;
  ms.holds = false;
  serve(c, need.pool);
}

// Free operators go to the machines waiting, in order; a machine off shift keeps its place.
// The first waiting machine that needs more than are free stops the others (no overtaking).
void LineModel::serve(Ctx& c, std::uint32_t p) const {
  PoolState& ps = c.s.pools[p];
  const std::uint32_t size = spec_.pools[p].size;
  std::size_t k = 0;
  while (ps.on && k < ps.queue.size()) {
    const std::uint32_t m = ps.queue[k].second;
    MachineState& ms = c.s.machines[m];
    if (ms.status == Status::Off) {
      ++k;
      continue;
    }
    const std::uint32_t count = spec_.machines[m].needs.count;
    if (ps.busy + count > size) return;
    ps.queue.erase(ps.queue.begin() + static_cast<std::ptrdiff_t>(k));
    pool_changed(c, p);
    ps.busy += count;
    ps.wait_sum += c.now - ms.op_since;
    ++ps.grants;
    ms.holds = true;
    const std::uint8_t what = ms.pending;
    ms.pending = 0;
    if (what == kPendSetup) {
      start_setup(c, m, ms.setup_rem);
    } else if (what == kPendProcess) {
      start_processing(c, m, ms.proc_rem);
    } else {  // the repair starts
      ms.seg_start = c.now;
      c.at(c.now + ms.rep_rem, kModel, m, kRepaired, ++ms.token);
    }
  }
}

// The pool's calendar changes: new assignments stop or resume (operators at work finish).
void LineModel::pool_shift(Ctx& c, std::uint32_t p) const {
  const Calendar& cal = spec_.calendars[spec_.pools[p].calendar];
  pool_changed(c, p);
  c.s.pools[p].on = cal.on_at(c.now);
  c.at(cal.next_change(c.now), kDerived, p, kPoolShift);
  if (p == spec_.crew.pool) crew_dispatch(c);  // the crew's technicians: maintenance.cpp
  serve(c, p);
}

double pool_utilisation(const PoolSpec& P, const PoolState& ps, double now) {
  const double el = now - ps.last;
  const double busy = ps.busy_area + static_cast<double>(ps.busy) * el;
  const double cap = ps.cap_area + static_cast<double>(ps.on ? P.size : ps.busy) * el;
  return cap > 0 ? busy / cap : kNaN;
}

// Per pool: the share of on-shift operator time busy, and the mean wait for operators.
void LineModel::collect_pools(const LineState& s, double now, Metrics& out) const {
  for (std::size_t p = 0; p < spec_.pools.size(); ++p) {
    const PoolState& ps = s.pools[p];
    double wait = ps.wait_sum;  // machines still waiting count their wait so far
    for (const auto& [t, m] : ps.queue) wait += now - t;
    std::size_t waiting = ps.queue.size();
    if (p == spec_.crew.pool) {  // the crew's pool: its jobs waiting for a technician
      for (auto m : s.crew_queue) wait += now - s.machines[m].job_since;
      waiting += s.crew_queue.size();
    }
    const double n = static_cast<double>(ps.grants + waiting);
    const std::string key = "resources." + spec_.pools[p].name;
    out.set(key + ".utilisation", pool_utilisation(spec_.pools[p], ps, now), "1");
    out.set(key + ".wait_s", n > 0 ? wait / n : kNaN, "s");
  }
}

}  // namespace dtwin::line
