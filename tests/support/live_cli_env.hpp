// A live plant for the CLI's tests, every command its own process: a private Mosquitto broker, a
// scenario written to a fresh directory, its store there, and `dtwin serve` / `dtwin emulate` as
// children; `dtwin ARGS` runs against that broker and plant.
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/broker.hpp"
#include "tests/support/process.hpp"

namespace dtwin::test {

struct LiveCliEnv {
  Broker broker;
  std::filesystem::path dir;
  std::string scenario, store, mq;
  LiveCliEnv(const std::string& scenario_json, const std::string& plant, const std::string& tag) {
    dir = std::filesystem::temp_directory_path() /
          ("dtwin-" + tag + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    scenario = (dir / "line.json").string();
    std::ofstream(scenario) << scenario_json;
    store = (dir / "mirror.db").string();
    mq = " --mqtt " + broker.url() + " --plant " + plant;
  }
  ~LiveCliEnv() { std::filesystem::remove_all(dir); }
  LiveCliEnv(const LiveCliEnv&) = delete;
  LiveCliEnv& operator=(const LiveCliEnv&) = delete;

  Result dtwin(const std::string& args) { return sh_cmd(std::string(DTWIN_BIN) + " " + args + mq); }
  std::unique_ptr<Child> serve(const std::string& log) {
    return std::make_unique<Child>(std::vector<std::string>{DTWIN_BIN, "serve", scenario, "--mqtt",
                                                            broker.url(), "--store", store},
                                   (dir / log).string());
  }
  std::unique_ptr<Child> emulate(const std::string& log) {
    return std::make_unique<Child>(
        std::vector<std::string>{DTWIN_BIN, "emulate", scenario, "--mqtt", broker.url()},
        (dir / log).string());
  }
  // `dtwin ARGS` as JSON, retried until pred holds on it (or timeout: the last JSON read)
  template <class Pred>
  nlohmann::json json_until(const std::string& args, Pred pred, double timeout_s) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    nlohmann::json j;
    while (std::chrono::steady_clock::now() < end) {
      const Result r = dtwin(args);
      if (r.status == 0) {
        j = nlohmann::json::parse(r.out, nullptr, false);
        if (!j.is_discarded() && pred(j)) return j;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
    return j;
  }
  std::string log(const std::string& name) const {
    std::ifstream f(dir / name);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }
};

}  // namespace dtwin::test
