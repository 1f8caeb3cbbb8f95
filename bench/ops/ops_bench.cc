// ops_bench: the operations of issue 11 at province scale.
//
//   backup   `danhba backup` of a directory of N people (and one hire decision
//            each, spread over six months), beside slapcat of the same database
//   restore  `danhba restore` of that archive into a fresh data_dir, beside
//            slapadd of the same LDIF
//   report   `danhba report` over the six months (LDAP reads + figures + HTML)
//
// The tree is loaded with slapadd (not through the daemon) so that the run
// takes minutes, not a quarter of an hour. One command: build/bench/ops/ops_bench [--people N].
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "danhba/config/config.h"
#include "danhba/ldap/connection.h"
#include "danhba/ops/backup.h"
#include "danhba/ops/report.h"
#include "danhba/slapd/instance.h"
#include "province.h"
#include "slapd/process.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace danhba;

namespace {

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

void Die(const std::string& what) {
  std::fprintf(stderr, "ops_bench: %s\n", what.c_str());
  std::exit(1);
}

// One hire decision per person, effective over January-June 2026.
void WriteDecisions(const fs::path& people_ldif, const fs::path& out, const std::string& base) {
  std::ifstream in(people_ldif);
  std::ofstream ldif(out);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    if (!line.starts_with("dn: uid=")) continue;
    std::string dn = line.substr(4);
    int month = static_cast<int>(n % 6) + 1;
    int day = static_cast<int>(n % 28) + 1;
    char date[32];
    std::snprintf(date, sizeof date, "2026%02d%02d000000Z", month, day);
    ldif << "dn: danhbaEventId=bench-" << n << ",ou=decisions," << base << "\n"
         << "objectClass: top\nobjectClass: danhbaDecision\n"
         << "danhbaEventId: bench-" << n << "\ncn: " << n << "/QĐ-UBND\ndanhbaDecisionNumber: " << n
         << "/QĐ-UBND\ndanhbaDecisionDate: " << date << "\ndanhbaDecisionIssuer: UBND tỉnh Đồng Nai\n"
         << "danhbaDecisionType: hire\ndanhbaEffectiveDate: " << date << "\ndanhbaSubjectDN: " << dn << "\n\n";
    ++n;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("ops_bench: backup, restore and report at province scale");
  std::size_t people = 50'000;
  std::string work = (fs::temp_directory_path() / "danhba-ops-bench").string();
  app.add_option("--people", people, "People in the directory");
  app.add_option("--dir", work, "Working directory (removed first)");
  CLI11_PARSE(app, argc, argv);
  const std::string base = "dc=dongnai,dc=gov,dc=vn";
  fs::remove_all(work);
  fs::create_directories(work);

  // The directory: base tree, then agencies, people and decisions with slapadd.
  province::Options options;
  options.shared_dir = DANHBA_SHARED_DIR;
  options.people = people;
  auto generated = province::Generate(options);
  if (!generated.ok()) Die(generated.error().detail);
  const fs::path people_ldif = fs::path(work) / "people.ldif";
  if (auto s = province::WriteLdif(*generated, base, "dongnai.gov.vn", people_ldif); !s.ok()) Die(s.error().detail);
  const fs::path decisions_ldif = fs::path(work) / "decisions.ldif";
  WriteDecisions(people_ldif, decisions_ldif, base);
  config::Config config = config::Defaults(work);
  config.data_dir = fs::path(work) / "var";
  slapd::InstanceOptions instance_options;
  instance_options.directory = config.SlapdDir();
  instance_options.secrets_dir = config.SecretsDir();
  auto instance = slapd::Instance::Create(instance_options);
  if (!instance.ok()) Die(instance.error().detail);
  for (const fs::path& ldif : {people_ldif, decisions_ldif}) {
    auto run = slapd::RunProcess({"/usr/sbin/slapadd", "-q", "-n1", "-F", (*instance)->config_dir().string(), "-l",
                                  ldif.string()});
    if (!run.ok() || run->exit_code != 0) Die("slapadd " + ldif.string() + ": " + (run.ok() ? run->output : ""));
  }
  if (auto s = (*instance)->Start(); !s.ok()) Die(s.error().detail);
  config.ldap.url = (*instance)->url();

  // Reference: slapcat alone.
  auto began = Clock::now();
  auto cat = slapd::RunProcess({"/usr/sbin/slapcat", "-F", (*instance)->config_dir().string(), "-n", "1", "-l",
                                (fs::path(work) / "slapcat.ldif").string()});
  if (!cat.ok() || cat->exit_code != 0) Die("slapcat failed");
  double slapcat_s = Seconds(Clock::now() - began);

  ops::BackupOptions backup_options;
  backup_options.now = std::chrono::system_clock::now();
  began = Clock::now();
  auto backup = ops::CreateBackup(config, backup_options);
  if (!backup.ok()) Die(backup.error().detail);
  double backup_s = Seconds(Clock::now() - began);

  // The report over six months, as `danhba report` makes it.
  began = Clock::now();
  const auto& op = (*instance)->account(slapd::ServiceAccount::kOperator);
  ldap::ConnectOptions connect;
  connect.url = (*instance)->url();
  auto connection = ldap::Connection::Open(connect, ldap::Credentials::Simple(op.dn, op.password));
  if (!connection.ok()) Die(connection.error().detail);
  auto from = *model::Date::Parse("2026-01-01");
  auto to = *model::Date::Parse("2026-06-30");
  auto inputs = ops::LoadReportInputs(*connection, base, nullptr, from, to);
  if (!inputs.ok()) Die(inputs.error().detail);
  double load_s = Seconds(Clock::now() - began);
  ops::ReportOptions report_options;
  report_options.from = from;
  report_options.to = to;
  report_options.generated_at = std::chrono::system_clock::now();
  auto report = ops::ComputeReport(*inputs, report_options);
  if (!report.ok()) Die(report.error().detail);
  std::string html = ops::ReportHtml(*report);
  double report_s = Seconds(Clock::now() - began);
  (*instance)->Stop().ok();

  // Reference: slapadd alone of the dump, into a fresh instance.
  config::Config fresh = config;
  fresh.data_dir = fs::path(work) / "restored";
  slapd::InstanceOptions bare = instance_options;
  bare.directory = fs::path(work) / "bare";
  bare.secrets_dir = fs::path(work) / "bare-secrets";
  bare.initial_tree = fs::path(work) / "slapcat.ldif";
  // The dump's service accounts have the first instance's passwords.
  fs::create_directories(bare.secrets_dir);
  for (const auto& each : fs::directory_iterator(config.SecretsDir())) {
    fs::copy_file(each.path(), bare.secrets_dir / each.path().filename());
  }
  began = Clock::now();
  auto plain = slapd::Instance::Create(bare);
  if (!plain.ok()) Die(plain.error().detail);
  double slapadd_s = Seconds(Clock::now() - began);
  plain->reset();

  began = Clock::now();
  auto restored = ops::RestoreBackup(fresh, backup->archive);
  if (!restored.ok()) Die(restored.error().detail);
  double restore_s = Seconds(Clock::now() - began);

  std::printf("ops_bench: %zu people, %zu entries, archive %.1f MB\n", people, backup->directory_entries,
              static_cast<double>(backup->archive_bytes) / 1e6);
  std::printf("%-44s %10s   %s\n", "operation", "seconds", "reference");
  std::printf("%-44s %10.2f   slapcat alone %.2f s (%.2f x)\n", "danhba backup (journal, slapcat, tar.gz)",
              backup_s, slapcat_s, backup_s / slapcat_s);
  std::printf("%-44s %10.2f   create + slapadd alone %.2f s (%.2f x)\n", "danhba restore (verify, slapadd)",
              restore_s, slapadd_s, restore_s / slapadd_s);
  std::printf("%-44s %10.2f   (of which LDAP reads %.2f s; %zu bytes of HTML)\n",
              "danhba report, six months, html", report_s, load_s, html.size());
  std::printf("report check: mailboxes at the end %zu, created %zu\n", report->total.mailboxes_end,
              report->total.created);
  fs::remove_all(work);
  return 0;
}
