#include "engine/live/settings.hpp"

#include <chrono>

#include "engine/base/hash.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/json_node.hpp"
#include "engine/transport/sparkplug.hpp"

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
  live->check_keys({"plant", "stale_after", "emulator", "wire", "sparkplug", "whatif_patch"});
  if (auto w = live->find("whatif_patch")) {
    if (!w->is_object()) w->expected("a merge patch object such as {\"twins\": {...}}");
    w->check_keys({"twins"});
    out.whatif_patch = w->json();
  }
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
  if (auto w = live->find("wire")) {
    const std::string wire = w->string();
    if (wire != "json" && wire != "sparkplug")
      w->fail("the wire is \"json\" (dtwin's own, engine/MQTT.md) or \"sparkplug\" (Sparkplug B)");
    out.sparkplug = wire == "sparkplug";
  }
  out.sp.group = out.plant;
  out.sp.host_id = "dtwin-" + out.plant;
  if (auto sp = live->find("sparkplug")) {
    if (!out.sparkplug)
      sp->fail("Sparkplug settings for a plant whose \"wire\" is not \"sparkplug\"");
    if (!sp->is_object()) sp->expected("an object");
    sp->check_keys({"group", "host_id", "rebirth_interval", "twins"});
    const auto id = [](const Node& n) {
      std::string s = n.string();
      if (!sparkplug::valid_id(s))
        n.fail("a Sparkplug id must be non-empty, without '/', '+' or '#': \"" + s + "\"");
      return s;
    };
    if (auto g = sp->find("group")) out.sp.group = id(*g);
    if (auto h = sp->find("host_id")) out.sp.host_id = id(*h);
    if (auto r = sp->find("rebirth_interval")) out.sp.rebirth_interval_s = parse_duration(*r);
    if (auto tw = sp->find("twins")) {
      if (!tw->is_object())
        tw->expected("an object of twin id -> {\"node\", \"device\", \"metrics\"}");
      for (const auto& [twin, place] : tw->members()) {
        if (!place.is_object()) place.expected("an object: {\"node\", \"device\", \"metrics\"}");
        place.check_keys({"node", "device", "metrics"});
        SparkplugSettings::Place p;
        p.pointer = place.pointer();
        const auto node = place.find("node");
        if (!node) place.fail("\"node\": the edge node the twin is on is required");
        p.node = id(*node);
        if (auto d = place.find("device")) p.device = id(*d);
        if (auto ms = place.find("metrics")) {
          if (!ms->is_object()) ms->expected("an object of property -> metric name");
          for (const auto& [prop, metric] : ms->members()) {
            const std::string name = metric.string();
            if (name.empty()) metric.fail("a metric name must not be empty");
            p.metrics.emplace_back(prop, name);
          }
        }
        out.sp.twins[twin] = std::move(p);
      }
    }
  }
  return out;
}

std::uint32_t partition_of(const std::string& twin_id, std::uint32_t n) {
  return n <= 1 ? 0 : static_cast<std::uint32_t>(hash_name(twin_id) % n);
}

}  // namespace dtwin
