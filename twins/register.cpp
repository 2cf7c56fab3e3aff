#include "twins/register.hpp"

#include "twins/greenhouse/register.hpp"
#include "twins/line/model.hpp"
#include "twins/line/parse.hpp"
#include "twins/machine/register.hpp"

namespace dtwin::twins {

void register_all(Registry& r) {
  ModelFactory line;
  line.name = "line";
  line.kinds = line::line_kinds();
  line.top_level = {"flow", "calendar", "crew", "costs", "products", "resources"};
  line.build = [](const CompileContext& ctx, const std::vector<std::string>& ids) {
    std::vector<std::shared_ptr<const Model>> out;
    // a station's "process": {"from_cell": "cell1"} is the cell's measured cycle time (and,
    // if the cell gives "power", its energy per cycle)
    const Node& root = ctx.root;
    auto from_cell = [&root](const Node& ref) {
      const machine::StationFromCell c = machine::process_from_cell(root, ref);
      line::ProcessFromTwinResult res;
      res.process = c.process;
      if (c.has_power) {
        res.power.on = true;
        res.power.working_kw = res.power.setup_kw = res.power.warmup_kw = c.working_kw;
        res.power.idle_kw = c.idle_kw;
        res.power.down_kw = c.down_kw;
      }
      return res;
    };
    out.push_back(std::make_shared<line::LineModel>(
        line::parse_line(ctx.root, ids, ctx.sample_interval_s, from_cell, &ctx.files)));
    return out;
  };
  r.add(std::move(line));

  greenhouse::register_kinds(r);
  machine::register_kinds(r);
}

}  // namespace dtwin::twins
