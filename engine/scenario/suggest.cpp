#include "engine/scenario/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include "engine/scenario/json_node.hpp"

namespace dtwin {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // three rows of the dynamic programme: i - 2, i - 1 and i
  std::vector<std::size_t> pp(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], pp[j - 2] + 1);
    }
    std::swap(pp, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

namespace {
bool same_but_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}
}  // namespace

std::optional<std::string> closest_name(std::string_view name,
                                        const std::vector<std::string>& candidates) {
  for (const auto& c : candidates)
    if (c != name && same_but_case(name, c)) return c;
  std::optional<std::string> best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  for (const auto& c : candidates) {
    // a prefix of three or more characters counts as close ("expo" for "exponential")
    if (name.size() >= 3 && name.size() < c.size() && c.compare(0, name.size(), name) == 0) {
      if (best_d > 1) {
        best = c;
        best_d = 1;
      }
      continue;
    }
    const std::size_t limit = std::max<std::size_t>(2, c.size() / 3);
    const std::size_t len_diff =
        name.size() > c.size() ? name.size() - c.size() : c.size() - name.size();
    if (len_diff > limit) continue;  // also keeps huge names cheap
    const std::size_t d = edit_distance(name, c);
    if (d <= limit && d < std::max(name.size(), c.size()) && d < best_d) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  const auto best = closest_name(name, candidates);
  return best ? "; did you mean " + quote(*best) + "?" : std::string();
}

}  // namespace dtwin
