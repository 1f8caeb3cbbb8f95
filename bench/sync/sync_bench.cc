// Hires applied per second by the sync engine (journal -> engine -> slapd), into
// an empty directory: a fresh private slapd with fsync per write, one run per
// worker count. Each hire writes a decision entry, a person entry and an initial
// password (password-modify), and appends a handover line.
//
//   sync_bench [--hires 2000] [--workers 1,4] [--dir /tmp/danhba-sync-bench]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "danhba/base/log.h"
#include "danhba/directory/ldap_directory.h"
#include "danhba/ldap/client.h"
#include "danhba/model/event.h"
#include "danhba/slapd/instance.h"
#include "danhba/sync/engine.h"

namespace {

namespace fs = std::filesystem;
using namespace danhba;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "sync_bench: %s\n", what.c_str());
  std::exit(1);
}

const char* kFamilies[] = {"Nguyễn", "Trần", "Lê",  "Phạm", "Hoàng", "Huỳnh", "Phan",  "Vũ",
                           "Võ",     "Đặng", "Bùi", "Đỗ",   "Hồ",    "Ngô",   "Dương", "Lý"};
const char* kMiddles[] = {"Văn", "Thị",   "Hữu",  "Minh", "Ngọc", "Thanh", "Quốc",
                          "Đức", "Hoàng", "Xuân", "Thu",  "Kim",  "Anh",   "Công"};
const char* kGivens[] = {"An",    "Bình", "Châu", "Dũng", "Giang", "Hà",    "Hải",  "Hạnh", "Hùng",
                         "Hương", "Khoa", "Lan",  "Linh", "Long",  "Mai",   "Nam",  "Nga",  "Phong",
                         "Phúc",  "Quân", "Sơn",  "Tâm",  "Thảo",  "Trang", "Tuấn", "Vy",   "Yến"};

std::string Decision() {
  return R"("decision":{"number":"70/QĐ-UBND","date":"2026-11-20","issuer":"UBND tỉnh"})";
}

void Append(journal::Journal& journal, std::vector<std::string> jsons) {
  std::vector<journal::NewEvent> events;
  for (const auto& json : jsons) {
    auto event = model::ParseEvent(json);
    if (!event.ok()) Fail(event.error().detail + ": " + json);
    events.push_back({event->id, "bench", model::ToJson(*event), std::nullopt});
  }
  auto appended = journal.Append(std::move(events));
  if (!appended.ok()) Fail(appended.error().detail);
}

// A new, started slapd in <dir>/slapd (dir emptied first).
std::unique_ptr<slapd::Instance> FreshSlapd(const fs::path& dir) {
  fs::remove_all(dir);
  slapd::InstanceOptions options;
  options.directory = dir / "slapd";
  auto instance = slapd::Instance::Create(options);
  if (!instance.ok()) Fail(instance.error().detail);
  if (Status s = (*instance)->Start(); !s.ok()) Fail(s.error().detail);
  return std::move(instance).value();
}

double Run(const fs::path& dir, int hires, int workers) {
  auto instance = FreshSlapd(dir);
  const auto& sync = instance->account(slapd::ServiceAccount::kSync);

  journal::JournalOptions jopts;
  jopts.dir = (dir / "journal").string();
  auto journal = journal::Journal::Open(jopts);
  if (!journal.ok()) Fail(journal.error().detail);

  std::vector<std::unique_ptr<directory::LdapDirectory>> owned;
  std::vector<directory::Directory*> dirs;
  for (int i = 0; i < workers; ++i) {
    ldap::ConnectOptions connect;
    connect.url = instance->url();
    auto client =
        std::make_unique<ldap::Client>(connect, ldap::Credentials::Simple(sync.dn, sync.password));
    owned.push_back(std::make_unique<directory::LdapDirectory>(
        std::move(client),
        directory::LdapDirectoryOptions{directory::Layout::ForBase(instance->base_dn()),
                                        "dongnai.gov.vn", false}));
    dirs.push_back(owned.back().get());
  }
  sync::EngineOptions eopts;
  eopts.handover_dir = (dir / "handover").string();
  sync::Engine engine(**journal, dirs, eopts);

  const int kAgencies = 20;
  std::vector<std::string> agencies;
  for (int a = 0; a < kAgencies; ++a) {
    agencies.push_back("{\"id\":\"ag-" + std::to_string(a) + "\",\"type\":\"agency.create\"," +
                       Decision() + ",\"agency\":{\"code\":\"cq" + std::to_string(a) +
                       "\",\"name\":\"Cơ quan " + std::to_string(a) + "\"}}");
  }
  Append(**journal, agencies);
  engine.RunOnce(
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));

  std::mt19937 random(70);
  std::vector<std::string> events;
  for (int i = 0; i < hires; ++i) {
    std::string name = std::string(kFamilies[random() % std::size(kFamilies)]) + " " +
                       kMiddles[random() % std::size(kMiddles)] + " " +
                       kGivens[random() % std::size(kGivens)];
    events.push_back("{\"id\":\"h-" + std::to_string(i) + "\",\"type\":\"hire\"," + Decision() +
                     ",\"person\":{\"id\":\"CB" + std::to_string(i) + "\",\"full_name\":\"" + name +
                     "\",\"agency\":\"cq" + std::to_string(i % kAgencies) + "\"}}");
  }
  Append(**journal, events);

  auto start = std::chrono::steady_clock::now();
  std::size_t applied = 0;
  while (applied < static_cast<std::size_t>(hires)) {
    sync::RoundResult round = engine.RunOnce(
        std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
    if (round.applied == 0) Fail("a round applied nothing: " + round.transient_detail);
    applied += round.applied;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if ((*journal)->Count().applied != static_cast<std::size_t>(hires + kAgencies)) {
    Fail("not every event was applied");
  }
  (void)instance->Stop();
  return seconds;
}

// The reference on the same kind of instance: plain adds of person entries over
// one connection, as `ldapadd` does (one write, one fsync per entry).
double PlainAdds(const fs::path& dir, int count) {
  auto instance = FreshSlapd(dir);
  const auto& op = instance->account(slapd::ServiceAccount::kOperator);
  ldap::ConnectOptions connect;
  connect.url = instance->url();
  ldap::Client client(connect, ldap::Credentials::Simple(op.dn, op.password));
  const auto layout = directory::Layout::ForBase(instance->base_dn());
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    ldap::Entry e;
    e.dn = layout.PersonDn("ref" + std::to_string(i));
    e.Set("objectClass", {"top", "inetOrgPerson"});
    e.Add("uid", "ref" + std::to_string(i));
    e.Add("cn", "Nguyễn Văn An");
    e.Add("sn", "Nguyễn");
    e.Add("mail", "ref" + std::to_string(i) + "@dongnai.gov.vn");
    if (Status s = client.Add(e); !s.ok()) Fail(s.error().detail);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  (void)instance->Stop();
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  int hires = 2000;
  std::vector<int> worker_counts = {1, 4};
  fs::path dir = fs::temp_directory_path() / "danhba-sync-bench";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--hires" && i + 1 < argc) {
      hires = std::atoi(argv[++i]);
    } else if (arg == "--workers" && i + 1 < argc) {
      worker_counts.clear();
      std::stringstream list(argv[++i]);
      std::string item;
      while (std::getline(list, item, ',')) worker_counts.push_back(std::atoi(item.c_str()));
    } else if (arg == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else {
      Fail("usage: sync_bench [--hires N] [--workers 1,4] [--dir DIR]");
    }
  }
  if (!danhba::log::SetLevel("warn").ok()) Fail("log level");
  double reference = PlainAdds(dir / "reference", hires);
  std::printf("%d plain adds (ldapadd-like), 1 connection: %.1f s, %.0f entries/s\n", hires,
              reference, hires / reference);
  for (int workers : worker_counts) {
    double seconds = Run(dir / ("w" + std::to_string(workers)), hires, workers);
    std::printf("%d hires, %d worker(s): %.1f s, %.0f hires/s\n", hires, workers, seconds,
                hires / seconds);
  }
  fs::remove_all(dir);
  return 0;
}
