// Test helpers for the work cell: parse an inline cell twin, load the flagship, hash a run.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "engine/scenario/json_doc.hpp"
#include "engine/scenario/json_node.hpp"
#include "twins/machine/cell.hpp"
#include "twins/machine/parse.hpp"

namespace dtwin::test {

// The cell twin `id` of a scenario document given as text.
inline machine::CellSpec cell_from_text(const std::string& scenario, const std::string& id) {
  const JsonDoc doc = parse_json(scenario, "inline.json");
  return machine::parse_cell(Node(doc).at("twins").at(id), id);
}

inline std::string flagship_path() {
  return std::string(DTWIN_SOURCE_DIR) + "/scenarios/cell/flagship.json";
}

inline machine::CellSpec flagship() {
  const JsonDoc doc = load_json_file(flagship_path());
  return machine::parse_cell(Node(doc).at("twins").at("cell1"), "cell1");
}

// FNV-1a over the bit patterns of what a trajectory is made of: joints and parts.
struct TrajectoryHash {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  void add(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    for (int i = 0; i < 8; ++i) {
      h ^= (bits >> (8 * i)) & 0xff;
      h *= 0x100000001b3ULL;
    }
  }
  void add(const machine::CellState& s) {
    add(static_cast<double>(s.step));
    for (double q : s.q) add(q);
    for (const auto& p : s.parts) {
      add(static_cast<double>(p.serial));
      for (double m : p.pose.R.m) add(m);
      for (int i = 0; i < 3; ++i) add(p.pose.p[i]), add(p.v[i]), add(p.w[i]);
    }
  }
};

}  // namespace dtwin::test
