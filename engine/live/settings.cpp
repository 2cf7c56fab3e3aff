#include "engine/live/settings.hpp"

#include <chrono>

#include "engine/base/hash.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/json_node.hpp"

namespace dtwin {

double wall_clock() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

LiveSettings parse_live(const Scenario& sc) {
  LiveSettings out;
  const Node root(sc.doc());
  const auto live = root.find("live");
  if (!live) return out;
  if (!live->is_object()) live->expected("an object");
  live->check_keys({"plant", "stale_after", "emulator"});
  if (auto p = live->find("plant")) {
    out.plant = p->string();
    if (out.plant.empty() || out.plant.find_first_of("/+#$ \t") != std::string::npos)
      p->fail(
          "a plant name must be a non-empty MQTT topic level without '/', '+', '#', '$' or "
          "spaces: \"" +
          out.plant + "\"");
  }
  if (auto s = live->find("stale_after")) out.stale_after_s = parse_duration(*s);
  if (auto e = live->find("emulator")) {
    if (!e->is_object()) e->expected("an object");
    e->check_keys({"speed", "report_every", "full_every", "delay", "noise"});
    if (auto n = e->find("speed")) out.speed = n->number_in(1e-3, 1e6);
    if (auto n = e->find("report_every")) out.report_every_s = parse_duration_positive(*n);
    if (auto n = e->find("full_every")) out.full_every_s = parse_duration_positive(*n);
    if (auto n = e->find("delay")) out.delay_s = parse_duration(*n);
    if (auto n = e->find("noise")) {
      if (!n->is_object())
        n->expected("an object of \"prop\" or \"twin.prop\" -> standard deviation");
      for (const auto& [key, val] : n->members()) {
        LiveSettings::Noise z;
        const auto dot = key.find('.');
        if (dot == std::string::npos) {
          z.prop = key;
        } else {
          z.twin = key.substr(0, dot);
          z.prop = key.substr(dot + 1);
        }
        if (z.prop.empty()) val.fail("a noise key is \"prop\" or \"twin.prop\"");
        z.sigma = val.non_negative();
        out.noise.push_back(z);
      }
    }
  }
  return out;
}

std::uint32_t partition_of(const std::string& twin_id, std::uint32_t n) {
  return n <= 1 ? 0 : static_cast<std::uint32_t>(hash_name(twin_id) % n);
}

}  // namespace dtwin
