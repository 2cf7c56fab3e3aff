// In-process ingest of the live mirror: reported updates applied per second on one core.
//  1. Mirror::report on indices (the core: ordering, quality, desired lifecycle, revision);
//  2. MirrorService::handle on JSON payloads as they arrive from a link (parse + validate +
//     apply), without a transport.
//  3. the snapshot: every twin as the `snapshot` request answers it (Mirror::twin_json, then
//     the reply's text), the whole fleet and only the twins changed since a given revision.
// Also the memory of a mirror of many twins.
//
//   bench_mirror [--twins N] [--updates N]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "engine/live/mirror_service.hpp"
#include "engine/mirror/mirror.hpp"
#include "engine/transport/inproc_link.hpp"

using namespace dtwin;

namespace {

long rss_kb() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long kb = -1;
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, "VmRSS:", 6) == 0) kb = std::atol(line + 6);
  std::fclose(f);
  return kb;
}

std::vector<TwinSpec> machines(std::size_t n) {
  PropertySpec state;
  state.name = "state";
  state.kind = PropertySpec::Kind::Enum;
  state.choices = {"starved", "working", "blocked", "down", "setup", "off"};
  PropertySpec parts;
  parts.name = "parts";
  parts.unit = "parts";
  parts.min = 0;
  PropertySpec speed;
  speed.name = "speed";
  speed.unit = "1";
  speed.min = 0.05;
  speed.max = 20;
  speed.writable = true;
  std::vector<TwinSpec> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    out.push_back({"m" + std::to_string(i), {state, parts, speed}});
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t twins = 100000, updates = 20000000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--twins")) twins = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--updates")) updates = std::strtoull(argv[i + 1], nullptr, 10);
  }
  const long rss0 = rss_kb();
  Mirror m(machines(twins));
  const long rss1 = rss_kb();
  std::printf("mirror of %zu twins x 3 properties: %.1f MB (RSS %ld -> %ld kB)\n", twins,
              static_cast<double>(rss1 - rss0) / 1024.0, rss0, rss1);

  // 1. the core
  {
    std::vector<std::uint64_t> seq(twins, 0);
    Value v;
    const auto t0 = std::chrono::steady_clock::now();
    std::size_t applied = 0;
    for (std::size_t k = 0; k < updates; ++k) {
      const std::size_t t = (k * 2654435761u) % twins;  // scattered over the fleet
      v.num = static_cast<double>(k);
      applied += m.report(t, 1, v, static_cast<double>(k), 1, ++seq[t], static_cast<double>(k)) ==
                 Outcome::Applied;
    }
    const double s = seconds_since(t0);
    std::printf("Mirror::report       %zu updates in %.3f s: %.2f M updates/s (%zu applied)\n",
                updates, s, static_cast<double>(updates) / s / 1e6, applied);
  }
  // 2. the service on JSON payloads
  {
    Bus bus;
    auto link = bus.link("engine");
    double now = 0;
    MirrorService svc(m, *link, "p", [&] { return now; });
    svc.publish_state = false;
    const std::size_t n = std::min<std::size_t>(updates / 10, 2000000);
    std::vector<Message> msgs;
    msgs.reserve(4096);
    for (std::size_t k = 0; k < 4096; ++k)
      msgs.push_back({"dtwin/p/m" + std::to_string(k % twins) + "/reported", "", 0, false, "", ""});
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t k = 0; k < n; ++k) {
      Message& msg = msgs[k % msgs.size()];
      msg.payload = "{\"session\":2,\"seq\":" + std::to_string(k + 1) +
                    ",\"ts\":" + std::to_string(k) + ",\"values\":{\"parts\":" + std::to_string(k) +
                    "}}";
      svc.handle(msg);
    }
    const double s = seconds_since(t0);
    std::printf(
        "MirrorService::handle %zu JSON messages in %.3f s: %.0f k messages/s "
        "(applied %llu)\n",
        n, s, static_cast<double>(n) / s / 1e3,
        static_cast<unsigned long long>(svc.counters().applied));
  }
  // 3. the snapshot request's work: every twin as JSON, then its text
  {
    const double now = 1e9;
    auto t0 = std::chrono::steady_clock::now();
    nlohmann::json all = nlohmann::json::array();
    for (std::size_t t = 0; t < m.twin_count(); ++t) all.push_back(m.twin_json(t, now));
    const double build = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    const std::string text = all.dump();
    const double dump = seconds_since(t0);
    all = nullptr;
    // a viewer's poll: the revisions it holds, all but 1 % of the twins unchanged
    std::vector<std::uint64_t> held(m.twin_count());
    for (std::size_t t = 0; t < m.twin_count(); ++t)
      held[t] = m.state(t).revision - (t % 100 == 0 ? 1 : 0);
    t0 = std::chrono::steady_clock::now();
    nlohmann::json changed = nlohmann::json::array();
    for (std::size_t t = 0; t < m.twin_count(); ++t)
      if (held[t] != m.state(t).revision) changed.push_back(m.twin_json(t, now));
    const std::string delta = changed.dump();
    const double since = seconds_since(t0);
    std::printf(
        "snapshot of %zu twins: %.2f s to build + %.2f s to write %.1f MB; since revisions "
        "(1 %% changed): %.3f s, %.1f MB\n",
        m.twin_count(), build, dump, static_cast<double>(text.size()) / 1e6, since,
        static_cast<double>(delta.size()) / 1e6);
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak RSS %ld kB\n", ru.ru_maxrss);
  return 0;
}
