#include "engine/run/verdict.hpp"

#include <cmath>
#include <limits>
#include <ostream>
#include <sstream>

#include "engine/base/error.hpp"
#include "engine/base/format.hpp"
#include "engine/scenario/suggest.hpp"
#include "engine/sim/stats.hpp"

namespace dtwin {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// the column of an expectation's metric: as written, or without a "twins." prefix
std::size_t metric_column(const ResultTable& t, const std::string& key) {
  std::size_t k = t.key_index(key);
  if (k == std::string::npos && key.rfind("twins.", 0) == 0) k = t.key_index(key.substr(6));
  return k;
}

// Is x on the right side of the bound?
bool holds(const std::string& op, double x, double b) {
  if (op == ">=") return x >= b;
  if (op == ">") return x > b;
  if (op == "<=") return x <= b;
  return x < b;
}

// The smallest number of replications m > n whose 95% half-width, at the spread seen, is below
// the distance of the mean from the bound; 0 when none up to a billion would be.
std::uint64_t replications_to_decide(std::uint64_t n, double sd, double gap) {
  if (!(gap > 0) || !(sd > 0)) return 0;
  auto half = [sd](std::uint64_t m) {
    return t975(m - 1) * sd / std::sqrt(static_cast<double>(m));
  };
  std::uint64_t lo = n, hi = n + 1;  // half(lo) >= gap (it straddles); search hi with half < gap
  while (half(hi) >= gap) {
    lo = hi;
    hi *= 2;
    if (hi > 1000000000ULL) return 0;
  }
  while (hi - lo > 1) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    (half(mid) < gap ? hi : lo) = mid;
  }
  return hi;
}
}  // namespace

std::string Verdict::is_text() const {
  switch (is) {
    case Is::Pass:
      return "pass";
    case Is::Fail:
      return "FAIL";
    case Is::Inconclusive:
      return "inconclusive";
    case Is::NoValue:
      break;
  }
  return "no value";
}

std::string Verdict::detail() const {
  const std::string u = unit.empty() || unit == "1" ? "" : " " + unit;
  if (is == Is::NoValue) return "no run reported " + expect.key;
  const int dec = decimals_for(n >= 2 ? (hi - lo) / 2 : kNaN, mean);
  std::string s = expect.key + " = " + fmt_fixed(mean, dec);
  if (n >= 2) {
    s += " ± " + fmt_fixed((hi - lo) / 2, dec) + u + " (95% CI [" + fmt_fixed(lo, dec) + ", " +
         fmt_fixed(hi, dec) + "], " + std::to_string(n) + " replications)";
  } else {
    s += u + " (1 run: no interval)";
  }
  s += ", expected " + expect.op + " " + format_number(expect.bound) + u;
  if (is == Is::Inconclusive) {
    s += decide > 0 ? "; the interval straddles the bound: about " + std::to_string(decide) +
                          " replications would likely decide it"
                    : "; the interval straddles the bound and the mean is (all but) on it: no "
                      "practical number of replications would decide it";
  }
  return s;
}

std::vector<Verdict> judge(const ResultTable& t, const JsonDoc* doc) {
  std::vector<Verdict> out;
  for (std::size_t v = 0; v < t.variants.size() && v < t.expect.size(); ++v) {
    for (const auto& e : t.expect[v]) {
      const std::size_t k = metric_column(t, e.key);
      if (k == std::string::npos) {
        const std::string key_ptr = e.pointer.substr(0, e.pointer.rfind('/'));
        std::string msg =
            "expectation on \"" + e.key + "\": the results have no such metric" +
            did_you_mean(e.key, t.keys) + " (metrics are named as in runs.csv, such as \"" +
            (t.keys.empty() ? std::string("throughput_per_h") : t.keys.front()) + "\")";
        if (doc) throw ScenarioError(doc->locate(key_ptr), key_ptr, msg);
        throw UsageError(key_ptr + ": " + msg);
      }
      Welford w;
      for (const auto& r : t.rows)
        if (r.variant == t.variants[v]) w.add(r.values[k]);
      const Summary s = summarize(w);
      Verdict d;
      d.variant = t.variants[v];
      d.expect = e;
      d.unit = t.units[k];
      d.n = s.n;
      d.mean = s.mean;
      d.lo = s.lo;
      d.hi = s.hi;
      if (s.n == 0) {
        d.is = Verdict::Is::NoValue;
      } else if (s.n == 1) {
        d.is = holds(e.op, s.mean, e.bound) ? Verdict::Is::Pass : Verdict::Is::Fail;
      } else {
        const bool is_lower = e.op == ">=" || e.op == ">";
        // the end of the interval nearest the wrong side must hold; the far end failing means
        // the whole interval is on the wrong side
        const double near = is_lower ? s.lo : s.hi, far = is_lower ? s.hi : s.lo;
        if (holds(e.op, near, e.bound)) {
          d.is = Verdict::Is::Pass;
        } else if (!holds(e.op, far, e.bound)) {
          d.is = Verdict::Is::Fail;
        } else {
          d.is = Verdict::Is::Inconclusive;
          d.decide = replications_to_decide(s.n, w.sd(), std::fabs(s.mean - e.bound));
        }
      }
      out.push_back(std::move(d));
    }
  }
  return out;
}

bool all_passed(const std::vector<Verdict>& v) {
  for (const auto& x : v)
    if (!x.passed()) return false;
  return true;
}

std::string verdicts_text(const std::vector<Verdict>& v, bool all) {
  std::size_t pass = 0, fail = 0, inconclusive = 0;
  for (const auto& x : v) {
    if (x.is == Verdict::Is::Pass)
      ++pass;
    else if (x.is == Verdict::Is::Inconclusive)
      ++inconclusive;
    else
      ++fail;
  }
  std::ostringstream os;
  os << "expectations: " << pass << " passed, " << fail << " failed, " << inconclusive
     << " inconclusive\n";
  for (const auto& x : v) {
    if (x.passed() && !all) continue;
    os << "  " << x.is_text() << "  " << x.variant << ": " << x.expect.text() << ": " << x.detail()
       << "\n";
  }
  return os.str();
}

void write_junit(std::ostream& os, const ResultTable& t, const std::vector<Verdict>& v) {
  std::size_t failures = 0;
  for (const auto& x : v) failures += !x.passed();
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  os << "<testsuites name=\"" << xml_escape("dtwin: " + t.scenario) << "\" tests=\"" << v.size()
     << "\" failures=\"" << failures << "\">\n";
  for (const auto& variant : t.variants) {
    std::size_t n = 0, f = 0;
    for (const auto& x : v)
      if (x.variant == variant) ++n, f += !x.passed();
    if (n == 0) continue;
    os << "  <testsuite name=\"" << xml_escape(t.scenario + " / " + variant) << "\" tests=\"" << n
       << "\" failures=\"" << f << "\">\n";
    for (const auto& x : v) {
      if (x.variant != variant) continue;
      os << "    <testcase classname=\"" << xml_escape(t.scenario + "." + variant) << "\" name=\""
         << xml_escape(x.expect.text()) << "\"";
      if (x.passed()) {
        os << ">\n      <system-out>" << xml_escape(x.detail()) << "</system-out>\n";
      } else {
        os << ">\n      <failure message=\"" << xml_escape(x.is_text() + ": " + x.detail())
           << "\" type=\"" << xml_escape(x.is_text()) << "\">"
           << xml_escape(t.file + " " + x.expect.pointer + ": " + x.detail()) << "</failure>\n";
      }
      os << "    </testcase>\n";
    }
    os << "  </testsuite>\n";
  }
  os << "</testsuites>\n";
}

}  // namespace dtwin
