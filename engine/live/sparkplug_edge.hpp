// A Sparkplug B edge node for one emulated asset (`dtwin emulate --sparkplug`): a Link between an
// AssetAgent, which goes on speaking dtwin's wire (mirror_service.hpp), and the broker, where it
// is an edge node as the Sparkplug 3.0 specification has one:
//   - its MQTT will is an NDEATH carrying the bdSeq of the connection (0, 1, 2, ... per connect);
//   - it waits for the host application's STATE {"online": true} (spBv1.0/STATE/<host_id>), as
//     an edge node with a primary host does, and then publishes NBIRTH (seq 0, bdSeq,
//     "Node Control/Rebirth", and the twin's metrics when the twin is the node itself), then
//     DBIRTH when the twin is a device of the node; each metric has a datatype (a number is a
//     Double, a Boolean a Boolean, an enumeration or text a String) and an alias;
//   - reports go out as NDATA/DDATA by alias, with seq counting 0..255 across the node;
//   - NCMD "Node Control/Rebirth" makes it publish its births again; NCMD/DCMD writes of its
//     metrics become setpoints for the agent (a refused one is only logged by the agent:
//     Sparkplug has no acknowledgement).
// One edge node per twin: the settings may place a twin on a device of a node (that node is then
// the twin's alone) or on a node of its own (the default: the node named like the twin).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/mirror/property.hpp"
#include "engine/transport/link.hpp"
#include "engine/transport/sparkplug.hpp"

namespace dtwin {

class SparkplugEdge final : public Link {
 public:
  // The twin (id and properties) as the plant's `plant` mirrors it; group, node and device where
  // it lives (device empty: the node's own metrics) and the metric names of the properties not
  // named like their metric (SparkplugSettings::Place); the host whose STATE it follows.
  SparkplugEdge(std::unique_ptr<Link> inner, std::string plant, TwinSpec twin, std::string group,
                std::string node, std::string device,
                const std::vector<std::pair<std::string, std::string>>& metrics,
                std::string host_id, std::function<double()> clock);

  void on_message(Handler h) override { handler_ = std::move(h); }
  void on_connection(ConnectionHandler h) override { inner_->on_connection(std::move(h)); }
  void set_will(const Message& m) override;
  void connect() override;
  void disconnect() override { inner_->disconnect(); }
  bool connected() const override { return inner_->connected(); }
  void subscribe(const std::string& filter, int qos) override;
  void publish(const Message& m) override;
  int poll(int timeout_ms) override { return inner_->poll(timeout_ms); }
  std::string last_error() const override { return inner_->last_error(); }

  std::uint64_t bdseq() const { return bdseq_; }

 private:
  void on_inner(const Message& m);
  void command(const sparkplug::Payload& p, bool node_level);
  sparkplug::Payload payload(double ts_s);
  void send(const std::string& type, const std::string& device, sparkplug::Payload p);
  void synth(const std::string& kind_topic, const std::string& payload);

  std::unique_ptr<Link> inner_;
  std::string prefix_;  // dtwin/<plant>/<twin>/
  std::string status_;  // dtwin/<plant>/engine/status
  TwinSpec twin_;
  std::string group_, node_, device_, host_;
  std::function<double()> clock_;
  Handler handler_;
  std::uint64_t bdseq_ = 0;
  bool connected_once_ = false;
  int seq_ = 0;
  bool born_ = false;
  std::vector<std::string> metric_;     // per property: its metric's name
  std::vector<std::uint64_t> version_;  // per property: writes taken, as desired versions
  std::uint64_t writes_ = 0;
};

}  // namespace dtwin
