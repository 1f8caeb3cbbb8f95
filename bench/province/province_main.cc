// danhba-province: writes a realistic sample province for demos and benchmarks.
//   danhba-province --people 50000 --seed 70 --out DIR [--ldif FILE]
#include <iostream>

#include <CLI/CLI.hpp>

#include "province.h"

int main(int argc, char** argv) {
  CLI::App app{"Writes a sample Đồng Nai province: agency events, staff lists, hire events, LDIF"};
  danhba::province::Options options;
  options.shared_dir = DANHBA_SHARED_DIR;
  std::string out;
  std::string ldif;
  std::string base_dn = "dc=dongnai,dc=gov,dc=vn";
  std::string domain = "dongnai.gov.vn";
  app.add_option("--people", options.people, "How many people")->capture_default_str();
  app.add_option("--seed", options.seed, "Seed; the same seed gives the same province")
      ->capture_default_str();
  app.add_option("--shared", options.shared_dir, "The shared/ directory with data/")
      ->capture_default_str();
  app.add_option("--out", out, "Directory for agencies.json, staff/*.csv and hires.json");
  app.add_option("--ldif", ldif, "Also write the equivalent LDIF for ldapadd here");
  app.add_option("--base-dn", base_dn)->capture_default_str();
  app.add_option("--domain", domain)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (out.empty() && ldif.empty()) {
    std::cerr << "danhba-province: give --out DIR and/or --ldif FILE\n";
    return 2;
  }

  auto province = danhba::province::Generate(options);
  if (!province) {
    std::cerr << "danhba-province: " << province.error().detail << "\n";
    return 1;
  }
  if (!out.empty()) {
    if (auto written = danhba::province::WriteIntake(*province, out); !written) {
      std::cerr << "danhba-province: " << written.error().detail << "\n";
      return 1;
    }
  }
  if (!ldif.empty()) {
    if (auto written = danhba::province::WriteLdif(*province, base_dn, domain, ldif); !written) {
      std::cerr << "danhba-province: " << written.error().detail << "\n";
      return 1;
    }
  }
  std::cout << province->agencies.size() << " agencies, " << province->people.size()
            << " people\n";
  return 0;
}
