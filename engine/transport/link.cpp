#include "engine/transport/link.hpp"

namespace dtwin {

bool topic_matches(std::string_view filter, std::string_view topic) {
  if (filter.rfind("$share/", 0) == 0) {
    const auto slash = filter.find('/', 7);
    if (slash == std::string_view::npos) return false;
    filter = filter.substr(slash + 1);
  }
  // topics starting with '$' are not matched by wildcards at the first level
  if (!topic.empty() && topic[0] == '$' && !filter.empty() &&
      (filter[0] == '+' || filter[0] == '#'))
    return false;
  std::size_t f = 0, t = 0;
  for (;;) {
    const std::size_t fe = filter.find('/', f);
    const std::size_t te = topic.find('/', t);
    const std::string_view flev =
        filter.substr(f, fe == std::string_view::npos ? std::string_view::npos : fe - f);
    if (flev == "#") return true;
    if (t > topic.size()) return false;  // topic exhausted
    const std::string_view tlev =
        topic.substr(t, te == std::string_view::npos ? std::string_view::npos : te - t);
    if (flev != "+" && flev != tlev) return false;
    const bool fend = fe == std::string_view::npos, tend = te == std::string_view::npos;
    if (fend && tend) return true;
    if (fend) return false;
    if (tend) {
      // "a/#" matches "a"
      return filter.substr(fe + 1) == "#";
    }
    f = fe + 1;
    t = te + 1;
  }
}

}  // namespace dtwin
