#include "twins/greenhouse/csv_table.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

#include "engine/scenario/json_node.hpp"
#include "engine/scenario/suggest.hpp"

namespace dtwin::greenhouse {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Splits one line into cells (quotes removed, spaces around cells trimmed).
void split(std::string_view line, char delim, std::vector<std::string>& cells) {
  cells.clear();
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delim) {
      cells.emplace_back(trim(cell));
      cell.clear();
    } else {
      cell += c;
    }
  }
  cells.emplace_back(trim(cell));
}

std::string header_list(const std::vector<std::string>& header) {
  std::string s;
  for (const auto& h : header) {
    if (s.size() > 200) return s + ", ...";
    s += (s.empty() ? "" : ", ") + h;
  }
  return s;
}

}  // namespace

CsvColumns read_csv_columns(const std::string& path, const std::string& shown, char delimiter,
                            const std::string& time_column, const TimeFormat& time_format,
                            const std::vector<std::string>& columns) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CsvError(CsvError::kFile, "cannot read " + shown + ": " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();

  CsvColumns out;
  out.values.resize(columns.size());
  std::vector<std::size_t> index(columns.size());
  std::size_t time_index = 0;
  std::vector<std::string> cells;
  bool have_header = false;
  int line_no = 0;
  std::size_t pos = 0;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;  // UTF-8 byte-order mark
  const std::string where = shown + ":";
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (trim(line).empty()) continue;
    split(line, delimiter, cells);
    const std::string at = where + std::to_string(line_no) + ": ";

    if (!have_header) {
      have_header = true;
      out.header = cells;
      auto find = [&](const std::string& name, int col) {
        std::size_t found = cells.size();
        for (std::size_t k = 0; k < cells.size(); ++k) {
          if (cells[k] != name) continue;
          if (found != cells.size())
            throw CsvError(col, at + "two columns are named " + quote(name));
          found = k;
        }
        if (found == cells.size()) {
          std::string msg = at + "no column " + quote(name);
          msg += did_you_mean(name, cells);
          msg += " (columns: " + header_list(cells) + ")";
          throw CsvError(col, msg);
        }
        return found;
      };
      time_index = find(time_column, CsvError::kTimeColumn);
      for (std::size_t c = 0; c < columns.size(); ++c)
        index[c] = find(columns[c], static_cast<int>(c));
      continue;
    }

    // the time
    if (time_index >= cells.size())
      throw CsvError(CsvError::kTimeColumn, at + "the row has " + std::to_string(cells.size()) +
                                                " cells, no time in column " + quote(time_column));
    double t = 0;
    if (!time_format.read(cells[time_index], &t))
      throw CsvError(CsvError::kTimeColumn, at + "time column " + quote(time_column) +
                                                ": cannot read " + quote(cells[time_index]) +
                                                " as \"" + time_format.spec() + "\"");
    if (!out.time_s.empty() && !(t > out.time_s.back()))
      throw CsvError(CsvError::kTimeColumn,
                     at + "time " + quote(cells[time_index]) + " is not after the time of line " +
                         std::to_string(out.line.back()) + ": times must increase from row to row");
    out.time_s.push_back(t);
    out.line.push_back(line_no);

    // the values
    for (std::size_t c = 0; c < columns.size(); ++c) {
      double v = std::numeric_limits<double>::quiet_NaN();
      if (index[c] < cells.size() && !cells[index[c]].empty()) {
        const std::string& s = cells[index[c]];
        const char* b = s.data();
        if (*b == '+') ++b;  // from_chars takes no leading '+'
        const auto [e, ec] = std::from_chars(b, s.data() + s.size(), v);
        if (ec != std::errc() || e != s.data() + s.size() || !std::isfinite(v))
          throw CsvError(static_cast<int>(c), at + "column " + quote(columns[c]) +
                                                  ": expected a number, got " + quote(s));
      }
      out.values[c].push_back(v);
    }
  }
  if (!have_header) throw CsvError(CsvError::kFile, shown + ": the file is empty");
  if (out.time_s.empty())
    throw CsvError(CsvError::kFile, shown + ": no data rows after the header");
  return out;
}

}  // namespace dtwin::greenhouse
