// Health, maintenance and the crew on the line: degradation (markov or wear) on operating time,
// corrective and preventive jobs served by a shared crew, renewal, and the condition monitor.
// The models (chains, filters, RUL): health.hpp.
#include <algorithm>
#include <cmath>

#include "twins/line/model_detail.hpp"

namespace dtwin::line {

double sojourn(const HealthSpec& h, std::uint32_t state, Rng& rng) {
  const double q = h.exit_rate_s[state];
  return q > 0 ? -std::log(rng.uniform_pos()) / q : kInf;
}

double wear_now(const MachineState& ms, double now) {
  if (ms.part_proc <= 0) return ms.wear;
  double rem = ms.proc_rem;
  if (ms.status == Status::Working) rem -= now - ms.seg_start;
  const double done = std::clamp(1 - rem / ms.part_proc, 0.0, 1.0);
  return ms.wear + (ms.wear_end - ms.wear) * done;
}

// The wear filter's prior rate: mean wear per part x speed (the load) / threshold, times the
// parts per operating hour at that speed (process times are divided by the speed).
double nominal_wear_rate_h(const MachineSpec& m) {
  const double per_part = m.health.wear_per_part.mean() * m.speed / m.health.wear_threshold;
  const double proc = m.process.mean() / m.speed;
  return proc > 0 ? per_part * 3600.0 / proc : 0.0;
}

// Wear model: the part just started adds its wear, spread evenly over its processing; the
// first threshold it crosses (condition-based maintenance, then failure) is the next event.
void LineModel::load_part(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  const double inc = spec.health.wear_per_part.sample(ms.rng_health) * ms.speed;
  ms.wear_end = ms.wear + inc;
  ms.part_proc = ms.proc_rem;
  wear_target(c, m);
}

// Operating time until the wear of the part in progress reaches the next threshold.
void LineModel::wear_target(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  double level = spec.health.wear_threshold;
  if (spec.maint.policy == MaintenanceSpec::Policy::Condition) level = spec.maint.threshold;
  const double inc = ms.wear_end - ms.wear;
  ms.deg_rem =
      ms.wear_end >= level ? (inc > 0 ? (level - ms.wear) / inc * ms.proc_rem : 0.0) : kInf;
}

// A health transition (markov) or a wear threshold reached, while working.
void LineModel::degrade(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  const bool condition = spec.maint.policy == MaintenanceSpec::Policy::Condition;
  bool failed = false;
  if (spec.health.markov()) {
    ms.health = next_health_state(spec.health, ms.health, ms.rng_health.uniform());
    failed = ms.health + 1 == spec.health.states;
    if (!failed && !(condition && ms.health >= spec.maint.threshold)) {
      ms.deg_rem = sojourn(spec.health, ms.health, ms.rng_health);
      schedule_segment(c, m);
      return;
    }
  } else {  // wear: condition-based maintenance comes before failure when configured
    failed = !condition;
    ms.deg_rem = kInf;
  }
  if (failed) {
    ++ms.failures;
    ++ms.health_failures;
    // the truth for every RUL estimate of this life: the time to this failure
    for (const auto& [t, est] : ms.rul_open) {
      ms.rul_err_sum += std::fabs(est - (c.now - t));
      ++ms.rul_n;
    }
    ms.rul_open.clear();
    ms.ttf_failure = false;
    request(c, m, kCorrective);
  } else {
    request(c, m, kPreventiveJob);
  }
}

// The machine stops for a job; a technician takes it now or it waits in the crew's queue.
void LineModel::request(Ctx& c, std::uint32_t m, std::uint8_t job) const {
  MachineState& ms = c.s.machines[m];
  set_status(c, m, Status::Down);
  ms.job = job;
  ms.job_since = c.now;
  ms.rep_rem = 0;
  ++ms.token;
  const CrewSpec& crew = spec_.crew;
  if (crew.size == 0 || (c.s.crew_busy < crew.size && crew_on_shift(c))) {
    assign(c, m);
  } else {
    ms.waiting = true;
    c.s.crew_queue.push_back(m);
  }
}

void LineModel::crew_changed(Ctx& c) const {
  c.s.crew_area += static_cast<double>(c.s.crew_busy) * (c.now - c.s.crew_last);
  c.s.crew_last = c.now;
}

// A crew given as a pool takes jobs while the pool is on shift; one of "size" always.
bool LineModel::crew_on_shift(const Ctx& c) const {
  return spec_.crew.pool == kNone || c.s.pools[spec_.crew.pool].on;
}

// A technician takes machine m's job (take) or is done with it; a pool counts its technicians
// busy as its busy members, and a job started as a grant after its wait.
void LineModel::crew_take(Ctx& c, std::uint32_t m, bool take) const {
  crew_changed(c);
  const std::uint32_t p = spec_.crew.pool;
  if (p != kNone) pool_changed(c, p);
  PoolState* ps = p != kNone ? &c.s.pools[p] : nullptr;
  if (!take) {
    --c.s.crew_busy;
    if (ps) --ps->busy;
    return;
  }
  ++c.s.crew_busy;
  if (!ps) return;
  ++ps->busy;
  ps->wait_sum += c.now - c.s.machines[m].job_since;
  ++ps->grants;
}

// Free technicians on shift take the jobs waiting: in request order, or corrective first.
void LineModel::crew_dispatch(Ctx& c) const {
  auto& q = c.s.crew_queue;
  while (!q.empty() && c.s.crew_busy < spec_.crew.size && crew_on_shift(c)) {
    std::size_t pick = 0;
    if (spec_.crew.corrective_first)
      for (std::size_t i = 0; i < q.size(); ++i)
        if (c.s.machines[q[i]].job == kCorrective) {
          pick = i;
          break;
        }
    const std::uint32_t next = q[pick];
    q.erase(q.begin() + static_cast<std::ptrdiff_t>(pick));
    assign(c, next);
  }
}

// A technician starts the machine's job (or, when it is off shift, when the shift starts).
void LineModel::assign(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  if (spec_.crew.size > 0) crew_take(c, m, true);
  ms.waiting = false;
  ms.wait_s += c.now - ms.job_since;
  ++ms.jobs_done;
  ms.rep_rem = ms.job == kCorrective ? spec.maint.corrective.sample(ms.rng_ttr)
                                     : spec.maint.preventive.sample(ms.rng_pm);
  ms.seg_start = c.now;
  if (ms.status == Status::Down) c.at(c.now + ms.rep_rem, kModel, m, kRepaired, ++ms.token);
}

// The machine as new: health, wear, the preventive clock and the condition monitor.
void LineModel::renew(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  ms.health = 0;
  if (spec.health.wear()) {
    // what is left of the part in progress wears the renewed machine
    const double left = ms.part_proc > 0 ? ms.proc_rem / ms.part_proc : 0.0;
    const double carry = (ms.wear_end - ms.wear) * left;
    ms.wear = 0;
    ms.wear_end = carry;
    ms.part_proc = ms.proc_rem;
    wear_target(c, m);
  }
  if (spec.health.markov()) ms.deg_rem = sojourn(spec.health, 0, ms.rng_health);
  // the next preventive job: by the clock, or none until one is ordered (pm_orders)
  ms.pm_rem = spec.maint.policy == MaintenanceSpec::Policy::Preventive ? spec.maint.every_s : kInf;
  if (!ms.belief.empty() && spec.health.markov()) {
    std::fill(ms.belief.begin(), ms.belief.end(), 0.0);
    ms.belief[0] = 1;
  }
  if (!ms.belief.empty() && spec.health.wear())
    wear_filter_init(nominal_wear_rate_h(spec), ms.belief);
  ms.op_at_sample = ms.op_total;
  ms.rul_open.clear();  // a life cut short by maintenance has no failure time to compare with
}

void LineModel::job_done(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  if (ms.job == kPreventiveJob) ++ms.preventive;
  if (ms.job == kCorrective && ms.ttf_failure) {
    ms.ttf_failure = false;  // a random failure: repaired, health unchanged
    ms.ttf_rem = spec.ttf.sample(ms.rng_ttf);
  } else {
    renew(c, m);
  }
  ms.job = 0;
  schedule_segment(c, m);  // the interrupted part resumes
  if (spec_.crew.size == 0) return;
  crew_take(c, m, false);
  crew_dispatch(c);
}

// The condition monitor: noisy signals from the true health, the filter, the RUL estimate.
void LineModel::monitor(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  const SignalsSpec& sg = spec.signals;
  const double h = spec.health.markov() ? static_cast<double>(ms.health)
                                        : wear_now(ms, c.now) / spec.health.wear_threshold;
  if (sg.vibration.on)
    ms.vib = sg.vibration.base + sg.vibration.slope * h +
             sg.vibration.sd * standard_normal(ms.rng_signal);
  if (sg.temperature.on)
    ms.temp = sg.temperature.base + sg.temperature.slope * h +
              sg.temperature.sd * standard_normal(ms.rng_signal);
  if (ms.job != 0) return;  // no estimate during maintenance
  const double op_now =
      ms.op_total + (ms.status == Status::Working ? c.now - ms.status_since : 0.0);
  const double op_h = (op_now - ms.op_at_sample) / 3600.0;
  ms.op_at_sample = op_now;
  double rul_op;
  if (spec.health.markov()) {
    filter_step(spec.health, sg, op_h, ms.vib, ms.temp, ms.belief);
    rul_op = expected_rul_s(spec.health, ms.belief);
  } else {
    wear_filter_step(sg, op_h, ms.vib, ms.temp, ms.belief);
    rul_op = wear_rul_h(ms.belief) * 3600.0;
  }
  // operating time to calendar time: the machine's operating fraction of its time up so far
  const double up = c.now - ms.down_total;  // not down now: monitor() skips jobs
  const double util = up > 0 ? op_now / up : 0.0;
  const double rul = util > 0 ? rul_op / util : kInf;
  ms.rul_h = rul / 3600.0;
  if (std::isfinite(rul)) ms.rul_open.emplace_back(c.now, rul);
}

}  // namespace dtwin::line
