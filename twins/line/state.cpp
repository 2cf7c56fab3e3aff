#include "twins/line/state.hpp"

namespace dtwin::line {

const char* status_name(Status s) {
  switch (s) {
    case Status::Starved:
      return "starved";
    case Status::Working:
      return "working";
    case Status::Blocked:
      return "blocked";
    case Status::Down:
      return "down";
    case Status::Setup:
      return "setup";
    case Status::Off:
      return "off";
  }
  return "?";
}

bool MachineState::operator==(const MachineState& o) const {
  return status == o.status && made_total == o.made_total && scrapped_total == o.scrapped_total &&
         speed == o.speed && resume == o.resume && restart == o.restart &&
         part_birth == o.part_birth && part_units == o.part_units && part_order == o.part_order &&
         seg_start == o.seg_start && proc_rem == o.proc_rem && ttf_rem == o.ttf_rem &&
         rep_rem == o.rep_rem && setup_rem == o.setup_rem && since_setup == o.since_setup &&
         token == o.token && blocked_since == o.blocked_since && status_since == o.status_since &&
         time_in == o.time_in && done == o.done && good == o.good && scrapped == o.scrapped &&
         failures == o.failures && rng_process == o.rng_process && rng_ttf == o.rng_ttf &&
         rng_ttr == o.rng_ttr && rng_scrap == o.rng_scrap && rng_setup == o.rng_setup &&
         health == o.health && wear == o.wear && wear_end == o.wear_end &&
         part_proc == o.part_proc && deg_rem == o.deg_rem && pm_rem == o.pm_rem &&
         op_total == o.op_total && down_total == o.down_total && job == o.job &&
         waiting == o.waiting && ttf_failure == o.ttf_failure && job_since == o.job_since &&
         wait_s == o.wait_s && jobs_done == o.jobs_done && preventive == o.preventive &&
         health_failures == o.health_failures && pm_orders == o.pm_orders &&
         rng_health == o.rng_health && rng_pm == o.rng_pm && vib == o.vib && temp == o.temp &&
         rul_h == o.rul_h && op_at_sample == o.op_at_sample && belief == o.belief &&
         rul_open == o.rul_open && rul_err_sum == o.rul_err_sum && rul_n == o.rul_n &&
         rng_signal == o.rng_signal && power == o.power && sleep_armed == o.sleep_armed &&
         power_since == o.power_since && sleep_s == o.sleep_s && warm_s == o.warm_s &&
         work_speed_s == o.work_speed_s && part_speed == o.part_speed && product == o.product &&
         last_product == o.last_product && target == o.target && rng_route == o.rng_route &&
         rng_changeover == o.rng_changeover && pending == o.pending && holds == o.holds &&
         op_since == o.op_since && route_turn == o.route_turn;
}

}  // namespace dtwin::line
