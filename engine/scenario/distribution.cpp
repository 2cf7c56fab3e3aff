#include "engine/scenario/distribution.hpp"

#include <algorithm>
#include <cmath>

#include "engine/base/format.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/suggest.hpp"

namespace dtwin {

namespace {

using Kind = Distribution::Kind;

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

Kind parse_kind(const Node& d) {
  if (!d.is_string())
    d.expected("the name of a distribution (" + join(Distribution::kind_names()) + ")");
  const std::string name = d.string();
  Kind k;
  if (Distribution::kind_of(name, &k)) return k;
  std::string message = "unknown distribution " + quote(name);
  if (const std::string hint = did_you_mean(name, Distribution::kind_names()); !hint.empty()) {
    message += hint;
  } else {
    message += "; expected one of: " + join(Distribution::kind_names());
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
    n.fail("the mean of this " + std::string(Distribution::kind_name(d.kind)) +
           " distribution is too large to represent");
  }
  return d;
}

}  // namespace dtwin
