// `dtwin emulate`: the physical side of a plant played by the scenario's own models.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/live/asset_agent.hpp"
#include "engine/live/settings.hpp"
#include "engine/mirror/binding.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/rng.hpp"
#include "engine/sim/world.hpp"
#include "engine/transport/link.hpp"

namespace dtwin {

// The physical side played by the scenario's own models: a world run in scaled real time, one
// AssetAgent (one connection, so one will) per twin.
class LiveEmulator {
 public:
  using LinkFactory = std::function<std::unique_ptr<Link>(const std::string& twin_id)>;

  LiveEmulator(const CompiledVariant& v, LiveSettings live, std::uint64_t seed,
               LinkFactory make_link, AssetAgent::Clock clock = wall_clock);
  ~LiveEmulator();

  void start();
  // Advances the world to the scaled wall-clock time, sends the reports that are due, delivers
  // setpoints; waits at most timeout_ms for messages.
  int poll(int timeout_ms);
  // Paused, the world stands still but the assets stay connected and keep reporting (tests
  // compare the mirror with a world that does not move).
  void pause(bool p);
  // An asset falls silent: it stops reporting, its connection stays up (no will).
  void silence(const std::string& twin, bool silent);

  World& world() { return world_; }
  const Binding& binding() const { return binding_; }
  // The value an asset would report now, without noise.
  bool truth(const std::string& twin, const std::string& prop, Value& out) const;
  std::uint64_t setpoints_applied() const;

 private:
  struct Asset;
  void advance();
  const CompiledVariant& v_;
  LiveSettings live_;
  AssetAgent::Clock clock_;
  World world_;
  Binding binding_;
  std::vector<std::unique_ptr<Asset>> assets_;
  double wall0_ = 0, sim0_ = 0;
  bool paused_ = false;
  double last_report_ = -1e300, last_full_ = -1e300;
  Rng noise_rng_;  // the sensors' noise (engine/sim/rng.hpp: the same numbers everywhere)
};

}  // namespace dtwin
