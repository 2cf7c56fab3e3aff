// A Link that misbehaves on purpose: drops, duplicates and reorders what it publishes, with
// given probabilities, from a seeded generator (the same faults on every run). Wraps any Link;
// tests put it between an emulated asset and the broker, and `dtwin emulate --faults` lets a
// user try their own pipeline against a bad network.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>

#include "engine/transport/link.hpp"

namespace dtwin {

struct FaultOptions {
  double drop = 0;       // probability a message is lost
  double duplicate = 0;  // probability it is sent twice
  double reorder = 0;    // probability it is held back and sent after the next one
  std::uint64_t seed = 1;
  bool any() const { return drop > 0 || duplicate > 0 || reorder > 0; }
};

class FaultLink final : public Link {
 public:
  FaultLink(Link& inner, FaultOptions o) : in_(inner), o_(o), rng_(o.seed) {}
  // owning the link it wraps
  FaultLink(std::unique_ptr<Link> inner, FaultOptions o)
      : owned_(std::move(inner)), in_(*owned_), o_(o), rng_(o.seed) {}

  void on_message(Handler h) override { in_.on_message(std::move(h)); }
  void on_connection(ConnectionHandler h) override { in_.on_connection(std::move(h)); }
  void set_will(const Message& m) override { in_.set_will(m); }
  void connect() override { in_.connect(); }
  void disconnect() override { in_.disconnect(); }
  bool connected() const override { return in_.connected(); }
  void subscribe(const std::string& filter, int qos) override { in_.subscribe(filter, qos); }
  int poll(int timeout_ms) override { return in_.poll(timeout_ms); }

  void publish(const Message& m) override {
    if (!enabled) return in_.publish(m);
    if (u() < o_.drop) {
      ++dropped;
      return;
    }
    if (!held_ && u() < o_.reorder) {
      held_ = m;
      ++reordered;
      return;
    }
    in_.publish(m);
    if (u() < o_.duplicate) {
      ++duplicated;
      in_.publish(m);
    }
    if (held_) {
      in_.publish(*held_);
      held_.reset();
    }
  }
  // sends a message held back for reordering
  void release() {
    if (held_) in_.publish(*held_);
    held_.reset();
  }

  bool enabled = true;
  std::uint64_t dropped = 0, duplicated = 0, reordered = 0;

 private:
  double u() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  std::unique_ptr<Link> owned_;
  Link& in_;
  FaultOptions o_;
  std::mt19937_64 rng_;
  std::optional<Message> held_;
};

}  // namespace dtwin
