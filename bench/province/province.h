// A realistic province for demos, benchmarks and load tests, made from the
// sample data in shared/data: Đồng Nai's agencies and Vietnamese name
// frequencies. The same seed always gives the same province.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "danhba/base/result.h"

namespace danhba::province {

struct AgencyRow {
  std::string code;
  std::string name;
  std::string parent;      // empty: top level
  std::string kind;        // province, department, ward, commune, ...
  std::string merged_into; // historic agencies: the successor's code
};

struct PersonRow {
  std::string id;         // CB000001
  std::string full_name;  // NFC
  std::string birth_date; // YYYY-MM-DD
  std::string title;
  std::string phone;
  std::string agency;     // agency code
};

struct Province {
  std::vector<AgencyRow> agencies;  // parents before children; historic ones last
  std::vector<PersonRow> people;
};

struct Options {
  std::filesystem::path shared_dir;  // holds data/dongnai-agencies.csv and data/vietnamese-names.csv
  std::size_t people = 1000;
  std::uint64_t seed = 70;
};

// Reads the sample data and draws `people` people over the agencies in service
// (departments get more staff than wards and communes).
Result<Province> Generate(const Options& options);

// Writes, under `out`:
//   agencies.json      agency.create events (and agency.merge for historic agencies)
//   staff/<code>.csv   one staff list per agency, Vietnamese headers, dd/mm/yyyy dates
//   hires.json         one hire event per person
//   hires/NNNN.json    the same, 500 a file (one ingest request each)
// Existing files are replaced.
Status WriteIntake(const Province& province, const std::filesystem::path& out);

// Writes the LDIF that an equivalent `ldapadd` would load: agencies and people
// with the attributes danhba writes, uids allocated by the numeric policy.
Status WriteLdif(const Province& province, const std::string& base_dn, const std::string& domain,
                 const std::filesystem::path& file);

}  // namespace danhba::province
