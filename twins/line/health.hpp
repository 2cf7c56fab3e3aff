// Machine health, maintenance and energy: the parts of a machine's Spec that describe how it
// wears, how it is maintained and what power it draws, and the mathematics read from them.
//
// Degradation (optional "health" of a machine):
//  - "markov": K discrete health states, 0 = as new, K-1 = failed (the failure state). The chain
//    moves on operating time only (a starved, blocked, off or down machine does not wear). Its
//    sojourn in state i is exponential with exit rate q_i and the next state is drawn from the
//    row's jump probabilities, both sampled exactly (no time steps). Given as
//      "rate_per_h": r            (one rate, or one per state 0..K-2; i -> i+1 only), or
//      "transition": P            (K x K, probabilities per operating hour, rows summing to 1).
//    A transition matrix is read as the continuous-time chain with the same one-hour stay
//    probability and the same jump probabilities: q_i = -ln P_ii per hour, jump to j with
//    P_ij / (1 - P_ii). The expected operating time to failure from state i is the absorbing
//    chain's m = N tau, N = (I - J)^-1 the fundamental matrix of the jump chain J restricted to
//    the transient states and tau_i = 1/q_i (Kemeny & Snell 1960; Kulkarni, Modeling and
//    Analysis of Stochastic Systems, ch. 4).
//  - "wear": a continuous wear index. Each part started adds a draw of "rate_per_part" times the
//    machine's speed (the load), spread evenly over the part's processing; the machine fails
//    when the index reaches "threshold".
// Live (dtwin serve): a machine with health and signals gets a condition monitor on what its
// asset reports (twins/line/live_monitor.cpp): the same filters on the reported signals, the
// operating time from its reported state. Derived properties: health_est (the expected health
// state, or wear fraction), rul_est (mean remaining life, calendar hours) with rul_lo and rul_hi
// (its 10 % and 90 % quantiles), p_fail (the probability of a failure within the signals'
// "horizon", default 24h of calendar time).
// Signals (optional "signals"): vibration_mm_s and temperature_c read as base + slope * h plus
// Gaussian noise (sd), h the health state (markov) or wear / threshold (wear), sampled every
// "interval" by a condition monitor. Remaining useful life (markov): a forward (HMM) filter over
// the health state from the signals, predicted between samples with the chain's transition
// function over the operating time elapsed (uniformisation), then RUL = sum_k belief_k m_k
// operating hours, divided by the machine's operating share of its time up (not down) since the
// start to give calendar hours (until it fails the machine is up, wearing while it operates).
// Remaining useful life (wear): each signal read back as a wear fraction, y = (signal - base) /
// slope with variance (sd / slope)^2, feeds a Kalman filter on x = [w, r], w = wear / threshold
// and r its growth per operating hour, with w' = r and no process noise: recursive least
// squares of the line w = w0 + r t over the life so far, regularised by a Gaussian prior
// (w0 ~ N(0, 0.01^2): a renewed machine keeps at most a part's wear; r ~ N(r0, (r0/2)^2), r0 the
// nominal rate: mean wear per part x speed / threshold x parts per operating hour). Why a line:
// the index is a sum of iid draws per part, so its mean grows linearly with the parts made and
// its deviation from the line is a random walk of relative size cv / sqrt(parts), small over a
// life of hundreds of parts. RUL = (1 - w) / r operating hours, then calendar hours as for
// the Markov model.
// Its error is measured against the simulated truth (time of the next failure minus the sample
// time) for every sample whose life ended in a failure (samples of a life cut short by
// preventive maintenance have no truth and are not counted).
// Maintenance (optional "maintenance"): run_to_failure, preventive every T operating hours
// since the last maintenance (age-based: a repair of a health failure restarts the count), or
// condition-based (preventive maintenance as soon as the health state reaches "threshold", or the
// wear index reaches it). Either renews the machine to as-new. Durations for "preventive" and
// "corrective" work are distributions. A line-level "crew" of technicians does every repair and
// maintenance job; jobs wait for a free technician in the order requested ("fifo"), or
// corrective jobs first, then in order ("corrective_first"). Its technicians are "size" of
// them, always at work, or the members of an operator pool ("pool"), whose size and calendar
// apply: a job starts only while the pool is on shift, and one in progress at the end of the
// shift finishes.
// Energy (optional "power"): kW per state, the working power at speed 1 changing by
// "working_kw_per_speed" per unit of speed (the load: process times are divided by the speed);
// "off_after_idle" switches a starved machine off
// after that long, and the next part then waits "warmup" (shown as setup) before it starts.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine/scenario/json_node.hpp"
#include "engine/sim/distribution.hpp"

namespace dtwin::line {

struct HealthSpec {
  enum class Type : std::uint8_t { None, Markov, Wear };
  Type type = Type::None;
  // markov
  std::uint32_t states = 0;
  std::vector<double> exit_rate_s;            // per state, 1/s; 0 for the failure state
  std::vector<std::vector<double>> jump_cum;  // per state: cumulative jump probabilities
  std::vector<std::vector<double>> gen_h;     // generator per operating hour (K x K)
  std::vector<double> mttf_s;                 // expected operating time to failure per state
  // wear
  Distribution wear_per_part;
  double wear_threshold = 0;

  bool markov() const { return type == Type::Markov; }
  bool wear() const { return type == Type::Wear; }
};

struct SignalSpec {
  bool on = false;
  double base = 0, slope = 0, sd = 0;
};

struct SignalsSpec {
  double interval_s = 0;              // 0: no condition monitor
  SignalSpec vibration, temperature;  // vibration_mm_s, temperature_c
  // the live monitor's p_fail: the probability of a failure within this much calendar time
  double horizon_s = 24 * 3600.0;
};

struct MaintenanceSpec {
  enum class Policy : std::uint8_t { RunToFailure, Preventive, Condition };
  Policy policy = Policy::RunToFailure;
  double every_s = 0;    // preventive: operating time between maintenance
  double threshold = 0;  // condition: health state (markov) or wear level
  bool has_preventive = false, has_corrective = false;
  Distribution preventive, corrective;
  double preventive_cost = 0, corrective_cost = 0;
};

struct PowerSpec {
  bool on = false;
  double off_kw = 0, idle_kw = 0, working_kw = 0, down_kw = 0, setup_kw = 0, warmup_kw = 0;
  double per_speed_kw = 0;  // working power changes by this much per unit of speed above 1
  bool auto_off = false;
  double off_after_s = 0, warmup_s = 0;
};

struct CrewSpec {
  std::uint32_t size = 0;  // 0: no crew, every repair starts at once
  bool corrective_first = false;
  std::string pool_name;  // "pool": the technicians are that operator pool's members
  std::uint32_t pool = std::numeric_limits<std::uint32_t>::max();  // its index; none: max
};

// Readers of the JSON forms above. Errors name the JSON pointer.
HealthSpec parse_health(const Node& n);
SignalsSpec parse_signals(const Node& n, const HealthSpec& h);
MaintenanceSpec parse_maintenance(const Node& n, const HealthSpec& h);
PowerSpec parse_power(const Node& n);
CrewSpec parse_crew(const Node& n);

// Samples the state after leaving state `from` (markov), from one uniform draw.
std::uint32_t next_health_state(const HealthSpec& h, std::uint32_t from, double u);

// The belief over the health states op_h operating hours later (the chain's transition function,
// by uniformisation); its last entry is the probability of having failed meanwhile.
void predict_belief(const HealthSpec& h, double op_h, std::vector<double>& belief);

// One step of the condition monitor's filter: predict `belief` over `op_h` operating hours with
// the chain's generator, then weigh it by the likelihood of the observed signals.
void filter_step(const HealthSpec& h, const SignalsSpec& s, double op_h, double vib, double temp,
                 std::vector<double>& belief);

// Expected operating seconds to failure under `belief`.
double expected_rul_s(const HealthSpec& h, const std::vector<double>& belief);

// The wear filter's state, kept in a plain vector: [w, r, P_ww, P_wr, P_rr] (w a fraction of the
// threshold, r per operating hour, P the covariance). Initialised for a renewed machine whose
// nominal rate is r0 (per operating hour).
void wear_filter_init(double r0_h, std::vector<double>& kf);
// Predict over op_h operating hours, then update with the signals read (their "on" flags and
// non-zero slopes say which carry information).
void wear_filter_step(const SignalsSpec& s, double op_h, double vib, double temp,
                      std::vector<double>& kf);
// Remaining operating hours to the threshold under the filter (infinite when its rate is not
// positive).
double wear_rul_h(const std::vector<double>& kf);

}  // namespace dtwin::line
