// lookup_bench: the public lookup against the same queries made straight to
// slapd, side by side in one run (issue 8).
//
// A fresh private slapd is loaded offline (slapadd) with the sample province
// (bench/province) spread over --agencies agencies; the read side (follower +
// public API, as `danhba serve` runs it) starts in this process on a free
// loopback port, as the reader account. Then, for each concurrency:
//   (a) exact lookup    GET /api/v1/people/{uid}            vs (uid=…) one-level under ou=people
//   (b) name search     GET /api/v1/people?q=…&per_page=20  vs (|(cn=*…*)(mail=*…*)(sn=*…*)) size limit 20
//   (c) agency listing  GET /api/v1/agencies/{code}/people?per_page=500 vs (departmentNumber=<code>), ≈420 entries
// HTTP load comes from wrk (bench/lookup/paths.lua rotates through the paths),
// LDAP load from libldap (danhba::ldap, one connection per thread), both for
// --seconds each. Also: snapshot memory per person, and how long a change made
// in LDAP takes to show in the API.
//
//   lookup_bench [--people 50000] [--agencies 120] [--seconds 5] [--concurrency 1,4,16,64]
//                [--server-threads cores/2] [--wrk-threads the rest] [--cases abc] [--dir DIR]
// --cases picks the queries by letter (e.g. "ab"). By default the API gets half
// the cores and wrk the rest; otherwise the API runs with public_api's defaults.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "danhba/api/listener_options.h"
#include "danhba/api/public_api.h"
#include "danhba/config/config.h"
#include "danhba/base/log.h"
#include "danhba/http/server.h"
#include "danhba/ldap/connection.h"
#include "danhba/slapd/instance.h"
#include "danhba/text/text.h"
#include "province.h"

namespace fs = std::filesystem;
using namespace danhba;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::cerr << "lookup_bench: " << what << "\n";
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

struct Args {
  std::size_t people = 50000;
  std::size_t agencies = 120;
  int seconds = 5;
  std::vector<int> concurrency = {1, 4, 16, 64};
  // The cores split between the API and wrk, so that neither waits for the
  // other's time slice (at 64 connections that wait, not the API, is the p99).
  int server_threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / 2);
  int wrk_threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) - server_threads);
  std::string cases = "abc";
  fs::path dir;
};

Args Parse(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Fail(a + " needs a value");
      return argv[++i];
    };
    if (a == "--people") {
      args.people = std::stoul(next());
    } else if (a == "--agencies") {
      args.agencies = std::stoul(next());
    } else if (a == "--seconds") {
      args.seconds = std::stoi(next());
    } else if (a == "--concurrency") {
      args.concurrency.clear();
      std::stringstream list(next());
      for (std::string item; std::getline(list, item, ',');) args.concurrency.push_back(std::stoi(item));
    } else if (a == "--server-threads") {
      args.server_threads = std::stoi(next());
    } else if (a == "--wrk-threads") {
      args.wrk_threads = std::stoi(next());
    } else if (a == "--cases") {
      args.cases = next();
    } else if (a == "--dir") {
      args.dir = next();
    } else {
      Fail("unknown argument " + a + " (see the header of bench/lookup/lookup_bench.cc)");
    }
  }
  return args;
}

struct Figures {
  double per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  std::size_t errors = 0;
};

// --- the province, loaded offline -----------------------------------------

// The sample province with its people spread evenly over `count` agencies (the
// real ones, then numbered communes under the first one).
province::Province MakeProvince(const Args& args) {
  province::Options options;
  options.shared_dir = DANHBA_SHARED_DIR;
  options.people = args.people;
  auto p = Must(province::Generate(options), "the sample province");
  std::vector<province::AgencyRow> agencies;
  for (const auto& a : p.agencies) {
    if (a.merged_into.empty() && agencies.size() < args.agencies) agencies.push_back(a);
  }
  for (std::size_t n = 1; agencies.size() < args.agencies; ++n) {
    agencies.push_back({"xa" + std::to_string(n), "Ủy ban nhân dân xã số " + std::to_string(n), agencies[0].code,
                        "commune", ""});
  }
  for (std::size_t i = 0; i < p.people.size(); ++i) p.people[i].agency = agencies[i % agencies.size()].code;
  p.agencies = agencies;
  return p;
}

// WriteLdif's records, with values repeated within a record dropped (a name
// without diacritics has itself as its fold; slapadd refuses duplicates).
std::string Dedupe(const std::string& text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find("\n\n", pos);
    if (end == std::string::npos) end = text.size();
    std::istringstream lines(text.substr(pos, end - pos));
    pos = end + 2;
    std::set<std::string> seen;
    std::string line, record;
    while (std::getline(lines, line)) {
      std::string key = line;
      for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!line.empty() && seen.insert(key).second) record += line + "\n";
    }
    if (!record.empty()) out += record + "\n";
  }
  return out;
}

std::unique_ptr<slapd::Instance> LoadedSlapd(const fs::path& dir, const province::Province& p) {
  slapd::InstanceOptions options;
  options.directory = dir / "slapd";
  options.durable = false;
  auto instance = Must(slapd::Instance::Create(options), "slapd in " + options.directory.string());
  fs::path ldif = dir / "province.ldif";
  Must(province::WriteLdif(p, instance->base_dn(), "dongnai.gov.vn", ldif), "writing " + ldif.string());
  {
    std::ifstream in(ldif);
    std::stringstream all;
    all << in.rdbuf();
    std::ofstream(ldif) << Dedupe(all.str());
  }
  auto started = Clock::now();
  std::string command = "/usr/sbin/slapadd -q -w -F " + instance->config_dir().string() + " -n1 -l " + ldif.string() +
                        " > " + (dir / "slapadd.log").string() + " 2>&1";
  if (std::system(command.c_str()) != 0) Fail("slapadd failed; see " + (dir / "slapadd.log").string());
  std::cout << fmt::format("slapadd of {} people in {} agencies: {:.1f} s\n", p.people.size(), p.agencies.size(),
                           std::chrono::duration<double>(Clock::now() - started).count());
  Must(instance->Start(), "starting slapd");
  return instance;
}

// --- load generators -------------------------------------------------------

Figures FromLatencies(std::vector<double>& ms, double seconds, std::size_t errors) {
  Figures f;
  f.errors = errors;
  if (ms.empty()) return f;
  std::sort(ms.begin(), ms.end());
  f.per_second = static_cast<double>(ms.size()) / seconds;
  f.p50_ms = ms[ms.size() / 2];
  f.p99_ms = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
  return f;
}

// `connections` threads, each on its own connection, run `requests` round robin for `seconds`.
Figures LdapLoad(const std::string& url, const ldap::Credentials& credentials,
                 const std::vector<ldap::SearchRequest>& requests, int connections, int seconds) {
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(connections));
  std::atomic<std::size_t> errors{0};
  std::vector<std::thread> threads;
  auto deadline = Clock::now() + std::chrono::seconds(seconds);
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      ldap::ConnectOptions options;
      options.url = url;
      auto connection = ldap::Connection::Open(options, credentials);
      if (!connection.ok()) {
        ++errors;
        return;
      }
      std::size_t i = static_cast<std::size_t>(t) * 7919;
      auto& mine = latencies[static_cast<std::size_t>(t)];
      while (Clock::now() < deadline) {
        const auto& request = requests[i++ % requests.size()];
        auto began = Clock::now();
        std::size_t entries = 0;
        Status s = connection->Search(request, [&entries](ldap::Entry&&) {
          ++entries;
          return Ok();
        });
        if (!s.ok() || entries == 0) {
          ++errors;
          continue;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - began).count());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  return FromLatencies(all, seconds, errors);
}

double ParseDuration(const std::string& text) {  // wrk's "1.23ms", "456.00us", "2.01s"
  double value = std::stod(text);
  if (text.ends_with("us")) return value / 1000;
  if (text.ends_with("ms")) return value;
  if (text.ends_with("s")) return value * 1000;
  return value;
}

Figures WrkLoad(std::uint16_t port, const fs::path& paths, int connections, int seconds, int wrk_threads) {
  int threads = std::min(connections, wrk_threads);
  std::string command = fmt::format(
      "WRK_PATHS={} wrk -t{} -c{} -d{}s --latency -s {}/paths.lua http://127.0.0.1:{} 2>&1", paths.string(), threads,
      connections, seconds, DANHBA_BENCH_DIR, port);
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) Fail("cannot run wrk");
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  if (pclose(pipe) != 0) Fail("wrk failed:\n" + output);
  Figures f;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string first, second;
    words >> first >> second;
    if (first == "Requests/sec:") f.per_second = std::stod(second);
    if (first == "50%") f.p50_ms = ParseDuration(second);
    if (first == "99%") f.p99_ms = ParseDuration(second);
    if (first == "Non-2xx") {
      std::string ignored, count;
      words >> ignored >> count;
      f.errors += std::stoul(count);
    }
    if (first == "Socket" && line.find("errors") != std::string::npos) f.errors += 1;
  }
  return f;
}

std::size_t RssBytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6)) * 1024;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args = Parse(argc, argv);
  (void)danhba::log::SetLevel("warn");
  fs::path dir = args.dir.empty() ? fs::temp_directory_path() / ("danhba-lookup-bench-" + std::to_string(getpid()))
                                  : args.dir;
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::cout << fmt::format("== lookup_bench: {} people, {} agencies, {} s per run, machine {} cores\n", args.people,
                           args.agencies, args.seconds, std::thread::hardware_concurrency());

  province::Province p = MakeProvince(args);
  auto slapd = LoadedSlapd(dir, p);
  const auto& reader = slapd->account(slapd::ServiceAccount::kReader);
  const auto& sync = slapd->account(slapd::ServiceAccount::kSync);
  auto reader_credentials = ldap::Credentials::Simple(reader.dn, reader.password);

  // The read side, as `danhba serve` runs it.
  malloc_trim(0);
  std::size_t rss_before = RssBytes();
  readmodel::FollowerOptions follower;
  follower.connect.url = slapd->url();
  follower.base_dn = slapd->base_dn();
  api::PublicApiOptions api_options;
  api_options.rate_limit = 0;
  auto service = Must(api::PublicService::Create(follower, api_options), "the public service");
  auto load_started = Clock::now();
  service->Start(reader_credentials);
  if (!service->follower().WaitUntilLoaded(std::chrono::minutes(5))) Fail("the read model did not load");
  double load_seconds = std::chrono::duration<double>(Clock::now() - load_started).count();
  auto snapshot = service->follower().snapshot();
  malloc_trim(0);
  std::size_t rss_after = RssBytes();
  std::size_t people = snapshot->people().size();
  http::ServerOptions server_options =
      api::ListenerOptions("public_api.listen", config::Defaults(dir).public_api);
  server_options.port = 0;
  server_options.threads = args.server_threads;
  server_options.max_connections = 4096;
  auto server = Must(http::Server::Start(server_options, service->handler()), "the public listener");

  std::cout << fmt::format("API: {} threads, polling {} µs between requests; wrk: {} threads\n",
                           server_options.threads, server_options.busy_poll.count(), args.wrk_threads);
  std::cout << fmt::format("read model: {} people, {} agencies loaded by content sync in {:.2f} s\n", people,
                           snapshot->agencies().size(), load_seconds);
  std::cout << fmt::format(
      "snapshot memory: {:.0f} bytes per person (snapshot estimate; target ≤ 1024); process RSS grew by {:.0f} "
      "bytes per person (snapshot + the follower's maps)\n",
      static_cast<double>(snapshot->MemoryBytes()) / static_cast<double>(people),
      static_cast<double>(rss_after - rss_before) / static_cast<double>(people));

  // The queries: the same people and agency for both sides.
  std::mt19937_64 random(8);
  std::vector<const readmodel::PersonEntry*> sample;
  for (int i = 0; i < 1000; ++i) sample.push_back(snapshot->people()[random() % people].get());
  std::map<std::string, std::size_t> staff;
  for (const auto& person : snapshot->people()) ++staff[std::string(person->agency_code())];
  std::string agency;
  std::size_t best = SIZE_MAX;
  for (const auto& [code, n] : staff) {
    std::size_t distance = n > 420 ? n - 420 : 420 - n;
    if (distance < best) best = distance, agency = code;
  }
  const std::string people_dn = "ou=people," + slapd->base_dn();
  const std::vector<std::string> attributes = readmodel::PersonAttributes();
  std::vector<std::string> exact_paths, search_paths;
  std::vector<ldap::SearchRequest> exact_ldap, search_ldap;
  for (const auto* person : sample) {
    exact_paths.push_back("/api/v1/people/" + std::string(person->uid()));
    exact_ldap.push_back({people_dn, ldap::Scope::kOneLevel, "(uid=" + std::string(person->uid()) + ")", attributes, 0,
                          std::chrono::seconds(0), 0});
    // The folded full name: what a user types without diacritics.
    std::string folded = text::FoldForSearch(person->full_name());
    std::string encoded;
    for (char c : folded) encoded += c == ' ' ? std::string("%20") : std::string(1, c);
    search_paths.push_back("/api/v1/people?per_page=20&q=" + encoded);
    // What a mail client's address book asks (Thunderbird's default: contains,
    // on cn, mail and sn), on the folded name slapd stores beside the real one.
    search_ldap.push_back({people_dn, ldap::Scope::kOneLevel,
                           "(|(cn=*" + folded + "*)(mail=*" + folded + "*)(sn=*" + folded + "*))", attributes, 20,
                           std::chrono::seconds(0), 0});
  }
  {
    // The index alone, in this thread: what a name search costs before HTTP.
    auto began = Clock::now();
    std::size_t found = 0;
    for (int round = 0; round < 20; ++round) {
      for (const auto* person : sample) {
        found += snapshot->Search({.text = text::FoldForSearch(person->full_name()), .agency = std::nullopt,
                                   .sub_units = false},
                                  "dongnai.gov.vn")
                     .size();
      }
    }
    double us = std::chrono::duration<double, std::micro>(Clock::now() - began).count() / (20.0 * sample.size());
    std::cout << fmt::format("name search in the snapshot alone: {:.1f} µs per query ({:.1f} matches on average)\n",
                             us, static_cast<double>(found) / (20.0 * sample.size()));
  }
  std::vector<std::string> listing_paths = {"/api/v1/agencies/" + agency + "/people?per_page=500"};
  std::vector<ldap::SearchRequest> listing_ldap = {
      {people_dn, ldap::Scope::kOneLevel, "(departmentNumber=" + agency + ")", attributes, 0, std::chrono::seconds(0), 0}};
  auto write_paths = [&](const std::string& name, const std::vector<std::string>& paths) {
    fs::path file = dir / (name + ".paths");
    std::ofstream out(file);
    for (const auto& path : paths) out << path << "\n";
    return file;
  };
  std::cout << fmt::format("agency listing: '{}' with {} people\n\n", agency, staff[agency]);
  std::cout.flush();

  struct Case {
    std::string name;
    fs::path paths;
    std::vector<ldap::SearchRequest> ldap;
    double target_ratio;
  };
  std::vector<Case> cases = {{"(a) exact lookup", write_paths("exact", exact_paths), exact_ldap, 2},
                             {"(b) name search", write_paths("search", search_paths), search_ldap, 10},
                             {"(c) agency listing", write_paths("listing", listing_paths), listing_ldap, 10}};
  std::cout << fmt::format("{:<20} {:>5} | {:>10} {:>8} {:>8} | {:>10} {:>8} {:>8} | {:>7} {:>7}\n", "query", "conc",
                           "API req/s", "p50 ms", "p99 ms", "slapd /s", "p50 ms", "p99 ms", "ratio", "target");
  for (const auto& c : cases) {
    if (args.cases.find(c.name[1]) == std::string::npos) continue;
    for (int connections : args.concurrency) {
      Figures http = WrkLoad(server->port(), c.paths, connections, args.seconds, args.wrk_threads);
      Figures raw = LdapLoad(slapd->url(), reader_credentials, c.ldap, connections, args.seconds);
      double ratio = raw.per_second > 0 ? http.per_second / raw.per_second : 0;
      std::cout << fmt::format("{:<20} {:>5} | {:>10.0f} {:>8.2f} {:>8.2f} | {:>10.0f} {:>8.2f} {:>8.2f} | {:>6.1f}x {:>6.0f}x{}\n",
                               c.name, connections, http.per_second, http.p50_ms, http.p99_ms, raw.per_second,
                               raw.p50_ms, raw.p99_ms, ratio, c.target_ratio,
                               http.errors + raw.errors > 0
                                   ? fmt::format("  ({} API / {} LDAP errors)", http.errors, raw.errors)
                                   : "");
      std::cout.flush();
    }
  }

  // A change made in LDAP, until GET shows it (polled over HTTP every 1 ms).
  auto writer = Must(ldap::Connection::Open({.url = slapd->url(),
                                             .network_timeout = std::chrono::seconds(5),
                                             .operation_timeout = std::chrono::seconds(30),
                                             .tls_ca_file = {},
                                             .tls_verify_peer = true},
                                            ldap::Credentials::Simple(sync.dn, sync.password)),
                     "a writer connection");
  std::vector<double> visible_ms;
  for (int i = 0; i < 20; ++i) {
    const auto* person = sample[static_cast<std::size_t>(i)];
    std::string title = "Chuyên viên chính " + std::to_string(i);
    auto began = Clock::now();
    Must(writer.Modify("uid=" + std::string(person->uid()) + "," + people_dn,
                       {ldap::Modification::Replace("title", {title})}),
         "modify");
    while (true) {
      auto current = service->follower().snapshot()->FindPerson(person->uid(), "");
      if (current != nullptr && current->title() == title) break;
      if (Clock::now() - began > std::chrono::seconds(10)) Fail("a change did not show within 10 s");
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    visible_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - began).count());
  }
  std::sort(visible_ms.begin(), visible_ms.end());
  std::cout << fmt::format("\nchange visible in the API after: median {:.1f} ms, max {:.1f} ms (20 changes; target < 1000 ms)\n",
                           visible_ms[visible_ms.size() / 2], visible_ms.back());
  server->Stop();
  service->Stop();
  Must(slapd->Stop(), "stopping slapd");
  fs::remove_all(dir);
  return 0;
}
