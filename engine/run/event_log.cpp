#include "engine/run/event_log.hpp"

#include <vector>

#include "engine/mirror/binding.hpp"
#include "engine/sim/world.hpp"

namespace dtwin {

std::uint64_t write_event_log(const CompiledVariant& v, std::uint32_t replication,
                              std::ostream& out) {
  World w(v.models);
  w.start(RunContext{v.settings.seed, replication});
  const Binding b = Binding::of(w);
  std::vector<std::vector<Value>> last(b.twins.size());
  std::vector<std::vector<bool>> seen(b.twins.size());
  for (std::size_t t = 0; t < b.twins.size(); ++t) {
    last[t].resize(b.twins[t].properties.size());
    seen[t].assign(b.twins[t].properties.size(), false);
  }
  out << "time_s,twin,property,value\n";
  std::uint64_t rows = 0;
  const auto emit = [&] {
    for (std::size_t t = 0; t < b.twins.size(); ++t) {
      const TwinSpec& spec = b.twins[t];
      for (std::size_t p = 0; p < spec.properties.size(); ++p) {
        if (spec.properties[p].derived) continue;
        Value x;
        if (!b.read(w, t, p, x)) continue;
        if (seen[t][p] && x == last[t][p]) continue;
        seen[t][p] = true;
        last[t][p] = x;
        const nlohmann::json j = value_to_json(spec.properties[p], x);
        out << w.now() << ',' << spec.id << ',' << spec.properties[p].name << ','
            << (j.is_string() ? j.get<std::string>() : j.dump()) << '\n';
        ++rows;
      }
    }
  };
  out.precision(12);
  emit();
  const double end = v.settings.duration_s;
  while (!w.kernel().empty() && w.kernel().peek() <= end) {
    // every event of one time, then the changes: what a report at that instant would say
    const double t = w.kernel().peek();
    while (!w.kernel().empty() && w.kernel().peek() == t) w.step();
    emit();
  }
  return rows;
}

}  // namespace dtwin
