// A live engine and an emulated plant in one test process, pumped by the test: polls both until
// a condition holds, sends the engine a request and waits for its answer, and compares the
// mirror with what the emulated assets would report.
#pragma once

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/live/emulator.hpp"
#include "engine/live/engine.hpp"
#include "engine/live/settings.hpp"

namespace dtwin::test {

// Polls the engine and the emulator until pred() holds (true) or timeout_s passed (false).
template <class Pred>
bool pump_until(LiveEngine& engine, LiveEmulator& emu, Pred pred, double timeout_s) {
  const double end = wall_clock() + timeout_s;
  while (wall_clock() < end) {
    engine.poll(2);
    emu.poll(2);
    if (pred()) return true;
  }
  return false;
}

// The engine's answer to a request (the test fails when none comes within timeout_s).
inline nlohmann::json rpc(LiveEngine& engine, LiveEmulator& emu, const nlohmann::json& req,
                          double timeout_s = 60) {
  nlohmann::json out;
  bool got = false;
  engine.request(req, [&](nlohmann::json j) {
    out = std::move(j);
    got = true;
  });
  pump_until(
      engine, emu, [&] { return got; }, timeout_s);
  REQUIRE(got);
  return out;
}

// The first twin offline or property whose reported value is absent, not good or not the
// emulator's ("" when every one matches); properties the emulator does not report are skipped.
inline std::string mismatch(LiveEngine& engine, const LiveEmulator& emu) {
  Mirror& m = engine.mirror();
  for (std::size_t t = 0; t < m.twin_count(); ++t) {
    const auto& spec = m.spec(t);
    if (!m.state(t).online) return spec.id + " offline";
    for (std::size_t p = 0; p < spec.properties.size(); ++p) {
      Value truth;
      if (!emu.truth(spec.id, spec.properties[p].name, truth)) continue;
      const Reported& r = m.state(t).props[p].reported;
      if (!r.present || r.quality != Quality::Good || !(r.value == truth))
        return spec.id + "." + spec.properties[p].name;
    }
  }
  return "";
}

}  // namespace dtwin::test
