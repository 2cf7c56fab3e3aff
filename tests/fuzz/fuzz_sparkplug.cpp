// libFuzzer target: the Sparkplug B host application (engine/live/sparkplug_host.hpp) in front
// of a mirror service, as edge nodes (or an attacker) can reach it. Each message of the input
// picks a message type, an edge node and a device, and is either raw bytes (the protobuf
// decoder on anything) or a payload built from the bytes (seq, metrics by name or alias, any
// datatype with any value, historical, null, bdSeq), so the host's own logic is reached too.
// Whatever arrives, nothing crashes, every message is counted, and the mirror holds only
// values of its properties' types (a number finite, an enumeration one of its choices).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "engine/live/mirror_service.hpp"
#include "engine/live/sparkplug_host.hpp"
#include "engine/mirror/mirror.hpp"
#include "engine/transport/inproc_link.hpp"
#include "engine/transport/sparkplug.hpp"

namespace {

using namespace dtwin;
namespace sp = dtwin::sparkplug;

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

std::vector<TwinSpec> specs() {
  PropertySpec state;
  state.name = "state";
  state.kind = PropertySpec::Kind::Enum;
  state.choices = {"starved", "working", "down"};
  PropertySpec speed;
  speed.name = "speed";
  speed.unit = "1";
  speed.min = 0.05;
  speed.max = 20;
  speed.writable = true;
  PropertySpec on;
  on.name = "on";
  on.kind = PropertySpec::Kind::Bool;
  on.writable = true;
  PropertySpec label;
  label.name = "label";
  label.kind = PropertySpec::Kind::Text;
  return {{"m1", {state, speed, on, label}}, {"m2", {state, speed}}};
}

struct Reader {
  const std::uint8_t* d;
  std::size_t n, i = 0;
  std::uint8_t byte() { return i < n ? d[i++] : 0; }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int k = 0; k < 8; ++k) v = (v << 8) | byte();
    return v;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const char* const types[] = {"NBIRTH", "NDATA",  "NDEATH", "DBIRTH",
                                      "DDATA",  "DDEATH", "NCMD",   "DCMD"};
  static const char* const nodes[] = {"gw1", "m1", "m2", "x"};
  static const char* const devices[] = {"m1", "m2", "press", "d"};
  static const char* const names[] = {
      "state", "speed", "on", "label", "bdSeq", "Node Control/Rebirth", "Temp", "Count/Good"};
  Mirror m(specs());
  Bus bus;
  auto engine = bus.link("engine"), edge = bus.link("edge");
  double now = 1764230000;
  SparkplugSettings s;
  s.group = "g";
  s.host_id = "h";
  SparkplugSettings::Place press;
  press.node = "gw1";
  press.device = "press";
  press.metrics = {{"speed", "Count/Good"}};
  s.twins["m2"] = press;
  SparkplugHost host(*engine, "p", s, specs(), [&] { return now; });
  MirrorService svc(m, host, "p", [&] { return now; });
  svc.start();
  edge->connect();
  engine->poll(0);
  svc.set("m1", "speed", 1.5);
  Reader r{data, size};
  std::vector<std::uint64_t> revs(m.twin_count());
  while (r.i < r.n) {
    const std::uint8_t sel = r.byte();
    const std::string type = types[sel & 7];
    const bool dev = type[0] == 'D';
    const std::string topic =
        sp::topic("g", type, nodes[(sel >> 3) & 3], dev ? devices[(sel >> 5) & 3] : "");
    std::string payload;
    if (sel & 0x80) {  // raw bytes up to the next 0xFF
      std::size_t j = r.i;
      while (j < r.n && data[j] != 0xFF) ++j;
      payload.assign(reinterpret_cast<const char*>(data + r.i), j - r.i);
      r.i = j + 1;
    } else {  // a payload built from the bytes
      sp::Payload p;
      const std::uint8_t flags = r.byte();
      p.has_seq = flags & 1;
      p.seq = r.byte();
      p.has_timestamp = flags & 2;
      p.timestamp = static_cast<std::uint64_t>(now * 1000) + r.byte();
      const int count = r.byte() % 6;
      for (int k = 0; k < count; ++k) {
        sp::Metric mm;
        const std::uint8_t f = r.byte();
        mm.has_name = f & 1;
        mm.name = names[(f >> 1) & 7];
        mm.has_alias = f & 16;
        mm.alias = r.byte() % 8;
        mm.datatype = r.byte() % 21;
        mm.is_historical = f & 32;
        mm.is_null = f & 64;
        mm.has_timestamp = f & 128;
        mm.timestamp = p.timestamp - r.byte();
        const std::uint8_t v = r.byte();
        switch (v % 7) {
          case 0:
            mm.field = sp::Metric::Field::Int;
            mm.u = r.u64() & 0xFFFFFFFFu;
            break;
          case 1:
            mm.field = sp::Metric::Field::Long;
            mm.u = r.u64();
            break;
          case 2: {
            mm.field = sp::Metric::Field::Double;
            const std::uint64_t bits = r.u64();
            std::memcpy(&mm.d, &bits, sizeof bits);
            break;
          }
          case 3:
            mm.field = sp::Metric::Field::Bool;
            mm.b = v & 8;
            break;
          case 4:
            mm.field = sp::Metric::Field::String;
            mm.s = names[(v >> 3) & 7];
            break;
          case 5:
            mm.field = sp::Metric::Field::String;
            mm.s = std::string(r.byte() % 40, 'w');
            break;
          default:
            break;
        }
        p.metrics.push_back(std::move(mm));
      }
      payload = sp::encode(p);
    }
    const auto before = host.counters().messages;
    edge->publish({topic, payload, 0, false, "", ""});
    engine->poll(0);
    edge->poll(0);
    now += 0.25;
    svc.tick();
    if (type != "NCMD" && type != "DCMD" && host.counters().messages != before + 1)
      broken("every message of the group is counted");
    for (std::size_t t = 0; t < m.twin_count(); ++t) {
      if (m.state(t).revision < revs[t]) broken("a revision went back");
      revs[t] = m.state(t).revision;
      for (std::size_t q = 0; q < m.spec(t).properties.size(); ++q) {
        const PropertySpec& ps = m.spec(t).properties[q];
        const Reported& rep = m.state(t).props[q].reported;
        if (!rep.present) continue;
        if (ps.kind == PropertySpec::Kind::Number && !std::isfinite(rep.value.num))
          broken("a reported number that is not finite");
        if (ps.kind != PropertySpec::Kind::Number && ps.kind != PropertySpec::Kind::Text &&
            (rep.value.num < 0 ||
             (ps.kind == PropertySpec::Kind::Enum &&
              rep.value.num >= static_cast<double>(ps.choices.size())) ||
             (ps.kind == PropertySpec::Kind::Bool && rep.value.num > 1)))
          broken("a reported value outside its property's type");
      }
    }
  }
  return 0;
}
