// The work-cell model: a CellSpec stepped at its fixed physics step by the event kernel (one
// event per step, priority kModel), its State in the world (snapshot, restore and fork copy it;
// the Bullet world is rebuilt from it, see state.hpp).
//
// Mirror properties of the cell twin: one per joint (its position, deg or m: what the machine
// reports), "gripper" (closed), "speed_override" (writable: a new override is first simulated by
// the safety check from the current state and refused with the verdict's reason if unsafe),
// "status", "cycles", "carrying" and the tool point "tool_x"/"tool_y"/"tool_z" (m; derived).
// In mirror mode report() puts the links where the machine says they are.
#pragma once

#include "engine/mirror/mirrorable.hpp"
#include "engine/sim/model.hpp"
#include "engine/sim/world.hpp"
#include "twins/machine/spec.hpp"
#include "twins/machine/state.hpp"

namespace dtwin::machine {

class CellModel final : public Model, public Mirrorable {
 public:
  explicit CellModel(CellSpec spec) : spec_(std::move(spec)) {}
  const CellSpec& spec() const { return spec_; }

  std::string_view kind() const override { return "cell"; }
  void twins(std::vector<TwinInfo>& out) const override;
  std::unique_ptr<StateBlock> make_state(const RunContext& ctx) const override;
  void start(World& w, std::uint32_t self) const override;
  void handle(World& w, const Event& e) const override;
  void reset_stats(World& w, std::uint32_t self) const override;
  void collect(const World& w, std::uint32_t self, Metrics& out) const override;
  void columns(std::vector<std::string>& out) const override;
  void sample(const World& w, std::uint32_t self, std::vector<std::string>& out) const override;
  nlohmann::json state_json(const World& w, std::uint32_t self) const override;
  void properties(std::vector<TwinSpec>& out) const override;
  bool read_property(const World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                     Value& out) const override;
  bool apply_setpoint(World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                      const Value& v, std::string* reason) const override;

  // Mirror mode: the live engine keeps this cell in a world and feeds it the machine's reports
  // (joints, gripper, speed override) through assimilate(), at the report's time; the derived
  // properties (carrying, tool_x/y/z, power, contacts) are read back from it.
  bool live_world() const override { return spec_.mirror; }
  bool assimilate(World& w, std::uint32_t self, std::size_t twin, std::size_t prop, const Value& v,
                  std::string* reason) const override;

  // Mirror mode: the machine reports its joint positions (deg or m, as the properties) at
  // world time t, and its gripper (-1 not reported, 0 open, 1 closed).
  void report(World& w, std::uint32_t self, const std::vector<double>& joints, int gripper) const;

 private:
  CellSpec spec_;
};

}  // namespace dtwin::machine
