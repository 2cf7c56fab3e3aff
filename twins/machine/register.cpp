#include "twins/machine/register.hpp"

#include "twins/machine/model.hpp"
#include "twins/machine/parse.hpp"
#include "twins/machine/safety.hpp"

namespace dtwin::machine {

void register_kinds(Registry& r) {
  ModelFactory f;
  f.name = "cell";
  f.kinds = {"cell"};
  f.build = [](const CompileContext& ctx, const std::vector<std::string>& ids) {
    std::vector<std::shared_ptr<const Model>> out;
    const Node twins = ctx.root.at("twins");
    for (const auto& id : ids)
      out.push_back(std::make_shared<CellModel>(parse_cell(twins.at(id), id)));
    return out;
  };
  r.add(std::move(f));
}

StationFromCell process_from_cell(const Node& root, const Node& ref) {
  ref.check_keys({"from_cell", "cycles"});
  const Node idn = ref.at("from_cell");
  const std::string id = idn.string();
  const Node twins = root.at("twins");
  if (!twins.has(id)) idn.fail("unknown twin \"" + id + "\": from_cell names a cell twin");
  const Node t = twins.at(id);
  if (t.at("kind").string() != "cell")
    idn.fail("\"" + id + "\" is a " + t.at("kind").string() + ", not a cell");
  std::uint64_t cycles = 5;
  if (auto c = ref.find("cycles")) cycles = static_cast<std::uint64_t>(c->integer_at_least(1));
  const CellSpec spec = parse_cell(t, id);
  if (spec.mirror) idn.fail("cell \"" + id + "\" is in mirror mode: it has no program to time");
  std::uint64_t seed = 1;
  if (auto s = root.find("seed")) seed = static_cast<std::uint64_t>(s->integer_at_least(0));
  std::string why;
  const auto ct = measure_cycle(spec, seed, cycles, 3600, &why);
  if (!ct) idn.fail("cell \"" + id + "\" gives no cycle time: " + why);
  StationFromCell r;
  r.process = Distribution::constant(ct->cycle_s);
  if (spec.power.given) {
    // the station works for one cycle per part: its working power is the cell's mean power
    // over a cycle, so its energy per part is the cell's energy per cycle
    r.has_power = true;
    r.working_kw = ct->energy_per_cycle_j / ct->cycle_s / 1000;
    r.idle_kw = spec.power.idle_w / 1000;
    r.down_kw = spec.power.down_w / 1000;
  }
  return r;
}

}  // namespace dtwin::machine
