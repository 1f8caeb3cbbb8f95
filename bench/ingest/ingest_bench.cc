// Sustained ingest rate through the API: N client threads, each on one
// keep-alive connection to the ingest listener on 127.0.0.1, post hire events
// (batches of 1, then of 100) for --seconds each; every 202 means the events
// were validated, journaled and fsynced. Prints events/s, requests/s and the
// median and 99th percentile of request latency per row.
#include <sys/statfs.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "danhba/api/ingest.h"
#include "danhba/base/log.h"
#include "danhba/http/server.h"
#include "support/http_client.h"
#include "unit/api/test_util.h"

namespace {

using namespace danhba;
using Clock = std::chrono::steady_clock;

struct Row {
  std::uint64_t events = 0;
  std::uint64_t requests = 0;
  std::uint64_t failures = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;
};

Row RunRow(std::uint16_t port, const std::string& token, int clients, int batch, double seconds,
           int row) {
  Row out;
  std::atomic<std::uint64_t> events{0}, requests{0}, failures{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
  auto start = Clock::now();
  auto stop =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      // Connects on the first request; a failure to connect counts once.
      support::HttpClient client("127.0.0.1", port, std::chrono::seconds(10));
      client.SetBearerToken(token);
      std::uint64_t n = 0;
      while (Clock::now() < stop) {
        std::string body = batch > 1 ? "[" : "";
        for (int e = 0; e < batch; ++e) {
          if (e > 0) body += ",";
          body += api::testing::HireJson("r" + std::to_string(row) + "-c" + std::to_string(c) +
                                         "-" + std::to_string(n++));
        }
        if (batch > 1) body += "]";
        auto sent = Clock::now();
        auto response = client.PostJson("/api/v1/events", body);
        latencies[static_cast<std::size_t>(c)].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        if (!response.ok() || response->status != 202) {
          failures.fetch_add(1);
          if (!response.ok()) return;
          continue;
        }
        requests.fetch_add(1);
        events.fetch_add(static_cast<std::uint64_t>(batch));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  out.events = events.load();
  out.requests = requests.load();
  out.failures = failures.load();
  for (auto& list : latencies)
    out.latencies_ms.insert(out.latencies_ms.end(), list.begin(), list.end());
  std::sort(out.latencies_ms.begin(), out.latencies_ms.end());
  return out;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2;
  int max_clients = 4;
  std::string dir_arg;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (arg == "--clients" && i + 1 < argc) {
      max_clients = std::atoi(argv[++i]);
    } else if (arg == "--dir" && i + 1 < argc) {
      dir_arg = argv[++i];
    } else {
      std::fprintf(stderr, "usage: ingest_bench [--seconds N] [--clients N] [--dir DIR]\n");
      return 2;
    }
  }
  (void)log::SetLevel("warn");
  std::optional<api::testing::TempDir> temp;
  std::filesystem::path dir;
  if (dir_arg.empty()) {
    temp.emplace();
    dir = temp->path();
  } else {
    dir = std::filesystem::path(dir_arg) / ("ingest-bench-" + std::to_string(::getpid()));
  }
  struct statfs fs {};
  if (::statfs(dir.parent_path().c_str(), &fs) == 0) {
    std::printf("journal under %s (filesystem magic 0x%lx%s)\n", dir.string().c_str(),
                static_cast<unsigned long>(fs.f_type),
                fs.f_type == 0x01021994 ? ", tmpfs: fsync is free" : "");
  }

  auto token = api::GenerateSecret();
  api::Sender sender;
  sender.name = "bench";
  sender.token_sha256 = api::Sha256Hex(*token);
  auto senders = api::SenderRegistry::Fixed(api::SenderList({sender}));
  auto journal = journal::Journal::Open({.dir = (dir / "journal").string()});
  if (!journal.ok()) {
    std::fprintf(stderr, "journal: %s\n", journal.error().detail.c_str());
    return 1;
  }
  api::IngestOptions options;
  options.rate_limit.per_second = 0;
  api::IngestServices services;
  services.journal = journal->get();
  services.senders = senders.get();
  api::IngestService service(options, services);
  http::ServerOptions server_options;
  server_options.name = "ingest.listen";
  server_options.host = "127.0.0.1";
  server_options.port = 0;
  server_options.threads = 4;
  auto server = http::Server::Start(server_options, service.AsHandler());
  if (!server.ok()) {
    std::fprintf(stderr, "server: %s\n", server.error().detail.c_str());
    return 1;
  }
  std::printf("%u hardware threads; server threads %d; %.1f s per row\n",
              std::thread::hardware_concurrency(), server_options.threads, seconds);
  std::printf("%-8s %-7s %12s %12s %10s %10s %8s\n", "batch", "clients", "events/s", "requests/s",
              "p50 ms", "p99 ms", "failed");
  int row = 0;
  for (int batch : {1, 100}) {
    for (int clients : {1, max_clients}) {
      Row result = RunRow((*server)->port(), *token, clients, batch, seconds, row++);
      std::printf("%-8d %-7d %12.0f %12.0f %10.2f %10.2f %8llu\n", batch, clients,
                  static_cast<double>(result.events) / result.seconds,
                  static_cast<double>(result.requests) / result.seconds,
                  Percentile(result.latencies_ms, 0.5), Percentile(result.latencies_ms, 0.99),
                  static_cast<unsigned long long>(result.failures));
    }
  }
  auto stats = (*journal)->Stats();
  std::printf("journal: %llu commits (fsyncs) for %llu records\n",
              static_cast<unsigned long long>(stats.commits),
              static_cast<unsigned long long>(stats.records_written));
  (*server)->Stop();
  if (!dir_arg.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return 0;
}
