// The GreenLight greenhouse as the mirror sees it (Mirrorable): one twin reporting its sensors,
// its actuators and crop observations, with every controller setting as a setpoint. Values are
// those of the time series (sample()) at w.now(): the state integrated there, the controls and
// fluxes the controller decides on at that state, the weather at that instant.
#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/base/calendar.hpp"
#include "engine/base/format.hpp"
#include "twins/greenhouse/greenlight_twin.hpp"
#include "twins/greenhouse/prop_row.hpp"

namespace dtwin::greenhouse {

namespace {

// the reported properties, in properties()' order; the setpoints follow (kGlControlFields)
enum Reported : std::size_t {
  kAirTemp,
  kRh,
  kCo2,
  kPar,
  kPipeTemp,
  kOutdoorTemp,
  kRadiation,
  kWind,
  kRoofVents,
  kThermalScreen,
  kBlackoutScreen,
  kLamps,
  kCo2Dosing,
  kHeating,
  kLai,
  kDryWeight,
  kCanopyTemp,
  kCoverTemp,
  kReportedN
};

// derived by the live engine's monitor (GlMonitor), after the setpoints
enum Derived : std::size_t {
  kDewPoint,
  kCondensationMargin,
  kCanopyTemp24h,
  kLampParRatio,
  kDerivedN
};

constexpr double kInf = kUnbounded;
constexpr PropRow kReportedSpecs[kReportedN] = {
    {"air_temp", "degC", -kInf, kInf},
    {"rh", "%", 0, 100},
    {"co2", "ppm", 0, kInf},
    {"par", "umol/m2/s", 0, kInf},
    {"pipe_temp", "degC", -kInf, kInf},
    {"outdoor_temp", "degC", -kInf, kInf},
    {"radiation", "W/m2", 0, kInf},
    {"wind", "m/s", 0, kInf},
    {"roof_vents", "1", 0, 1},
    {"thermal_screen", "1", 0, 1},
    {"blackout_screen", "1", 0, 1},
    {"lamps", "1", 0, 1},
    {"co2_dosing", "1", 0, 1},
    {"heating", "W/m2", 0, kInf},
    {"lai", "m2/m2", 0, kInf},
    {"dry_weight", "kg/m2", 0, kInf},
    {"canopy_temp", "degC", -kInf, kInf},
    {"cover_temp", "degC", -kInf, kInf},
};

constexpr PropRow kDerivedSpecs[kDerivedN] = {
    {"dew_point", "degC", -kInf, kInf},
    {"condensation_margin", "K", -kInf, kInf},
    {"canopy_temp_24h", "degC", -kInf, kInf},
    {"lamp_par_ratio", "1", 0, kInf},
};

// The Magnus formula over water (Sonntag 1990's constants): the dew point of air at t degC and
// rh %.
double dew_point(double t, double rh) {
  const double b = 17.62, c = 243.12;
  const double g = std::log(std::max(rh, 0.1) / 100) + b * t / (c + t);
  return c * g / (b - g);
}

// The live greenhouse's condition monitor: what a grower's alerts need beyond the sensors.
//   dew_point            from the air temperature and RH;
//   condensation_margin  the colder of the cover and the canopy minus the dew point (below 0:
//                        water condenses there);
//   canopy_temp_24h      the mean canopy temperature over the last 24 h of plant time (the
//                        reported values held until the next), once 24 h have been seen;
//   lamp_par_ratio       at the last switch-on of the lamps, the PAR rise 5 min after against
//                        what the lamps give (zetaLampPar etaLampPar thetaLampMax per unit of
//                        lamp intensity): about 1 with every lamp group working, lower when some
//                        have failed. The sun's own change in 5 min is small, and lamps come on
//                        mostly at night.
class GlMonitor final : public LiveMonitor {
 public:
  GlMonitor(std::size_t first_derived, double lamp_par_per_unit)
      : first_(first_derived), lamp_par_(lamp_par_per_unit) {}

  void observe(std::size_t prop, const Value& v, double t) override {
    if (prop >= kReportedN || !std::isfinite(v.num)) return;
    now_ = std::max(now_, t);
    last_[prop] = v.num;
    has_[prop] = true;
    if (prop == kCanopyTemp) canopy_.emplace_back(t, v.num);
  }

  void commit() override {
    // the 24 h window: the canopy's samples (a value holds until the next); the first one older
    // than the window is kept as the value at its start
    while (canopy_.size() > 1 && canopy_[1].first <= now_ - kDay) canopy_.pop_front();
    // lamps: a switch-on, then the PAR 5 min later
    if (has_[kLamps] && has_[kPar]) {
      const double lamps = last_[kLamps], par = last_[kPar];
      if (lamps >= 0.5 && !lamps_on_) {
        lamps_on_ = true;
        on_at_ = now_;
        par_before_ = par_off_;
        waiting_ = true;
      } else if (lamps < 0.05) {
        lamps_on_ = false;
        waiting_ = false;
        par_off_ = par;
      }
      if (waiting_ && lamps_on_ && now_ >= on_at_ + 300 && lamp_par_ > 0) {
        ratio_ = (par - par_before_) / (lamp_par_ * lamps);
        has_ratio_ = true;
        waiting_ = false;
      }
    }
  }

  bool read(std::size_t prop, Value& out) const override {
    if (prop < first_ || prop >= first_ + kDerivedN) return false;
    out = Value{};
    switch (prop - first_) {
      case kDewPoint:
        if (!has_[kAirTemp] || !has_[kRh]) return false;
        out.num = dew_point(last_[kAirTemp], last_[kRh]);
        return true;
      case kCondensationMargin: {
        if (!has_[kAirTemp] || !has_[kRh] || (!has_[kCoverTemp] && !has_[kCanopyTemp]))
          return false;
        double cold = kInf;
        if (has_[kCoverTemp]) cold = std::min(cold, last_[kCoverTemp]);
        if (has_[kCanopyTemp]) cold = std::min(cold, last_[kCanopyTemp]);
        out.num = cold - dew_point(last_[kAirTemp], last_[kRh]);
        return true;
      }
      case kCanopyTemp24h: {
        if (canopy_.empty() || canopy_.front().first > now_ - kDay + 1e-9) return false;
        // the time-weighted mean over [now - 24 h, now]
        double sum = 0;
        for (std::size_t i = 0; i < canopy_.size(); ++i) {
          const double from = std::max(canopy_[i].first, now_ - kDay);
          const double to = i + 1 < canopy_.size() ? canopy_[i + 1].first : now_;
          if (to > from) sum += canopy_[i].second * (to - from);
        }
        out.num = sum / kDay;
        return true;
      }
      case kLampParRatio:
        if (!has_ratio_) return false;
        out.num = std::max(0.0, ratio_);
        return true;
      default:
        return false;
    }
  }

 private:
  static constexpr double kDay = 86400;
  std::size_t first_;
  double lamp_par_;
  double now_ = -kInf;
  double last_[kReportedN] = {};
  bool has_[kReportedN] = {};
  std::deque<std::pair<double, double>> canopy_;
  bool lamps_on_ = false, waiting_ = false, has_ratio_ = false;
  double on_at_ = 0, par_before_ = 0, par_off_ = 0, ratio_ = 0;
};

// the declared range of a controller setting (greenlight_control.json)
const ParamEntry& control_entry(const ParamSet& control, std::size_t i) {
  for (const auto& e : control.params())
    if (e.name == kGlControlFields[i].name) return e;
  throw std::logic_error(std::string("greenlight_control has no ") + kGlControlFields[i].name);
}

double entry_min(const ParamEntry& e) {
  // "> 0" when the file gives no minimum: the smallest positive number
  return e.min_exclusive ? std::numeric_limits<double>::denorm_min() : e.min;
}

double entry_max(const ParamEntry& e) {
  return e.has_max ? e.max : kInf;
}

bool is_lamp_setting(std::size_t i) {
  const std::string n = kGlControlFields[i].name;
  return n == "lampsOn" || n == "lampsOff" || n == "lampsPhotoperiod";
}

}  // namespace

void GreenLightModel::properties(std::vector<TwinSpec>& out) const {
  std::vector<PropertySpec> props;
  for (const auto& r : kReportedSpecs) props.push_back(property_of(r, false));
  for (std::size_t i = 0; i < kGlControlN; ++i) {
    const ParamEntry& e = control_entry(spec_.control, i);
    PropertySpec p;
    p.name = e.name;
    p.unit = e.unit;
    p.min = entry_min(e);
    p.max = entry_max(e);
    p.tolerance = 1e-9;
    p.writable = true;
    props.push_back(std::move(p));
  }
  for (const auto& r : kDerivedSpecs) props.push_back(property_of(r, true));
  out.push_back(TwinSpec{spec_.id, std::move(props)});
}

std::unique_ptr<LiveMonitor> GreenLightModel::make_monitor(std::size_t twin) const {
  if (twin != 0) return nullptr;
  const GlParams& p = spec_.p;
  const double lamp_par = spec_.lamp == "none" ? 0 : p.zetaLampPar * p.etaLampPar * p.thetaLampMax;
  return std::make_unique<GlMonitor>(kReportedN + kGlControlN, lamp_par);
}

bool GreenLightModel::read_property(const World& w, std::uint32_t self, std::size_t twin,
                                    std::size_t prop, Value& out) const {
  out = Value{};
  if (twin != 0 || prop >= kReportedN + kGlControlN) return false;
  const GlControlParams c = control_now(w, self);
  if (prop >= kReportedN) {  // a setting in force
    out.num = c.*kGlControlFields[prop - kReportedN].member;
    return true;
  }
  const double t = w.now();
  const GlWeather we = spec_.weather.at(t);
  switch (prop) {  // the weather needs no state
    case kOutdoorTemp:
      out.num = we.tOut;
      return true;
    case kRadiation:
      out.num = we.iGlob;
      return true;
    case kWind:
      out.num = we.wind;
      return true;
    default:
      break;
  }
  const std::vector<double> y = values_sampled(w, self);
  switch (prop) {  // the states
    case kAirTemp:
      out.num = y[kGlTAir];
      return true;
    case kCanopyTemp:
      out.num = y[kGlTCan];
      return true;
    case kCoverTemp:
      out.num = y[kGlTCovIn];
      return true;
    case kPipeTemp:
      out.num = y[kGlTPipe];
      return true;
    case kLai:
      out.num = tomato_lai(spec_.crop_p, y[kGlCLeaf]);
      return true;
    case kDryWeight:
      out.num = (y[kGlCBuf] + y[kGlCLeaf] + y[kGlCStem] + y[kGlCFruit]) * 1e-6;
      return true;
    default:
      break;
  }
  std::vector<double> d(kGlN);
  GlFluxes f{};
  GlControls u{};
  evaluate(t, y.data(), d.data(), &f, &u, &c);
  // what the controller decides at this state and what follows from it, by property (the
  // properties read above have no entry: 0)
  const double decided[kReportedN] = {0,         u.rhIn,   u.co2Ppm, f.par_above_canopy_umol,
                                      0,         0,        0,        0,
                                      u.uRoof,   u.uThScr, u.uBlScr, u.uLamp,
                                      u.uExtCo2, f.boiler, 0,        0,
                                      0,         0};
  out.num = decided[prop];
  return true;
}

bool GreenLightModel::apply_setpoint(World& w, std::uint32_t self, std::size_t twin,
                                     std::size_t prop, const Value& v, std::string* reason) const {
  auto refuse = [&](std::string why) {
    if (reason) *reason = std::move(why);
    return false;
  };
  if (twin != 0 || prop >= kReportedN + kGlControlN) return refuse("no such property");
  if (prop < kReportedN)
    return refuse(std::string(kReportedSpecs[prop].name) +
                  " is reported by the greenhouse, not a setpoint");
  const std::size_t i = prop - kReportedN;
  const ParamEntry& e = control_entry(spec_.control, i);
  const double lo = entry_min(e), hi = entry_max(e);
  if (!std::isfinite(v.num) || v.num < lo || v.num > hi)
    return refuse(e.name + " must be " + (e.min_exclusive ? "> 0" : "from " + format_number(lo)) +
                  (e.has_max ? " to " + format_number(hi) : "") + " " + e.unit + ", got " +
                  format_number(v.num));
  if (spec_.lamp == "none" && is_lamp_setting(i))
    return refuse(e.name + ": this greenhouse has no lamps (\"lamp\": \"none\")");
  set_param(w, self, i, v.num);
  return true;
}

bool GreenLightModel::assimilate(World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                                 const Value& v, std::string* reason) const {
  auto refuse = [&](const char* why) {
    if (reason) *reason = why;
    return false;
  };
  if (twin != 0 || prop >= kReportedN + kGlControlN) return refuse("no such property");
  if (prop >= kReportedN) return apply_setpoint(w, self, twin, prop, v, reason);
  if (!std::isfinite(v.num)) return refuse("not a number");
  std::vector<double>& y = w.state<OdeState>(self).y;  // at time 0 of the fork
  switch (prop) {
    case kAirTemp:
      if (v.num < -50 || v.num > 80) return refuse("an air temperature from -50 to 80 degC");
      y[kGlTAir] = v.num;
      return true;
    case kRh:
      if (v.num < 0 || v.num > 100) return refuse("a relative humidity from 0 to 100 %");
      y[kGlVpAir] = v.num / 100 * gl_sat_vp(y[kGlTAir]);
      return true;
    case kCo2:
      if (v.num < 0 || v.num > 1e5) return refuse("a CO2 concentration from 0 to 100000 ppm");
      y[kGlCo2Air] = gl_co2_mg_m3(y[kGlTAir], v.num);
      return true;
    case kPipeTemp:
      if (v.num < -50 || v.num > 150) return refuse("a pipe temperature from -50 to 150 degC");
      y[kGlTPipe] = v.num;
      return true;
    case kOutdoorTemp:
    case kRadiation:
    case kWind:
      return refuse("the weather: a fork takes the scenario's");
    case kCanopyTemp:
      if (v.num < -50 || v.num > 80) return refuse("a canopy temperature from -50 to 80 degC");
      y[kGlTCan] = v.num;
      return true;
    case kCoverTemp:
      if (v.num < -60 || v.num > 80) return refuse("a cover temperature from -60 to 80 degC");
      y[kGlTCovIn] = v.num;
      return true;
    case kLai:  // the leaves' carbon at the crop's specific leaf area
      if (v.num < 0 || v.num > 20) return refuse("a leaf area index from 0 to 20 m2/m2");
      y[kGlCLeaf] = v.num / spec_.crop_p.sla;
      return true;
    case kDryWeight: {  // the other pools scaled to make up the rest (taken after the LAI)
      const double rest = v.num * 1e6 - y[kGlCLeaf];
      const double others = y[kGlCBuf] + y[kGlCStem] + y[kGlCFruit];
      if (v.num < 0 || v.num > 100) return refuse("a dry weight from 0 to 100 kg/m2");
      if (rest < 0) return refuse("a dry weight below the leaves' own");
      if (others <= 0) {
        y[kGlCStem] = rest;
      } else {
        for (auto i : {kGlCBuf, kGlCStem, kGlCFruit}) y[i] *= rest / others;
      }
      return true;
    }
    default:
      return refuse("an actuator: the fork's controller decides it");
  }
}

bool GreenLightModel::fork_whatif(const nlohmann::json& request, double fork_utc_s,
                                  WhatIfFork& out) const {
  if (!spec_.weather.epw) return false;
  if (!request.is_object())
    throw std::invalid_argument(
        "\"weather\" must be an object: {\"start\", \"ensemble\", \"forecast\"}");
  for (const auto& [k, v] : request.items())
    if (k != "start" && k != "ensemble" && k != "forecast")
      throw std::invalid_argument("\"weather\": unknown member \"" + k +
                                  "\" (expected start, ensemble, forecast)");
  if (request.contains("start") && !request["start"].is_string())
    throw std::invalid_argument("\"weather\": \"start\" must be a date \"MM-DD\"");
  // the fork's date and minute in UTC ("Z": the weather puts it in its local time): a typical
  // year's "MM-DD" (February 29 as the 28th, its years have none), a dated file's full date
  const std::string minute = iso_local(std::floor(fork_utc_s / 60) * 60);  // ...T12:34:00
  std::string text = spec_.weather.dated ? minute.substr(0, 16) : minute.substr(5, 11);
  if (!spec_.weather.dated && text.compare(0, 5, "02-29") == 0) text.replace(0, 5, "02-28");
  text += "Z";
  nlohmann::json w = {{"start", request.value("start", text)},
                      {"ensemble", request.value("ensemble", nlohmann::json::object())}};
  if (request.contains("forecast")) w["forecast"] = request["forecast"];
  out.patch = {{"twins", {{id_, {{"weather", std::move(w)}}}}}};
  out.kpis = {"dry_weight_kg_m2",        "yield_fresh_kg_m2", "heating_mj_m2", "heating_gas_m3_m2",
              "lamp_electricity_kwh_m2", "co2_used_kg_m2",    "profit_eur_m2"};
  out.objective = "profit_eur_m2";
  return true;
}

}  // namespace dtwin::greenhouse
