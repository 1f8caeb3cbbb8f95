// Loading a province's staff into a fresh, durable directory, side by side in one run:
//
//   ldapadd        `ldapadd` of the equivalent LDIF (bench/province WriteLdif:
//                  the entries danhba writes, with their folded names, initial
//                  passwords and a decision entry per 64 people), bound as the
//                  operator: the reference (slapd-notes: 233 s for 50,000
//                  entries on this kind of machine, ≈ 220 s measured again)
//   danhba import  `danhba import` of the same people as one staff list (CSV):
//                  journal, sync engine, decision entries, initial passwords
//   ingest         a real `danhba run` (managed, durable slapd): hire events
//                  posted to /api/v1/events by two senders; the sustained rate
//                  of 202s, and the time from each 202 to the person's entry
//                  being visible in LDAP (p50/p99, polled over LDAP)
//
// Every slapd is a fresh private instance on 127.0.0.1 with fsync per write (no
// dbnosync). The agencies are loaded before the clock starts, the same way for
// both loads (ldapadd of the agency entries).
//
//   import_bench [--rows 5000] [--events 2000] [--batch 50] [--rate 0] [--seed 70] [--dir DIR]
//                [--only ldapadd,import,ingest]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "daemon.h"
#include "danhba/ldap/client.h"
#include "danhba/slapd/instance.h"
#include "process.h"
#include "province.h"
#include "scenario.h"
#include "sender.h"
#include "verify.h"

namespace {

namespace fs = std::filesystem;
using namespace danhba;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "import_bench: %s\n", what.c_str());
  std::exit(1);
}

template <class T>
T Must(Result<T> result, const std::string& what) {
  if (!result.ok()) Fail(what + ": " + result.error().detail);
  return std::move(result).value();
}

void Must(Status status, const std::string& what) {
  if (!status.ok()) Fail(what + ": " + status.error().detail);
}

// The LDIF split in two: agency entries (loaded before timing) and people.
struct SplitLdif {
  std::string agencies;
  std::string people;
  std::size_t people_count = 0;
};

SplitLdif Split(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  SplitLdif out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find("\n\n", pos);
    if (end == std::string::npos) end = text.size();
    std::string record = text.substr(pos, end - pos);
    pos = end + 2;
    if (record.find_first_not_of("\n ") == std::string::npos) continue;
    // WriteLdif writes the folded name as a second cn even when it matches the
    // first (a name without diacritics; cn matching ignores case); slapd
    // refuses a value given twice.
    {
      std::istringstream lines(record);
      std::set<std::string> seen;
      std::string line, deduped;
      while (std::getline(lines, line)) {
        std::string key = line;
        for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (seen.insert(key).second) deduped += line + "\n";
      }
      record = deduped;
      while (!record.empty() && record.back() == '\n') record.pop_back();
    }
    if (record.find(",ou=agencies,") != std::string::npos && record.rfind("dn: ou=", 0) == 0) {
      out.agencies += record + "\n\n";
    } else {
      out.people += record + "\n\n";
      if (record.rfind("dn: uid=", 0) == 0) ++out.people_count;
    }
  }
  return out;
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) Fail("cannot write " + path.string());
}

std::unique_ptr<slapd::Instance> FreshSlapd(const fs::path& dir) {
  slapd::InstanceOptions options;
  options.directory = dir;
  options.durable = true;
  // IMPORT_BENCH_SLAPD_LOG=stats: every operation in <dir>/slapd.log (slows slapd).
  if (const char* level = std::getenv("IMPORT_BENCH_SLAPD_LOG")) options.log_level = level;
  auto instance = Must(slapd::Instance::Create(options), "slapd in " + dir.string());
  Must(instance->Start(), "starting slapd in " + dir.string());
  return instance;
}

void LdapAdd(const slapd::Instance& instance, const fs::path& ldif) {
  const auto& op = instance.account(slapd::ServiceAccount::kOperator);
  auto ran = Must(e2e::RunToCompletion({"/usr/bin/ldapadd", "-x", "-H", instance.url(), "-D", op.dn,
                                        "-w", op.password, "-f", ldif.string()}),
                  "ldapadd");
  if (ran.exit_code != 0)
    Fail("ldapadd -f " + ldif.string() + " exited with " + std::to_string(ran.exit_code) + ": " +
         ran.err);
}

std::size_t CountPeople(const std::string& url, const std::string& dn, const std::string& password,
                        const std::string& base) {
  ldap::ConnectOptions options;
  options.url = url;
  ldap::Client client(options, ldap::Credentials::Simple(dn, password));
  ldap::SearchRequest request;
  request.base = "ou=people," + base;
  request.scope = ldap::Scope::kOneLevel;
  request.filter = "(objectClass=inetOrgPerson)";
  request.attributes = {"1.1"};
  request.page_size = 1000;
  std::size_t count = 0;
  Must(client.Search(request,
                     [&](ldap::Entry&&) {
                       ++count;
                       return Status(Ok());
                     }),
       "counting people");
  return count;
}

struct LoadFigure {
  double seconds = 0;
  std::size_t entries = 0;
};

struct Generated {
  province::Province province;
  std::string agency;  // the one agency every person of the staff list belongs to
  fs::path staff_csv;
  fs::path agencies_ldif;
  fs::path people_ldif;
  std::size_t people = 0;
};

Generated Generate(const fs::path& dir, std::size_t rows, std::uint64_t seed) {
  province::Options options;
  options.shared_dir = DANHBA_SHARED_DIR;
  options.people = rows;
  options.seed = seed;
  Generated g;
  g.province = Must(province::Generate(options), "the sample province");
  for (const auto& agency : g.province.agencies) {
    if (agency.merged_into.empty() && !agency.parent.empty()) {
      g.agency = agency.code;
      break;
    }
  }
  // One staff list: every person in the same agency, as the reference load has them.
  province::Province one = g.province;
  for (auto& person : one.people) person.agency = g.agency;
  one.agencies.erase(
      std::remove_if(one.agencies.begin(), one.agencies.end(),
                     [](const province::AgencyRow& a) { return !a.merged_into.empty(); }),
      one.agencies.end());
  Must(province::WriteIntake(one, dir / "intake"), "writing the staff list");
  Must(province::WriteLdif(one, "dc=dongnai,dc=gov,dc=vn", "dongnai.gov.vn", dir / "province.ldif"),
       "writing the LDIF");
  SplitLdif split = Split(dir / "province.ldif");
  g.agencies_ldif = dir / "agencies.ldif";
  g.people_ldif = dir / "people.ldif";
  WriteText(g.agencies_ldif, split.agencies);
  WriteText(g.people_ldif, split.people);
  g.people = split.people_count;
  g.staff_csv = dir / "intake" / "staff" / (g.agency + ".csv");
  return g;
}

LoadFigure RunLdapAdd(const fs::path& dir, const Generated& g) {
  auto slapd = FreshSlapd(dir / "ldapadd-slapd");
  LdapAdd(*slapd, g.agencies_ldif);
  auto start = Clock::now();
  LdapAdd(*slapd, g.people_ldif);
  LoadFigure figure{Seconds(Clock::now() - start), 0};
  const auto& op = slapd->account(slapd::ServiceAccount::kOperator);
  figure.entries = CountPeople(slapd->url(), op.dn, op.password, slapd->base_dn());
  if (figure.entries != g.people)
    Fail("ldapadd loaded " + std::to_string(figure.entries) + " of " + std::to_string(g.people));
  return figure;
}

LoadFigure RunImport(const fs::path& dir, const Generated& g, int workers) {
  auto slapd = FreshSlapd(dir / "import-slapd");
  LdapAdd(*slapd, g.agencies_ldif);
  const auto& op = slapd->account(slapd::ServiceAccount::kOperator);
  e2e::DaemonOptions daemon_options;
  daemon_options.binary = DANHBA_BINARY;
  daemon_options.dir = dir / "import-danhba";
  daemon_options.managed = false;
  daemon_options.ldap_url = slapd->url();
  daemon_options.bind_dn = op.dn;
  daemon_options.password_file = op.password_file;
  daemon_options.log_level = "warn";
  auto daemon = Must(e2e::Daemon::Create(daemon_options), "config");
  auto start = Clock::now();
  auto ran = Must(
      e2e::RunToCompletion({DANHBA_BINARY, "import", "--config", daemon->config_file().string(),
                            "--agency", g.agency, "--workers", std::to_string(workers), "--timeout",
                            "7200", g.staff_csv.string()}),
      "danhba import");
  LoadFigure figure{Seconds(Clock::now() - start), 0};
  if (ran.exit_code != 0) {
    std::string tail = ran.out.size() > 3000 ? ran.out.substr(ran.out.size() - 3000) : ran.out;
    Fail("danhba import exited with " + std::to_string(ran.exit_code) + ": " + ran.err + tail);
  }
  figure.entries = CountPeople(slapd->url(), op.dn, op.password, slapd->base_dn());
  if (figure.entries != g.people)
    Fail("danhba import made " + std::to_string(figure.entries) + " of " +
         std::to_string(g.people));
  return figure;
}

struct IngestFigure {
  std::size_t events = 0;
  double post_seconds = 0;   // first POST to last 202
  double apply_seconds = 0;  // first POST to last entry visible
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  std::size_t rate_limited = 0;
};

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  std::size_t index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

// nullopt (with the reason printed) when this danhba does not serve the ingest API.
std::optional<IngestFigure> RunIngest(const fs::path& dir, std::size_t events, std::uint64_t seed,
                                      std::size_t batch, double rate) {
  province::Options options;
  options.shared_dir = DANHBA_SHARED_DIR;
  options.people = events;
  options.seed = seed + 1;
  province::Province province = Must(province::Generate(options), "the sample province");
  e2e::ScenarioOptions scenario_options;
  scenario_options.events = 0;
  scenario_options.seed = seed;
  scenario_options.id_prefix = "bench";
  auto scenario = Must(e2e::MakeScenario(province, scenario_options), "agencies");

  e2e::DaemonOptions daemon_options;
  daemon_options.binary = DANHBA_BINARY;
  daemon_options.dir = dir / "ingest-danhba";
  daemon_options.log_level = "warn";
  auto daemon = Must(e2e::Daemon::Create(daemon_options), "config");
  constexpr int kSenders = 2;
  std::vector<std::string> tokens;
  for (int s = 0; s < kSenders; ++s)
    tokens.push_back(Must(daemon->AddSender("bench-" + std::to_string(s)), "sender add"));
  Must(daemon->Start(), "danhba run");
  if (auto ready = daemon->WaitReady(seconds(120)); !ready.ok()) {
    std::printf("  ingest: not measured: %s\n", ready.error().detail.c_str());
    return std::nullopt;
  }
  {
    e2e::EventSender sender("127.0.0.1", daemon->ingest_port(), tokens[0]);
    std::string body = "[";
    for (std::size_t i = 0; i < scenario.agency_events.size(); ++i)
      body += (i ? "," : "") + scenario.agency_events[i];
    body += "]";
    Must(sender.SendBatch(body, scenario.agency_events.size(), Clock::now() + seconds(60)),
         "posting agencies");
    auto deadline = Clock::now() + seconds(120);
    while (true) {
      auto tally =
          Must(e2e::TallyJournal(daemon->journal_dir(), scenario.agency_event_ids), "journal");
      if (tally.pending == 0 && tally.unknown == 0) {
        if (tally.rejected > 0) Fail("agency events rejected: " + tally.problems.front());
        break;
      }
      if (Clock::now() > deadline) Fail("agencies not applied within 120 s");
      std::this_thread::sleep_for(milliseconds(50));
    }
  }

  // The hires, each with the time its 202 came back.
  std::vector<e2e::ScenarioEvent> hires;
  for (const auto& p : province.people) {
    nlohmann::ordered_json person{
        {"id", p.id},       {"full_name", p.full_name}, {"birth_date", p.birth_date},
        {"title", p.title}, {"phone", p.phone},         {"agency", p.agency}};
    std::string id = "bench-hire-" + p.id;
    nlohmann::ordered_json event{
        {"id", id},
        {"type", "hire"},
        {"decision", {{"number", "TD-" + p.id}, {"date", "2026-01-15"}, {"issuer", "Sở Nội vụ"}}},
        {"person", person}};
    hires.push_back({id, "hire", p.id, event.dump()});
  }
  std::vector<Clock::time_point> acked(hires.size());
  std::vector<Clock::time_point> visible(hires.size());
  std::vector<std::atomic<bool>> is_acked(hires.size());
  std::atomic<std::size_t> acked_count{0};
  std::atomic<bool> failed{false};
  std::string failure;
  std::mutex failure_mutex;

  // The watcher: finds which of the earliest not-yet-seen people exist in LDAP,
  // 32 at a time with one search, as fast as it can.
  auto password = Must(daemon->OperatorPassword(), "operator password");
  std::thread watcher([&] {
    ldap::ConnectOptions connect;
    connect.url = daemon->ldap_url();
    ldap::Client client(connect, ldap::Credentials::Simple(daemon->operator_dn(), password));
    std::vector<bool> seen(hires.size(), false);
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < hires.size(); ++i) index[hires[i].person_id] = i;
    std::size_t first = 0;
    auto deadline = Clock::now() + seconds(600) + milliseconds(100 * hires.size());
    while (first < hires.size() && !failed) {
      std::vector<std::size_t> window;
      for (std::size_t i = first; i < hires.size() && window.size() < 32; ++i) {
        if (!seen[i] && is_acked[i].load(std::memory_order_acquire)) window.push_back(i);
      }
      if (window.empty()) {
        std::this_thread::sleep_for(milliseconds(1));
        continue;
      }
      std::string filter = "(|";
      for (std::size_t i : window) filter += "(danhbaPersonId=" + hires[i].person_id + ")";
      filter += ")";
      ldap::SearchRequest request;
      request.base = "ou=people,dc=dongnai,dc=gov,dc=vn";
      request.scope = ldap::Scope::kOneLevel;
      request.filter = filter;
      request.attributes = {"danhbaPersonId"};
      auto found = client.SearchAll(request);
      auto now = Clock::now();
      if (found.ok()) {
        for (const auto& entry : *found) {
          auto id = entry.First("danhbaPersonId");
          if (!id) continue;
          auto it = index.find(*id);
          if (it != index.end() && !seen[it->second]) {
            seen[it->second] = true;
            visible[it->second] = now;
          }
        }
      }
      while (first < hires.size() && seen[first]) ++first;
      if (Clock::now() > deadline) {
        std::lock_guard lock(failure_mutex);
        failure = "not every hire became visible in time";
        failed = true;
      }
      if (found.ok() && found->size() < window.size()) std::this_thread::sleep_for(milliseconds(1));
    }
  });

  auto start = Clock::now();
  std::vector<std::thread> posters;
  std::vector<e2e::SenderStats> stats(kSenders);
  for (int s = 0; s < kSenders; ++s) {
    posters.emplace_back([&, s] {
      e2e::EventSender sender("127.0.0.1", daemon->ingest_port(),
                              tokens[static_cast<std::size_t>(s)]);
      // Sender s posts batches s, s + kSenders, ...
      for (std::size_t begin = static_cast<std::size_t>(s) * batch; begin < hires.size() && !failed;
           begin += kSenders * batch) {
        std::size_t end = std::min(hires.size(), begin + batch);
        if (rate > 0) {
          // Paced: batch k leaves at k * batch / rate seconds, whatever the replies.
          std::this_thread::sleep_until(
              start + std::chrono::duration_cast<Clock::duration>(
                          std::chrono::duration<double>(static_cast<double>(begin) / rate)));
        }
        auto sent = sender.SendBatch(e2e::BatchJson(hires, begin, end), end - begin,
                                     Clock::now() + seconds(120));
        auto now = Clock::now();
        if (!sent.ok()) {
          std::lock_guard lock(failure_mutex);
          failure = sent.error().detail;
          failed = true;
          break;
        }
        for (std::size_t i = begin; i < end; ++i) {
          acked[i] = now;
          is_acked[i].store(true, std::memory_order_release);
        }
        acked_count += end - begin;
      }
      stats[static_cast<std::size_t>(s)] = sender.stats();
    });
  }
  for (auto& t : posters) t.join();
  auto posted = Clock::now();
  watcher.join();
  if (failed) Fail("ingest: " + failure + "\n" + daemon->LogTail());

  IngestFigure figure;
  figure.events = hires.size();
  figure.post_seconds = Seconds(posted - start);
  Clock::time_point last_visible = start;
  std::vector<double> latencies;
  for (std::size_t i = 0; i < hires.size(); ++i) {
    last_visible = std::max(last_visible, visible[i]);
    latencies.push_back(std::chrono::duration<double, std::milli>(visible[i] - acked[i]).count());
  }
  figure.apply_seconds = Seconds(last_visible - start);
  figure.p50_ms = Percentile(latencies, 0.50);
  figure.p99_ms = Percentile(latencies, 0.99);
  figure.max_ms = Percentile(latencies, 1.0);
  for (const auto& s : stats) figure.rate_limited += s.rate_limited;
  (void)daemon->Stop(seconds(30));
  return figure;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"danhba import and the ingest API against ldapadd, on fresh durable slapds"};
  std::size_t rows = 5000;
  std::size_t events = 2000;
  std::size_t batch = 50;
  double rate = 0;
  std::uint64_t seed = 70;
  int workers = 8;
  std::string dir_option;
  std::string only = "ldapadd,import,ingest";
  app.add_option("--rows", rows, "People in the staff list and the LDIF")->capture_default_str();
  app.add_option("--events", events, "Hire events posted to the ingest API")->capture_default_str();
  app.add_option("--batch", batch, "Events per POST")->capture_default_str();
  app.add_option("--rate", rate,
                 "Ingest: post at this many events/s in all (0: as fast as acknowledged)")
      ->capture_default_str();
  app.add_option("--workers", workers, "danhba import --workers")->capture_default_str();
  app.add_option("--seed", seed)->capture_default_str();
  app.add_option("--dir", dir_option,
                 "Working directory (default: a new one under $TMPDIR, removed after)");
  app.add_option("--only", only, "Comma-separated parts to run: ldapadd, import, ingest")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  auto wants = [&](const std::string& part) { return only.find(part) != std::string::npos; };

  std::optional<e2e::TempDir> temp;
  fs::path dir;
  if (dir_option.empty()) {
    temp.emplace(Must(e2e::TempDir::Make("danhba-import-bench"), "working directory"));
    dir = temp->path();
  } else {
    dir = dir_option;
    fs::create_directories(dir);
  }
  std::printf("import_bench: %zu rows, %zu ingest events, seed %llu, %u cores, in %s\n", rows,
              events, static_cast<unsigned long long>(seed), std::thread::hardware_concurrency(),
              dir.c_str());
  std::fflush(stdout);

  std::optional<LoadFigure> ldapadd, import;
  std::optional<IngestFigure> ingest;
  Generated g;
  if (wants("ldapadd") || wants("import")) g = Generate(dir, rows, seed);
  if (wants("ldapadd")) {
    ldapadd = RunLdapAdd(dir, g);
    std::printf("  ldapadd: %.1f s\n", ldapadd->seconds);
    std::fflush(stdout);
  }
  if (wants("import")) {
    import = RunImport(dir, g, workers);
    std::printf("  danhba import: %.1f s\n", import->seconds);
    std::fflush(stdout);
  }
  if (wants("ingest")) ingest = RunIngest(dir, events, seed, batch, rate);

  if (ldapadd || import) {
    std::printf(
        "\nLoading %zu people (one agency's staff list) into a fresh durable slapd (fsync per "
        "write)\n",
        rows);
    std::printf("| %-44s | %9s | %10s | %-28s |\n", "load", "seconds", "entries/s",
                "50,000 rows (linear)");
    std::printf("|%s|%s|%s|%s|\n", std::string(46, '-').c_str(), std::string(11, '-').c_str(),
                std::string(12, '-').c_str(), std::string(30, '-').c_str());
    auto row = [&](const char* name, const LoadFigure& f) {
      double per_second = static_cast<double>(f.entries) / f.seconds;
      std::printf("| %-44s | %9.1f | %10.0f | %22.0f s    |\n", name, f.seconds, per_second,
                  50000.0 / per_second);
    };
    std::printf("| %-44s | %9s | %10s | %-28s |\n", "reference: ldapadd, 50,000 entries (notes)",
                "233 / ≈220", "≈215-227", "233 s (slapd-notes), ≈220 s");
    if (ldapadd) row("ldapadd of the equivalent LDIF (this run)", *ldapadd);
    if (import) row("danhba import (journal + engine, this run)", *import);
    if (ldapadd && import)
      std::printf("danhba import / ldapadd: %.2f\n", import->seconds / ldapadd->seconds);
  }
  if (ingest) {
    std::printf(
        "\nIngest API: %zu hire events, %zu per POST, 2 senders, %s, danhba run with a managed "
        "durable slapd\n",
        ingest->events, batch,
        rate > 0 ? ("paced at " + std::to_string(static_cast<int>(rate)) + " events/s").c_str()
                 : "as fast as acknowledged");
    std::printf("| %-44s | %12s |\n", "figure", "value");
    std::printf("|%s|%s|\n", std::string(46, '-').c_str(), std::string(14, '-').c_str());
    std::printf("| %-44s | %12.0f |\n", "sustained ingest rate (202s), events/s",
                ingest->events / ingest->post_seconds);
    std::printf("| %-44s | %12.0f |\n", "applied and visible in LDAP, events/s",
                ingest->events / ingest->apply_seconds);
    std::printf("| %-44s | %12.1f |\n", "202 -> visible in LDAP, p50 ms", ingest->p50_ms);
    std::printf("| %-44s | %12.1f |\n", "202 -> visible in LDAP, p99 ms", ingest->p99_ms);
    std::printf("| %-44s | %12.1f |\n", "202 -> visible in LDAP, max ms", ingest->max_ms);
    std::printf("| %-44s | %12zu |\n", "429 answers (rate limit)", ingest->rate_limited);
  }
  return 0;
}
