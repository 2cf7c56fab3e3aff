#include "engine/scenario/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <string_view>

#include "engine/base/format.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/json_node.hpp"
#include "engine/scenario/suggest.hpp"

namespace dtwin {

namespace {

const std::vector<std::string> kTopLevel = {
    "name",  "description", "seed",  "duration", "warmup", "replications", "sample_interval",
    "twins", "variants",    "sweep", "layout",   "live",   "expect",       "alerts"};

// Does the merge patch set the value at `pointer` (or one of its ancestors)?
bool patch_covers(const nlohmann::json& patch, const std::string& pointer) {
  const nlohmann::json* j = &patch;
  for (const auto& t : pointer_tokens(pointer)) {
    if (!j->is_object()) return true;  // the patch replaced this whole subtree
    auto it = j->find(t);
    if (it == j->end()) return false;
    j = &*it;
  }
  return true;
}

// Longest prefix of `pointer` that the patch contains.
std::string covered_prefix(const nlohmann::json& patch, const std::string& pointer) {
  const nlohmann::json* j = &patch;
  std::string out;
  for (const auto& t : pointer_tokens(pointer)) {
    if (!j->is_object()) break;
    auto it = j->find(t);
    if (it == j->end()) break;
    out += "/" + pointer_escape(t);
    j = &*it;
  }
  return out;
}

std::string grid_name(const std::string& pointer, const nlohmann::json& value) {
  std::string p = pointer;
  if (p.rfind("/twins/", 0) == 0)
    p = p.substr(7);
  else if (!p.empty() && p[0] == '/')
    p = p.substr(1);
  std::replace(p.begin(), p.end(), '/', '.');
  std::string v = value.is_string() ? value.get<std::string>() : value.dump();
  return p + "=" + v;
}

}  // namespace

Settings parse_settings(const Node& root) {
  Settings s;
  if (auto n = root.find("name")) s.name = n->string();
  if (auto n = root.find("seed")) s.seed = static_cast<std::uint64_t>(n->integer_at_least(0));
  s.duration_s = parse_duration(root.at("duration"));
  if (s.duration_s <= 0) root.at("duration").expected("a duration > 0");
  if (auto n = root.find("warmup")) {
    s.warmup_s = parse_duration(*n);
    if (s.warmup_s >= s.duration_s) n->expected("a warm-up shorter than the duration");
  }
  if (auto n = root.find("replications")) {
    const auto r = n->integer_at_least(1);
    if (r > 100000) n->expected("at most 100000 replications");
    s.replications = static_cast<std::uint32_t>(r);
  }
  s.sample_interval_s = s.duration_s / 500.0;
  if (auto n = root.find("sample_interval")) {
    s.sample_interval_s = parse_duration(*n);
    if (s.sample_interval_s <= 0) n->expected("a duration > 0");
    if (s.duration_s / s.sample_interval_s > 1e7)
      n->expected("an interval giving at most 10 million samples");
  }
  return s;
}

void check_twin_id(const std::string& id, const Node& at) {
  // it is a level of MQTT topics (dtwin/<plant>/<twin>/...) and a name on the command line
  if (id.empty()) at.fail("a twin id must not be empty");
  for (const unsigned char c : id)
    if (c < 0x20 || c == 0x7f ||
        std::string_view(".,/ \"+#").find(static_cast<char>(c)) != std::string_view::npos)
      at.fail(
          "a twin id must not contain '.', ',', '/', '+', '#', spaces, quotes or control "
          "characters (it is an MQTT topic level): " +
          quote(id));
  if (id[0] == '$')
    at.fail("a twin id must not start with '$' (MQTT keeps such topics): " + quote(id));
  if (id == "engine" || id == "client" || id == "alerts")
    at.fail("\"" + id + "\" is taken by the engine's own topics (dtwin/<plant>/" + id +
            "/...): name the twin otherwise");
  if (id.size() > 256) at.fail("a twin id of at most 256 bytes, got " + std::to_string(id.size()));
}

Scenario Scenario::load(const std::string& path) {
  return from_doc(load_json_file(path));
}

Scenario Scenario::parse(std::string text, std::string label) {
  return from_doc(parse_json(std::move(text), std::move(label)));
}

Scenario Scenario::from_doc(JsonDoc doc) {
  Scenario s;
  s.doc_ = std::move(doc);
  s.files_ = FileAccess::beside(s.doc_.file);
  try {
    const Node root(s.doc_);
    if (!root.is_object()) root.expected("a scenario object");
    if (auto n = root.find("name")) s.name_ = n->string();
    s.variants_.push_back(Variant{"baseline", Variant::Kind::Baseline, {}, {}});
    if (auto vs = root.find("variants")) {
      if (!vs->is_object()) vs->expected("an object of variants: {\"name\": {merge patch}}");
      for (const auto& [name, patch] : vs->members()) {
        if (name.empty() || name == "baseline")
          patch.fail("a variant needs a name other than \"\" and \"baseline\"");
        if (!patch.is_object()) patch.expected("a JSON merge patch object (the members to change)");
        s.variants_.push_back(Variant{name, Variant::Kind::Patch, patch.json(), {}});
      }
    }
    if (auto sw = root.find("sweep")) {
      if (!sw->is_object())
        sw->expected("an object {\"/json/pointer\": [values...]} (the grid to sweep)");
      std::vector<std::pair<std::string, std::vector<nlohmann::json>>> axes;
      for (const auto& [ptr, values] : sw->members()) {
        if (ptr.empty() || ptr[0] != '/')
          values.fail(
              "a sweep key is a JSON pointer into the scenario, such as "
              "\"/twins/b1/capacity\"");
        nlohmann::json::json_pointer jp;
        try {
          jp = nlohmann::json::json_pointer(ptr);
        } catch (const nlohmann::json::exception&) {
          values.fail("\"" + ptr + "\" is not a valid JSON pointer");
        }
        if (!s.doc_.value.contains(jp)) {
          // the parent must exist so the value can be set
          if (!s.doc_.value.contains(jp.parent_pointer()) ||
              !s.doc_.value.at(jp.parent_pointer()).is_object())
            values.fail("the scenario has nothing at \"" + ptr + "\" to vary");
        }
        if (!values.is_array() || values.size() == 0)
          values.expected("a non-empty array of values");
        axes.emplace_back(ptr, values.json().get<std::vector<nlohmann::json>>());
      }
      std::size_t total = 1;
      for (const auto& a : axes) {
        total *= a.second.size();
        if (total > 100000) sw->fail("the sweep grid has more than 100000 points");
      }
      for (std::size_t k = 0; k < total && !axes.empty(); ++k) {
        Variant v;
        v.kind = Variant::Kind::Grid;
        std::size_t rest = k;
        // last axis varies fastest
        std::vector<std::size_t> idx(axes.size());
        for (std::size_t a = axes.size(); a-- > 0;) {
          idx[a] = rest % axes[a].second.size();
          rest /= axes[a].second.size();
        }
        for (std::size_t a = 0; a < axes.size(); ++a) {
          const auto& val = axes[a].second[idx[a]];
          v.sets.emplace_back(axes[a].first, val);
          v.name += (a ? "," : "") + grid_name(axes[a].first, val);
        }
        s.variants_.push_back(std::move(v));
      }
    }
    for (std::size_t i = 0; i < s.variants_.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (s.variants_[i].name == s.variants_[j].name)
          throw ScenarioError("/sweep", "two runs are both named \"" + s.variants_[i].name + "\"");
  } catch (ScenarioError& e) {
    if (e.location().line == 0) e.set_location(s.doc_.locate(e.pointer()));
    throw;
  }
  return s;
}

std::size_t Scenario::find_variant(const std::string& name) const {
  for (std::size_t i = 0; i < variants_.size(); ++i)
    if (variants_[i].name == name) return i;
  std::string names;
  for (const auto& v : variants_) names += (names.empty() ? "" : ", ") + v.name;
  throw UsageError("no variant named \"" + name + "\" in " + doc_.file + "; it has: " + names);
}

CompiledVariant Scenario::compile(std::size_t i, const Registry& reg) const {
  return compile(variants_.at(i), nullptr, reg, nullptr);
}

CompiledVariant Scenario::compile(std::size_t i, const Registry& reg,
                                  const nlohmann::json& extra_patch, const std::string& name,
                                  const FileAccess* files) const {
  if (!extra_patch.is_object())
    throw ScenarioError("", "a what-if patch is a JSON merge patch object");
  CompiledVariant out = compile(variants_.at(i), &extra_patch, reg, files);
  out.name = name;
  return out;
}

CompiledVariant Scenario::compile(const Variant& v, const nlohmann::json* extra,
                                  const Registry& reg, const FileAccess* files) const {
  CompiledVariant out;
  out.name = v.name;
  out.doc = doc_.value;
  if (!patch_.value.is_null()) out.doc.merge_patch(patch_.value);
  if (v.kind == Variant::Kind::Patch) out.doc.merge_patch(v.patch);
  for (const auto& [ptr, val] : v.sets) out.doc[nlohmann::json::json_pointer(ptr)] = val;
  if (extra) out.doc.merge_patch(*extra);

  try {
    const Node root(out.doc, doc_);  // members in document order
    if (!root.is_object()) root.expected("a scenario object");
    std::vector<std::string> allowed = kTopLevel;
    for (const auto& f : reg.factories())
      allowed.insert(allowed.end(), f.top_level.begin(), f.top_level.end());
    root.check_keys(allowed);
    out.settings = parse_settings(root);
    out.expect = parse_expectations(root);
    const Node twins = root.at("twins");
    if (!twins.is_object() || twins.size() == 0)
      twins.expected("an object of twins keyed by id, with at least one twin");

    // group the twins by factory, keeping document order
    std::vector<std::vector<std::string>> ids(reg.factories().size());
    std::vector<std::string> kinds = reg.kinds();
    for (const auto& [id, t] : twins.members()) {
      if (id.empty()) t.fail("a twin id must not be empty");
      check_twin_id(id, t);
      if (!t.is_object()) t.expected("a twin object with a \"kind\"");
      const Node kn = t.at("kind");
      const std::string kind = kn.string();
      const ModelFactory* f = reg.for_kind(kind);
      if (!f) {
        std::string list;
        for (const auto& k : kinds) list += (list.empty() ? "" : ", ") + k;
        kn.fail("unknown kind \"" + kind + "\"" + did_you_mean(kind, kinds) +
                " (known kinds: " + list + ")");
      }
      ids[static_cast<std::size_t>(f - reg.factories().data())].push_back(id);
    }
    const CompileContext ctx{root, out.settings.duration_s, out.settings.sample_interval_s,
                             files ? *files : files_};
    for (std::size_t k = 0; k < reg.factories().size(); ++k) {
      const ModelFactory& f = reg.factories()[k];
      if (ids[k].empty()) {
        for (const auto& key : f.top_level)
          if (root.has(key) && key == "flow")
            root.at(key).fail("a flow needs line twins (sources, machines, buffers, sinks)");
          else if (root.has(key) && key == "calibrate")
            root.at(key).fail("a calibration recipe needs greenhouse twins (dtwin fit)");
        continue;
      }
      auto models = f.build(ctx, ids[k]);
      out.models.insert(out.models.end(), models.begin(), models.end());
    }
  } catch (ScenarioError& e) {
    // locate the error in the file: in the variant's patch or sweep entry when that is what
    // set the bad value, otherwise in the base document
    if (extra && patch_covers(*extra, e.pointer()))
      throw ScenarioError(e.pointer(), "in the what-if patch: " + e.message());
    std::string where = e.pointer();
    if (v.kind == Variant::Kind::Patch && patch_covers(v.patch, e.pointer())) {
      where = "/variants/" + pointer_escape(v.name) + covered_prefix(v.patch, e.pointer());
      std::string msg = e.message();
      // a patch naming a twin the base does not have (a typo, most often) adds a twin without
      // a kind: say that, not "missing required member kind"
      const auto tokens = pointer_tokens(e.pointer());
      const auto in = [](const nlohmann::json& j, const std::string& key) {
        return j.is_object() && j.contains(key);
      };
      if (tokens.size() >= 2 && tokens[0] == "twins" && in(doc_.value, "twins") &&
          !in(doc_.value.at("twins"), tokens[1]) && in(v.patch, "twins") &&
          in(v.patch.at("twins"), tokens[1]) && !in(v.patch.at("twins").at(tokens[1]), "kind")) {
        std::vector<std::string> ids;
        for (const auto& [id, t] : doc_.value.at("twins").items()) ids.push_back(id);
        msg = "twin \"" + tokens[1] + "\" is not in the base scenario" +
              did_you_mean(tokens[1], ids) + " (a variant that adds a twin gives its \"kind\")";
        where = "/variants/" + pointer_escape(v.name) + "/twins/" + pointer_escape(tokens[1]);
      }
      ScenarioError err(doc_.locate(where), e.pointer(), "in variant \"" + v.name + "\": " + msg);
      throw err;
    }
    if (v.kind == Variant::Kind::Grid) {
      for (const auto& [ptr, val] : v.sets) {
        if (e.pointer().rfind(ptr, 0) == 0) {
          ScenarioError err(doc_.locate("/sweep/" + pointer_escape(ptr)), e.pointer(),
                            "in sweep point \"" + v.name + "\": " + e.message());
          throw err;
        }
      }
    }
    if (!patch_.value.is_null() && patch_covers(patch_.value, e.pointer()))
      throw ScenarioError(patch_.locate(e.pointer()), e.pointer(),
                          "after the patch " + patch_.file + " was applied: " + e.message());
    // an error in another file the scenario reads (a calibration's observations) is located
    // there already
    if (e.location().file.empty() || e.location().file == doc_.file)
      e.set_location(doc_.locate(where));
    throw;
  }
  return out;
}

void Scenario::apply_patch(JsonDoc patch) {
  if (!patch.value.is_object())
    throw ScenarioError(patch.locate(""), "",
                        "a patch is a JSON merge patch object (RFC 7386), as dtwin fit writes");
  patch_ = std::move(patch);
}

}  // namespace dtwin
