#include "engine/transport/inproc_link.hpp"

#include <algorithm>

namespace dtwin {

std::shared_ptr<InProcessLink> Bus::link(std::string client_id) {
  return std::make_shared<InProcessLink>(*this, std::move(client_id));
}

void Bus::attach(InProcessLink* l) {
  if (std::find(links_.begin(), links_.end(), l) == links_.end()) links_.push_back(l);
}

void Bus::detach(InProcessLink* l, bool send_will) {
  links_.erase(std::remove(links_.begin(), links_.end(), l), links_.end());
  if (send_will && l->has_will_) publish(l->will_, l);
}

void Bus::publish(const Message& m, const InProcessLink* from) {
  (void)from;
  ++published_;
  if (m.retain) {
    if (m.payload.empty())
      retained_.erase(m.topic);
    else
      retained_[m.topic] = m;
  }
  std::map<std::string, std::vector<InProcessLink*>> shared;  // filter -> candidates
  for (auto* l : links_) {
    bool delivered = false;
    for (const auto& f : l->filters_) {
      if (!topic_matches(f, m.topic)) continue;
      if (f.rfind("$share/", 0) == 0) {
        shared[f].push_back(l);
        continue;
      }
      if (!delivered) {
        Message copy = m;
        copy.retain = false;  // live messages are delivered without the retain flag
        l->inbox_.push_back(std::move(copy));
        delivered = true;
      }
    }
  }
  for (auto& [filter, cands] : shared) {
    auto& next = share_next_[filter];
    InProcessLink* l = cands[next++ % cands.size()];
    Message copy = m;
    copy.retain = false;
    l->inbox_.push_back(std::move(copy));
  }
}

InProcessLink::~InProcessLink() {
  if (connected_) bus_->detach(this, false);
}

void InProcessLink::connect() {
  if (connected_) return;
  connected_ = true;
  conn_event_ = true;
  bus_->attach(this);
}

void InProcessLink::disconnect() {
  if (!connected_) return;
  connected_ = false;
  bus_->detach(this, false);
}

void InProcessLink::crash() {
  if (!connected_) return;
  connected_ = false;
  bus_->detach(this, true);
  if (conn_) conn_(false);
}

void InProcessLink::subscribe(const std::string& filter, int qos) {
  (void)qos;
  if (std::find(filters_.begin(), filters_.end(), filter) == filters_.end())
    filters_.push_back(filter);
  // retained messages matching a new subscription are delivered (not to shared ones)
  if (filter.rfind("$share/", 0) != 0)
    for (const auto& [topic, m] : bus_->retained_)
      if (topic_matches(filter, topic)) inbox_.push_back(m);
}

void InProcessLink::publish(const Message& m) {
  if (!connected_) return;  // like QoS 0 with no session: lost
  bus_->publish(m, this);
}

int InProcessLink::poll(int timeout_ms) {
  (void)timeout_ms;
  int n = 0;
  if (conn_event_) {
    conn_event_ = false;
    if (conn_) conn_(true);
  }
  while (!inbox_.empty()) {
    Message m = std::move(inbox_.front());
    inbox_.pop_front();
    if (handler_) handler_(m);
    ++n;
  }
  return n;
}

}  // namespace dtwin
