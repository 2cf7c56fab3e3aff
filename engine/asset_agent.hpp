// The physical side of one twin, played by a simulated world: what `dtwin emulate` runs in
// place of a real PLC gateway, and what tests use as an asset. It speaks the wire format of
// mirror_service.hpp over its own Link (one connection per asset, so each has its own will):
// a birth with its full state on connect, reports of the values that changed, setpoints
// applied to the world (then reported back) or refused with an ack.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/binding.hpp"
#include "engine/link.hpp"
#include "engine/world.hpp"

namespace dtwin {

class AssetAgent {
 public:
  using Clock = std::function<double()>;  // the asset's clock, seconds since the Unix epoch

  AssetAgent(World& world, const Binding& binding, std::size_t twin, Link& link, std::string plant,
             Clock clock, std::uint64_t session);

  // Sets the will, subscribes to its desired topic and connects; the birth goes out when the
  // connection is up.
  void start();
  // Publishes the values that changed since the last report (all of them with full = true).
  void report(bool full = false);
  int poll(int timeout_ms) { return link_.poll(timeout_ms); }

  std::uint64_t session() const { return session_; }
  std::uint64_t seq() const { return seq_; }
  const std::string& id() const { return binding_.twins[twin_].id; }
  std::uint64_t setpoints_applied = 0, setpoints_refused = 0;

 private:
  void on_desired(const Message& m);
  World& world_;
  const Binding& binding_;
  std::size_t twin_;
  Link& link_;
  std::string prefix_;
  Clock clock_;
  std::uint64_t session_, seq_ = 0;
  std::vector<Value> last_;
  std::vector<bool> sent_;
  std::vector<std::uint64_t> handled_version_;
};

}  // namespace dtwin
