// The live commands: serve, emulate, get, set, history, whatif. Composition only: the engine's
// LiveEngine, LiveEmulator and RpcClient over an MqttLink.
#include "cli/live_commands.hpp"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>

#include "cli/forecast_csv.hpp"
#include "engine/base/error.hpp"
#include "engine/base/format.hpp"
#include "engine/live/describe.hpp"
#include "engine/live/emulator.hpp"
#include "engine/live/engine.hpp"
#include "engine/live/rpc_client.hpp"
#include "engine/live/settings.hpp"
#include "engine/live/sparkplug_edge.hpp"
#include "engine/live/sparkplug_host.hpp"
#include "engine/run/runner.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/transport/fault_link.hpp"
#include "engine/transport/mqtt_link.hpp"
#include "engine/transport/replay_link.hpp"
#include "twins/register.hpp"

namespace dtwin::cli {

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) {
  g_stop = true;
}

void install_signals() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

std::string fmt_speed(double x) {
  std::ostringstream s;
  s << x;
  return s.str();
}

void log_line(const std::string& s) {
  std::cerr << iso_utc(wall_clock()) << " " << s << "\n";
}

double duration_arg(const std::string& text, const char* option) {
  double s = 0;
  if (!parse_duration_text(text, &s))
    throw UsageError(std::string(option) +
                     ": expected a duration such as 90s, 5min, 8h or 2d, got \"" + text + "\"");
  return s;
}

std::string read_secret(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw UsageError("--password-file: cannot read " + file);
  std::string s;
  std::getline(in, s);
  return s;
}

MqttOptions mqtt_options(const MqttArgs& a, const std::string& client_id) {
  MqttOptions o;
  o.url = a.url;
  parse_mqtt_url(o.url);  // UsageError naming the URL
  o.client_id = client_id;
  o.username = a.user;
  if (!a.password_file.empty()) {
    o.password = read_secret(a.password_file);
  } else if (const char* env = std::getenv("DTWIN_MQTT_PASSWORD")) {
    o.password = env;
  }
  o.ca_file = a.ca;
  o.cert_file = a.cert;
  o.key_file = a.key;
  o.tls_insecure = a.insecure;
  return o;
}

// The engine's client id: no one can guess it, so no one can connect with it to throw the
// engine off the broker (engine/MQTT.md). 64 random bits from the system's entropy.
std::string engine_client_id(const std::string& plant) {
  std::random_device rd;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%08x%08x", rd(), rd());
  return "dtwin-serve-" + plant + "-" + hex;
}

Registry registry() {
  Registry r;
  twins::register_all(r);
  return r;
}

// "m2.speed" -> ("m2", "speed"); "m2" -> ("m2", "")
std::pair<std::string, std::string> split_target(const std::string& s, bool need_prop) {
  const auto dot = s.find('.');
  if (dot == std::string::npos) {
    if (need_prop) throw UsageError("expected TWIN.PROPERTY (say m2.speed), got \"" + s + "\"");
    return {s, ""};
  }
  if (dot == 0 || dot + 1 == s.size())
    throw UsageError("expected TWIN.PROPERTY (say m2.speed), got \"" + s + "\"");
  return {s.substr(0, dot), s.substr(dot + 1)};
}

// Calls the engine; prints a refusal and returns its exit status (2), or 0 with the result.
int call(const MqttArgs& a, const nlohmann::json& req, nlohmann::json& result) {
  MqttLink link(mqtt_options(a, ""));
  RpcClient client(link, a.plant);
  const nlohmann::json r =
      client.call(req, static_cast<int>(duration_arg(a.timeout, "--timeout") * 1000));
  if (!r.value("ok", false)) {
    std::cerr << "error: " << r.value("error", std::string("refused")) << " ("
              << r.value("code", std::string("?")) << ")\n";
    return 2;
  }
  result = r["result"];
  return 0;
}

nlohmann::json parse_value_arg(const std::string& text) {
  // JSON when it is JSON (1.2, true, "text"), else the text itself (an enumeration name)
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded() && (j.is_number() || j.is_boolean() || j.is_string())) return j;
  return text;
}

}  // namespace

void add_mqtt_args(CLI::App* cmd, MqttArgs& a, bool required, bool with_scenario) {
  auto* url =
      cmd->add_option("--mqtt", a.url, "Broker URL: mqtt://host[:port] or mqtts://host[:port]");
  if (required) url->required();
  cmd->add_option("--plant", a.plant,
                  with_scenario ? "Plant name, the topic root dtwin/<plant>/ (default: the "
                                  "scenario's live.plant, else \"plant\")"
                                : "Plant name, the topic root dtwin/<plant>/ (default: \"plant\")");
  cmd->add_option("--user", a.user, "MQTT user name");
  cmd->add_option("--password-file", a.password_file,
                  "File whose first line is the MQTT password (or set DTWIN_MQTT_PASSWORD)");
  cmd->add_option("--ca", a.ca, "PEM CA bundle for mqtts:// (default: the system's)");
  cmd->add_option("--cert", a.cert, "Client certificate (PEM) for mutual TLS");
  cmd->add_option("--key", a.key, "Client key (PEM) for mutual TLS");
  cmd->add_flag("--insecure", a.insecure, "Skip the broker's host-name check (tests only)");
}

std::function<std::unique_ptr<Link>()> mqtt_client_links(const MqttArgs& a) {
  const MqttOptions opts = mqtt_options(a, "");  // checked now: bad input fails before a window
  MqttLink check(opts);
  return [opts] { return std::unique_ptr<Link>(new MqttLink(opts)); };
}

int cmd_serve(const ServeOptions& o) {
  const Scenario sc = Scenario::load(o.file);
  const Registry reg = registry();
  MqttArgs a = o.mqtt;
  LiveOptions lo;
  lo.store = o.store;
  lo.whatif_jobs = o.jobs;
  lo.whatif_max_events = o.whatif_max_events;
  lo.whatif_max_wall_s = duration_arg(o.whatif_max_wall, "--whatif-max-wall");
  if (!o.partition.empty()) {
    const Shard p = parse_shard(o.partition);  // "K/N", UsageError otherwise
    lo.part_k = p.k;
    lo.part_n = p.n;
  }
  // the plant: --plant, else the scenario's
  const LiveSettings live = parse_live(sc);
  if (a.plant.empty()) a.plant = live.plant;
  const std::string part =
      o.partition.empty() ? "" : "-" + std::to_string(lo.part_k) + "of" + std::to_string(lo.part_n);
  if (o.replay.empty() == a.url.empty())
    throw UsageError("dtwin serve: give --mqtt URL (a live plant) or --replay FILE (a recording)");
  std::unique_ptr<MqttLink> mqtt;
  std::unique_ptr<ReplayLink> replay;
  if (!o.replay.empty()) {
    replay = std::make_unique<ReplayLink>(o.replay, o.replay_speed, wall_clock);
  } else {
    mqtt = std::make_unique<MqttLink>(
        mqtt_options(a, o.client_id.empty() ? engine_client_id(a.plant + part) : o.client_id));
  }
  Link& link = replay ? static_cast<Link&>(*replay) : static_cast<Link&>(*mqtt);
  // a scenario copy whose live.plant is the one chosen
  nlohmann::json doc = sc.doc().value;
  doc["live"]["plant"] = a.plant;
  if (o.sparkplug) doc["live"]["wire"] = "sparkplug";
  Scenario sc2 = Scenario::parse(doc.dump(), o.file);
  // its data files: below --data-dir, by default the scenario's own directory
  sc2.files().restrict_to(o.data_dirs.empty() ? std::vector<std::string>{sc2.files().base_dir()}
                                              : o.data_dirs);
  // a replay runs on the recorded clock, so the history keeps the recorded times
  LiveEngine engine(
      sc2, reg, link, lo,
      replay ? LiveEngine::Clock([&] { return replay->now(); }) : LiveEngine::Clock(wall_clock));
  std::unique_ptr<Recorder> recorder;
  if (!o.record.empty()) {
    recorder = std::make_unique<Recorder>(o.record);
    engine.record_to(recorder.get());
  }
  engine.service().stale_after_s =
      o.stale_after.empty() ? live.stale_after_s : duration_arg(o.stale_after, "--stale-after");
  if (!o.quiet) engine.on_log(log_line);
  for (const auto& w : engine.start()) log_line("store: " + w);
  if (!o.quiet)
    log_line("serving plant \"" + a.plant + "\": " + std::to_string(engine.mirror().twin_count()) +
             " twins, " +
             (engine.sparkplug() ? "Sparkplug B host " + engine.sparkplug()->state_topic() + ", "
                                 : std::string()) +
             (replay ? "replaying " + o.replay : "broker " + a.url) +
             (o.store.empty() ? "" : ", store " + o.store));
  install_signals();
  bool was_up = false;
  while (!g_stop) {
    engine.poll(100);
    if (replay && replay->finished()) {
      engine.poll(0);
      if (!o.quiet)
        log_line("replayed " + std::to_string(replay->size()) +
                 " messages: " + engine.service().counters().to_json().dump());
      break;
    }
    if (!o.quiet && mqtt && mqtt->connected() != was_up) {
      was_up = mqtt->connected();
      log_line(was_up ? "connected to " + a.url : "broker lost: " + mqtt->last_error());
    }
  }
  if (recorder) recorder->flush();
  engine.stop();
  // what stop() published (the cancelled what-ifs' answers, the offline status) reaches the
  // broker before the connection closes
  if (mqtt && mqtt->connected() && !mqtt->flush(1500) && !o.quiet)
    log_line("stopping: " + std::to_string(mqtt->pending_publishes()) +
             " message(s) not acknowledged by the broker");
  if (!o.quiet) log_line("stopped");
  return 0;
}

int cmd_emulate(const EmulateOptions& o) {
  const Scenario sc = Scenario::load(o.file);
  const Registry reg = registry();
  const std::size_t vi = o.variant.empty() ? 0 : sc.find_variant(o.variant);
  const CompiledVariant v = sc.compile(vi, reg);
  MqttArgs a = o.mqtt;
  if (a.plant.empty()) a.plant = parse_live(sc).plant;
  // the live settings as the plant chosen here makes them (Sparkplug's group defaults to it)
  nlohmann::json doc = sc.doc().value;
  doc["live"]["plant"] = a.plant;
  if (o.sparkplug) doc["live"]["wire"] = "sparkplug";
  LiveSettings live = parse_live(Scenario::parse(doc.dump(), o.file));
  const bool sparkplug = live.sparkplug;
  // Sparkplug: each asset an edge node of its own (the settings' place, else the node named
  // like the twin)
  std::map<std::string, TwinSpec> specs;
  std::map<std::string, SparkplugSettings::Place> places;
  if (sparkplug) {
    for (auto& t : mirror_specs(v)) specs[t.id] = t;
    std::map<std::string, std::string> node_of;
    for (const auto& [id, place] : live.sp.twins) {
      if (node_of.count(place.node))
        throw UsageError(place.pointer +
                         ": dtwin emulate --sparkplug plays each twin as an edge "
                         "node of its own, but twins \"" +
                         node_of[place.node] + "\" and \"" + id + "\" are both on node \"" +
                         place.node + "\"");
      node_of[place.node] = id;
      places[id] = place;
    }
  }
  if (o.speed > 0) live.speed = o.speed;
  const std::uint64_t seed = o.seed >= 0 ? static_cast<std::uint64_t>(o.seed) : v.settings.seed;
  FaultOptions faults;
  faults.drop = o.drop;
  faults.duplicate = o.duplicate;
  faults.reorder = o.reorder;
  std::uint64_t k = 0;
  LiveEmulator emu(v, live, seed, [&](const std::string& twin) -> std::unique_ptr<Link> {
    std::unique_ptr<Link> link =
        std::make_unique<MqttLink>(mqtt_options(a, "dtwin-emu-" + a.plant + "-" + twin));
    if (faults.any()) {
      FaultOptions f = faults;
      f.seed = seed * 1000003 + ++k;
      link = std::make_unique<FaultLink>(std::move(link), f);
    }
    if (!sparkplug) return link;
    const auto pl = places.find(twin);
    const SparkplugSettings::Place own{twin, "", {}, ""};
    const SparkplugSettings::Place& at = pl == places.end() ? own : pl->second;
    return std::make_unique<SparkplugEdge>(std::move(link), a.plant, specs.at(twin), live.sp.group,
                                           at.node, at.device, at.metrics, live.sp.host_id,
                                           wall_clock);
  });
  emu.start();
  if (!o.quiet)
    log_line("emulating plant \"" + a.plant + "\" (" + v.name + ", seed " + std::to_string(seed) +
             ") at " + fmt_speed(live.speed) +
             "x real time: " + std::to_string(emu.binding().twins.size()) +
             (sparkplug ? " Sparkplug B edge nodes of group " + live.sp.group : " assets") +
             " on " + a.url);
  install_signals();
  const double until = o.duration.empty() ? 0 : wall_clock() + duration_arg(o.duration, "--for");
  std::uint64_t applied = 0;
  while (!g_stop && (until == 0 || wall_clock() < until)) {
    emu.poll(50);
    if (!o.quiet && emu.setpoints_applied() != applied) {
      applied = emu.setpoints_applied();
      log_line("setpoints applied so far: " + std::to_string(applied));
    }
  }
  if (!o.quiet) log_line("stopped at simulated time " + format_duration(emu.world().now()));
  return 0;
}

int cmd_get(const GetOptions& o) {
  MqttArgs a = o.mqtt;
  if (a.plant.empty()) a.plant = "plant";
  nlohmann::json req = {{"op", "get"}};
  if (!o.target.empty()) {
    const auto [twin, prop] = split_target(o.target, false);
    req["twin"] = twin;
    if (!prop.empty()) req["prop"] = prop;
  }
  nlohmann::json res;
  if (const int rc = call(a, req, res)) return rc;
  std::cout << res.dump(2) << "\n";
  return 0;
}

int cmd_set(const SetOptions& o) {
  MqttArgs a = o.mqtt;
  if (a.plant.empty()) a.plant = "plant";
  const auto [twin, prop] = split_target(o.target, true);
  nlohmann::json req = {
      {"op", "set"}, {"twin", twin}, {"prop", prop}, {"value", parse_value_arg(o.value)}};
  if (o.if_revision > 0) req["if_revision"] = o.if_revision;
  if (!o.ttl.empty()) req["ttl_s"] = duration_arg(o.ttl, "--ttl");
  nlohmann::json res;
  if (const int rc = call(a, req, res)) return rc;
  std::cout << twin << "." << prop << " desired version " << res["version"].get<std::uint64_t>()
            << ": " << res["state"].get<std::string>() << " (revision "
            << res["revision"].get<std::uint64_t>() << ")\n";
  if (o.wait.empty()) return 0;
  // wait for the asset to apply (or refuse) it
  const double until = wall_clock() + duration_arg(o.wait, "--wait");
  const auto version = res["version"].get<std::uint64_t>();
  std::string state = res["state"].get<std::string>();
  while (state == "pending" && wall_clock() < until) {
    ::usleep(100000);
    nlohmann::json g;
    if (const int rc = call(a, {{"op", "get"}, {"twin", twin}, {"prop", prop}}, g)) return rc;
    const auto& d = g["desired"];
    if (d.value("version", std::uint64_t{0}) != version) {
      state = "superseded";
      break;
    }
    state = d.value("state", std::string("pending"));
    if (state != "pending") {
      std::cout << twin << "." << prop << " desired version " << version << ": " << state;
      if (d.contains("reason")) std::cout << " (" << d["reason"].get<std::string>() << ")";
      std::cout << "\n";
    }
  }
  if (state == "applied") return 0;
  if (state == "pending") std::cerr << "error: not applied within " << o.wait << "\n";
  return 1;
}

int cmd_history(const HistoryOptions& o) {
  MqttArgs a = o.mqtt;
  if (a.plant.empty()) a.plant = "plant";
  const auto [twin, prop] = split_target(o.target, false);
  nlohmann::json req = {{"op", "history"}, {"twin", twin}};
  if (!prop.empty()) req["prop"] = prop;
  const double now = wall_clock();
  if (!o.since.empty()) req["since"] = now - duration_arg(o.since, "--since");
  if (!o.until.empty()) req["until"] = now - duration_arg(o.until, "--until");
  req["limit"] = o.limit;
  nlohmann::json res;
  if (const int rc = call(a, req, res)) return rc;
  const auto& rows = res["rows"];
  // what the rows do not show: damaged rows the store left out
  if (const auto sk = res.value("skipped", std::uint64_t{0}); sk > 0)
    std::cerr << "dtwin history: " << sk
              << " damaged row(s) in the store were skipped (README, \"A damaged store\")\n";
  std::ostream* out = &std::cout;
  std::ofstream file;
  if (!o.csv.empty() && o.csv != "-") {
    file.open(o.csv);
    if (!file) throw UsageError("cannot write " + o.csv);
    out = &file;
  }
  if (!o.csv.empty()) {
    *out << "receive_time_s,receive_time_utc,twin,prop,kind,value,unit,state,source_time_s\n";
    for (const auto& r : rows) {
      const std::string v = r.contains("value") ? r["value"].dump() : "";
      std::string q = v;
      if (q.find_first_of(",\"") != std::string::npos) {
        std::string e = "\"";
        for (char c : q) e += c == '"' ? std::string("\"\"") : std::string(1, c);
        q = e + "\"";
      }
      *out << std::setprecision(15) << r["receive_time"].get<double>() << ','
           << iso_utc(r["receive_time"].get<double>()) << ',' << r["twin"].get<std::string>() << ','
           << r["prop"].get<std::string>() << ',' << r["kind"].get<std::string>() << ',' << q << ','
           << r["unit"].get<std::string>() << ',' << r["state"].get<std::string>() << ',';
      if (r.contains("source_time")) *out << r["source_time"].get<double>();
      *out << '\n';
    }
    return 0;
  }
  std::cout << std::left << std::setw(25) << "time (UTC)" << std::setw(14) << "property"
            << std::setw(10) << "kind" << std::setw(16) << "value" << std::setw(8) << "unit"
            << "state\n";
  for (const auto& r : rows)
    std::cout << std::left << std::setw(25) << iso_utc(r["receive_time"].get<double>())
              << std::setw(14)
              << (r["prop"].get<std::string>().empty() ? "-" : r["prop"].get<std::string>())
              << std::setw(10) << r["kind"].get<std::string>() << std::setw(16)
              << (!r.contains("value")     ? std::string()
                  : r["value"].is_number() ? format_number(r["value"].get<double>(), 6)
                                           : r["value"].dump())
              << " " << std::setw(7) << r["unit"].get<std::string>()
              << r["state"].get<std::string>() << "\n";
  if (rows.empty()) std::cout << "(no history in that window)\n";
  return 0;
}

namespace {

std::string alert_line(const nlohmann::json& a) {
  std::ostringstream s;
  s << std::left << std::setw(6) << a.value("id", std::uint64_t{0}) << std::setw(9)
    << a.value("severity", std::string()) << std::setw(13) << a.value("state", std::string())
    << std::setw(21) << iso_utc(a.value("raised_at", 0.0)).substr(0, 19) << std::setw(12)
    << a.value("twin", std::string()) << a.value("message", std::string());
  if (a.value("acked_by", std::string()) != "")
    s << "  [acknowledged by " << a["acked_by"].get<std::string>() << "]";
  if (a.contains("cleared_at") && a["cleared_at"].is_number())
    s << "  [cleared " << iso_utc(a["cleared_at"].get<double>()).substr(0, 19) << "]";
  return s.str();
}

std::string alert_header() {
  std::ostringstream s;
  s << std::left << std::setw(6) << "id" << std::setw(9) << "severity" << std::setw(13) << "state"
    << std::setw(21) << "raised (UTC)" << std::setw(12) << "twin"
    << "message";
  return s.str();
}

}  // namespace

int cmd_alerts(const AlertsOptions& o) {
  MqttArgs a = o.mqtt;
  if (a.plant.empty()) a.plant = "plant";
  // following: subscribed before the list is asked for, so no event falls between the two
  std::unique_ptr<MqttLink> events;
  std::vector<nlohmann::json> seen;
  if (o.follow) {
    events = std::make_unique<MqttLink>(mqtt_options(a, ""));
    events->on_message([&](const Message& m) {
      auto j = nlohmann::json::parse(m.payload, nullptr, false);
      if (!j.is_discarded() && j.is_object() && j.contains("alert")) seen.push_back(std::move(j));
    });
    bool up = false;
    events->on_connection([&](bool c) { up = up || c; });
    events->subscribe("dtwin/" + a.plant + "/alerts/events", 1);
    events->connect();
    const double until = wall_clock() + duration_arg(a.timeout, "--timeout");
    while (!up && wall_clock() < until) events->poll(50);
    if (!up) throw UsageError("cannot reach the broker at " + a.url);
  }
  nlohmann::json req = {{"op", "alerts"}, {"all", o.all}, {"limit", o.limit}};
  nlohmann::json res;
  if (const int rc = call(a, req, res)) return rc;
  const auto& list = res["alerts"];
  if (o.json) {
    std::cout << res.dump(2) << "\n";
  } else {
    std::cout << alert_header() << "\n";
    for (const auto& al : list) std::cout << alert_line(al) << "\n";
    if (list.empty())
      std::cout << (o.all ? "(no alerts recorded)" : "(no active alerts)") << " - "
                << res["rules"].size() << " rule(s)\n";
  }
  std::cout << std::flush;
  if (!o.follow) return 0;
  install_signals();
  const double until =
      o.follow_for.empty() ? 0 : wall_clock() + duration_arg(o.follow_for, "--for");
  while (!g_stop && (until == 0 || wall_clock() < until)) {
    events->poll(100);
    for (const auto& e : seen) {
      if (o.json)
        std::cout << e.dump() << "\n";
      else
        std::cout << std::left << std::setw(13) << e.value("event", std::string()) << " "
                  << alert_line(e["alert"]) << "\n";
    }
    if (!seen.empty()) std::cout << std::flush;
    seen.clear();
  }
  return 0;
}

int cmd_describe(const DescribeOptions& o) {
  nlohmann::json d;
  const bool file = !o.first.empty() &&
                    (o.first.size() > 5 && o.first.compare(o.first.size() - 5, 5, ".json") == 0);
  if (file) {  // the scenario's contract, no engine needed
    const Scenario sc = Scenario::load(o.first);
    const Registry reg = registry();
    const CompiledVariant v = sc.compile(0, reg);
    const std::string plant = o.mqtt.plant.empty() ? parse_live(sc).plant : o.mqtt.plant;
    nlohmann::json doc = sc.doc().value;
    doc["live"]["plant"] = plant;
    const LiveSettings live = parse_live(Scenario::parse(doc.dump(), o.first));
    const auto specs = mirror_specs(v);
    if (!o.second.empty() && std::none_of(specs.begin(), specs.end(),
                                          [&](const TwinSpec& t) { return t.id == o.second; }))
      throw UsageError("no twin \"" + o.second + "\" in " + o.first);
    d = describe_twins(specs, plant, o.second, &live);
  } else {
    if (o.mqtt.url.empty())
      throw UsageError(
          "describe a scenario (dtwin describe FILE.json [TWIN]) or a running engine "
          "(dtwin describe [TWIN] --mqtt URL --plant P)");
    MqttArgs a = o.mqtt;
    if (a.plant.empty()) a.plant = "plant";
    nlohmann::json req = {{"op", "describe"}};
    if (!o.first.empty()) req["twin"] = o.first;
    if (const int rc = call(a, req, d)) return rc;
  }
  if (o.json)
    std::cout << d.dump(2) << "\n";
  else if (o.markdown)
    std::cout << describe_markdown(d);
  else
    std::cout << describe_text(d);
  return 0;
}

int cmd_status(const StatusOptions& o) {
  MqttArgs a = o.mqtt;
  if (a.plant.empty()) a.plant = "plant";
  nlohmann::json s;
  if (const int rc = call(a, {{"op", "status"}}, s)) return rc;
  if (o.json) {
    std::cout << s.dump(2) << "\n";
    return 0;
  }
  std::cout << "plant " << s.value("plant", std::string()) << " ("
            << s.value("scenario", std::string()) << "): " << s.value("online", 0) << " of "
            << s.value("twins", 0) << " twins online, up "
            << format_duration(s.value("uptime_s", 0.0)) << ", " << s.value("whatifs_running", 0)
            << " what-if(s) running\n";
  if (s.contains("alerts"))
    std::cout << "alerts: " << s["alerts"].value("active", 0) << " active, "
              << s["alerts"].value("raised", 0) << " raised since the start, "
              << s["alerts"].value("rules", 0) << " rules\n";
  if (s.contains("store")) {
    const auto& st = s["store"];
    std::cout << "store " << st.value("path", std::string()) << ": "
              << (st.value("writing", true) ? "writing"
                                            : "FAILING: " + st.value("error", std::string()))
              << ", " << st.value("records", 0) << " records, backlog " << st.value("backlog", 0)
              << ", lost " << st.value("lost", 0) << "\n";
  } else {
    std::cout << "store: none (serve --store DB keeps the mirror and its history)\n";
  }
  std::cout << "messages [count]:\n";
  for (const auto& [k, v] : s["counters"].items())
    std::cout << "  " << std::left << std::setw(20) << k << v.get<std::uint64_t>() << "\n";
  if (s.contains("sparkplug")) {
    const auto& sp = s["sparkplug"];
    std::cout << "Sparkplug B host " << sp.value("host_id", std::string()) << ": "
              << sp.value("nodes_online", 0) << " edge node(s) online\n";
    std::cout << "Sparkplug messages [count]:\n";
    for (const auto& [k, v] : sp.items())
      if (v.is_number_unsigned() && k != "nodes_online")
        std::cout << "  " << std::left << std::setw(20) << k << v.get<std::uint64_t>() << "\n";
  }
  return 0;
}

int cmd_ack(const AckOptions& o) {
  MqttArgs a = o.mqtt;
  if (a.plant.empty()) a.plant = "plant";
  std::string by = o.by;
  if (by.empty()) {
    const char* user = std::getenv("USER");
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    by = std::string(user && *user ? user : "unknown") + "@" + host;
  }
  nlohmann::json req = {{"op", "ack"}, {"id", o.id}, {"by", by}};
  if (!o.note.empty()) req["note"] = o.note;
  if (!o.twin.empty()) req["twin"] = o.twin;
  nlohmann::json res;
  if (const int rc = call(a, req, res)) return rc;
  std::cout << "alert " << o.id << " acknowledged by " << by << ": " << alert_line(res) << "\n";
  return 0;
}

int cmd_whatif(const WhatIfOptions& o) {
  if (o.from != "live")
    throw UsageError("--from: only \"live\" (the running engine's mirror) is supported, got \"" +
                     o.from + "\"");
  MqttArgs a = o.mqtt;
  if (a.plant.empty()) a.plant = "plant";
  nlohmann::json req = {{"op", "whatif"},
                        {"horizon_s", duration_arg(o.horizon, "--horizon")},
                        {"apply", o.apply},
                        {"minimize", o.minimize}};
  if (!o.variants.empty()) req["variants"] = o.variants;
  if (o.replications > 0) req["replications"] = o.replications;
  if (!o.objective.empty()) req["objective"] = o.objective;
  if (!o.patch.empty()) {
    // the calibrated scenario (dtwin fit --out) as one more variant, over the live state
    std::ifstream in(o.patch);
    if (!in) throw UsageError("--patch: cannot read " + o.patch);
    nlohmann::json p = nlohmann::json::parse(in, nullptr, false);
    if (p.is_discarded() || !p.is_object())
      throw UsageError("--patch " + o.patch + ": expected a JSON object (a merge patch)");
    req["patch"] = std::move(p);
  }
  // a greenhouse's weather: the forecast read here and sent as data
  if (!o.forecast.empty()) req["weather"]["forecast"] = read_forecast_csv(o.forecast);
  if (!o.weather_start.empty()) req["weather"]["start"] = o.weather_start;
  if (o.mqtt.timeout == "10s") a.timeout = "10min";  // a what-if takes longer than a get
  nlohmann::json res;
  if (const int rc = call(a, req, res)) return rc;
  if (o.json) {
    std::cout << res.dump(2) << "\n";
    return 0;
  }
  std::cout << "what-if from the live plant \"" << a.plant << "\" at "
            << iso_utc(res["forked_at"].get<double>()) << ", horizon "
            << format_duration(res["horizon_s"].get<double>()) << ", "
            << res["replications"].get<std::uint64_t>()
            << (res.value("weather_ensemble", false) ? " weather ensemble members"
                                                     : " replications")
            << "\n";
  std::size_t taken = 0, left = 0;
  for (const auto& r : res["assimilated"]) {
    if (r.value("taken", false)) {
      ++taken;
    } else {
      ++left;
    }
  }
  std::cout << "live state carried into the fork: " << taken << " observations (" << left
            << " counters and the like left out)\n";
  for (const auto& r : res["assimilated"])
    if (r.value("taken", false))
      std::cout << "  " << r["twin"].get<std::string>() << "." << r["prop"].get<std::string>()
                << " = " << r["value"].dump() << "\n";
  for (const auto& [name, list] : res["variant_setpoints"].items())
    if (!list.empty()) {
      std::cout << "  " << name << " sets its own:";
      for (const auto& x : list) std::cout << " " << x.get<std::string>();
      std::cout << "\n";
    }
  std::cout << "\n" << res["table"].get<std::string>();
  const auto& ob = res["objective"];
  if (ob.contains("winner"))
    std::cout << "\nbest on " << ob["kpi"].get<std::string>()
              << (ob["minimize"].get<bool>() ? " (lower is better)" : " (higher is better)") << ": "
              << ob["winner"].get<std::string>() << "\n";
  if (res.contains("apply")) {
    const auto& ap = res["apply"];
    if (ap.value("applied", false)) {
      std::cout << "applied " << ap["variant"].get<std::string>() << ":\n";
      for (const auto& w : ap["writes"]) {
        std::cout << "  " << w["twin"].get<std::string>() << "." << w["prop"].get<std::string>()
                  << " := " << w["value"].dump();
        if (w.contains("refused"))
          std::cout << " refused: " << w["refused"].get<std::string>() << "\n";
        else
          std::cout << " (desired version " << w["version"].get<std::uint64_t>() << ", "
                    << w["state"].get<std::string>() << ")\n";
      }
    } else {
      std::cout << "not applied: " << ap.value("reason", std::string("?")) << "\n";
      if (ap.value("code", std::string()) == "conflict") return 1;
    }
  }
  return 0;
}

}  // namespace dtwin::cli
