#include "engine/transport/wire_json.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

namespace dtwin {

namespace {

using Json = nlohmann::json;
using DomParser = nlohmann::detail::json_sax_dom_parser<Json>;

// Forwards every event to nlohmann's own DOM builder and keeps, per open object, the member
// names seen so far. Objects on the wire are small (a payload is at most 64 KiB), so a linear
// search per name costs less than hashing; past kLinear names a sorted copy takes over, so a
// hostile object of thousands of names costs n log n, not n^2.
class StrictSax {
 public:
  explicit StrictSax(Json& out) : dom_(out, false) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(Json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(Json::number_float_t v, const Json::string_t& s) {
    return dom_.number_float(v, s);
  }
  bool string(Json::string_t& v) { return dom_.string(v); }
  bool binary(Json::binary_t& v) { return dom_.binary(v); }
  bool start_array(std::size_t n) { return dom_.start_array(n); }
  bool end_array() { return dom_.end_array(); }

  bool start_object(std::size_t n) {
    if (depth_ == levels_.size()) levels_.emplace_back();
    levels_[depth_].clear();
    ++depth_;
    return dom_.start_object(n);
  }
  bool end_object() {
    --depth_;
    return dom_.end_object();
  }
  bool key(Json::string_t& k) {
    if (seen(levels_[depth_ - 1], k)) {
      duplicate_ = k;
      return false;
    }
    return dom_.key(k);
  }
  bool parse_error(std::size_t pos, const std::string& token,
                   const nlohmann::detail::exception& e) {
    return dom_.parse_error(pos, token, e);
  }

  bool errored() const { return dom_.is_errored(); }
  const std::string& duplicate() const { return duplicate_; }

 private:
  static constexpr std::size_t kLinear = 32;
  struct Names {
    std::vector<std::string> list;    // in arrival order, while small
    std::vector<std::string> sorted;  // all of them, once list outgrew kLinear
    void clear() {
      list.clear();
      sorted.clear();
    }
  };

  static bool seen(Names& names, const std::string& k) {
    if (names.sorted.empty()) {
      for (const auto& n : names.list)
        if (n == k) return true;
      names.list.push_back(k);
      if (names.list.size() > kLinear) {
        names.sorted = std::move(names.list);
        names.list.clear();
        std::sort(names.sorted.begin(), names.sorted.end());
      }
      return false;
    }
    const auto at = std::lower_bound(names.sorted.begin(), names.sorted.end(), k);
    if (at != names.sorted.end() && *at == k) return true;
    names.sorted.insert(at, k);
    return false;
  }

  DomParser dom_;
  std::vector<Names> levels_;
  std::size_t depth_ = 0;
  std::string duplicate_;
};

}  // namespace

Json parse_wire_json(std::string_view payload, std::string* why) {
  Json out;
  StrictSax sax(out);
  const bool ok = Json::sax_parse(payload, &sax, Json::input_format_t::json, true);
  if (ok && !sax.errored()) return out;
  if (why != nullptr)
    *why =
        sax.duplicate().empty() ? "invalid JSON" : "member \"" + sax.duplicate() + "\" given twice";
  return Json(Json::value_t::discarded);
}

}  // namespace dtwin
