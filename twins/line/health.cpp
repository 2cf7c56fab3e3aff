#include "twins/line/health.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/LU>

#include "engine/scenario/distribution.hpp"
#include "engine/scenario/duration.hpp"

namespace dtwin::line {

namespace {

constexpr std::uint32_t kMaxStates = 64;

// Fills exit rates, jump probabilities, the generator and the expected time to failure from the
// rates per hour q (K-1 transient states) and the jump matrix jp (K x K, zero diagonal).
void finish_markov(HealthSpec& h, const std::vector<double>& q_h,
                   const std::vector<std::vector<double>>& jp, const Node& where) {
  const std::uint32_t K = h.states;
  h.exit_rate_s.assign(K, 0);
  h.jump_cum.assign(K, std::vector<double>(K, 0));
  h.gen_h.assign(K, std::vector<double>(K, 0));
  for (std::uint32_t i = 0; i + 1 < K; ++i) {
    h.exit_rate_s[i] = q_h[i] / 3600.0;
    double cum = 0;
    for (std::uint32_t j = 0; j < K; ++j) {
      cum += jp[i][j];
      h.jump_cum[i][j] = cum;
      h.gen_h[i][j] = j == i ? -q_h[i] : q_h[i] * jp[i][j];
    }
    h.jump_cum[i][K - 1] = 1.0;  // rounding: the last state always closes the row
  }
  // every transient state must reach the failure state
  std::vector<char> reach(K, 0);
  reach[K - 1] = 1;
  for (bool grew = true; grew;) {
    grew = false;
    for (std::uint32_t i = 0; i + 1 < K; ++i) {
      if (reach[i]) continue;
      for (std::uint32_t j = 0; j < K; ++j)
        if (jp[i][j] > 0 && reach[j]) {
          reach[i] = 1;
          grew = true;
          break;
        }
    }
  }
  for (std::uint32_t i = 0; i + 1 < K; ++i)
    if (!reach[i])
      where.fail("health state " + std::to_string(i) + " can never reach the failure state " +
                 std::to_string(K - 1) + ": the chain must end in failure from every state");
  // m = (I - J)^-1 tau on the transient states (Kemeny & Snell's fundamental matrix)
  const Eigen::Index n = K - 1;
  Eigen::MatrixXd a(n, n);
  Eigen::VectorXd tau(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) a(i, j) = (i == j ? 1.0 : 0.0) - jp[i][j];
    tau(i) = 1.0 / h.exit_rate_s[i];
  }
  const Eigen::PartialPivLU<Eigen::MatrixXd> lu(a);
  if (!(lu.matrixLU().diagonal().cwiseAbs().minCoeff() > 1e-300))
    where.fail("the health chain's fundamental matrix is singular");
  const Eigen::VectorXd m = lu.solve(tau);
  h.mttf_s.assign(K, 0);
  for (Eigen::Index i = 0; i < n; ++i) h.mttf_s[i] = m(i);
}

SignalSpec parse_signal(const Node& n) {
  n.check_keys({"base", "slope", "sd"});
  SignalSpec s;
  s.on = true;
  s.base = n.at("base").number();
  s.slope = n.at("slope").number();
  s.sd = n.at("sd").positive();
  return s;
}

}  // namespace

HealthSpec parse_health(const Node& n) {
  HealthSpec h;
  const std::string type = n.at("type").string();
  if (type == "markov") {
    n.check_keys({"type", "states", "rate_per_h", "transition"});
    h.type = HealthSpec::Type::Markov;
    const bool has_rate = n.has("rate_per_h"), has_tr = n.has("transition");
    if (has_rate == has_tr)
      n.fail(has_rate ? "give either \"rate_per_h\" or \"transition\", not both"
                      : "a markov health model needs \"rate_per_h\" (rate of moving to the next "
                        "state, per operating hour) or \"transition\" (a K x K matrix)");
    std::uint32_t K = 0;
    if (auto s = n.find("states")) {
      const auto k = s->integer_at_least(2);
      if (k > kMaxStates) s->expected("at most " + std::to_string(kMaxStates) + " states");
      K = static_cast<std::uint32_t>(k);
    }
    if (has_rate) {
      if (K == 0) n.fail("\"rate_per_h\" needs \"states\" (the number of health states, >= 2)");
      h.states = K;
      const Node r = n.at("rate_per_h");
      std::vector<double> q(K - 1);
      if (r.is_array()) {
        if (r.size() != K - 1)
          r.expected("one rate per state before failure (" + std::to_string(K - 1) + " numbers)");
        for (std::uint32_t i = 0; i + 1 < K; ++i) q[i] = r.at(std::size_t{i}).positive();
      } else {
        const double v = r.positive();
        std::fill(q.begin(), q.end(), v);
      }
      std::vector<std::vector<double>> jp(K, std::vector<double>(K, 0));
      for (std::uint32_t i = 0; i + 1 < K; ++i) jp[i][i + 1] = 1;
      finish_markov(h, q, jp, r);
    } else {
      const Node t = n.at("transition");
      if (!t.is_array()) t.expected("a K x K array of transition probabilities per hour");
      const auto rows = static_cast<std::uint32_t>(t.size());
      if (K == 0) K = rows;
      if (rows != K)
        t.expected(std::to_string(K) + " rows (one per health state), got " + std::to_string(rows));
      if (K < 2 || K > kMaxStates)
        t.expected("between 2 and " + std::to_string(kMaxStates) + " rows");
      h.states = K;
      std::vector<std::vector<double>> p(K, std::vector<double>(K, 0));
      for (std::uint32_t i = 0; i < K; ++i) {
        const Node row = t.at(std::size_t{i});
        if (!row.is_array() || row.size() != K)
          row.expected("a row of " + std::to_string(K) + " probabilities");
        double sum = 0;
        for (std::uint32_t j = 0; j < K; ++j) {
          p[i][j] = row.at(std::size_t{j}).number_in(0, 1);
          sum += p[i][j];
        }
        if (std::fabs(sum - 1) > 1e-9)
          row.fail("transition probabilities in a row must sum to 1, this one sums to " +
                   format_number(sum, 10));
      }
      const Node last = t.at(std::size_t{K - 1});
      if (p[K - 1][K - 1] != 1)
        last.fail("the last health state is the failure state: its row must be [0, ..., 0, 1]");
      std::vector<double> q(K - 1);
      std::vector<std::vector<double>> jp(K, std::vector<double>(K, 0));
      for (std::uint32_t i = 0; i + 1 < K; ++i) {
        const Node pii = t.at(std::size_t{i}).at(std::size_t{i});
        if (p[i][i] >= 1)
          pii.fail("state " + std::to_string(i) +
                   " never changes (stay probability 1): only the failure state is absorbing");
        if (p[i][i] <= 0)
          pii.fail(
              "a stay probability of 0 means no finite time in the state; give a "
              "probability > 0 of staying one hour");
        q[i] = -std::log(p[i][i]);
        for (std::uint32_t j = 0; j < K; ++j)
          if (j != i) jp[i][j] = p[i][j] / (1 - p[i][i]);
      }
      finish_markov(h, q, jp, t);
    }
  } else if (type == "wear") {
    n.check_keys({"type", "rate_per_part", "threshold"});
    h.type = HealthSpec::Type::Wear;
    h.wear_per_part = parse_distribution(n.at("rate_per_part"));
    if (h.wear_per_part.mean() <= 0)
      n.at("rate_per_part").expected("wear per part with a mean > 0");
    h.wear_threshold = n.at("threshold").positive();
  } else {
    n.at("type").expected(
        "\"markov\" (discrete health states) or \"wear\" (a wear index driven by load)");
  }
  return h;
}

SignalsSpec parse_signals(const Node& n, const HealthSpec& h) {
  n.check_keys({"interval", "vibration_mm_s", "temperature_c", "horizon"});
  if (h.type == HealthSpec::Type::None)
    n.fail("\"signals\" are generated from health: give the machine a \"health\" model");
  SignalsSpec s;
  s.interval_s = parse_duration_positive(n.at("interval"));
  if (auto v = n.find("vibration_mm_s")) s.vibration = parse_signal(*v);
  if (auto v = n.find("temperature_c")) s.temperature = parse_signal(*v);
  if (auto v = n.find("horizon")) s.horizon_s = parse_duration_positive(*v);
  if (!s.vibration.on && !s.temperature.on)
    n.fail("give at least one signal: \"vibration_mm_s\" or \"temperature_c\"");
  return s;
}

MaintenanceSpec parse_maintenance(const Node& n, const HealthSpec& h) {
  n.check_keys({"policy", "every", "threshold", "duration", "cost"});
  MaintenanceSpec m;
  const Node pol = n.at("policy");
  const std::string p = pol.string();
  if (p == "run_to_failure")
    m.policy = MaintenanceSpec::Policy::RunToFailure;
  else if (p == "preventive")
    m.policy = MaintenanceSpec::Policy::Preventive;
  else if (p == "condition")
    m.policy = MaintenanceSpec::Policy::Condition;
  else
    pol.expected(
        "\"run_to_failure\", \"preventive\" (every T operating hours) or \"condition\" "
        "(at a health threshold)");
  if (n.has("every") && m.policy != MaintenanceSpec::Policy::Preventive)
    n.at("every").fail("\"every\" applies to the \"preventive\" policy only");
  if (n.has("threshold") && m.policy != MaintenanceSpec::Policy::Condition)
    n.at("threshold").fail("\"threshold\" applies to the \"condition\" policy only");
  if (m.policy == MaintenanceSpec::Policy::Preventive)
    m.every_s = parse_duration_positive(n.at("every"));
  if (m.policy == MaintenanceSpec::Policy::Condition) {
    if (h.type == HealthSpec::Type::None)
      pol.fail("condition-based maintenance needs a \"health\" model on the machine");
    const Node t = n.at("threshold");
    if (h.markov()) {
      const auto K = static_cast<std::int64_t>(h.states);
      const std::int64_t k = t.integer();
      if (K < 3)
        t.fail(
            "condition-based maintenance needs at least 3 health states (as new, worn, "
            "failed); this chain has " +
            std::to_string(K));
      if (k < 1 || k > K - 2)
        t.fail("threshold " + std::to_string(k) + " is outside the health states that can be " +
               "maintained: expected 1.." + std::to_string(K - 2) + " (0 is as new, " +
               std::to_string(K - 1) + " is failure)");
      m.threshold = static_cast<double>(k);
    } else {
      const double v = t.positive();
      if (v >= h.wear_threshold)
        t.fail("threshold " + format_number(v) + " is not below the wear at failure (" +
               format_number(h.wear_threshold) + ")");
      m.threshold = v;
    }
  }
  if (auto d = n.find("duration")) {
    d->check_keys({"preventive", "corrective"});
    if (auto x = d->find("preventive")) {
      m.has_preventive = true;
      m.preventive = parse_distribution(*x);
    }
    if (auto x = d->find("corrective")) {
      m.has_corrective = true;
      m.corrective = parse_distribution(*x);
    }
  }
  if (m.policy != MaintenanceSpec::Policy::RunToFailure && !m.has_preventive)
    n.fail("the \"" + p +
           "\" policy needs \"duration\": {\"preventive\": ...} (how long maintenance takes)");
  if (auto c = n.find("cost")) {
    c->check_keys({"preventive", "corrective"});
    if (auto x = c->find("preventive")) m.preventive_cost = x->non_negative();
    if (auto x = c->find("corrective")) m.corrective_cost = x->non_negative();
  }
  return m;
}

PowerSpec parse_power(const Node& n) {
  n.check_keys({"off_kw", "idle_kw", "working_kw", "working_kw_per_speed", "down_kw", "setup_kw",
                "warmup_kw", "off_after_idle", "warmup"});
  PowerSpec p;
  p.on = true;
  p.off_kw = n.at("off_kw").non_negative();
  p.idle_kw = n.at("idle_kw").non_negative();
  p.working_kw = n.at("working_kw").non_negative();
  p.down_kw = n.at("down_kw").non_negative();
  if (auto k = n.find("working_kw_per_speed")) p.per_speed_kw = k->number();
  p.setup_kw = p.warmup_kw = p.working_kw;
  if (auto s = n.find("setup_kw")) p.setup_kw = s->non_negative();
  if (auto s = n.find("warmup_kw")) p.warmup_kw = s->non_negative();
  if (auto a = n.find("off_after_idle")) {
    p.auto_off = true;
    p.off_after_s = parse_duration(*a);
  }
  if (auto w = n.find("warmup")) {
    if (!p.auto_off) w->fail("\"warmup\" applies after \"off_after_idle\" switched a machine off");
    p.warmup_s = parse_duration(*w);
  }
  if (n.has("warmup_kw") && !p.auto_off)
    n.at("warmup_kw").fail("\"warmup_kw\" applies with \"off_after_idle\" only");
  return p;
}

CrewSpec parse_crew(const Node& n) {
  n.check_keys({"size", "pool", "order"});
  CrewSpec c;
  if (auto p = n.find("pool")) {
    if (n.has("size"))
      n.at("size").fail("give either \"size\" or \"pool\": a pool's crew is as large as the pool");
    c.pool_name = p->string();
    if (c.pool_name.empty()) p->expected("the name of an operator pool under /resources");
  } else {
    c.size = static_cast<std::uint32_t>(n.at("size").integer_at_least(1));
  }
  if (auto o = n.find("order")) {
    const std::string v = o->string();
    if (v == "corrective_first")
      c.corrective_first = true;
    else if (v != "fifo")
      o->expected("\"fifo\" (jobs in the order requested) or \"corrective_first\"");
  }
  return c;
}

std::uint32_t next_health_state(const HealthSpec& h, std::uint32_t from, double u) {
  const auto& cum = h.jump_cum[from];
  for (std::uint32_t j = 0; j < h.states; ++j)
    if (u < cum[j] && j != from) return j;
  return h.states - 1;
}

void predict_belief(const HealthSpec& h, double op_h, std::vector<double>& belief) {
  const std::size_t K = h.states;
  // belief * exp(G t) by uniformisation, in pieces with q t <= 20
  double qmax = 0;
  for (std::size_t i = 0; i < K; ++i) qmax = std::max(qmax, -h.gen_h[i][i]);
  double left = op_h;
  std::vector<double> v(K), acc(K), nxt(K);
  while (qmax > 0 && left > 0) {
    const double t = std::min(left, 20.0 / qmax);
    left -= t;
    const double qt = qmax * t;
    double w = std::exp(-qt), wsum = w;
    v = belief;
    for (std::size_t k = 0; k < K; ++k) acc[k] = w * v[k];
    // v (I + G/q) summed in this order (Eigen's v + v G / q sums in another: other last bits)
    for (int n = 1; n < 200 && wsum < 1 - 1e-13; ++n) {
      for (std::size_t j = 0; j < K; ++j) {
        double x = v[j];  // v (I + G/q): diagonal term
        for (std::size_t i = 0; i < K; ++i) x += v[i] * h.gen_h[i][j] / qmax;
        nxt[j] = x;
      }
      v.swap(nxt);
      w *= qt / n;
      wsum += w;
      for (std::size_t k = 0; k < K; ++k) acc[k] += w * v[k];
    }
    belief = acc;
  }
}

void filter_step(const HealthSpec& h, const SignalsSpec& s, double op_h, double vib, double temp,
                 std::vector<double>& belief) {
  const std::size_t K = h.states;
  predict_belief(h, op_h, belief);
  // the machine is known not to have failed
  belief[K - 1] = 0;
  // update: Gaussian likelihood of each signal, scaled to avoid underflow
  std::vector<double> e(K - 1, 0);
  double emax = -1e300;
  for (std::size_t k = 0; k + 1 < K; ++k) {
    const double hk = static_cast<double>(k);
    if (s.vibration.on) {
      const double z = (vib - s.vibration.base - s.vibration.slope * hk) / s.vibration.sd;
      e[k] -= 0.5 * z * z;
    }
    if (s.temperature.on) {
      const double z = (temp - s.temperature.base - s.temperature.slope * hk) / s.temperature.sd;
      e[k] -= 0.5 * z * z;
    }
    emax = std::max(emax, e[k]);
  }
  double sum = 0;
  for (std::size_t k = 0; k + 1 < K; ++k) sum += belief[k] *= std::exp(e[k] - emax);
  if (!(sum > 0)) {  // the prior ruled out what the signals say: trust the signals
    sum = 0;
    for (std::size_t k = 0; k + 1 < K; ++k) sum += belief[k] = std::exp(e[k] - emax);
  }
  for (auto& b : belief) b /= sum;
}

double expected_rul_s(const HealthSpec& h, const std::vector<double>& belief) {
  double r = 0;
  for (std::size_t k = 0; k + 1 < h.states; ++k) r += belief[k] * h.mttf_s[k];
  return r;
}

void wear_filter_init(double r0_h, std::vector<double>& kf) {
  kf = {0.0, r0_h, 1e-4, 0.0, 0.25 * r0_h * r0_h};
}

void wear_filter_step(const SignalsSpec& s, double op_h, double vib, double temp,
                      std::vector<double>& kf) {
  double& w = kf[0];
  double& r = kf[1];
  double& pww = kf[2];
  double& pwr = kf[3];
  double& prr = kf[4];
  // predict: w += r dt, P = F P F^T with F = [[1, dt], [0, 1]] (written out: Eigen's F * P *
  // F^T rounds P_ww as (P_ww + dt P_wr) + dt (P_wr + dt P_rr), other last bits)
  w += r * op_h;
  pww += 2 * op_h * pwr + op_h * op_h * prr;
  pwr += op_h * prr;
  // update with each signal as a reading of w
  auto update = [&](const SignalSpec& sg, double value) {
    if (!sg.on || sg.slope == 0) return;
    const double y = (value - sg.base) / sg.slope;
    const double R = (sg.sd / sg.slope) * (sg.sd / sg.slope);
    const double S = pww + R;
    if (!(S > 0)) return;
    const double kw = pww / S, kr = pwr / S, e = y - w;
    w += kw * e;
    r += kr * e;
    const double nww = pww - kw * pww, nwr = pwr - kw * pwr, nrr = prr - kr * pwr;
    pww = nww;
    pwr = nwr;
    prr = nrr;
  };
  update(s.vibration, vib);
  update(s.temperature, temp);
}

double wear_rul_h(const std::vector<double>& kf) {
  if (!(kf[1] > 0)) return std::numeric_limits<double>::infinity();
  return std::max(0.0, 1 - kf[0]) / kf[1];
}

}  // namespace dtwin::line
