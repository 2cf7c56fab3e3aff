// The live commands: a running engine mirroring a plant over MQTT, the plant's stand-in, and the
// clients that reach the engine through the same broker. Exit status as for the other commands:
// 0 success, 2 bad input or a refused request, 1 no answer or not done in time.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine/transport/link.hpp"

namespace dtwin::cli {

struct MqttArgs {
  std::string url;
  std::string plant;  // empty: the scenario's live.plant, else "plant"
  std::string user, password_file, ca, cert, key;
  bool insecure = false;
  std::string timeout = "10s";
};
// with_scenario: the command reads a scenario, whose live.plant is the default --plant
void add_mqtt_args(CLI::App* cmd, MqttArgs& a, bool required = true, bool with_scenario = false);

// Makes MQTT links of a client with these options (`dtwin view --mqtt`: the viewer's live
// source); the options are checked (UsageError) when a link is made.
std::function<std::unique_ptr<Link>()> mqtt_client_links(const MqttArgs& a);

struct ServeOptions {
  std::string file;
  MqttArgs mqtt;
  std::string store;  // SQLite file
  std::string stale_after;
  std::string client_id;
  std::string partition;               // "K/N"
  std::string replay;                  // a recording to play instead of a broker
  double replay_speed = 0;             // recorded seconds per second; 0: as fast as it goes
  std::string record;                  // append every message taken to this recording
  std::vector<std::string> data_dirs;  // where its data files may be; empty: the scenario's dir
  unsigned jobs = 0;
  unsigned long long whatif_max_events = 100'000'000;
  std::string whatif_max_wall = "2min";
  bool sparkplug = false;  // the plant speaks Sparkplug B, whatever live.wire says
  bool quiet = false;
};

struct EmulateOptions {
  std::string file;
  MqttArgs mqtt;
  std::string variant;
  long long seed = -1;
  double speed = 0;                             // 0: the scenario's live.emulator.speed
  std::string duration;                         // wall-clock run time; empty: until stopped
  double drop = 0, duplicate = 0, reorder = 0;  // faults on what the assets publish
  bool sparkplug = false;                       // play Sparkplug B edge nodes
  bool quiet = false;
};

struct GetOptions {
  std::string target;  // TWIN or TWIN.PROP; empty: every twin
  MqttArgs mqtt;
};

struct SetOptions {
  std::string target, value;
  MqttArgs mqtt;
  unsigned long long if_revision = 0;
  std::string ttl, wait;
};

struct HistoryOptions {
  std::string target;
  MqttArgs mqtt;
  std::string since, until, csv;
  unsigned long long limit = 10000;
};

struct DescribeOptions {
  std::string first, second;  // FILE [TWIN], or TWIN (with --mqtt)
  bool json = false, markdown = false;
  MqttArgs mqtt;
};

struct StatusOptions {
  bool json = false;
  MqttArgs mqtt;
};

struct AlertsOptions {
  MqttArgs mqtt;
  bool all = false, follow = false, json = false;
  unsigned long long limit = 100;
  std::string follow_for;  // --for: stop following after this long (wall clock)
};

struct AckOptions {
  unsigned long long id = 0;
  std::string by, note, twin;
  MqttArgs mqtt;
};

struct WhatIfOptions {
  std::string from = "live";
  std::vector<std::string> variants;
  std::string horizon = "8h";
  unsigned long long replications = 0;
  std::string objective;
  bool minimize = false, apply = false, json = false;
  std::string patch;     // a merge patch file (dtwin fit --out): one more variant, "patch {...}"
  std::string forecast;  // a greenhouse's weather forecast (CSV, cli/forecast_csv.hpp)
  std::string weather_start;  // a greenhouse's weather from this MM-DD[Thh:mm] (default: the fork)
  MqttArgs mqtt;
};

int cmd_serve(const ServeOptions& o);
int cmd_emulate(const EmulateOptions& o);
int cmd_get(const GetOptions& o);
int cmd_set(const SetOptions& o);
int cmd_history(const HistoryOptions& o);
int cmd_whatif(const WhatIfOptions& o);
int cmd_alerts(const AlertsOptions& o);
int cmd_describe(const DescribeOptions& o);
int cmd_status(const StatusOptions& o);
int cmd_ack(const AckOptions& o);

}  // namespace dtwin::cli
