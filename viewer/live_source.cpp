#include "viewer/live_source.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

#include "engine/base/error.hpp"
#include "engine/base/format.hpp"
#include "engine/live/rpc_client.hpp"
#include "engine/mirror/binding.hpp"
#include "twins/line/state.hpp"

namespace dtwin::viewer {

double steady_now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

struct LiveSource::Shared {
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  bool stop = false;
  State state;
  struct Pending {
    std::uint64_t ticket;
    nlohmann::json req;
    int timeout_ms;
  };
  std::deque<Pending> queue;
  std::map<std::uint64_t, nlohmann::json> answers;
  std::uint64_t next_ticket = 1;
  std::thread poller, requester;
};

LiveSource::LiveSource(LinkFactory make_link, Options o)
    : make_link_(std::move(make_link)), opt_(std::move(o)), sh_(std::make_shared<Shared>()) {
  sh_->poller = std::thread([this] { poll_loop(); });
  sh_->requester = std::thread([this] { request_loop(); });
}

LiveSource::~LiveSource() {
  {
    std::lock_guard<std::mutex> l(sh_->mu);
    sh_->stop = true;
  }
  sh_->cv.notify_all();
  sh_->poller.join();
  sh_->requester.join();
}

LiveSource::State LiveSource::state() const {
  std::lock_guard<std::mutex> l(sh_->mu);
  return sh_->state;
}

std::uint64_t LiveSource::generation() const {
  std::lock_guard<std::mutex> l(sh_->mu);
  return sh_->state.generation;
}

bool LiveSource::wait_newer(std::uint64_t gen, double timeout_s) const {
  std::unique_lock<std::mutex> l(sh_->mu);
  return sh_->cv.wait_for(l, std::chrono::duration<double>(timeout_s),
                          [&] { return sh_->state.generation > gen; });
}

std::uint64_t LiveSource::submit(nlohmann::json req, int timeout_ms) {
  std::uint64_t t = 0;
  {
    std::lock_guard<std::mutex> l(sh_->mu);
    t = sh_->next_ticket++;
    sh_->queue.push_back({t, std::move(req), timeout_ms});
  }
  sh_->cv.notify_all();
  return t;
}

std::optional<nlohmann::json> LiveSource::answer(std::uint64_t ticket) {
  std::lock_guard<std::mutex> l(sh_->mu);
  const auto it = sh_->answers.find(ticket);
  if (it == sh_->answers.end()) return std::nullopt;
  nlohmann::json j = std::move(it->second);
  sh_->answers.erase(it);
  return j;
}

void LiveSource::poll_loop() {
  std::unique_ptr<Link> link;
  std::unique_ptr<RpcClient> client;
  try {
    link = make_link_();
    client = std::make_unique<RpcClient>(*link, opt_.plant);
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> l(sh_->mu);
    sh_->state.error = e.what();
    return;
  }
  std::map<std::string, std::uint64_t> held;  // revision of each twin held
  const auto stopping = [this] {
    std::lock_guard<std::mutex> l(sh_->mu);
    return sh_->stop;
  };
  for (;;) {
    {
      std::lock_guard<std::mutex> l(sh_->mu);
      if (sh_->stop) break;
    }
    nlohmann::json req = {{"op", "snapshot"}};
    if (!held.empty()) req["since"] = held;
    const double t0 = steady_now();
    nlohmann::json r;
    std::string error;
    try {
      r = client->call(req, opt_.timeout_ms, stopping);
      if (!r.value("ok", false)) error = r.value("error", std::string("refused"));
    } catch (const std::exception& e) {
      error = e.what();
    }
    const double t1 = steady_now();
    {
      std::lock_guard<std::mutex> l(sh_->mu);
      State& s = sh_->state;
      if (!error.empty()) {
        s.reachable = false;
        ++s.failures;
        s.error = error;
      } else {
        s.reachable = true;
        s.error.clear();
        ++s.polls;
        s.last_ok = t1;
        s.latency_s = t1 - t0;
        s.latency_max_s = std::max(s.latency_max_s, s.latency_s);
        const auto& twins = r["result"]["twins"];
        for (const auto& j : twins) {
          const std::string id = j.value("id", std::string());
          held[id] = j.value("revision", std::uint64_t{0});
          s.twins[id] = Twin{j, t1};
        }
        nlohmann::json alerts = r["result"].value("alerts", nlohmann::json::array());
        const bool alerts_changed = alerts != s.alerts;
        if (alerts_changed) s.alerts = std::move(alerts);
        if (!twins.empty() || s.polls == 1 || alerts_changed) ++s.generation;
      }
    }
    sh_->cv.notify_all();
    std::unique_lock<std::mutex> l(sh_->mu);
    sh_->cv.wait_for(l, std::chrono::duration<double>(opt_.poll_every_s),
                     [&] { return sh_->stop; });
  }
}

void LiveSource::request_loop() {
  std::unique_ptr<Link> link;
  std::unique_ptr<RpcClient> client;
  std::string setup_error;
  const auto stopping = [this] {  // a what-if may take minutes: quitting does not wait for it
    std::lock_guard<std::mutex> l(sh_->mu);
    return sh_->stop;
  };
  try {
    link = make_link_();
    client = std::make_unique<RpcClient>(*link, opt_.plant);
  } catch (const std::exception& e) {
    setup_error = e.what();
  }
  for (;;) {
    Shared::Pending p;
    {
      std::unique_lock<std::mutex> l(sh_->mu);
      sh_->cv.wait(l, [&] { return sh_->stop || !sh_->queue.empty(); });
      if (sh_->stop) break;
      p = std::move(sh_->queue.front());
      sh_->queue.pop_front();
    }
    nlohmann::json r;
    if (!client) {
      r = {{"ok", false}, {"code", "unreachable"}, {"error", setup_error}};
    } else {
      try {
        r = client->call(p.req, p.timeout_ms, stopping);
      } catch (const std::exception& e) {
        r = {{"ok", false}, {"code", "unreachable"}, {"error", e.what()}};
      }
    }
    {
      std::lock_guard<std::mutex> l(sh_->mu);
      sh_->answers[p.ticket] = std::move(r);
    }
    sh_->cv.notify_all();
  }
}

bool is_stale(const nlohmann::json& twin) {
  if (!twin.value("online", false)) return true;
  const auto it = twin.find("reported");
  if (it == twin.end()) return false;
  for (const auto& [name, r] : it->items())
    if (r.value("quality", std::string()) == "stale") return true;
  return false;
}

std::function<void(World&)> live_init(const std::map<std::string, LiveSource::Twin>& twins) {
  // what each twin reports, as values; resolved against the world's binding when it starts
  struct Obs {
    std::string twin, prop;
    nlohmann::json value;
  };
  std::vector<Obs> obs;
  for (const auto& [id, t] : twins) {
    const auto it = t.j.find("reported");
    if (it == t.j.end()) continue;
    for (const auto& [prop, r] : it->items())
      if (r.contains("value")) obs.push_back({id, prop, r["value"]});
  }
  return [obs = std::move(obs)](World& w) {
    const Binding b = Binding::of(w);
    for (const auto& o : obs) {
      const auto [t, p] = b.find(o.twin, o.prop);
      if (t == std::string::npos || p == std::string::npos) continue;
      Value v;
      if (parse_property_value(b.twins[t].properties[p], o.value, v, nullptr) != Outcome::Applied)
        continue;
      b.assimilate(w, t, p, v, nullptr);
    }
  };
}

void live_view_of(const Layout& layout, const std::map<std::string, LiveSource::Twin>& twins,
                  std::vector<int>& status, std::vector<std::string>& labels) {
  status.assign(layout.items.size(), -1);
  labels.assign(layout.items.size(), "");
  for (std::size_t i = 0; i < layout.items.size(); ++i) {
    const Item& it = layout.items[i];
    const auto t = twins.find(it.id);
    if (t == twins.end()) continue;
    const auto& rep = t->second.j["reported"];
    const std::string stale = is_stale(t->second.j) ? " (stale)" : "";
    if (it.kind == ItemKind::Buffer || it.kind == ItemKind::Conveyor) {
      // the level the mirror holds, not the world's (which cannot hold more than its capacity)
      if (!rep.contains("level")) {
        labels[i] = it.id + "\n(no report)";
        continue;
      }
      const auto& l = rep["level"];
      const std::string q = l.value("quality", std::string("good"));
      labels[i] =
          it.id + "\n" + l["value"].dump() + " parts" + (q == "uncertain" ? " (uncertain)" : stale);
      continue;
    }
    if (it.kind != ItemKind::Machine) continue;
    if (!rep.contains("state") || !rep["state"]["value"].is_string()) {
      labels[i] = it.id + "\n(no report)";  // never the world's own guess
      continue;
    }
    const std::string name = rep["state"]["value"].get<std::string>();
    for (std::size_t k = 0; k < line::kStatusCount; ++k)
      if (name == line::status_name(static_cast<line::Status>(k))) status[i] = static_cast<int>(k);
    labels[i] = it.id + "\n" + name + stale;
  }
}

namespace {
int severity_level(const nlohmann::json& a) {
  const std::string s = a.value("severity", std::string());
  return s == "critical" ? 2 : s == "warning" ? 1 : 0;
}
}  // namespace

std::vector<int> alert_levels(const Layout& layout, const nlohmann::json& alerts) {
  std::vector<int> level(layout.items.size(), -1);
  if (!alerts.is_array()) return level;
  for (const auto& a : alerts) {
    const std::string twin = a.value("twin", std::string());
    for (std::size_t i = 0; i < layout.items.size(); ++i)
      if (layout.items[i].id == twin) level[i] = std::max(level[i], severity_level(a));
  }
  return level;
}

std::string alerts_text(const nlohmann::json& alerts, std::size_t max_lines) {
  if (!alerts.is_array() || alerts.empty()) return {};
  std::vector<const nlohmann::json*> list;
  for (const auto& a : alerts) list.push_back(&a);
  std::stable_sort(list.begin(), list.end(), [](const nlohmann::json* a, const nlohmann::json* b) {
    return severity_level(*a) > severity_level(*b);
  });
  std::string out = "ALERTS (" + std::to_string(list.size()) + ")";
  for (std::size_t k = 0; k < list.size() && k < max_lines; ++k) {
    const nlohmann::json& a = *list[k];
    std::string sev = a.value("severity", std::string());
    for (auto& c : sev) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out += "\n" + std::to_string(a.value("id", std::uint64_t{0})) + "  " + sev + "  " +
           a.value("message", std::string());
    if (a.value("state", std::string()) == "acknowledged")
      out += "  (ack " + a.value("acked_by", std::string()) + ")";
  }
  if (list.size() > max_lines) out += "\n... " + std::to_string(list.size() - max_lines) + " more";
  return out;
}

std::string age_text(double s) {
  if (s < 0) s = 0;
  if (s < 60) return fmt_fixed(s, 1) + " s ago";
  if (s < 3600) return fmt_fixed(s / 60, 0) + " min ago";
  return fmt_fixed(s / 3600, 1) + " h ago";
}

namespace {
std::string value_text(const nlohmann::json& v, const std::string& unit) {
  std::string t = v.is_string() ? v.get<std::string>() : v.dump();
  if (v.is_number_float()) t = fmt_num(v.get<double>(), 4);
  if (!unit.empty() && unit != "1" && !v.is_string()) t += " " + unit;
  return t;
}
}  // namespace

std::string live_inspector_text(const LiveSource::Twin& t, double now) {
  const nlohmann::json& j = t.j;
  const double since = now - t.received;
  std::string out = "live  " + std::string(j.value("online", false) ? "online" : "OFFLINE") +
                    "   revision " + std::to_string(j.value("revision", std::uint64_t{0})) +
                    (is_stale(j) ? "   STALE" : "") + "\n";
  std::map<std::string, bool> props;
  for (const char* k : {"reported", "desired"})
    if (j.contains(k))
      for (const auto& [name, v] : j[k].items()) props[name] = true;
  for (const auto& [name, unused] : props) {
    (void)unused;
    out += name + "\n";
    if (j["reported"].contains(name)) {
      const auto& r = j["reported"][name];
      // a derived value is the engine's (a condition monitor's estimate), not the asset's
      out += std::string(r.value("derived", false) ? "  derived   " : "  reported  ") +
             value_text(r["value"], r.value("unit", std::string())) + "  (" +
             r.value("quality", std::string("?")) + ", " + age_text(r.value("age_s", 0.0) + since) +
             ")\n";
    }
    if (j["desired"].contains(name)) {
      const auto& d = j["desired"][name];
      out += "  desired   " + value_text(d["value"], d.value("unit", std::string())) + "  (" +
             d.value("state", std::string("?")) + ", " + age_text(d.value("age_s", 0.0) + since) +
             ")";
      if (d.contains("reason")) out += " " + d["reason"].get<std::string>();
      out += "\n";
    }
    if (j["delta"].contains(name)) out += "  delta     " + j["delta"][name].dump() + "\n";
  }
  return out;
}

std::string live_status_text(const LiveSource::State& s, const std::string& plant, double now) {
  std::string t = "LIVE  plant " + plant + "   engine ";
  t += s.reachable ? "connected" : "UNREACHABLE";
  if (s.last_ok >= 0)
    t += "   last poll " + age_text(now - s.last_ok) + " (" + fmt_fixed(s.latency_s * 1000, 0) +
         " ms)";
  else
    t += "   no answer yet";
  std::size_t stale = 0;
  for (const auto& [id, tw] : s.twins) stale += is_stale(tw.j);
  if (stale > 0) t += "   " + std::to_string(stale) + " stale";
  // the plant's own figures, as its line twins report them
  for (const auto& [id, tw] : s.twins) {
    const auto& r = tw.j["reported"];
    if (!r.contains("output") || !r.contains("wip")) continue;
    const auto num = [](const nlohmann::json& v) {
      return v.is_number() ? fmt_num(v.get<double>(), 6) : v.dump();
    };
    t += "\n" + id + ": output " + num(r["output"]["value"]) + " parts   WIP " +
         num(r["wip"]["value"]) + " parts";
  }
  if (!s.reachable && !s.error.empty()) t += "\n" + s.error;
  return t;
}

}  // namespace dtwin::viewer
