#include "engine/mirror/binding.hpp"

namespace dtwin {

Binding Binding::of(const std::vector<std::shared_ptr<const Model>>& models) {
  Binding b;
  for (std::uint32_t i = 0; i < models.size(); ++i) {
    const Mirrorable* m = mirrorable(*models[i]);
    if (!m) continue;
    std::vector<TwinSpec> specs;
    m->properties(specs);
    for (std::size_t k = 0; k < specs.size(); ++k) {
      b.twins.push_back(std::move(specs[k]));
      b.where.push_back({i, k, m});
    }
  }
  return b;
}

std::pair<std::size_t, std::size_t> Binding::find(const std::string& twin_id,
                                                  const std::string& prop_name) const {
  for (std::size_t t = 0; t < twins.size(); ++t) {
    if (twins[t].id != twin_id) continue;
    for (std::size_t p = 0; p < twins[t].properties.size(); ++p)
      if (twins[t].properties[p].name == prop_name) return {t, p};
    return {t, std::string::npos};
  }
  return {std::string::npos, std::string::npos};
}

}  // namespace dtwin
