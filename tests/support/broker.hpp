// A real Mosquitto broker for tests: started on 127.0.0.1 at a free port from a config written
// into a temporary directory (with a password file, an ACL, or a throwaway TLS CA and server
// certificate when asked), and waited for until it accepts connections. stop() (SIGTERM), kill()
// (SIGKILL, for broker-loss tests) and restart() on the same port. The destructor kills the
// process and removes the directory, whatever the test did; the broker also dies with the test
// process (PR_SET_PDEATHSIG), so a crashing test leaves nothing behind.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/transport/mqtt_link.hpp"

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace dtwin::test {

struct BrokerOptions {
  std::map<std::string, std::string> users;  // user -> password; not empty: no anonymous clients
  std::string acl;                           // acl_file contents, when not empty
  bool tls = false;                          // TLS listener; CA and certificates made with openssl
  bool require_client_cert = false;          // mutual TLS (client.crt / client.key are made too)
  bool persistence = false;  // sessions and retained messages survive stop()/restart()
  std::string extra;         // more config lines
  // Run a shipped configuration (assets/mosquitto/dtwin.conf) as shipped: only its paths move
  // (/etc/mosquitto/ and /var/lib/mosquitto/ to the broker's directory, where the ACL files it
  // names are copied from beside it and its certificates are made), each "listener N" gets a
  // free port on 127.0.0.1 (port(i), url(i), in the file's order), and logging and, for root,
  // "user root" are added. `users` and `acl` are not used: `password_files` makes the password
  // files it names.
  std::string shipped;
  std::map<std::string, std::map<std::string, std::string>> password_files;  // file -> users
};

class Broker {
 public:
  static constexpr const char* binary = "/usr/sbin/mosquitto";

  explicit Broker(BrokerOptions o = {}) : opts_(std::move(o)) {
    if (::access(binary, X_OK) != 0)
      throw std::runtime_error(std::string("no broker at ") + binary + " (apt install mosquitto)");
    std::string templ = (std::filesystem::temp_directory_path() / "dtwin-broker-XXXXXX").string();
    if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = templ;
    try {
      if (!opts_.shipped.empty()) {
        prepare_shipped();
      } else if (!opts_.users.empty()) {
        bool first = true;
        for (const auto& [user, pw] : opts_.users) {
          std::vector<std::string> args{"mosquitto_passwd", "-b"};
          if (first) args.push_back("-c");
          args.insert(args.end(), {file("passwd"), user, pw});
          tool(args);
          first = false;
        }
      }
      if (!opts_.acl.empty()) std::ofstream(file("acl")) << opts_.acl;
      if (opts_.tls || !opts_.shipped.empty()) make_certificates();
      // the port is free when we look; if someone takes it before the broker binds, try another
      for (int attempt = 0;; ++attempt) {
        ports_.clear();
        for (int i = 0; i < listeners_; ++i) ports_.push_back(free_port());
        port_ = ports_[0];
        write_config();
        try {
          start();
          break;
        } catch (const std::exception&) {
          if (attempt == 4 || log().find("Address already in use") == std::string::npos) throw;
        }
      }
    } catch (...) {
      cleanup();
      throw;
    }
  }
  ~Broker() { cleanup(); }
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  int port() const { return port_; }
  std::string url() const { return url(0); }
  // the i-th listener of a shipped configuration (0 for the others)
  int port(int i) const { return ports_.at(static_cast<std::size_t>(i)); }
  std::string url(int i) const {
    const bool tls = opts_.tls || !opts_.shipped.empty();
    return std::string(tls ? "mqtts" : "mqtt") + "://127.0.0.1:" + std::to_string(port(i));
  }
  // A file in the broker's directory: "ca.crt", "client.crt", "client.key", "mosquitto.log".
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  bool running() const { return pid_ > 0; }
  std::string log() const {
    std::ifstream in(file("mosquitto.log"));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // SIGTERM: a clean shutdown (persistence is written).
  void stop() { end(SIGTERM); }
  // SIGKILL: the broker vanishes without a word, as in a crash or power loss.
  void kill() { end(SIGKILL); }
  // Starts again on the same port with the same configuration.
  void restart() {
    if (running()) stop();
    start();
  }

 private:
  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      if (fd >= 0) ::close(fd);
      throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(a.sin_port);
  }

  static bool accepts(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
  }

  // Forks and execs args[0] (looked up on PATH unless a path) with stdout and stderr to `out`;
  // every other descriptor of the test process is closed in the child (a client socket held
  // open by the broker would never see its connection end).
  static std::string which(const std::string& name) {
    if (name.find('/') != std::string::npos) return name;
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string d; std::getline(dirs, d, ':');)
      if (!d.empty() && ::access((d + "/" + name).c_str(), X_OK) == 0) return d + "/" + name;
    throw std::runtime_error(name + " not found on PATH");
  }

  static pid_t spawn(std::vector<std::string> args, const std::string& out) {
    args[0] = which(args[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int log = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) throw std::runtime_error("cannot open " + out);
    const pid_t parent = ::getpid();
    const long max_fd = ::sysconf(_SC_OPEN_MAX);
    const pid_t pid = ::fork();
    if (pid == 0) {  // child: async-signal-safe calls only
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);
      const int null = ::open("/dev/null", O_RDONLY);
      ::dup2(null, 0);
      ::dup2(log, 1);
      ::dup2(log, 2);
      if (::syscall(SYS_close_range, 3u, ~0u, 0u) != 0)
        for (long fd = 3; fd < max_fd && fd < 65536; ++fd) ::close(static_cast<int>(fd));
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(log);
    if (pid < 0) throw std::runtime_error("fork failed");
    return pid;
  }

  void tool(const std::vector<std::string>& args) const {
    const std::string out = file("tool.log");
    const pid_t pid = spawn(args, out);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::ifstream in(out);
      std::stringstream s;
      s << in.rdbuf();
      throw std::runtime_error(args[0] + " failed: " + s.str());
    }
  }

  void make_certificates() const {
    const auto key = [&](const std::string& name, const std::string& subject,
                         const std::string& ext) {
      std::ofstream(file(name + ".ext")) << ext << "\n";
      tool({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", file(name + ".key"), "-out", file(name + ".csr"), "-subj", subject});
      tool({"openssl", "x509", "-req", "-in", file(name + ".csr"), "-CA", file("ca.crt"), "-CAkey",
            file("ca.key"), "-CAcreateserial", "-out", file(name + ".crt"), "-days", "2",
            "-extfile", file(name + ".ext")});
    };
    tool({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes", "-keyout", file("ca.key"), "-out", file("ca.crt"), "-days", "2", "-subj",
          "/CN=dtwin-test-ca"});
    key("server", "/CN=localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    if (opts_.require_client_cert)
      key("client", "/CN=dtwin-test-client", "extendedKeyUsage=clientAuth");
  }

  // the shipped file's listeners, ACL files copied beside, password files made
  void prepare_shipped() {
    std::ifstream in(opts_.shipped);
    if (!in) throw std::runtime_error("cannot read " + opts_.shipped);
    const auto from = std::filesystem::path(opts_.shipped).parent_path();
    listeners_ = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("listener ", 0) == 0) ++listeners_;
      if (line.rfind("acl_file ", 0) == 0) {
        const auto name = std::filesystem::path(line.substr(9)).filename();
        std::filesystem::copy_file(from / name, dir_ / name,
                                   std::filesystem::copy_options::overwrite_existing);
      }
    }
    for (const auto& [name, users] : opts_.password_files) {
      bool first = true;
      for (const auto& [user, pw] : users) {
        std::vector<std::string> args{"mosquitto_passwd", "-b"};
        if (first) args.push_back("-c");
        args.insert(args.end(), {file(name), user, pw});
        tool(args);
        first = false;
      }
    }
  }

  void write_shipped_config() const {
    std::ifstream in(opts_.shipped);
    std::ofstream c(file("mosquitto.conf"));
    const auto replace_all = [](std::string s, const std::string& a, const std::string& b) {
      for (auto at = s.find(a); at != std::string::npos; at = s.find(a, at + b.size()))
        s.replace(at, a.size(), b);
      return s;
    };
    std::size_t listener = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("listener ", 0) == 0) {
        c << "listener " << ports_.at(listener++) << " 127.0.0.1\n";
        continue;
      }
      line = replace_all(line, "/etc/mosquitto/certs/", dir_.string() + "/");
      line = replace_all(line, "/etc/mosquitto/", dir_.string() + "/");
      line = replace_all(line, "/var/lib/mosquitto/", dir_.string() + "/");
      c << line << "\n";
    }
    if (::geteuid() == 0)
      if (const passwd* pw = ::getpwuid(0)) c << "user " << pw->pw_name << "\n";
    c << "log_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\n"
         "log_type information\nconnection_messages true\n";
  }

  void write_config() const {
    if (!opts_.shipped.empty()) return write_shipped_config();
    std::ofstream c(file("mosquitto.conf"));
    c << "listener " << port_ << " 127.0.0.1\n";
    c << "allow_anonymous " << (opts_.users.empty() ? "true" : "false") << "\n";
    if (!opts_.users.empty()) c << "password_file " << file("passwd") << "\n";
    if (!opts_.acl.empty()) c << "acl_file " << file("acl") << "\n";
    c << "persistence " << (opts_.persistence ? "true" : "false") << "\n";
    if (opts_.persistence) c << "persistence_location " << dir_.string() << "/\n";
    if (opts_.tls) {
      c << "cafile " << file("ca.crt") << "\ncertfile " << file("server.crt") << "\nkeyfile "
        << file("server.key") << "\n";
      if (opts_.require_client_cert) c << "require_certificate true\n";
    }
    // as root, mosquitto would switch to the "mosquitto" user, who cannot read our files
    if (::geteuid() == 0)
      if (const passwd* pw = ::getpwuid(0)) c << "user " << pw->pw_name << "\n";
    c << "log_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\n"
         "log_type information\nconnection_messages true\n";
    c << opts_.extra << "\n";
  }

  void start() {
    pid_ = spawn({binary, "-c", file("mosquitto.conf")}, file("mosquitto.log"));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("mosquitto exited at start:\n" + log());
      }
      bool all = true;
      for (const int p : ports_) all = all && accepts(p);
      if (all) return;
      if (std::chrono::steady_clock::now() > deadline) {
        end(SIGKILL);
        throw std::runtime_error("mosquitto did not accept connections within 5 s:\n" + log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  void end(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    // a SIGTERM that is not honoured within 3 s becomes a SIGKILL
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    int status = 0;
    for (;;) {
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_ || (r < 0 && errno != EINTR)) break;
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    pid_ = -1;
  }

  void cleanup() noexcept {
    end(SIGKILL);
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  BrokerOptions opts_;
  std::filesystem::path dir_;
  int port_ = 0;
  int listeners_ = 1;
  std::vector<int> ports_;
  pid_t pid_ = -1;
};

// Client options for a test against this broker: short keep-alive, quick reconnects.
inline MqttOptions fast_client(const Broker& b, const std::string& id) {
  MqttOptions o;
  o.url = b.url();
  o.client_id = id;
  o.keepalive_s = 5;
  o.reconnect_min_ms = 50;
  o.reconnect_max_ms = 300;
  return o;
}

}  // namespace dtwin::test
