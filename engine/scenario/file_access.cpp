#include "engine/scenario/file_access.hpp"

#include <filesystem>
#include <system_error>

#include "engine/base/error.hpp"

namespace dtwin {

namespace fs = std::filesystem;

FileAccess::FileAccess(std::string base_dir) : base_(std::move(base_dir)) {}

FileAccess FileAccess::beside(const std::string& scenario_file) {
  return FileAccess(fs::path(scenario_file).parent_path().string());
}

void FileAccess::restrict_to(const std::vector<std::string>& dirs) {
  roots_.clear();
  for (const auto& d : dirs) {
    std::error_code ec;
    const fs::path p = fs::canonical(d.empty() ? "." : d, ec);
    if (ec || !fs::is_directory(p, ec))
      throw UsageError("data directory " + (d.empty() ? std::string(".") : d) +
                       ": not a directory");
    roots_.push_back(p.string());
  }
}

FileAccess FileAccess::known_only() const {
  FileAccess f = *this;
  f.known_only_ = true;
  return f;
}

namespace {
// `path` is `root` or below it (both canonical)
bool below(const std::string& path, const std::string& root) {
  if (path.compare(0, root.size(), root) != 0) return false;
  return path.size() == root.size() || root.back() == '/' || path[root.size()] == '/';
}
}  // namespace

FileAccess::Path FileAccess::path_for(const Node& at) const {
  const std::string name = at.string();
  if (name.empty()) at.expected("a file name");
  if (name.find('\0') != std::string::npos) at.expected("a file name without NUL characters");
  fs::path path(name);
  if (path.is_relative() && !base_.empty()) path = fs::path(base_) / path;
  const std::string shown = path.lexically_normal().string();
  std::error_code ec;
  const fs::path canon = fs::weakly_canonical(path, ec);
  if (ec) at.fail("cannot resolve " + shown + ": " + ec.message());
  const std::string real = canon.string();
  if (known_only_) {
    std::lock_guard<std::mutex> lk(opened_->mu);
    if (!opened_->paths.count(real))
      at.fail(
          "a what-if request may not name files: only the scenario's own input files are "
          "read, and " +
          shown + " is not one of them");
  }
  if (!roots_.empty()) {
    bool ok = false;
    for (const auto& r : roots_) ok = ok || below(real, r);
    if (!ok) {
      std::string list;
      for (const auto& r : roots_) list += (list.empty() ? "" : ", ") + r;
      at.fail(shown + " is outside the directories this engine may read (" + list +
              "; dtwin serve --data-dir DIR allows another)");
    }
  }
  {
    std::lock_guard<std::mutex> lk(opened_->mu);
    opened_->paths.insert(real);
  }
  return {real, shown, fs::path(name).is_absolute()};
}

std::string FileAccess::why_not_opened(const Path& p) const {
  std::error_code ec;
  const fs::path real = fs::absolute(p.open, ec).lexically_normal();
  std::string why = "cannot read it";
  if (!fs::exists(real, ec))
    why = "no such file";
  else if (fs::is_directory(real, ec))
    why = "a directory, not a file";
  why += " (resolved to " + real.string();
  if (p.absolute)
    why += ", an absolute path";
  else if (base_.empty())
    why += ", relative to the working directory " + fs::current_path(ec).string();
  else
    why += ", relative to the scenario's folder " +
           fs::absolute(base_, ec).lexically_normal().string();
  if (!roots_.empty()) {
    std::string list;
    for (const auto& r : roots_) list += (list.empty() ? "" : ", ") + r;
    why += "; this engine reads files below " + list + " (--data-dir)";
  }
  return why + ")";
}

}  // namespace dtwin
