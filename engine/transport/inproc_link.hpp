// The in-process transport: a Bus that behaves like a broker for links in one process (topic
// filters, retained messages, last wills, shared subscriptions spread round-robin), so an
// embedded plant and the tests can run the mirror without a network. Not thread-safe: one
// thread drives every link on a bus.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/transport/link.hpp"

namespace dtwin {

class InProcessLink;

class Bus {
 public:
  std::shared_ptr<InProcessLink> link(std::string client_id);
  // Messages published since the start (for tests that count traffic).
  std::size_t published() const { return published_; }

 private:
  friend class InProcessLink;
  void publish(const Message& m, const InProcessLink* from);
  void attach(InProcessLink* l);
  void detach(InProcessLink* l, bool send_will);
  std::vector<InProcessLink*> links_;
  std::map<std::string, Message> retained_;
  std::map<std::string, std::size_t> share_next_;  // round-robin per shared filter
  std::size_t published_ = 0;
};

class InProcessLink final : public Link {
 public:
  InProcessLink(Bus& bus, std::string id) : bus_(&bus), id_(std::move(id)) {}
  ~InProcessLink() override;
  void on_message(Handler h) override { handler_ = std::move(h); }
  void on_connection(ConnectionHandler h) override { conn_ = std::move(h); }
  void set_will(const Message& m) override {
    will_ = m;
    has_will_ = true;
  }
  void connect() override;
  void disconnect() override;  // a clean disconnect: no will
  // The connection drops without a goodbye: the bus publishes the will.
  void crash();
  bool connected() const override { return connected_; }
  void subscribe(const std::string& filter, int qos = 1) override;
  void publish(const Message& m) override;
  int poll(int timeout_ms) override;
  const std::string& id() const { return id_; }

 private:
  friend class Bus;
  Bus* bus_;
  std::string id_;
  Handler handler_;
  ConnectionHandler conn_;
  Message will_;
  bool has_will_ = false;
  bool connected_ = false;
  bool conn_event_ = false;
  std::vector<std::string> filters_;
  std::deque<Message> inbox_;
};

}  // namespace dtwin
