#include "engine/sim/distribution.hpp"

#include <algorithm>
#include <cmath>

#include "engine/base/format.hpp"

namespace dtwin {

namespace {

using Kind = Distribution::Kind;

constexpr double kPi = 3.14159265358979323846;

struct KindName {
  Kind kind;
  const char* name;
};

constexpr KindName kKinds[] = {
    {Kind::Constant, "constant"}, {Kind::Exponential, "exponential"},
    {Kind::Normal, "normal"},     {Kind::Lognormal, "lognormal"},
    {Kind::Uniform, "uniform"},   {Kind::Triangular, "triangular"},
    {Kind::Weibull, "weibull"},   {Kind::Empirical, "empirical"},
};

std::string secs(double v) {
  return format_number(v) + " s";
}

}  // namespace

const char* Distribution::kind_name(Kind k) {
  for (const auto& kn : kKinds) {
    if (kn.kind == k) return kn.name;
  }
  return "unknown";
}

std::vector<std::string> Distribution::kind_names() {
  std::vector<std::string> out;
  for (const auto& kn : kKinds) out.emplace_back(kn.name);
  return out;
}

bool Distribution::kind_of(std::string_view name, Kind* out) {
  for (const auto& kn : kKinds)
    if (name == kn.name) {
      *out = kn.kind;
      return true;
    }
  return false;
}

double Distribution::sample_other(Rng& rng) const {
  switch (kind) {
    case Kind::Constant:
      return a;
    case Kind::Exponential:
      return a * (0.0 - std::log(rng.uniform_pos()));  // +0, not -0
    case Kind::Normal: {
      if (b == 0) return a;
      // truncated at 0 by rejection; the mean is > 0, so at least half the draws are kept
      for (;;) {
        const double x = a + b * standard_normal(rng);
        if (x >= 0) return x;
      }
    }
    case Kind::Lognormal:
      return std::exp(a + b * standard_normal(rng));
    case Kind::Uniform:
      return a + (b - a) * rng.uniform();
    case Kind::Triangular: {
      if (c <= a) return a;
      const double u = rng.uniform();
      const double width = c - a;
      if (u * width < b - a) return a + std::sqrt(u * width * (b - a));
      return c - std::sqrt((1 - u) * width * (c - b));
    }
    case Kind::Weibull:
      return b * std::pow(-std::log(rng.uniform_pos()), 1.0 / a);
    case Kind::Empirical: {
      if (samples.empty()) return 0;
      const double n = static_cast<double>(samples.size());
      auto i = static_cast<std::size_t>(std::floor(rng.uniform() * n));
      if (i >= samples.size()) i = samples.size() - 1;
      return samples[i];
    }
  }
  return a;
}

double Distribution::mean() const {
  switch (kind) {
    case Kind::Constant:
    case Kind::Exponential:
      return a;
    case Kind::Normal: {
      if (b == 0) return a;
      // mean of N(a, b^2) truncated to [0, inf): a + b phi(alpha) / (1 - Phi(alpha))
      const double alpha = -a / b;
      const double phi = std::exp(-0.5 * alpha * alpha) / std::sqrt(2 * kPi);
      const double tail = 0.5 * std::erfc(alpha / std::sqrt(2.0));
      return a + b * phi / tail;
    }
    case Kind::Lognormal:
      return std::exp(a + 0.5 * b * b);
    case Kind::Uniform:
      return 0.5 * (a + b);
    case Kind::Triangular:
      return (a + b + c) / 3;
    case Kind::Weibull:
      return b * std::tgamma(1 + 1 / a);
    case Kind::Empirical: {
      if (samples.empty()) return 0;
      double sum = 0;
      for (double s : samples) sum += s;
      return sum / static_cast<double>(samples.size());
    }
  }
  return a;
}

std::string Distribution::describe() const {
  switch (kind) {
    case Kind::Constant:
      return "constant(" + secs(a) + ")";
    case Kind::Exponential:
      return "exponential(mean " + secs(a) + ")";
    case Kind::Normal:
      return "normal(mean " + secs(a) + ", sd " + secs(b) + ")";
    case Kind::Lognormal:
      return "lognormal(mu " + format_number(a) + ", sigma " + format_number(b) + "; mean " +
             secs(mean()) + ")";
    case Kind::Uniform:
      return "uniform(min " + secs(a) + ", max " + secs(b) + ")";
    case Kind::Triangular:
      return "triangular(min " + secs(a) + ", mode " + secs(b) + ", max " + secs(c) + ")";
    case Kind::Weibull:
      return "weibull(shape " + format_number(a) + ", scale " + secs(b) + ")";
    case Kind::Empirical:
      return "empirical(" + std::to_string(samples.size()) + " samples, mean " + secs(mean()) + ")";
  }
  return "unknown";
}

nlohmann::json Distribution::to_json() const {
  nlohmann::json j;
  j["dist"] = kind_name(kind);
  switch (kind) {
    case Kind::Constant:
      j["value"] = a;
      break;
    case Kind::Exponential:
      j["mean"] = a;
      break;
    case Kind::Normal:
      j["mean"] = a;
      j["sd"] = b;
      break;
    case Kind::Lognormal:
      j["mu"] = a;
      j["sigma"] = b;
      break;
    case Kind::Uniform:
      j["min"] = a;
      j["max"] = b;
      break;
    case Kind::Triangular:
      j["min"] = a;
      j["mode"] = b;
      j["max"] = c;
      break;
    case Kind::Weibull:
      j["shape"] = a;
      j["scale"] = b;
      break;
    case Kind::Empirical:
      j["samples"] = samples;
      break;
  }
  return j;
}

}  // namespace dtwin
