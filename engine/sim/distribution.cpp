#include "engine/sim/distribution.hpp"

#include <algorithm>
#include <cmath>

#include "engine/scenario/duration.hpp"

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

const char* kind_name(Kind k) {
  for (const auto& kn : kKinds) {
    if (kn.kind == k) return kn.name;
  }
  return "unknown";
}

std::vector<std::string> kind_names() {
  std::vector<std::string> out;
  for (const auto& kn : kKinds) out.emplace_back(kn.name);
  return out;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

std::string secs(double v) {
  return format_number(v) + " s";
}

Kind parse_kind(const Node& d) {
  if (!d.is_string()) d.expected("the name of a distribution (" + join(kind_names()) + ")");
  const std::string name = d.string();
  for (const auto& kn : kKinds) {
    if (name == kn.name) return kn.kind;
  }
  std::string message = "unknown distribution " + quote(name);
  if (const auto guess = closest_name(name, kind_names())) {
    message += "; did you mean " + quote(*guess) + "?";
  } else {
    message += "; expected one of: " + join(kind_names());
  }
  d.fail(message);
}

// at `hi`: "expected max >= min (50), got 40"
void check_order(const Node& hi, const char* hi_name, double hi_value, const char* lo_name,
                 double lo_value) {
  if (hi_value < lo_value) {
    hi.fail(std::string("expected ") + hi_name + " >= " + lo_name + " (" + format_number(lo_value) +
            "), got " + format_number(hi_value));
  }
}

}  // namespace

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

Distribution parse_distribution(const Node& n) {
  if (n.is_number() || n.is_string()) return Distribution::constant(parse_duration(n));
  if (!n.is_object()) {
    n.expected(
        "a distribution: a number, a duration string such as \"90s\", or an object such as "
        "{\"dist\": \"exponential\", \"mean\": 60}");
  }
  Distribution d;
  d.kind = parse_kind(n.at("dist"));
  switch (d.kind) {
    case Kind::Constant:
      n.check_keys({"dist", "value"});
      d.a = parse_duration(n.at("value"));
      break;
    case Kind::Exponential:
      n.check_keys({"dist", "mean"});
      d.a = parse_duration_positive(n.at("mean"));
      break;
    case Kind::Normal:
      n.check_keys({"dist", "mean", "sd"});
      d.a = parse_duration_positive(n.at("mean"));
      d.b = parse_duration(n.at("sd"));
      break;
    case Kind::Lognormal: {
      n.check_keys({"dist", "mean", "sd", "mu", "sigma"});
      const bool moments = n.has("mean") || n.has("sd");
      const bool logs = n.has("mu") || n.has("sigma");
      if (moments && logs) {
        n.at(n.has("mu") ? "mu" : "sigma")
            .fail("give either \"mean\" and \"sd\" or \"mu\" and \"sigma\", not both");
      }
      if (!moments && !logs) {
        n.fail("missing required members \"mean\" and \"sd\" (or \"mu\" and \"sigma\")");
      }
      if (moments) {
        // sigma^2 = ln(1 + sd^2 / mean^2), mu = ln(mean) - sigma^2 / 2
        const double mean = parse_duration_positive(n.at("mean"));
        const double sd = parse_duration(n.at("sd"));
        const double cv = sd / mean;
        const double var_log = std::log1p(cv * cv);
        d.a = std::log(mean) - 0.5 * var_log;
        d.b = std::sqrt(var_log);
        if (!std::isfinite(d.a) || !std::isfinite(d.b)) {
          n.at("sd").fail("sd " + format_number(sd) + " is too large for mean " +
                          format_number(mean) + " to give a lognormal distribution");
        }
      } else {
        d.a = n.at("mu").number();
        d.b = n.at("sigma").non_negative();
      }
      break;
    }
    case Kind::Uniform:
      n.check_keys({"dist", "min", "max"});
      d.a = parse_duration(n.at("min"));
      d.b = parse_duration(n.at("max"));
      check_order(n.at("max"), "max", d.b, "min", d.a);
      break;
    case Kind::Triangular:
      n.check_keys({"dist", "min", "mode", "max"});
      d.a = parse_duration(n.at("min"));
      d.b = parse_duration(n.at("mode"));
      d.c = parse_duration(n.at("max"));
      check_order(n.at("mode"), "mode", d.b, "min", d.a);
      check_order(n.at("max"), "max", d.c, "mode", d.b);
      break;
    case Kind::Weibull:
      n.check_keys({"dist", "shape", "scale"});
      d.a = n.at("shape").positive();
      d.b = parse_duration_positive(n.at("scale"));
      break;
    case Kind::Empirical: {
      n.check_keys({"dist", "samples"});
      const Node s = n.at("samples");
      const char* what = "a non-empty array of durations";
      if (!s.is_array() || s.size() == 0) s.expected(what);
      for (const Node& item : s.items()) d.samples.push_back(parse_duration(item));
      break;
    }
  }
  if (!std::isfinite(d.mean())) {
    n.fail("the mean of this " + std::string(kind_name(d.kind)) +
           " distribution is too large to represent");
  }
  return d;
}

}  // namespace dtwin
