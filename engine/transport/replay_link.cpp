#include "engine/transport/replay_link.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include <nlohmann/json.hpp>

#include "engine/base/error.hpp"

namespace dtwin {

ReplayLink::ReplayLink(const std::string& path, double speed, Clock clock)
    : clock_(std::move(clock)), speed_(speed) {
  std::ifstream in(path);
  if (!in) throw UsageError("cannot read the recording " + path);
  std::string line;
  std::size_t no = 0;
  double last = -1e300;
  auto bad = [&](const std::string& what) {
    throw UsageError(path + ":" + std::to_string(no) + ": " + what);
  };
  while (std::getline(in, line)) {
    ++no;
    if (line.empty() || line[0] == '#') continue;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      bad("expected a JSON object {\"t\": ..., \"topic\": ..., \"payload\": ...}");
    const auto t = j.find("t");
    const auto topic = j.find("topic");
    const auto payload = j.find("payload");
    if (t == j.end() || !t->is_number() || !std::isfinite(t->get<double>()))
      bad("\"t\" must be a number (seconds since the epoch)");
    if (topic == j.end() || !topic->is_string() || topic->get<std::string>().empty())
      bad("\"topic\" must be a non-empty string");
    if (payload == j.end() || !(payload->is_string() || payload->is_object()))
      bad("\"payload\" must be a string (or a JSON object)");
    if (t->get<double>() < last) bad("time goes backwards (recordings are in arrival order)");
    last = t->get<double>();
    Rec r;
    r.t = last;
    r.m.topic = topic->get<std::string>();
    r.m.payload = payload->is_string() ? payload->get<std::string>() : payload->dump();
    r.m.qos = j.value("qos", 1);
    r.m.retain = j.value("retain", false);
    msgs_.push_back(std::move(r));
  }
  if (!msgs_.empty()) now_ = msgs_.front().t;
}

void ReplayLink::connect() {
  connected_ = true;
  announced_ = false;
  wall0_ = clock_();
}

int ReplayLink::poll(int timeout_ms) {
  if (!connected_) return 0;
  if (!announced_) {
    announced_ = true;
    if (conn_) conn_(true);
  }
  if (finished()) {
    if (timeout_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
    return 0;
  }
  const double t0 = msgs_.front().t;
  const double horizon =
      speed_ > 0 ? t0 + (clock_() - wall0_) * speed_ : std::numeric_limits<double>::infinity();
  int n = 0;
  while (next_ < msgs_.size() && msgs_[next_].t <= horizon && n < 100000) {
    now_ = msgs_[next_].t;
    const Message& m = msgs_[next_++].m;
    bool wanted = false;
    for (const auto& f : filters_) wanted = wanted || topic_matches(f, m.topic);
    if (wanted && handler_) {
      handler_(m);
      ++n;
    }
  }
  if (n == 0 && timeout_ms > 0 && speed_ > 0 && next_ < msgs_.size()) {
    const double wait_s = (msgs_[next_].t - horizon) / speed_;
    std::this_thread::sleep_for(
        std::chrono::duration<double>(std::min(wait_s, timeout_ms / 1000.0)));
  }
  return n;
}

Recorder::Recorder(const std::string& path) : path_(path), out_(path, std::ios::app) {
  if (!out_) throw UsageError("cannot write the recording " + path);
}

void Recorder::write(double t, const Message& m) {
  nlohmann::json j = {{"t", t}, {"topic", m.topic}, {"payload", m.payload}};
  if (m.qos != 1) j["qos"] = m.qos;
  if (m.retain) j["retain"] = true;
  out_ << j.dump() << '\n';
  if (++n_ % 256 == 0) out_.flush();
}

}  // namespace dtwin
