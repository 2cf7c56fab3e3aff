// The Van Henten lettuce greenhouse as the mirror sees it (Mirrorable): one twin reporting its
// climate, crop and weather, its three controls as setpoints. Values are those of the time
// series (sample()) at w.now().
#include <cmath>
#include <string>
#include <vector>

#include "engine/base/format.hpp"
#include "twins/greenhouse/lettuce_greenhouse.hpp"

namespace dtwin::greenhouse {

namespace {

// the properties, in properties()' order: six reported, then the controls (ControlInput order)
enum Prop : std::size_t {
  kAirTemp,
  kRh,
  kCo2,
  kDryWeight,
  kRadiation,
  kOutdoorTemp,
  kControls,  // co2_supply, ventilation, heating
  kPropN = kControls + 3
};

struct LettuceProp {
  const char* name;
  const char* unit;
  double min, max;
};
constexpr double kInf = 1e300;
// the controls' bounds: Van Henten (1994), the optimal-control problem's
constexpr LettuceProp kProps[kPropN] = {{"air_temp", "degC", -kInf, kInf},
                                        {"rh", "%", 0, 100},
                                        {"co2", "ppm", 0, kInf},
                                        {"dry_weight", "kg/m2", 0, kInf},
                                        {"radiation", "W/m2", 0, kInf},
                                        {"outdoor_temp", "degC", -kInf, kInf},
                                        {"co2_supply", "kg/m2/s", 0, 1.2e-6},
                                        {"ventilation", "m/s", 0, 7.5e-3},
                                        {"heating", "W/m2", 0, 150}};

}  // namespace

void LettuceGreenhouseModel::properties(std::vector<TwinSpec>& out) const {
  std::vector<PropertySpec> props;
  for (std::size_t i = 0; i < kPropN; ++i) {
    PropertySpec p;
    p.name = kProps[i].name;
    p.unit = kProps[i].unit;
    p.min = kProps[i].min;
    p.max = kProps[i].max;
    if (i >= kControls) {
      p.writable = true;
      p.tolerance = 1e-6 * kProps[i].max;
    }
    props.push_back(std::move(p));
  }
  out.push_back(TwinSpec{spec_.id, std::move(props)});
}

bool LettuceGreenhouseModel::read_property(const World& w, std::uint32_t self, std::size_t twin,
                                           std::size_t prop, Value& out) const {
  out = Value{};
  if (twin != 0 || prop >= kPropN) return false;
  const double t = w.now();
  if (prop >= kControls) {
    double u[3];
    controls_at(t, w.state<OdeState>(self).params.data(), u);
    out.num = u[prop - kControls];
    return true;
  }
  double v[4];
  spec_.weather.at(t, v);
  if (prop == kRadiation || prop == kOutdoorTemp) {
    out.num = prop == kRadiation ? v[kRad] : v[kOutTemp];
    return true;
  }
  const auto y = values_sampled(w, self);
  const auto& p = spec_.p;
  const double x[] = {y[kXt], 100 * y[kXh] / vh_saturation_kg_m3(p, y[kXt]),
                      co2_kg_m3_to_ppm(p, y[kXc], y[kXt]), y[kXd]};
  out.num = x[prop];
  return true;
}

bool LettuceGreenhouseModel::apply_setpoint(World& w, std::uint32_t self, std::size_t twin,
                                            std::size_t prop, const Value& v,
                                            std::string* reason) const {
  auto refuse = [&](std::string why) {
    if (reason) *reason = std::move(why);
    return false;
  };
  if (twin != 0 || prop >= kPropN) return refuse("no such property");
  const LettuceProp& l = kProps[prop];
  if (prop < kControls)
    return refuse(std::string(l.name) + " is reported by the greenhouse, not a setpoint");
  if (!std::isfinite(v.num) || v.num < l.min || v.num > l.max)
    return refuse(std::string(l.name) + " must be from 0 to " + format_number(l.max) + " " +
                  l.unit + ", got " + format_number(v.num));
  set_param(w, self, prop - kControls, v.num);
  return true;
}

bool LettuceGreenhouseModel::assimilate(World& w, std::uint32_t self, std::size_t twin,
                                        std::size_t prop, const Value& v,
                                        std::string* reason) const {
  auto refuse = [&](const char* why) {
    if (reason) *reason = why;
    return false;
  };
  if (twin != 0 || prop >= kPropN) return refuse("no such property");
  if (prop >= kControls) return apply_setpoint(w, self, twin, prop, v, reason);
  if (!std::isfinite(v.num) || (prop != kAirTemp && v.num < 0)) return refuse("out of range");
  std::vector<double>& y = w.state<OdeState>(self).y;  // at time 0 of the fork
  const auto& p = spec_.p;
  switch (prop) {
    case kAirTemp:
      if (v.num < -50 || v.num > 80) return refuse("an air temperature from -50 to 80 degC");
      y[kXt] = v.num;
      return true;
    case kRh:
      if (v.num > 100) return refuse("a relative humidity from 0 to 100 %");
      y[kXh] = v.num / 100 * vh_saturation_kg_m3(p, y[kXt]);
      return true;
    case kCo2:
      y[kXc] = co2_ppm_to_kg_m3(p, v.num, y[kXt]);
      return true;
    case kDryWeight:
      if (!(v.num > 0)) return refuse("a dry weight above 0 kg/m2");
      y[kXd] = v.num;
      return true;
    default:
      return refuse("the weather: a fork takes the scenario's");
  }
}

}  // namespace dtwin::greenhouse
