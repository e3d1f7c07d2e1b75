// SPDX-License-Identifier: MIT
// Compares records another program wrote as CSV with cskpi's own --format csv of the same
// report: the same rows in the same order, every text the same, every number the same to
// 1e-9 (relative, at least absolute). The workbook's Records sheet as LibreOffice reads it
// back (issue 14; percentages shown with a '%'), and the records of `cskpi sql` as DuckDB
// and PostgreSQL compute them (issue 16).
//   records_compare CSKPI_CSV OTHER_CSV [OTHER_NAME]
#include "core/csv.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

std::vector<std::vector<std::string>> read(const char* path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line, scratch;
  std::vector<std::string_view> fields;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (cskpi::split_record(line, ',', fields, scratch).status != cskpi::SplitResult::Status::ok) {
      std::fprintf(stderr, "%s: cannot split: %s\n", path, line.c_str());
      std::exit(1);
    }
    rows.emplace_back(fields.begin(), fields.end());
  }
  return rows;
}

bool number(std::string s, double& v) {
  if (!s.empty() && s.back() == '%') s.pop_back();
  if (!s.empty() && s.front() == '\'') return false; // a guarded text cell
  char* end = nullptr;
  v = std::strtod(s.c_str(), &end);
  return !s.empty() && *end == '\0';
}

/// cskpi's CSV guards text that could start a formula with a leading '; the workbook needs
/// no guard (its cells are text cells).
std::string unguarded(const std::string& s) { return !s.empty() && s.front() == '\'' ? s.substr(1) : s; }

} // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: records_compare CSKPI_CSV OTHER_CSV [OTHER_NAME]\n");
    return 2;
  }
  const auto want = read(argv[1]), got = read(argv[2]);
  const char* other = argc == 4 ? argv[3] : "the workbook";
  if (want.size() != got.size()) {
    std::fprintf(stderr, "FAIL: %zu rows in cskpi's CSV, %zu in %s\n", want.size(), got.size(), other);
    return 1;
  }
  std::size_t numbers = 0;
  for (std::size_t r = 0; r < want.size(); ++r) {
    if (want[r].size() != got[r].size()) {
      std::fprintf(stderr, "FAIL: row %zu has %zu fields in cskpi's CSV, %zu in %s\n", r + 1, want[r].size(),
                   got[r].size(), other);
      return 1;
    }
    for (std::size_t c = 0; c < want[r].size(); ++c) {
      const std::string w = unguarded(want[r][c]), g = got[r][c];
      if (w == g) continue;
      double a = 0, b = 0;
      if (number(w, a) && number(g, b) && std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(a))) {
        ++numbers;
        continue;
      }
      const std::string column = c < want[0].size() ? want[0][c] : "?";
      std::fprintf(stderr, "FAIL: row %zu field %zu (%s): cskpi's CSV has \"%s\", %s \"%s\"\n", r + 1, c + 1,
                   column.c_str(), w.c_str(), other, g.c_str());
      return 1;
    }
  }
  std::printf("ok: %zu records, the same in %s (%zu numbers compared to 1e-9)\n", want.size() - 1, other, numbers);
  return 0;
}
