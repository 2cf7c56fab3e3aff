// Which data files a scenario may read (a greenhouse's climate CSV, a weather file), and how the
// paths it names resolve: relative to the scenario's own directory.
//
//  - `dtwin run` and friends: any file the user's scenario names (it is their own input).
//  - `dtwin serve`: only files below the directories its operator allowed (--data-dir; by
//    default the scenario's own directory), symbolic links followed before the check.
//  - A what-if that came over the network: only files the scenario itself reads (known_only):
//    a request never names a file, so no one on the broker can make the engine read one.
// The check happens where a twin opens its file (path_for), so no file is read that was not
// allowed, whatever member of whichever twin kind names it.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/scenario/json_node.hpp"

namespace dtwin {

class FileAccess {
 public:
  // Paths resolve relative to `base_dir` ("" is the working directory); any file may be read.
  explicit FileAccess(std::string base_dir = "");
  // The directory of a scenario file.
  static FileAccess beside(const std::string& scenario_file);

  // From now on, only files below these directories (resolved against the working directory).
  // UsageError when one does not exist.
  void restrict_to(const std::vector<std::string>& dirs);
  // A copy that may open only the files this one (or a copy of it) has opened so far.
  FileAccess known_only() const;

  // The file named by the string at `at`, resolved and checked: the path to open (symbolic
  // links resolved, as checked) and the path to name in messages (as the user would write it).
  // Throws a ScenarioError at `at` saying why when it may not be read; says nothing of its
  // content.
  struct Path {
    std::string open, shown;
    bool absolute = false;  // the name given was an absolute path
  };
  Path path_for(const Node& at) const;
  // Why `p` (from path_for) did not open, for a message: "no such file (resolved to
  // /abs/x.epw, relative to the scenario's folder /abs/scenarios/greenhouse)"; an absolute
  // name says so, and the directories a restricted engine may read (--data-dir) are listed.
  std::string why_not_opened(const Path& p) const;

  const std::string& base_dir() const { return base_; }
  const std::vector<std::string>& roots() const { return roots_; }

 private:
  struct Opened {
    std::mutex mu;
    std::set<std::string> paths;  // canonical
  };
  std::string base_;
  std::vector<std::string> roots_;  // canonical; empty: anywhere
  bool known_only_ = false;
  std::shared_ptr<Opened> opened_ = std::make_shared<Opened>();
};

}  // namespace dtwin
