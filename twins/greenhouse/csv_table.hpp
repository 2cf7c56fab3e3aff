// A measured time series from a CSV file: the header names the columns; one column holds the
// time, the others numbers. Only the columns asked for are read. Empty cells are missing
// values (NaN), for the caller to fill or reject; anything else that is not a number is an
// error. Times must increase strictly from row to row. Every error names file:line and says
// what was wrong. Cells may be double-quoted ("a,b" and "" escapes); spaces around cells and
// header names are ignored; blank lines are skipped.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "twins/greenhouse/time_format.hpp"

namespace dtwin::greenhouse {

struct CsvColumns {
  std::vector<std::string> header;
  std::vector<double> time_s;               // per row, on the time format's axis
  std::vector<int> line;                    // per row, its 1-based line in the file
  std::vector<std::vector<double>> values;  // per column asked for, per row; NaN when empty
};

// What went wrong, and where: `column` is the index of the column asked for that the error
// is about, kTimeColumn for the time column, kFile for the file as a whole.
struct CsvError : std::runtime_error {
  static constexpr int kTimeColumn = -1;
  static constexpr int kFile = -2;
  int column;
  CsvError(int col, const std::string& message) : std::runtime_error(message), column(col) {}
};

// path: where to open the file; shown: how messages name it.
CsvColumns read_csv_columns(const std::string& path, const std::string& shown, char delimiter,
                            const std::string& time_column, const TimeFormat& time_format,
                            const std::vector<std::string>& columns);

}  // namespace dtwin::greenhouse
