// Errors that reach the user. A ScenarioError names where in the input the problem is
// (file, line and column when known, and the JSON pointer) and what was expected.
// The CLI prints what() and exits with status 2.
#pragma once

#include <stdexcept>
#include <string>

namespace dtwin {

struct SourceLocation {
  std::string file;  // empty when the input did not come from a file
  int line = 0;      // 1-based; 0 = unknown
  int col = 0;       // 1-based; 0 = unknown
};

class ScenarioError : public std::runtime_error {
 public:
  // pointer: RFC 6901 JSON pointer into the document ("" is the root).
  ScenarioError(std::string pointer, std::string message)
      : std::runtime_error(message), pointer_(std::move(pointer)), message_(what()) {}
  ScenarioError(SourceLocation loc, std::string pointer, std::string message)
      : std::runtime_error(message),
        loc_(std::move(loc)),
        pointer_(std::move(pointer)),
        message_(what()) {}

  const std::string& pointer() const { return pointer_; }
  const std::string& message() const { return message_; }
  const SourceLocation& location() const { return loc_; }
  void set_location(SourceLocation loc) { loc_ = std::move(loc); }

  // "file:line:col: /json/pointer: message", leaving out what is unknown.
  std::string describe() const {
    std::string s;
    if (!loc_.file.empty()) {
      s += loc_.file;
      if (loc_.line > 0) s += ":" + std::to_string(loc_.line);
      if (loc_.col > 0) s += ":" + std::to_string(loc_.col);
      s += ": ";
    }
    if (!pointer_.empty() || loc_.line == 0) s += (pointer_.empty() ? "/" : pointer_) + ": ";
    s += message_;
    return s;
  }

 private:
  SourceLocation loc_;
  std::string pointer_;
  std::string message_;
};

// Bad command-line usage or an unreadable file: also exit status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace dtwin
