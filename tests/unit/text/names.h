// Realistic Vietnamese names generated from the shared name-frequency table.
#pragma once

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace danhba::text::testing {

struct NameTable {
  std::vector<std::string> family, middle_m, middle_f, given_m, given_f;
  std::vector<double> family_weight;
};

// Reads DANHBA_SHARED_DIR/data/vietnamese-names.csv (kind,value,weight,note).
inline NameTable LoadNameTable() {
  NameTable table;
  std::ifstream in(std::string(DANHBA_SHARED_DIR) + "/data/vietnamese-names.csv");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string kind, value, weight;
    std::getline(row, kind, ',');
    std::getline(row, value, ',');
    std::getline(row, weight, ',');
    if (kind == "family") {
      table.family.push_back(value);
      table.family_weight.push_back(weight.empty() ? 0.5 : std::stod(weight));
    } else if (kind == "middle_m") {
      table.middle_m.push_back(value);
    } else if (kind == "middle_f") {
      table.middle_f.push_back(value);
    } else if (kind == "given_m") {
      table.given_m.push_back(value);
    } else if (kind == "given_f") {
      table.given_f.push_back(value);
    }
  }
  return table;
}

// `count` full names "Family Middle Given", family names drawn by frequency.
inline std::vector<std::string> GenerateNames(const NameTable& t, int count, unsigned seed) {
  std::mt19937 rng(seed);
  std::discrete_distribution<std::size_t> family(t.family_weight.begin(), t.family_weight.end());
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) {
    const bool male = rng() % 2 == 0;
    const auto& middle = male ? t.middle_m : t.middle_f;
    const auto& given = male ? t.given_m : t.given_f;
    names.push_back(t.family[family(rng)] + " " + middle[rng() % middle.size()] + " " +
                    given[rng() % given.size()]);
  }
  return names;
}

}  // namespace danhba::text::testing
