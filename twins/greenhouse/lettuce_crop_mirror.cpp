// The lettuce crop as the mirror sees it (Mirrorable): one twin reporting the indoor climate the
// crop grows in, the plant density and, now and then, a destructive crop sample; the live engine
// derives the crop's state from them with an ensemble Kalman filter (crop_enkf.hpp).
//
// An emulated crop (dtwin emulate) reports the climate and density series of the scenario at
// its time; it takes no samples (a sample is a grower's hand, not a sensor). A recorded real
// greenhouse (assets/greenhouse/agc2022/koala/koala.jsonl) reports all of them.
#include <array>
#include <cmath>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "twins/greenhouse/lettuce_crop.hpp"
#include "twins/greenhouse/prop_row.hpp"

namespace dtwin::greenhouse {

namespace {

// reported, in properties()' order
enum Reported : std::size_t {
  kPar,
  kAirTemp,
  kRh,
  kCo2,
  kDensity,
  kSampleDry,    // mean dry weight per head of a destructive sample
  kSampleDrySe,  // its standard error
  kSampleFresh,  // mean fresh weight per head
  kSampleHeads,  // heads in the sample
  // what a real greenhouse also reports (a recording): actuators and the outdoor weather, as
  // its climate computer publishes them; mirrored and stored, not used by the crop estimate
  kPipeTemp,
  kVentLee,
  kVentWind,
  kLamps,
  kEnergyScreen,
  kBlackoutScreen,
  kCo2Dosing,
  kOutdoorTemp,
  kOutdoorRh,
  kRadiation,
  kWind,
  kReportedN
};

constexpr double kInf = kUnbounded;
constexpr PropRow kReportedDefs[kReportedN] = {{"par", "umol/m2/s", 0, kInf},
                                               {"air_temp", "degC", -kInf, kInf},
                                               {"rh", "%", 0, 100},
                                               {"co2", "ppm", 0, kInf},
                                               {"density", "heads/m2", 0, kInf},
                                               {"sample_dry_weight", "g/head", 0, kInf},
                                               {"sample_dry_weight_se", "g/head", 0, kInf},
                                               {"sample_fresh_weight", "g/head", 0, kInf},
                                               {"sample_heads", "heads", 0, kInf},
                                               {"pipe_temp", "degC", -kInf, kInf},
                                               {"vent_lee", "%", 0, 100},
                                               {"vent_wind", "%", 0, 100},
                                               {"lamps", "%", 0, 100},
                                               {"energy_screen", "%", 0, 100},
                                               {"blackout_screen", "%", 0, 100},
                                               {"co2_dosing", "1", 0, kInf},
                                               {"outdoor_temp", "degC", -kInf, kInf},
                                               {"outdoor_rh", "%", 0, 100},
                                               {"radiation", "W/m2", 0, kInf},
                                               {"wind", "m/s", 0, kInf}};

// derived by the live engine's crop estimate, after the reported ones
enum Derived : std::size_t {
  kDryWeightEst,
  kDryWeightSd,
  kHeadWeightEst,
  kHeadWeightSd,
  kLaiEst,
  kLaiSd,
  kCplEst,
  kDryWeightModel,
  kHarvestEst,
  kHarvestSd,
  kDerivedN
};
constexpr PropRow kDerivedDefs[kDerivedN] = {{"dry_weight_est", "kg/m2", 0, kInf},
                                             {"dry_weight_sd", "kg/m2", 0, kInf},
                                             {"head_weight_est", "g/head", 0, kInf},
                                             {"head_weight_sd", "g/head", 0, kInf},
                                             {"lai_est", "m2/m2", 0, kInf},
                                             {"lai_sd", "m2/m2", 0, kInf},
                                             {"c_pl_d_est", "m2/kg", 0, kInf},
                                             {"dry_weight_model", "kg/m2", 0, kInf},
                                             {"harvest_weight_est", "g/head", 0, kInf},
                                             {"harvest_weight_sd", "g/head", 0, kInf}};

// each derived property: which quantity (CropMonitor::summarise), its mean or its sd
struct QuantityOf {
  std::size_t quantity;
  bool sd;
};
constexpr QuantityOf kDerivedOf[kDerivedN] = {{0, false}, {0, true}, {1, false}, {1, true},
                                              {2, false}, {2, true}, {3, false}, {4, false},
                                              {5, false}, {5, true}};

// Which derived properties a crop has: per-head ones with a density, the harvest ones with a
// harvest time.
std::vector<Derived> derived_of(const LettuceCropSpec& s) {
  std::vector<Derived> d = {kDryWeightEst, kDryWeightSd};
  if (s.density) d.insert(d.end(), {kHeadWeightEst, kHeadWeightSd});
  d.insert(d.end(), {kLaiEst, kLaiSd, kCplEst, kDryWeightModel});
  if (s.harvest_s > 0) d.insert(d.end(), {kHarvestEst, kHarvestSd});
  return d;
}

constexpr double kHour = 3600, kDay = 86400;

bool is_sample(std::size_t p) {
  return p >= kSampleDry && p <= kSampleHeads;
}

// The live crop estimate: the reported climate held between reports drives the ensemble; a
// sample corrects it. The expected harvest weight grows each member from now to the harvest on
// the mean day of the last week's climate (hour by hour), at today's density: it is refreshed
// daily and after each sample.
class CropMonitor final : public LiveMonitor {
 public:
  CropMonitor(const LettuceCropSpec& s, std::size_t first_derived)
      : p_(s.p),
        o_(s.estimate),
        w0_m2_(s.initial_dry_weight_kg_m2),
        heads0_(s.density ? s.density0_heads_m2 : 1.0),
        harvest_s_(s.harvest_s),
        plan_(s.density),
        first_(first_derived),
        derived_(derived_of(s)) {}

  void observe(std::size_t prop, const Value& v, double t) override {
    if (prop >= kReportedN || !std::isfinite(v.num)) return;
    now_ = std::max(now_, t);
    pending_[prop] = v.num;
    has_pending_[prop] = true;
  }

  void commit() override {
    if (filter_ && now_ > t_) grow(now_ - t_);
    t_ = std::max(t_, now_);
    for (std::size_t p = 0; p < kReportedN; ++p)
      if (has_pending_[p] && !is_sample(p)) {
        held_[p] = pending_[p];
        has_held_[p] = true;
      }
    const bool ready = has_held_[kPar] && has_held_[kAirTemp] && has_held_[kCo2];
    if (ready && !filter_) start();
    if (filter_ && has_pending_[kSampleDry] && pending_[kSampleDry] > 0) {
      const double se = has_pending_[kSampleDrySe] ? pending_[kSampleDrySe] : 0;
      filter_->assimilate(pending_[kSampleDry] * 1e-3, se * 1e-3);
      project();
    } else if (filter_ && harvest_s_ > 0 && now_ >= projected_at_ + kDay) {
      project();
    }
    has_pending_.fill(false);
    if (filter_) summarise();
  }

  bool read(std::size_t prop, Value& out) const override;

 private:
  double heads() const {
    return has_held_[kDensity] && held_[kDensity] > 0 ? held_[kDensity] : heads0_;
  }
  CropClimate climate() const {
    CropClimate c;
    c.rad_w_m2 = par_to_outside_rad(p_, std::max(held_[kPar], 0.0));
    c.air_temp_c = held_[kAirTemp];
    c.co2_kg_m3 = co2_ppm_to_kg_m3(p_, held_[kCo2], held_[kAirTemp]);
    return c;
  }
  void start() {
    filter_ = std::make_unique<CropEnkf>(p_, w0_m2_ / heads0_, o_);
    t_ = now_;
    projected_at_ = now_;
    project();
  }
  // the ensemble over [t_, t_ + dt] in the held climate, which also joins its hour's mean
  void grow(double dt) {
    const CropClimate c = climate();
    filter_->advance(dt, c, heads());
    double t = t_;
    while (t < t_ + dt) {
      const double hour = std::floor(t / kHour);
      const double to = std::min(t_ + dt, (hour + 1) * kHour);
      if (hour != cur_hour_) close_hour(hour);
      acc_.rad_w_m2 += c.rad_w_m2 * (to - t);
      acc_.air_temp_c += c.air_temp_c * (to - t);
      acc_.co2_kg_m3 += c.co2_kg_m3 * (to - t);
      acc_w_ += to - t;
      t = to;
    }
  }
  void close_hour(double next) {
    if (acc_w_ > 0) {
      hours_.push_back(
          {cur_hour_, {acc_.rad_w_m2 / acc_w_, acc_.air_temp_c / acc_w_, acc_.co2_kg_m3 / acc_w_}});
      if (hours_.size() > 7 * 24) hours_.pop_front();
    }
    cur_hour_ = next;
    acc_ = CropClimate{0, 0, 0};
    acc_w_ = 0;
  }
  void project();

  struct HourMean {
    double hour;
    CropClimate c;
  };
  VanHentenParams p_;
  CropEnkfOptions o_;
  double w0_m2_, heads0_, harvest_s_;
  std::optional<InputSeries> plan_;  // the scenario's density over plant time: the spacing plan
  std::size_t first_;
  std::vector<Derived> derived_;
  std::unique_ptr<CropEnkf> filter_;
  double now_ = -1e300, t_ = -1e300, projected_at_ = -1e300;
  std::array<double, kReportedN> pending_{}, held_{};
  std::array<bool, kReportedN> has_pending_{}, has_held_{};
  std::deque<HourMean> hours_;
  double cur_hour_ = -1e300, acc_w_ = 0;
  CropClimate acc_{0, 0, 0};
  MeanSd harvest_;
  // the derived quantities after the last report, in kDerivedOf's numbering: the ensemble's
  // statistics once per report, not once per property read
  std::array<MeanSd, 6> q_{};
  void summarise();
};

void CropMonitor::project() {
  projected_at_ = now_;
  if (harvest_s_ <= 0) return;
  if (now_ >= harvest_s_) {
    harvest_ = filter_->weight();
    return;
  }
  // the mean day of the last week (an hour with no record: the climate held now)
  std::array<CropClimate, 24> day;
  std::array<double, 24> count{};
  day.fill(CropClimate{0, 0, 0});
  for (const HourMean& h : hours_) {
    const auto k = static_cast<std::size_t>(std::fmod(h.hour, 24.0) + (h.hour < 0 ? 24 : 0));
    day[k].rad_w_m2 += h.c.rad_w_m2;
    day[k].air_temp_c += h.c.air_temp_c;
    day[k].co2_kg_m3 += h.c.co2_kg_m3;
    count[k] += 1;
  }
  const CropClimate now = climate();
  for (std::size_t k = 0; k < 24; ++k) {
    if (count[k] == 0) {
      day[k] = now;
      continue;
    }
    day[k].rad_w_m2 /= count[k];
    day[k].air_temp_c /= count[k];
    day[k].co2_kg_m3 /= count[k];
  }
  // the density ahead: the scenario's spacing plan where it has one (scaled to the density the
  // plant reports today), else today's
  const auto hours = static_cast<std::size_t>(std::ceil((harvest_s_ - now_) / kHour));
  std::vector<double> heads_ahead(hours, heads());
  double planned_now = 0;
  if (plan_) plan_->at(now_, &planned_now);
  for (std::size_t k = 0; plan_ && planned_now > 0 && k < hours; ++k) {
    double planned = 0;
    plan_->at(now_ + static_cast<double>(k) * kHour, &planned);
    heads_ahead[k] = heads() * planned / planned_now;
  }
  const double hod = std::fmod(std::floor(now_ / kHour), 24.0);
  harvest_ = filter_->project(day, hod < 0 ? hod + 24 : hod, heads_ahead);
}

void CropMonitor::summarise() {
  const double n = heads();
  const MeanSd w = filter_->weight();
  q_ = {MeanSd{w.mean * n, w.sd * n},
        MeanSd{w.mean * 1e3, w.sd * 1e3},
        filter_->lai(n),
        filter_->c_pl_d(),
        MeanSd{filter_->nominal_weight() * n, 0},
        MeanSd{harvest_.mean * 1e3, harvest_.sd * 1e3}};
}

bool CropMonitor::read(std::size_t prop, Value& out) const {
  if (!filter_ || prop < first_ || prop >= first_ + derived_.size()) return false;
  const QuantityOf of = kDerivedOf[derived_[prop - first_]];
  out = Value{};
  out.num = of.sd ? q_[of.quantity].sd : q_[of.quantity].mean;
  return true;
}

}  // namespace

void LettuceCropModel::properties(std::vector<TwinSpec>& out) const {
  std::vector<PropertySpec> props;
  for (const PropRow& d : kReportedDefs) props.push_back(property_of(d, false));
  for (Derived d : derived_of(spec_)) props.push_back(property_of(kDerivedDefs[d], true));
  out.push_back(TwinSpec{spec_.id, std::move(props)});
}

bool LettuceCropModel::read_property(const World& w, std::uint32_t /*self*/, std::size_t twin,
                                     std::size_t prop, Value& out) const {
  out = Value{};
  if (twin != 0 || prop >= kReportedN) return false;
  const double t = w.now();
  double c[4] = {0, 0, 0, 0};
  spec_.climate.at(t, c);
  const VanHentenParams& p = spec_.p;
  switch (prop) {
    case kPar:
      out.num = c[kLcRad] * p.par_j_to_umol_sun * p.eta_glob_par * p.tau_cover_par;
      break;
    case kAirTemp:
      out.num = c[kLcTemp];
      break;
    case kCo2:
      out.num = co2_kg_m3_to_ppm(p, c[kLcCo2], c[kLcTemp]);
      break;
    case kRh:
      if (!spec_.has_humidity) return false;
      out.num = std::min(100.0, 100 * c[kLcHumidity] / vh_saturation_kg_m3(p, c[kLcTemp]));
      break;
    case kDensity:
      if (!spec_.density) return false;
      out.num = heads(t);
      break;
    default:
      return false;  // samples: taken by hand, not emulated
  }
  return std::isfinite(out.num);
}

std::unique_ptr<LiveMonitor> LettuceCropModel::make_monitor(std::size_t twin) const {
  if (twin != 0) return nullptr;
  return std::make_unique<CropMonitor>(spec_, kReportedN);
}

}  // namespace dtwin::greenhouse
