#include "viewer/whatif_panel.hpp"

#include <cctype>
#include <cmath>

#include "engine/base/error.hpp"
#include "engine/base/format.hpp"
#include "engine/mirror/binding.hpp"
#include "engine/run/results.hpp"
#include "engine/run/whatif.hpp"
#include "engine/scenario/duration.hpp"
#include "twins/register.hpp"
#include "viewer/edit.hpp"
#include "viewer/time_text.hpp"

namespace dtwin::viewer {

std::string WhatIfAsk::label() const {
  if (!variant.empty()) return variant;
  return twin + "." + prop + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
}

bool parse_whatif(const std::string& text, const std::string& twin, WhatIfAsk& out,
                  std::string* why) {
  std::string t = text;
  WhatIfAsk a;
  // trailing " x N" and " for T", in either order
  for (int round = 0; round < 2; ++round) {
    const auto x = t.rfind(" x ");
    if (x != std::string::npos) {
      const std::string n = t.substr(x + 3);
      char* end = nullptr;
      const long v = std::strtol(n.c_str(), &end, 10);
      if (end && *end == 0 && v >= 2 && v <= 100) {
        a.replications = static_cast<unsigned>(v);
        t = t.substr(0, x);
        continue;
      }
    }
    const auto f = t.rfind(" for ");
    if (f != std::string::npos) {
      double h = 0;
      if (parse_duration_text(t.substr(f + 5), &h) && h > 0) {
        a.horizon_s = h;
        t = t.substr(0, f);
      }
    }
  }
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.erase(0, 1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  if (t.rfind("variant ", 0) == 0) {
    a.variant = t.substr(8);
    while (!a.variant.empty() && a.variant.front() == ' ') a.variant.erase(0, 1);
    if (a.variant.empty()) {
      if (why) *why = "variant NAME: which variant?";
      return false;
    }
    out = a;
    return true;
  }
  const auto e = parse_edit(t, twin, why);
  if (!e) {
    if (why) *why = "expected prop = value or variant NAME (then optionally for 4h, x 10)";
    return false;
  }
  a.twin = e->twin;
  a.prop = e->prop;
  a.value = e->value;
  a.selected = twin;
  if (a.value.is_string()) {  // a JSON object or array (a parameter's value) came as its text
    auto j = nlohmann::json::parse(a.value.get<std::string>(), nullptr, false);
    if (!j.is_discarded() && (j.is_object() || j.is_array())) a.value = std::move(j);
  }
  for (std::size_t i = 0, j = 0; i <= a.prop.size(); ++i)
    if (i == a.prop.size() || a.prop[i] == '.') {
      if (i == j) {
        if (why) *why = "an empty name in the path \"" + a.prop + "\"";
        return false;
      }
      j = i + 1;
    }
  out = a;
  return true;
}

nlohmann::json parameter_patch(const std::string& twin, const std::string& path,
                               const nlohmann::json& value) {
  nlohmann::json inner = value;
  std::size_t end = path.size();
  while (true) {
    const auto dot = end == 0 ? std::string::npos : path.rfind('.', end - 1);
    const std::size_t begin = dot == std::string::npos ? 0 : dot + 1;
    inner = nlohmann::json{{path.substr(begin, end - begin), std::move(inner)}};
    if (dot == std::string::npos) break;
    end = dot;
  }
  return {{"twins", {{twin, std::move(inner)}}}};
}

WhatIfPanel::~WhatIfPanel() {
  cancel_ = true;
  join();
}

void WhatIfPanel::join() {
  if (thread_.joinable()) thread_.join();
}

void WhatIfPanel::start_sim(const Scenario& sc, const std::string& variant, std::uint64_t seed,
                            const World& w, const WhatIfAsk& ask, unsigned jobs) {
  if (running_) throw UsageError("a what-if is running already: wait for its panel");
  join();
  Registry reg;
  twins::register_all(reg);
  WhatIf q;
  const std::size_t vi = sc.find_variant(variant);
  q.variants.push_back(sc.compile(vi, reg));
  const Binding b = Binding::of(w);

  // a setpoint (one name, a writable property of the twin) or a parameter (a path in its spec)
  WhatIfAsk a = ask;
  bool parameter = false;
  std::string resolved;  // how a name that is no twin was read
  if (a.variant.empty()) {
    const nlohmann::json& twins = q.variants[0].doc.at("twins");
    if (!twins.contains(a.twin)) {
      if (a.selected.empty() || a.selected == a.twin || !twins.contains(a.selected))
        throw UsageError("no twin \"" + a.twin + "\" in the scenario");
      resolved =
          (twins.at(a.selected).contains(a.twin) ? std::string() : "no twin \"" + a.twin + "\"; ") +
          "as a parameter of " + a.selected + ": ";
      a.prop = a.twin + "." + a.prop;
      a.twin = a.selected;
    }
    const auto [t, p] = b.find(a.twin, a.prop);
    parameter = a.prop.find('.') != std::string::npos || t == std::string::npos ||
                p == std::string::npos || !b.twins[t].properties[p].writable;
  }
  q.extra.resize(2);
  if (parameter) {
    try {
      q.variants.push_back(
          sc.compile(vi, reg, parameter_patch(a.twin, a.prop, a.value), a.label()));
    } catch (const ScenarioError& e) {
      throw UsageError(resolved + e.describe());
    }
  } else if (!a.variant.empty()) {
    q.variants.push_back(sc.compile(sc.find_variant(ask.variant), reg));  // UsageError: names
    if (q.variants[1].name == q.variants[0].name)
      throw UsageError("the view shows " + variant + " already: pick another variant");
  } else {
    // a setpoint: the session's variant, with the change put into its fork after the
    // observations (it wins over them)
    q.variants.push_back(q.variants[0]);
    q.variants[1].name = a.label();
    Value v;
    std::string why;
    if (!edit_value(w, Edit{a.twin, a.prop, a.value}, v, &why)) throw UsageError(why);
    q.extra[1].push_back({a.twin, a.prop, v});
  }
  for (auto& cv : q.variants) {
    cv.settings.seed = seed;
    settle_for_whatif(cv, ask.horizon_s, ask.replications);
  }
  // the fork: every property of every twin, as the world shows it now
  q.observed = observe(w);
  q.jobs = jobs;
  q.budget.cancel = &cancel_;

  ask_ = a;
  live_ = false;
  open_ = running_ = true;
  report_ = nullptr;
  error_.clear();
  baseline_name_ = q.variants[0].name;
  variant_name_ = q.variants[1].name;
  forked_at_ = w.now();
  started_ = steady_now();
  done_ = false;
  thread_ = std::thread([this, &sc, q = std::move(q)] {
    try {
      result_ = nlohmann::json::parse(run_whatif(sc, q).report.dump());
    } catch (const std::exception& e) {
      thread_error_ = e.what();
    }
    done_ = true;
  });
}

void WhatIfPanel::start_live(LiveSource& src, const WhatIfAsk& ask) {
  if (running_) throw UsageError("a what-if is running already: wait for its panel");
  nlohmann::json req = {{"op", "whatif"},
                        {"horizon_s", ask.horizon_s},
                        {"replications", ask.replications},
                        {"apply", false}};
  if (!ask.variant.empty()) {
    req["variants"] = {ask.variant};
  } else {
    // a name the twin reports is a setpoint; anything else a parameter: the engine's "patch"
    WhatIfAsk a = ask;
    const auto twins = src.state().twins;
    if (!twins.count(a.twin) && !a.selected.empty() && twins.count(a.selected)) {
      a.prop = a.twin + "." + a.prop;
      a.twin = a.selected;
    }
    const auto it = twins.find(a.twin);
    const bool setpoint = a.prop.find('.') == std::string::npos && it != twins.end() &&
                          it->second.j.contains("reported") &&
                          it->second.j["reported"].contains(a.prop);
    if (setpoint)
      req["set"] = {{a.twin + "." + a.prop, a.value}};
    else
      req["patch"] = parameter_patch(a.twin, a.prop, a.value);
    ask_ = a;
  }
  if (!ask.variant.empty()) ask_ = ask;
  live_ = true;
  open_ = running_ = true;
  report_ = nullptr;
  error_.clear();
  baseline_name_ = "baseline";
  variant_name_.clear();
  forked_at_ = 0;
  started_ = steady_now();
  src_ = &src;
  ticket_ = src.submit(std::move(req), 10 * 60 * 1000);
}

bool WhatIfPanel::poll() {
  if (!running_) return false;
  if (live_) {
    auto a = src_->answer(ticket_);
    if (!a) return false;
    running_ = false;
    took_s_ = steady_now() - started_;
    if (!a->value("ok", false)) {
      error_ = a->value("error", std::string("refused")) + " (" +
               a->value("code", std::string("?")) + ")";
      return true;
    }
    const auto& res = (*a)["result"];
    report_ = res["report"];
    forked_at_ = res.value("forked_at", 0.0);
    return true;
  }
  if (!done_) return false;
  join();
  running_ = false;
  took_s_ = steady_now() - started_;
  if (!thread_error_.empty()) {
    error_ = thread_error_;
    thread_error_.clear();
  } else {
    report_ = std::move(result_);
    result_ = nullptr;
  }
  return true;
}

namespace {

// the decimals the baseline's interval justifies (as dtwin run's table)
int decimals_of(const nlohmann::json& s) {
  if (!s.is_object() || !s["mean"].is_number()) return 2;
  const auto& ci = s["ci95"];
  const double half = ci.is_array() && ci.size() == 2 && ci[0].is_number() && ci[1].is_number()
                          ? (ci[1].get<double>() - ci[0].get<double>()) / 2
                          : std::nan("");
  return decimals_for(half, s["mean"].get<double>());
}

std::string pm(const nlohmann::json& s, int decimals) {
  if (!s.is_object() || !s["mean"].is_number()) return "-";
  std::string t = fmt_fixed(s["mean"].get<double>(), decimals);
  const auto& ci = s["ci95"];
  if (ci.is_array() && ci.size() == 2 && ci[0].is_number() && ci[1].is_number())
    t += " \xc2\xb1 " + fmt_fixed((ci[1].get<double>() - ci[0].get<double>()) / 2, decimals);
  return t;
}

bool significant(const nlohmann::json& s) {
  if (!s.is_object()) return false;
  const auto& ci = s["ci95"];
  if (!ci.is_array() || ci.size() != 2 || !ci[0].is_number() || !ci[1].is_number()) return false;
  return ci[0].get<double>() > 0 || ci[1].get<double>() < 0;
}

std::string pad(std::string s, std::size_t w) {
  // display width: count UTF-8 lead bytes only
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  if (n < w) s.append(w - n, ' ');
  return s;
}

}  // namespace

std::string comparison_panel(const nlohmann::json& report, const std::string& baseline,
                             const std::string& variant) {
  const auto& vs = report["variants"];
  if (!vs.contains(baseline) || !vs.contains(variant)) return "no comparison in the report\n";
  const auto& b = vs[baseline]["kpis"];
  const auto& v = vs[variant]["kpis"];
  const auto& d = vs[variant]["delta_vs_baseline"]["kpis"];
  std::string out =
      pad("KPI", 26) + pad(baseline, 18) + pad(variant.substr(0, 24), 26) + "delta (paired)\n";
  std::vector<std::string> keys;
  for (const auto& [key, unused] : b.items()) keys.push_back(key);
  for (const std::size_t k : headline_columns(keys, headline_kpis())) {
    const std::string& key = keys[k];
    const std::string unit = report.contains("units") && report["units"].contains(key)
                                 ? report["units"][key].get<std::string>()
                                 : std::string();
    const int dec = decimals_of(b[key]);
    const bool sig = d.contains(key) && significant(d[key]);
    out += pad(key + " [" + unit + "]", 26) + pad(pm(b[key], dec), 18) +
           pad(v.contains(key) ? pm(v[key], dec) : std::string("-"), 26) +
           (d.contains(key) ? pm(d[key], dec) : std::string("-")) + (sig ? " *" : "") + "\n";
  }
  return out;
}

std::string WhatIfPanel::text() const {
  if (!open_) return "";
  std::string t = "what-if " + std::string(live_ ? "from the live plant" : "from t = ") +
                  (live_ ? "" : clock_text(forked_at_)) + ": " + ask_.label() + ", " +
                  format_duration(ask_.horizon_s) + " ahead, " + std::to_string(ask_.replications) +
                  " replications\n\n";
  if (running_) {
    t += "running ... (" + fmt_fixed(steady_now() - started_, 0) + " s)\n";
  } else if (!error_.empty()) {
    t += "failed: " + error_ + "\n";
  } else {
    std::string var = variant_name_;
    if (var.empty() && report_.is_object())
      for (const auto& [name, unused] : report_["variants"].items())
        if (name != baseline_name_) var = name;
    t += comparison_panel(report_, baseline_name_, var);
    t += "\n95% intervals; delta paired by replication (common random numbers); * : the "
         "interval excludes 0\nran in " +
         fmt_fixed(took_s_, 1) + " s";
  }
  t += "\nl or Esc: close";
  return t;
}

}  // namespace dtwin::viewer
