// Recorded telemetry as a transport: a Link that plays back a file of messages, and the writer
// that makes such files (`dtwin serve --record FILE`). Replaying a recording through an engine
// rebuilds the mirror (and its store) as the live run had it, without a broker or a plant.
//
// File format: JSON Lines, one message per line, in arrival order:
//   {"t": 1764230000.25, "topic": "dtwin/line1/m2/reported", "payload": "{\"session\":...}",
//    "qos": 1, "retain": false}
// t is the receive time in seconds since the Unix epoch. Blank lines and lines starting with
// '#' are skipped. A line that is not such an object is an error naming file:line.
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "engine/transport/link.hpp"

namespace dtwin {

class ReplayLink final : public Link {
 public:
  using Clock = std::function<double()>;
  // Reads the whole file (UsageError naming file:line on bad input). speed: recorded seconds
  // per wall-clock second; 0 delivers everything as fast as poll() is called.
  ReplayLink(const std::string& path, double speed, Clock clock);

  void on_message(Handler h) override { handler_ = std::move(h); }
  void on_connection(ConnectionHandler h) override { conn_ = std::move(h); }
  void set_will(const Message&) override {}
  void connect() override;
  void disconnect() override { connected_ = false; }
  bool connected() const override { return connected_; }
  void subscribe(const std::string& filter, int) override { filters_.push_back(filter); }
  // Nothing goes anywhere: a recording has no one to answer. Counted.
  void publish(const Message&) override { ++published; }
  int poll(int timeout_ms) override;

  bool finished() const { return next_ >= msgs_.size(); }
  // The recorded time of the last message delivered (the first one's before any): an engine
  // replaying a recording runs on this clock, so its history keeps the recorded times.
  double now() const { return now_; }
  std::size_t size() const { return msgs_.size(); }
  std::uint64_t published = 0;

 private:
  struct Rec {
    double t;
    Message m;
  };
  std::vector<Rec> msgs_;
  std::vector<std::string> filters_;
  Handler handler_;
  ConnectionHandler conn_;
  Clock clock_;
  double speed_;
  bool connected_ = false, announced_ = false;
  double wall0_ = 0;
  std::size_t next_ = 0;
  double now_ = 0;
};

// Appends messages to a recording (flushed every `flush_every` messages and on destruction).
class Recorder {
 public:
  explicit Recorder(const std::string& path);  // UsageError when it cannot be written
  void write(double t, const Message& m);
  void flush() { out_.flush(); }
  std::uint64_t written() const { return n_; }

 private:
  std::string path_;
  std::ofstream out_;
  std::uint64_t n_ = 0;
};

}  // namespace dtwin
