// dtwin serve as a Sparkplug B 3.0 Host Application: a Link that sits between the MQTT link and
// the mirror service and speaks Sparkplug on the broker while the service goes on hearing its
// own wire format (mirror_service.hpp). Chosen per plant with "live": {"wire": "sparkplug"};
// where the twins are in the Sparkplug namespace is SparkplugSettings (settings.hpp).
//
// What it does, as the specification's host application:
//   STATE     spBv1.0/STATE/<host_id>, retained, QoS 1: {"online": true, "timestamp": T} when
//             the engine announces itself (the service's engine/status), and the same with
//             "online": false as the MQTT will and on a clean stop (T is the same ms in both).
//             An "online": false found there while connected (a stale will, someone else) is
//             answered with the birth again.
//   NBIRTH    an edge node's new session: its bdSeq, seq 0, its metrics with datatypes and
//             aliases. The node's own metrics make a birth of the twin placed on the node.
//   DBIRTH    a device's birth: a birth of the twin placed on that device.
//   NDATA,    reports: metrics named or by alias (from the birth), each converted to its
//   DDATA     property's type; metrics with different timestamps become one report per time, in
//             order. Historical metrics (is_historical) and the node's controls (bdSeq,
//             "Node Control/...", "Properties/...") are not reports.
//   NDEATH    the node and every device on it go offline, if its bdSeq is the one of the node's
//             current NBIRTH; a death with another bdSeq (an old connection's will arriving
//             late) is ignored and counted (stale_ndeath).
//   DDEATH    the device's twin goes offline.
//   places    a twin is at one place at a time: a birth elsewhere (another node's device of the
//             same name, under the default placement) while it is online is refused and counted
//             (conflicts), so a second node can neither take a live twin over nor knock it
//             offline; once it is offline, the next birth anywhere the placement allows takes
//             it. Name each twin's place in the settings and keep each node to its own topics
//             with the broker's ACL (engine/MQTT.md) so that no other node can claim it at all.
//   seq       every message of a node but NDEATH carries seq 0..255, one more than the last
//             (after 255, 0). A gap is counted (seq_gaps) and answered with a rebirth request;
//             the message is still taken (the mirror orders values by their source time).
//   rebirth   NCMD "Node Control/Rebirth" = true: on a seq gap, on data from a node or device
//             whose birth the host has not seen (it started later, or lost the broker), and to
//             every known node when the host comes back to the broker. At most one per node per
//             rebirth_interval_s.
//   commands  a desired value (`dtwin set`, an alert's action, a what-if's --apply) becomes a
//             DCMD to the twin's device (NCMD for a twin on the node itself) writing the metric,
//             with the datatype and alias of the birth: by alias alone when the birth gave one
//             (as the specification requires), else by name. It goes out once per version, and
//             again after the twin's next birth while still pending. Sparkplug has no
//             acknowledgement: the value is applied when the device reports it (DDATA).
// Sessions. The mirror's session of a twin is the time its birth arrived, in milliseconds since
// the epoch (one more than the last if the clock has not moved), so it grows across births and
// restarts of either side; seq is the host's own count of the twin's reports in that session.
// Everything else (requests, the twins' retained state, the JSON wire, alerts) passes through
// unchanged.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/live/settings.hpp"
#include "engine/mirror/property.hpp"
#include "engine/transport/link.hpp"
#include "engine/transport/sparkplug.hpp"

namespace dtwin {

// The datatype a property's metric has when no birth said: a number a Double, a Boolean a
// Boolean, an enumeration (by name) or text a String.
std::uint32_t sparkplug_datatype(const PropertySpec& p);

struct SparkplugCounters {
  std::uint64_t messages = 0, births = 0, deaths = 0, stale_ndeath = 0, seq_gaps = 0,
                rebirth_requests = 0, before_birth = 0, unknown_device = 0, unmapped_metrics = 0,
                historical = 0, bad_payload = 0, bad_value = 0, commands = 0,
                conflicts = 0;  // a birth of a twin that is online at another place: refused
  nlohmann::json to_json() const;
};

class SparkplugHost final : public Link {
 public:
  using Clock = std::function<double()>;
  using Log = std::function<void(const std::string&)>;

  // twins: the mirror's (ids and properties); a twin or property the settings name that is not
  // there is a UsageError naming the settings' JSON pointer.
  SparkplugHost(Link& inner, std::string plant, SparkplugSettings settings,
                const std::vector<TwinSpec>& twins, Clock clock);

  void on_message(Handler h) override { handler_ = std::move(h); }
  void on_connection(ConnectionHandler h) override { conn_handler_ = std::move(h); }
  void set_will(const Message& m) override;
  void connect() override;
  void disconnect() override { inner_.disconnect(); }
  bool connected() const override { return inner_.connected(); }
  void subscribe(const std::string& filter, int qos) override { inner_.subscribe(filter, qos); }
  void publish(const Message& m) override;
  int poll(int timeout_ms) override { return inner_.poll(timeout_ms); }
  std::string last_error() const override { return inner_.last_error(); }

  void on_log(Log f) { log_ = std::move(f); }
  const SparkplugCounters& counters() const { return counters_; }
  std::size_t nodes_online() const;
  std::string state_topic() const;

 private:
  struct Metric {  // what a birth said of a metric
    std::string name;
    std::uint32_t datatype = 0;
    std::uint64_t alias = 0;
    bool has_alias = false;
  };
  struct Place {  // a device, or the node itself (device "")
    std::string device;
    bool born = false;
    std::size_t twin = static_cast<std::size_t>(-1);
    std::unordered_map<std::string, Metric> metrics;  // by name
  };
  struct Node {
    bool born = false;
    std::uint64_t bdseq = 0;
    bool has_bdseq = false;
    int next_seq = 0;
    double last_rebirth = -1e300;
    bool told_unborn = false;  // logged that its data came before its birth
    std::unordered_map<std::uint64_t, std::pair<std::string, std::string>> aliases;  // -> place
    std::map<std::string, Place> places;
  };
  struct Twin {
    std::string id;
    PropertyList props;
    std::unordered_map<std::string, std::size_t> by_metric;  // metric name -> property
    std::vector<std::string> metric_of;                      // property -> metric name
    std::string node, device;  // where it is now (born), or as placed by the settings
    bool placed = false;       // the settings say where
    bool online = false;
    std::uint64_t session = 0, seq = 0;
    std::vector<std::uint64_t> sent;  // the desired version sent per property
  };

  void on_inner(const Message& m);
  void handle(const sparkplug::Topic& t, const Message& m);
  void birth(Node& node, const std::string& node_id, const std::string& device,
             const sparkplug::Payload& p);
  void data(Node& node, const std::string& node_id, const std::string& device,
            const sparkplug::Payload& p);
  void death(const std::string& node_id, const std::string& device);
  bool check_seq(Node& node, const std::string& node_id, const sparkplug::Payload& p);
  void request_rebirth(Node& node, const std::string& node_id, const std::string& why);
  std::size_t twin_at(const std::string& node, const std::string& device) const;
  // the metrics of a birth or data message as (timestamp ms -> {property: value}) for twin t
  std::map<std::uint64_t, nlohmann::json> values(Twin& tw, Place& place, Node& node,
                                                 const std::string& where,
                                                 const sparkplug::Payload& p, bool birth);
  void deliver(const std::string& twin, const char* kind, const nlohmann::json& body);
  void send_commands(const Message& desired);
  void publish_state(bool online);
  std::uint64_t now_ms() const;
  void log(const std::string& s) const {
    if (log_) log_(s);
  }

  Link& inner_;
  std::string prefix_;  // dtwin/<plant>/
  SparkplugSettings s_;
  Clock clock_;
  Log log_;
  Handler handler_;
  ConnectionHandler conn_handler_;
  std::vector<Twin> twins_;
  std::unordered_map<std::string, std::size_t> twin_index_;
  std::map<std::pair<std::string, std::string>, std::size_t> placed_;  // (node, device) -> twin
  std::map<std::string, Node> nodes_;
  std::uint64_t state_ts_ = 0;  // the STATE timestamp of this process (birth and will)
  bool announced_ = false;      // STATE online published on this connection
  bool was_connected_ = false;
  SparkplugCounters counters_;
};

}  // namespace dtwin
