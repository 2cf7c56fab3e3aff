#include "twins/register.hpp"

#include "twins/greenhouse/register.hpp"
#include "twins/line/model.hpp"
#include "twins/line/parse.hpp"

namespace dtwin::twins {

void register_all(Registry& r) {
  ModelFactory line;
  line.name = "line";
  line.kinds = line::line_kinds();
  line.top_level = {"flow", "calendar", "crew", "costs"};
  line.build = [](const CompileContext& ctx, const std::vector<std::string>& ids) {
    std::vector<std::shared_ptr<const Model>> out;
    out.push_back(
        std::make_shared<line::LineModel>(line::parse_line(ctx.root, ids, ctx.sample_interval_s)));
    return out;
  };
  r.add(std::move(line));

  greenhouse::register_kinds(r);
}

}  // namespace dtwin::twins
