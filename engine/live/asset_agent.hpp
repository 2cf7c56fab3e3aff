// The physical side of one twin, played by a simulated world: what `dtwin emulate` runs in
// place of a real PLC gateway, and what tests use as an asset. It speaks the wire format of
// mirror_service.hpp over its own Link (one connection per asset, so each has its own will):
// a birth with its full state whenever an engine announces itself online (its retained
// dtwin/<plant>/engine/status or a partition's engine/status/<k>of<n>, which every new connection
// receives), reports of the values that changed, setpoints applied to the world (then reported
// back) or refused with an ack.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/mirror/binding.hpp"
#include "engine/sim/rng.hpp"
#include "engine/sim/world.hpp"
#include "engine/transport/link.hpp"

namespace dtwin {

class AssetAgent {
 public:
  using Clock = std::function<double()>;  // the asset's clock, seconds since the Unix epoch

  AssetAgent(World& world, const Binding& binding, std::size_t twin, Link& link, std::string plant,
             Clock clock, std::uint64_t session);

  // Sets the will, subscribes to its desired topic and the engine's status, and connects; the
  // birth goes out when an engine is online.
  void start();
  // Changes: the values that changed since the last report. Refresh: every value again, as a
  // report (heals lost messages). Birth: every value, on the birth topic (a new session).
  enum class Report { Changes, Refresh, Birth };
  void report(Report kind = Report::Changes);
  int poll(int timeout_ms) { return link_.poll(timeout_ms); }
  // Sensor noise: Gaussian with sigma in the property's unit added to what is reported (numbers
  // only; setpoints echoed back are never noisy). The generator is shared, not owned.
  void set_noise(std::size_t prop, double sigma, Rng* rng);
  // Reports wait this long before they leave (sensor and network delay); send_due() sends the
  // ones whose time has come, in order.
  double delay_s = 0;
  void send_due();

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
  std::string prefix_, status_topic_;
  Clock clock_;
  std::uint64_t session_, seq_ = 0;
  std::vector<Value> last_;
  std::vector<bool> sent_;
  std::vector<std::uint64_t> handled_version_;
  std::uint64_t engine_ = 0;  // the engine whose desired versions handled_version_ counts
  std::vector<double> noise_;
  Rng* noise_rng_ = nullptr;
  std::deque<std::pair<double, Message>> outbox_;  // (due time, message)
};

}  // namespace dtwin
