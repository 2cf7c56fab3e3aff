#include "twins/line/calibrate.hpp"

#include <algorithm>
#include <cmath>

namespace dtwin::line {

namespace {

enum class St { Unknown, Starved, Working, Blocked, Down, Setup, Off };

St parse_state(const nlohmann::json& v) {
  if (!v.is_string()) return St::Unknown;
  const std::string s = v.get<std::string>();
  if (s == "starved") return St::Starved;
  if (s == "working") return St::Working;
  if (s == "blocked") return St::Blocked;
  if (s == "down") return St::Down;
  if (s == "setup") return St::Setup;
  if (s == "off") return St::Off;
  return St::Unknown;
}

bool number(const nlohmann::json& v, double& out) {
  if (v.is_number()) {
    out = v.get<double>();
    return std::isfinite(out);
  }
  return false;
}

}  // namespace

MachineSamples machine_samples(const std::string& id, const std::vector<LogRow>& rows,
                               double t_end) {
  MachineSamples s;
  s.id = id;
  St state = St::Unknown;
  double t = rows.empty() ? 0 : rows.front().t;
  s.from = t;
  double parts = -1, rejects = -1, speed = 1;
  std::string product, part_product, last_done;  // reported now; of the part in hand; made last
  double work = 0;                               // working time of the part in hand
  bool in_part = false;  // a part is being processed (working, or paused down or off)
  double op = 0;         // operating time since the last repair (or the start)
  double since = t;      // when the current state began
  for (std::size_t i = 0; i < rows.size();) {
    const double now = rows[i].t;
    // time passes in the current state
    const double dt = std::max(0.0, now - t);
    if (state == St::Working) {
      work += dt;
      op += dt;
      s.working_s += dt;
    } else if (state == St::Down) {
      s.down_s += dt;
    } else if (state == St::Setup) {
      s.setup_s += dt;
    }
    t = now;
    // the report: every row of this time together
    St next = state;
    double next_parts = parts, next_rejects = rejects;
    for (; i < rows.size() && rows[i].t == now; ++i) {
      const LogRow& r = rows[i];
      double x = 0;
      if (r.prop == "state") {
        const St st = parse_state(r.value);
        if (st != St::Unknown) next = st;
      } else if (r.prop == "parts" && number(r.value, x)) {
        next_parts = x;
      } else if (r.prop == "rejects" && number(r.value, x)) {
        next_rejects = x;
        s.has_rejects = true;
      } else if (r.prop == "speed" && number(r.value, x) && x > 0) {
        speed = x;
      } else if (r.prop == "product" && r.value.is_string()) {
        product = r.value.get<std::string>();
      }
    }
    // parts made or scrapped: the part in hand is done
    const double made = parts >= 0 && next_parts > parts ? next_parts - parts : 0;
    const double lost = rejects >= 0 && next_rejects > rejects ? next_rejects - rejects : 0;
    if (made + lost > 0) {
      s.parts += static_cast<std::uint64_t>(std::llround(made));
      s.rejects += static_cast<std::uint64_t>(std::llround(lost));
      if (made + lost == 1 && in_part && work > 0) {
        s.process.push_back(work * speed);
        if (!part_product.empty()) s.process_by[part_product].push_back(work * speed);
        last_done = part_product;
      } else if (in_part) {
        ++s.skipped;
      }
      in_part = false;
      work = 0;
    }
    if (next_parts >= 0) parts = next_parts;
    if (next_rejects >= 0) rejects = next_rejects;
    if (next != state) {
      if (state == St::Setup) {
        s.setup.push_back(now - since);
        // after a part of another product: a changeover, for the part now in hand
        if (!last_done.empty() && !product.empty() && last_done != product)
          s.changeover[last_done + "->" + product].push_back(now - since);
      }
      if (state == St::Down) {
        s.ttr.push_back(now - since);
        s.ttr_censored.push_back(false);
      }
      if (next == St::Down && state == St::Working) {
        s.ttf.push_back(op);
        s.ttf_censored.push_back(false);
        ++s.failures;
        op = 0;
      }
      // a part starts when work starts from idle or after a setup; down and off pause it
      // (not at the log's first state: a part in hand then started before the log)
      if (next == St::Working && state != St::Down && state != St::Off && state != St::Unknown &&
          !in_part) {
        in_part = true;
        work = 0;
        part_product = product;
      }
      if (next == St::Starved || next == St::Blocked) in_part = false;
      state = next;
      since = now;
    } else if (state == St::Working && !in_part && s.parts > 0) {
      in_part = true;  // done and straight on with the next part
      work = 0;
      part_product = product;
    }
  }
  // the log ends
  const double dt = std::max(0.0, t_end - t);
  if (state == St::Working) {
    op += dt;
    s.working_s += dt;
  } else if (state == St::Down) {
    s.down_s += dt;
    if (t_end > since) {
      s.ttr.push_back(t_end - since);
      s.ttr_censored.push_back(true);
    }
  }
  if (state != St::Down && op > 0) {
    s.ttf.push_back(op);
    s.ttf_censored.push_back(true);
  }
  s.to = t_end;
  // the history's resolution: a gateway reporting every 30 s leaves gaps that are multiples of
  // 30 s; a log of the events themselves does not (resolution 0: the events' own times)
  std::vector<double> gaps;
  for (std::size_t i = 1; i < rows.size(); ++i)
    if (rows[i].t > rows[i - 1].t) gaps.push_back(rows[i].t - rows[i - 1].t);
  if (gaps.size() >= 10) {
    const double step = *std::min_element(gaps.begin(), gaps.end());
    std::size_t on_grid = 0;
    for (double g : gaps) {
      const double k = g / step;
      on_grid += std::fabs(k - std::round(k)) < 0.05;
    }
    if (on_grid * 2 >= gaps.size()) s.resolution_s = step;
  }
  return s;
}

namespace {

// A merge patch that makes `old` into `now`: members of an old distribution object that the new
// one does not have are removed (a lognormal given by mean and sd becomes mu and sigma, not
// both).
nlohmann::json replacing(const nlohmann::json* old, nlohmann::json now) {
  if (old && old->is_object() && now.is_object())
    for (const auto& [k, v] : old->items())
      if (!now.contains(k)) now[k] = nullptr;
  return now;
}

const nlohmann::json* member(const nlohmann::json& j, const char* k) {
  return j.is_object() && j.contains(k) ? &j[k] : nullptr;
}

}  // namespace

void fit_health(MachineFit& f, const std::vector<LogRow>& rows, const nlohmann::json& twin) {
  const auto* health = member(twin, "health");
  const auto* signals = member(twin, "signals");
  if (!health || !signals || !health->is_object() || health->value("type", "") != "markov") return;
  std::string sig, key;
  if (signals->contains("vibration_mm_s")) {
    sig = "vibration";
    key = "vibration_mm_s";
  } else if (signals->contains("temperature_c")) {
    sig = "temperature";
    key = "temperature_c";
  } else {
    return;
  }
  // the scenario's chain (per hour) and signal: a start for EM
  std::vector<std::vector<double>> p_hour;
  if (health->contains("transition") && (*health)["transition"].is_array()) {
    for (const auto& r : (*health)["transition"]) {
      std::vector<double> row;
      for (const auto& x : r) row.push_back(x.is_number() ? x.get<double>() : 0);
      p_hour.push_back(row);
    }
  }
  std::size_t k = p_hour.size();
  if (k == 0 && health->contains("states") && (*health)["states"].is_number_integer())
    k = (*health)["states"].get<std::size_t>();
  if (k < 2) return;
  // lives and samples
  std::vector<HmmLife> lives(1);
  std::vector<double> steps;
  bool down = false, working = false;
  double t = rows.empty() ? 0 : rows.front().t, op = 0;
  bool sampled = false;
  for (const auto& r : rows) {
    if (working) op += r.t - t;
    t = r.t;
    if (r.prop == "state" && r.value.is_string()) {
      const std::string st = r.value.get<std::string>();
      const bool now_down = st == "down";
      if (now_down && !down && working) {  // a failure: the life ends
        lives.back().failed = true;
        lives.emplace_back();
        sampled = false;
      }
      down = now_down;
      working = st == "working";
    } else if (r.prop == sig && r.value.is_number() && !down) {
      if (sampled && op > 0) steps.push_back(op / 3600);
      lives.back().y.push_back(r.value.get<double>());
      sampled = true;
      op = 0;
    }
  }
  std::vector<HmmLife> kept;
  std::size_t samples = 0;
  for (auto& l : lives)
    if (!l.y.empty()) {
      samples += l.y.size();
      kept.push_back(std::move(l));
    }
  if (steps.empty() || samples < 20 * k) {
    f.notes.push_back("health: too few " + sig + " samples to fit its model (" +
                      std::to_string(samples) + ")");
    return;
  }
  std::nth_element(steps.begin(), steps.begin() + static_cast<std::ptrdiff_t>(steps.size() / 2),
                   steps.end());
  const double step_h = steps[steps.size() / 2];
  std::vector<HmmFit> starts;
  if (p_hour.size() == k) {
    // the scenario's chain over one step: stays P_ii^step, jumps in proportion
    HmmFit s0;
    s0.k = k;
    s0.a.assign(k, std::vector<double>(k, 0.0));
    for (std::size_t i = 0; i < k; ++i) {
      const double stay = std::pow(std::max(p_hour[i][i], 1e-12), step_h);
      s0.a[i][i] = i + 1 == k ? 1 : stay;
      double out = 0;
      for (std::size_t j = i + 1; j < k; ++j) out += p_hour[i][j];
      if (i + 1 < k && out > 0)
        for (std::size_t j = i + 1; j < k; ++j) s0.a[i][j] = (1 - stay) * p_hour[i][j] / out;
    }
    const auto& sg = (*signals)[key];
    s0.base = sg.value("base", 0.0);
    s0.slope = sg.value("slope", 1.0);
    s0.sd = std::max(1e-6, sg.value("sd", 1.0));
    starts.push_back(s0);
  }
  try {
    f.health = fit_hmm_best(kept, k, starts);
  } catch (const std::invalid_argument& e) {
    f.notes.push_back(std::string("health: not fitted (") + e.what() + ")");
    return;
  }
  f.health_signal = sig;
  f.health_step_h = step_h;
  f.health_lives = kept.size();
  f.health_samples = samples;
}

nlohmann::json MachineFit::to_json() const {
  const auto fit = [](const std::optional<SampleFit>& f) {
    return f ? f->to_json() : nlohmann::json(nullptr);
  };
  const auto fits = [](const std::map<std::string, SampleFit>& m) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [name, f] : m) j[name] = f.to_json();
    return j;
  };
  return {{"twin", data.id},
          {"span_s", data.to - data.from},
          {"parts", data.parts},
          {"failures", data.failures},
          {"working_s", data.working_s},
          {"down_s", data.down_s},
          {"setup_s", data.setup_s},
          {"skipped_parts", data.skipped},
          {"rejects", data.rejects},
          {"scrap",
           scrap ? nlohmann::json{{"value", scrap->value}, {"lo", scrap->lo}, {"hi", scrap->hi}}
                 : nlohmann::json(nullptr)},
          {"resolution_s", data.resolution_s},
          {"process", fit(process)},
          {"process_by_product", fits(process_by)},
          {"changeover", fits(changeover)},
          {"setup", fit(setup)},
          {"ttf", fit(ttf)},
          {"ttr", fit(ttr)},
          {"health", health ? nlohmann::json{{"signal", health_signal},
                                             {"lives", health_lives},
                                             {"samples", health_samples},
                                             {"step_h", health_step_h},
                                             {"transition_per_h", health->per_hour(health_step_h)},
                                             {"base", health->base},
                                             {"slope", health->slope},
                                             {"sd", health->sd},
                                             {"loglik", health->loglik},
                                             {"iterations", health->iterations}}
                            : nlohmann::json(nullptr)},
          {"notes", notes}};
}

MachineFit fit_machine(MachineSamples s) {
  MachineFit f;
  const auto attempt = [&](const char* what, const std::vector<double>& x,
                           std::vector<bool> censored, const std::vector<Distribution::Kind>& k,
                           std::optional<SampleFit>& out) {
    if (censored.empty()) censored.assign(x.size(), false);
    std::vector<double> pos;
    std::vector<bool> cens;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (x[i] > 0) {
        pos.push_back(x[i]);
        cens.push_back(censored[i]);
      }
    try {
      out = fit_durations(pos, cens, k);
    } catch (const std::invalid_argument& e) {
      if (!x.empty())
        f.notes.push_back(std::string(what) + ": not fitted (" + e.what() + ", " +
                          std::to_string(x.size()) + " observations)");
    }
  };
  attempt("process", s.process, {}, process_families(), f.process);
  for (const auto& [name, x] : s.process_by) {
    std::optional<SampleFit> one;
    attempt(("process of " + name).c_str(), x, {}, process_families(), one);
    if (one) f.process_by.emplace(name, std::move(*one));
  }
  for (const auto& [pair, x] : s.changeover) {
    std::optional<SampleFit> one;
    attempt(("changeover " + pair).c_str(), x, {}, process_families(), one);
    if (one) f.changeover.emplace(pair, std::move(*one));
  }
  attempt("setup", s.setup, {}, process_families(), f.setup);
  if (s.has_rejects && s.parts + s.rejects > 0) {
    // Wilson's score interval for a binomial share
    const double n = static_cast<double>(s.parts + s.rejects);
    const double p = static_cast<double>(s.rejects) / n, z = 1.959963984540054;
    const double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
    const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
    f.scrap = Estimate{"scrap", p, std::max(0.0, centre - half), std::min(1.0, centre + half)};
  }
  if (s.failures > 0) {
    attempt("time to failure", s.ttf, s.ttf_censored, lifetime_families(), f.ttf);
    attempt("time to repair", s.ttr, s.ttr_censored, lifetime_families(), f.ttr);
  } else if (s.working_s > 0) {
    f.notes.push_back("no failure in " + std::to_string(std::llround(s.working_s / 3600)) +
                      " operating hours: failures not fitted");
  }
  // reports far apart blur the short durations (and lose parts made between two reports)
  if (f.process && s.resolution_s > 0.02 * f.process->best().dist.mean())
    f.notes.push_back("the history's resolution (" + std::to_string(std::llround(s.resolution_s)) +
                      " s between reports) is more than 2 % of the mean processing time: "
                      "the processing times are blurred; fit from an event log with the events' "
                      "own times, or have the gateway report more often");
  if (s.skipped > 0)
    f.notes.push_back(std::to_string(s.skipped) +
                      " part(s) gave no processing time (the count rose by more than one "
                      "between two reports)");
  f.data = std::move(s);
  return f;
}

nlohmann::json machine_patch(const MachineFit& f, const nlohmann::json& twin) {
  nlohmann::json p = nlohmann::json::object();
  const bool by_product = twin.contains("process") && twin["process"].is_object() &&
                          twin["process"].contains("by_product");
  if (f.process && !by_product)
    p["process"] = replacing(member(twin, "process"), f.process->best().dist.to_json());
  if (by_product && !f.process_by.empty()) {
    const nlohmann::json& old = twin["process"]["by_product"];
    nlohmann::json by = nlohmann::json::object();
    for (const auto& [name, fit] : f.process_by)
      if (old.is_object() && old.contains(name))  // a product the scenario does not have: left
        by[name] = replacing(member(old, name.c_str()), fit.best().dist.to_json());
    if (!by.empty()) p["process"] = {{"by_product", by}};
  }
  if (const auto* old = member(twin, "changeover"); old && old->is_object()) {
    nlohmann::json co = nlohmann::json::object();
    for (const auto& [pair, fit] : f.changeover)
      if (old->contains(pair))
        co[pair] = replacing(member(*old, pair.c_str()), fit.best().dist.to_json());
    if (!co.empty()) p["changeover"] = co;
  }
  if (f.setup && twin.contains("setup")) {
    const nlohmann::json d = f.setup->best().dist.to_json();
    const nlohmann::json& old = twin["setup"];
    if (old.is_object() && old.contains("duration"))
      p["setup"] = {{"duration", replacing(member(old, "duration"), d)}};
    else
      p["setup"] = replacing(&old, d);
  }
  if (f.scrap && f.scrap->value < 1) p["scrap"] = f.scrap->value;
  if (f.health) {
    auto ph = f.health->per_hour(f.health_step_h);
    for (auto& row : ph)  // the rows sum to 1 as the scenario's parser demands
      for (auto& x : row) x = std::round(x * 1e9) / 1e9;
    for (std::size_t i = 0; i < ph.size(); ++i) {
      double sum = 0;
      for (std::size_t j = 0; j < ph.size(); ++j)
        if (j != i) sum += ph[i][j];
      ph[i][i] = 1 - sum;
    }
    nlohmann::json h = {{"transition", ph}};
    if (const auto* old = member(twin, "health"); old && old->contains("rate_per_h"))
      h["rate_per_h"] = nullptr;
    p["health"] = h;
    const std::string key = f.health_signal == "vibration" ? "vibration_mm_s" : "temperature_c";
    p["signals"] = {
        {key, {{"base", f.health->base}, {"slope", f.health->slope}, {"sd", f.health->sd}}}};
  }
  // a machine with a health model fails by it: its repairs are the maintenance's corrective
  // work, and no second failure process is added
  const bool has_health = twin.contains("health");
  if (has_health && f.ttr && !twin.contains("mtbf") && !twin.contains("failures")) {
    const nlohmann::json* m = member(twin, "maintenance");
    const nlohmann::json* d = m ? member(*m, "duration") : nullptr;
    const nlohmann::json* c = d ? member(*d, "corrective") : nullptr;
    p["maintenance"] = {{"duration", {{"corrective", replacing(c, f.ttr->best().dist.to_json())}}}};
  }
  if (f.ttf && f.ttr && (!has_health || twin.contains("mtbf") || twin.contains("failures"))) {
    const auto& a = f.ttf->best();
    const auto& b = f.ttr->best();
    const bool exp =
        a.kind == Distribution::Kind::Exponential && b.kind == Distribution::Kind::Exponential;
    if (exp && !twin.contains("failures")) {
      p["mtbf"] = a.dist.a;
      p["mttr"] = b.dist.a;
    } else {
      if (twin.contains("mtbf")) p["mtbf"] = nullptr;
      if (twin.contains("mttr")) p["mttr"] = nullptr;
      const nlohmann::json* old = member(twin, "failures");
      p["failures"] = {{"ttf", replacing(old ? member(*old, "ttf") : nullptr, a.dist.to_json())},
                       {"ttr", replacing(old ? member(*old, "ttr") : nullptr, b.dist.to_json())}};
    }
  }
  return p.empty() ? nlohmann::json(nullptr) : p;
}

}  // namespace dtwin::line
