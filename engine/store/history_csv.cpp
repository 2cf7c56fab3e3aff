// export_csv: history rows as CSV with a header, times as seconds since the Unix epoch and as
// ISO 8601 UTC text, text and enumeration values as their text.
#include <cmath>
#include <ostream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/base/format.hpp"
#include "engine/store/store_impl.hpp"

namespace dtwin {

using namespace store_detail;

namespace {

// A cell, quoted when it holds a comma, a quote or a line break.
void csv_cell(std::ostream& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out << s;
    return;
  }
  out << '"';
  for (char c : s) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

// Seconds and the same time in UTC, two cells; both empty for a missing time.
void csv_times(std::ostream& out, double t) {
  if (!std::isnan(t))
    out << num_text(t) << ',' << iso_utc(t);
  else
    out << ',';
}

// Text and enumeration names as their text, numbers and booleans as JSON spells them.
void csv_value(std::ostream& out, const std::string& json) {
  if (!json.empty() && json.front() == '"') {
    const auto j = nlohmann::json::parse(json, nullptr, false);
    csv_cell(out, j.is_string() ? j.get<std::string>() : json);
  } else {
    csv_cell(out, json);
  }
}

void csv_row(std::ostream& out, const HistoryRow& r) {
  out << num_text(r.receive_time) << ',' << iso_utc(r.receive_time) << ',';
  csv_times(out, r.source_time);
  out << ',';
  csv_cell(out, r.twin);
  out << ',';
  csv_cell(out, r.prop);
  out << ',' << history_kind_name(r.kind) << ',';
  csv_value(out, r.value);
  out << ',';
  csv_cell(out, r.unit);
  out << ',';
  csv_cell(out, r.state);
  out << ',';
  if (r.kind != HistoryKind::Desired) out << r.session;
  out << ',';
  if (r.kind == HistoryKind::Reported) out << r.seq;
  out << ',';
  if (r.kind == HistoryKind::Desired) out << r.version;
  out << '\n';
}

}  // namespace

void MirrorStore::export_csv(std::ostream& out, const std::vector<HistoryRow>& rows) {
  out << "receive_time_s,receive_time_utc,source_time_s,source_time_utc,twin,property,kind,"
         "value,unit,state,session,seq,version\n";
  for (const auto& r : rows) csv_row(out, r);
}

}  // namespace dtwin
