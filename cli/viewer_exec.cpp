#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include "cli/commands.hpp"

namespace dtwin::cli {

int run_viewer(const char* self, const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  // beside this binary (the build tree's bin/, an install's bin/), else on PATH
  std::error_code ec;
  fs::path dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  if (ec || dir.empty()) dir = fs::path(self).parent_path();
  const fs::path beside = dir / "dtwin-view";
  const bool here = fs::exists(beside, ec);
  const std::string program = here ? beside.string() : "dtwin-view";
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::cout.flush();
  if (here)
    ::execv(program.c_str(), argv.data());
  else
    ::execvp(program.c_str(), argv.data());
  std::cerr << "error: dtwin view runs dtwin-view (the viewer, built with OpenSceneGraph), which "
               "is not beside "
            << dir.string() << " nor on PATH (" << std::strerror(errno) << ")\n";
  return 2;
}

}  // namespace dtwin::cli
