// Benchmark: the mirror's SQLite store (engine/store/mirror_store.hpp) under a stream of reported
// updates, and the latency of a durable desired command.
//
// A fleet of --twins twins with --props number properties each; update i goes to twin i % twins,
// property (i / twins) % props, with a new value, sequence i + 1 and engine time t0 + i * 10 us.
// Runs, each on a fresh file in --dir:
//
//   mirror       Mirror::report only (no store): the ingest path's own cost
//   store/5ms    report + record_reported, flush() every 500 updates: one transaction per 5 ms
//                of a 100,000 updates/s stream (the engine's flush_if_due setting)
//   store/batch  report + record_reported, flushed only when the batch is full (max_batch)
//   desired      --commands desired commands, each commit_desired, between reported batches;
//                latency per command with sync_desired off (synchronous=NORMAL: survives SIGKILL)
//                and on (FULL: fsync, survives power loss too)
//
// store/5ms also prints the wall time of its flush() calls (a housekeeping flush is the long one).
// Reported per run: wall time (steady_clock, including the last flush) and the process's CPU
// time, updates per wall and per CPU second (the second holds on a busy machine; the first also
// counts waiting for I/O), transactions, rows per transaction, bytes of file per history row.
//
// --housekeeping sets StoreOptions::housekeeping_rows (index pass and state write every N rows).
//
//   bench_store [--updates N] [--twins T] [--props P] [--commands C] [--housekeeping ROWS]
//               [--dir D]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/mirror/mirror.hpp"
#include "engine/store/mirror_store.hpp"

using namespace dtwin;

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kT0 = 1700000000;

struct Args {
  long updates = 1000000;
  int twins = 1000, props = 4, commands = 200;
  std::int64_t housekeeping = StoreOptions{}.housekeeping_rows;
  std::string dir = std::filesystem::temp_directory_path().string();
};

std::vector<TwinSpec> fleet(const Args& a) {
  std::vector<TwinSpec> out;
  std::vector<PropertySpec> props;
  for (int p = 0; p < a.props; ++p) {
    PropertySpec ps;
    ps.name = "p" + std::to_string(p);
    ps.unit = "1";
    ps.writable = true;
    props.push_back(ps);
  }
  const PropertyList list(props);
  for (int t = 0; t < a.twins; ++t) out.push_back(TwinSpec{"m" + std::to_string(t), list});
  return out;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// This process's CPU time (user + system), s: the figure that holds on a busy machine.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::uintmax_t file_size(const std::string& path) {
  std::error_code ec;
  std::uintmax_t n = 0;
  for (const char* suffix : {"", "-wal"}) {
    const auto s = std::filesystem::file_size(path + suffix, ec);
    if (!ec) n += s;
  }
  return n;
}

void remove_store(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

// One update: the mirror, then (when store) the record.
inline void update(Mirror& m, MirrorStore* store, const Args& a, long i) {
  const auto t = static_cast<std::size_t>(i % a.twins);
  const auto p = static_cast<std::size_t>((i / a.twins) % a.props);
  const double now = kT0 + static_cast<double>(i) * 1e-5;
  const Value v{static_cast<double>(i % 1000) * 0.25 + 0.1, {}};
  const auto seq = static_cast<std::uint64_t>(i + 1);
  if (m.report(t, p, v, now, 1, seq, now) != Outcome::Applied) std::abort();
  if (store) store->record_reported(t, p, m.state(t).props[p].reported);
}

void print_row(const char* name, long updates, double wall, double cpu, const char* txns,
               const char* per_txn, const char* per_row) {
  std::printf("%-12s %10ld %8.3f %8.3f %12.0f %12.0f %8s %9s %9s\n", name, updates, wall, cpu,
              static_cast<double>(updates) / wall, static_cast<double>(updates) / cpu, txns,
              per_txn, per_row);
}

void run_mirror(const Args& a) {
  Mirror m(fleet(a));
  const auto start = Clock::now();
  const double cpu0 = cpu_seconds();
  for (long i = 0; i < a.updates; ++i) update(m, nullptr, a, i);
  print_row("mirror", a.updates, seconds_since(start), cpu_seconds() - cpu0, "-", "-", "-");
}

void run_store(const Args& a, bool by_time) {
  const std::string path = a.dir + "/bench_store.db";
  remove_store(path);
  Mirror m(fleet(a));
  StoreOptions opt;
  opt.housekeeping_rows = a.housekeeping;
  MirrorStore store(path, opt);
  store.save_all(m);
  const auto tx0 = store.stats().transactions;
  const auto start = Clock::now();
  const double cpu0 = cpu_seconds();
  std::vector<double> flush_ms;
  for (long i = 0; i < a.updates; ++i) {
    update(m, &store, a, i);
    if (by_time && i % 500 == 499) {
      const auto f0 = Clock::now();
      store.flush();
      flush_ms.push_back(seconds_since(f0) * 1e3);
    }
  }
  store.flush();
  const double wall = seconds_since(start), cpu = cpu_seconds() - cpu0;
  const auto tx = store.stats().transactions - tx0;
  char txns[32], per_txn[32], per_row[32];
  std::snprintf(txns, sizeof txns, "%llu", static_cast<unsigned long long>(tx));
  std::snprintf(per_txn, sizeof per_txn, "%.0f",
                static_cast<double>(a.updates) / static_cast<double>(tx));
  std::snprintf(per_row, sizeof per_row, "%.1f",
                static_cast<double>(file_size(path)) / static_cast<double>(a.updates));
  print_row(by_time ? "store/5ms" : "store/batch", a.updates, wall, cpu, txns, per_txn, per_row);
  if (!flush_ms.empty()) {
    std::sort(flush_ms.begin(), flush_ms.end());
    const auto at = [&](double f) {
      return flush_ms[static_cast<std::size_t>(f * static_cast<double>(flush_ms.size() - 1))];
    };
    std::printf(
        "             flush() wall ms: median %.3f  p99 %.3f  max %.1f  (%llu housekeeping)\n",
        at(0.5), at(0.99), flush_ms.back(),
        static_cast<unsigned long long>(store.stats().housekeeping));
  }
  store.close();
  remove_store(path);
}

void run_desired(const Args& a, bool sync) {
  const std::string path = a.dir + "/bench_store.db";
  remove_store(path);
  Mirror m(fleet(a));
  StoreOptions opt;
  opt.sync_desired = sync;
  opt.housekeeping_rows = a.housekeeping;
  MirrorStore store(path, opt);
  store.save_all(m);
  std::vector<double> lat;
  long i = 0;
  for (int c = 0; c < a.commands; ++c) {
    for (int k = 0; k < 500; ++k) update(m, &store, a, i++);  // 5 ms of reports at 100k/s
    const auto t = static_cast<std::size_t>(c % a.twins);
    const double now = kT0 + static_cast<double>(i) * 1e-5;
    const auto start = Clock::now();
    const auto w = m.set_desired(t, 0, Value{static_cast<double>(c), {}}, now, "cmd");
    store.commit_desired(t, 0, m.state(t).props[0].desired, now);
    lat.push_back(seconds_since(start) * 1e3);
    if (w.outcome != Outcome::Applied) std::abort();
  }
  std::sort(lat.begin(), lat.end());
  auto q = [&](double f) {
    return lat[static_cast<std::size_t>(f * static_cast<double>(lat.size() - 1))];
  };
  std::printf(
      "desired %-7s %5d commands (each with the 500 reports before it): latency ms "
      "median %.3f  p90 %.3f  p99 %.3f  max %.3f\n",
      sync ? "FULL" : "NORMAL", a.commands, q(0.5), q(0.9), q(0.99), lat.back());
  store.close();
  remove_store(path);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (!std::strcmp(argv[i], "--updates"))
      a.updates = static_cast<long>(std::atof(next()));
    else if (!std::strcmp(argv[i], "--twins"))
      a.twins = std::atoi(next());
    else if (!std::strcmp(argv[i], "--props"))
      a.props = std::atoi(next());
    else if (!std::strcmp(argv[i], "--commands"))
      a.commands = std::atoi(next());
    else if (!std::strcmp(argv[i], "--housekeeping"))
      a.housekeeping = static_cast<std::int64_t>(std::atof(next()));
    else if (!std::strcmp(argv[i], "--dir"))
      a.dir = next();
    else {
      std::fprintf(stderr,
                   "usage: bench_store [--updates N] [--twins T] [--props P] [--commands C] "
                   "[--housekeeping ROWS] [--dir D]\n");
      return 2;
    }
  }
  std::printf("%ld updates over %d twins x %d properties, housekeeping every %lld rows, in %s\n",
              a.updates, a.twins, a.props, static_cast<long long>(a.housekeeping), a.dir.c_str());
  std::printf("%-12s %10s %8s %8s %12s %12s %8s %9s %9s\n", "run", "updates", "wall_s", "cpu_s",
              "upd/wall_s", "upd/cpu_s", "txns", "rows/txn", "bytes/row");
  run_mirror(a);
  run_store(a, true);
  run_store(a, false);
  run_desired(a, false);
  run_desired(a, true);
  return 0;
}
