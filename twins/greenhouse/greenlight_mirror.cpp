// The GreenLight greenhouse as the mirror sees it (Mirrorable): one twin reporting its sensors,
// its actuators and crop observations, with every controller setting as a setpoint. Values are
// those of the time series (sample()) at w.now(): the state integrated there, the controls and
// fluxes the controller decides on at that state, the weather at that instant.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/base/format.hpp"
#include "twins/greenhouse/greenlight_twin.hpp"

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
  kReportedN
};

struct ReportedSpec {
  const char* name;
  const char* unit;
  double min, max;
};
constexpr double kInf = 1e300;
constexpr ReportedSpec kReportedSpecs[kReportedN] = {
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
  return n == "lampsOn" || n == "lampsOff";
}

}  // namespace

void GreenLightModel::properties(std::vector<TwinSpec>& out) const {
  std::vector<PropertySpec> props;
  for (const auto& r : kReportedSpecs) {
    PropertySpec p;
    p.name = r.name;
    p.unit = r.unit;
    p.min = r.min;
    p.max = r.max;
    props.push_back(std::move(p));
  }
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
  out.push_back(TwinSpec{spec_.id, std::move(props)});
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
                                      u.uExtCo2, f.boiler, 0,        0};
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
    case kLai:
    case kDryWeight:
      return refuse("a crop observation: a fork starts from the scenario's crop");
    default:
      return refuse("an actuator: the fork's controller decides it");
  }
}

}  // namespace dtwin::greenhouse
