// dtwin check: the work cell's what-if safety check from the command line.
#include <iostream>

#include "cli/commands.hpp"
#include "engine/base/error.hpp"
#include "engine/scenario/json_doc.hpp"
#include "engine/scenario/scenario.hpp"
#include "twins/machine/model.hpp"
#include "twins/machine/parse.hpp"
#include "twins/machine/safety.hpp"
#include "twins/register.hpp"

namespace dtwin::cli {

int cmd_check(const CheckOptions& o) {
  Registry reg;
  twins::register_all(reg);
  const Scenario sc = Scenario::load(o.file);
  const CompiledVariant v = sc.compile(sc.find_variant(o.variant), reg);
  const machine::CellModel* cell = nullptr;
  std::string cells;
  for (const auto& m : v.models) {
    if (m->kind() != "cell") continue;
    const auto* c = static_cast<const machine::CellModel*>(m.get());
    cells += (cells.empty() ? "" : ", ") + c->spec().id;
    if (o.twin.empty() ? cell == nullptr : c->spec().id == o.twin)
      cell = c;
    else if (o.twin.empty())
      throw UsageError(o.file + " has several cells (" + cells + "...): choose one with --twin");
  }
  if (!cell)
    throw UsageError(cells.empty()
                         ? o.file + " has no cell twin"
                         : "no cell \"" + o.twin + "\" in " + o.file + "; it has: " + cells);
  const machine::CellSpec& spec = cell->spec();
  if (spec.mirror) throw UsageError("cell \"" + spec.id + "\" is in mirror mode: no program");
  std::vector<machine::Op> program;
  if (!o.program.empty()) {
    const JsonDoc doc = load_json_file(o.program);
    try {
      program = machine::parse_program(Node(doc), spec, false);
    } catch (ScenarioError& e) {
      if (e.location().line == 0) e.set_location(doc.locate(e.pointer()));
      throw;
    }
  }
  machine::CheckOptions opt;
  opt.cycles = static_cast<std::uint64_t>(o.cycles);
  opt.max_time_s = o.max_time_s;
  std::optional<double> speed;
  if (o.speed > 0) speed = o.speed;
  const machine::Verdict verdict =
      machine::check_cell(spec, o.program.empty() ? nullptr : &program, speed, nullptr, opt);
  if (o.json)
    std::cout << verdict.to_json().dump(2) << "\n";
  else
    std::cout << spec.id << ": " << verdict.describe() << "\n";
  return verdict.safe ? 0 : kExitUnsafe;
}

}  // namespace dtwin::cli
