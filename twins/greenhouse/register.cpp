#include "twins/greenhouse/register.hpp"

#include "engine/scenario/json_doc.hpp"
#include "twins/greenhouse/calibration.hpp"
#include "twins/greenhouse/greenlight_twin.hpp"
#include "twins/greenhouse/lettuce_crop.hpp"
#include "twins/greenhouse/lettuce_greenhouse.hpp"
#include "twins/greenhouse/parse.hpp"
#include "twins/greenhouse/tomato_crop.hpp"

namespace dtwin::greenhouse {

void register_kinds(Registry& r) {
  ModelFactory f;
  f.name = "greenhouse";
  f.kinds = greenhouse_kinds();
  f.top_level = {"calibrate"};  // dtwin fit's recipe (calibration.hpp)
  f.build = [](const CompileContext& ctx, const std::vector<std::string>& ids) {
    std::vector<std::shared_ptr<const Model>> out;
    const Node twins = ctx.root.at("twins");
    const InputContext in{ctx.files, ctx.duration_s};
    for (const auto& id : ids) {
      const Node t = twins.at(id);
      const std::string kind = t.at("kind").string();
      if (kind == "lettuce_greenhouse")
        out.push_back(
            std::make_shared<LettuceGreenhouseModel>(parse_lettuce_greenhouse(t, id, in)));
      else if (kind == "lettuce_crop")
        out.push_back(std::make_shared<LettuceCropModel>(parse_lettuce_crop(t, id, in)));
      else if (kind == "greenlight_tomato")
        out.push_back(std::make_shared<GreenLightModel>(parse_greenlight(t, id, in)));
      else
        out.push_back(std::make_shared<TomatoCropModel>(parse_tomato_crop(t, id, in)));
    }
    if (ctx.root.has("calibrate")) check_recipe(ctx.root, out, ctx.files, ctx.duration_s);
    return out;
  };
  r.add(std::move(f));
}

}  // namespace dtwin::greenhouse
