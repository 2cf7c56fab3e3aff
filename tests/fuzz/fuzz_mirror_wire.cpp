// libFuzzer target: the mirror's wire format as an asset (or an attacker) can send it. The first
// byte picks the topic (reported, birth, death, ack, for a known or an unknown twin), the rest is
// the payload. Whatever arrives, MirrorService must not crash, must count every message it
// refuses, and the mirror's invariants must hold: revisions never go back, a reported value is
// always of its property's type (a number finite, an enumeration one of its choices) and a
// number outside its range is never good data (it is kept as uncertain), a pending desired
// value is always in the delta unless the reported value matches it.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/live/mirror_service.hpp"
#include "engine/mirror/mirror.hpp"
#include "engine/transport/inproc_link.hpp"

namespace {

using namespace dtwin;

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
  PropertySpec label;
  label.name = "label";
  label.kind = PropertySpec::Kind::Text;
  return {{"m1", {state, speed, on, label}}, {"m2", {state, speed}}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const kinds[] = {"reported", "birth", "death", "ack"};
  static const char* const twins[] = {"m1", "m2", "m9", "engine"};
  Mirror m(specs());
  Bus bus;
  auto link = bus.link("engine");
  double now = 1000;
  MirrorService svc(m, *link, "p", [&] { return now; });
  svc.max_payload = 2048;
  svc.start();
  link->poll(0);
  svc.set("m1", "speed", 1.5);
  // the input, split at 0xFF bytes into several messages, each with its own topic byte
  std::size_t i = 0;
  std::vector<std::uint64_t> revs(m.twin_count());
  while (i < size) {
    const std::uint8_t sel = data[i++];
    std::size_t j = i;
    while (j < size && data[j] != 0xFF) ++j;
    const std::string topic =
        std::string("dtwin/p/") + twins[(sel >> 2) & 3] + "/" + kinds[sel & 3];
    const std::string payload(reinterpret_cast<const char*>(data + i), j - i);
    i = j + 1;
    const auto before = svc.counters();
    svc.handle(Message{topic, payload, 1, false, "", ""});
    now += 0.5;
    svc.tick();
    const auto& c = svc.counters();
    if (c.messages != before.messages + 1) broken("every message is counted");
    for (std::size_t t = 0; t < m.twin_count(); ++t) {
      if (m.state(t).revision < revs[t]) broken("a revision went back");
      revs[t] = m.state(t).revision;
      for (std::size_t p = 0; p < m.spec(t).properties.size(); ++p) {
        const PropertySpec& ps = m.spec(t).properties[p];
        const Reported& r = m.state(t).props[p].reported;
        if (!r.present) continue;
        if (ps.kind == PropertySpec::Kind::Number && !std::isfinite(r.value.num))
          broken("a reported number that is not finite");
        // a number outside its range is kept as what the asset measured, never as good data
        if (ps.kind == PropertySpec::Kind::Number &&
            (r.value.num < ps.min || r.value.num > ps.max) && r.quality == Quality::Good)
          broken("a reported number outside its property's range held as good");
        if (ps.kind == PropertySpec::Kind::Enum &&
            (r.value.num < 0 || r.value.num >= static_cast<double>(ps.choices.size())))
          broken("a reported enumeration outside its choices");
      }
    }
  }
  return 0;
}
