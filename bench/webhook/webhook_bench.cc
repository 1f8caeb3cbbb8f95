// webhook_bench: how long after a change is applied its subscriber has it.
//
// The dispatcher of `danhba run` (ops::WebhookDispatcher, options from the
// default configuration) over a real journal in a temporary directory; a
// receiver in this process on a loopback port answers 204 and notes when each
// delivery arrived. Changes are appended and marked applied (as the sync
// engine does) at --rate per second; the latency of a change is from the
// moment its "applied" record is durable to the moment the receiver has read
// its request. Bounded: --changes changes, and at most --timeout seconds of
// waiting for the last deliveries.
//
//   build/bench/webhook/webhook_bench [--changes 500] [--rate 100]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "danhba/config/config.h"
#include "danhba/journal/journal.h"
#include "danhba/ops/webhooks.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace danhba;

namespace {

void Die(const std::string& what) {
  std::fprintf(stderr, "webhook_bench: %s\n", what.c_str());
  std::exit(1);
}

// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// One connection per delivery (the dispatcher closes after each): reads the
// head and the Content-Length body, notes X-Danhba-Delivery, answers 204.
class Receiver {
 public:
  Receiver() : listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listener_.get() < 0 || ::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_.get(), 64) != 0 ||
        ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      Die("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~Receiver() {
    stopping_ = true;
    ::shutdown(listener_.get(), SHUT_RDWR);
    thread_.join();
  }
  int port() const { return port_; }
  std::map<std::string, Clock::time_point> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      Fd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (connection.get() < 0) continue;
      std::string data;
      char buffer[8192];
      std::size_t head_end = std::string::npos;
      std::size_t need = 0;
      while (true) {
        ssize_t n = ::read(connection.get(), buffer, sizeof buffer);
        if (n <= 0) break;
        data.append(buffer, static_cast<std::size_t>(n));
        if (head_end == std::string::npos && (head_end = data.find("\r\n\r\n")) != std::string::npos) {
          need = head_end + 4 + std::stoul(Header(data, "content-length", "0"));
        }
        if (head_end != std::string::npos && data.size() >= need) break;
      }
      if (head_end == std::string::npos) continue;
      const auto now = Clock::now();
      {
        std::lock_guard lock(mutex_);
        received_.emplace(Header(data, "x-danhba-delivery", ""), now);
      }
      static constexpr std::string_view kAnswer = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
      (void)!::write(connection.get(), kAnswer.data(), kAnswer.size());
    }
  }

  static std::string Header(const std::string& head, std::string_view name, std::string fallback) {
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    std::size_t at = lower.find("\r\n" + std::string(name) + ":");
    if (at == std::string::npos) return fallback;
    at += name.size() + 3;
    std::size_t end = head.find("\r\n", at);
    std::string value = head.substr(at, end - at);
    value.erase(0, value.find_first_not_of(' '));
    return value;
  }

  Fd listener_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::map<std::string, Clock::time_point> received_;
  std::thread thread_;
};

std::string Hire(const std::string& id, std::size_t n) {
  return R"({"id":")" + id +
         R"(","type":"hire","decision":{"number":"1/QĐ-UBND","date":"2025-01-02","issuer":"UBND tỉnh"},)"
         R"("person":{"id":"CB)" + std::to_string(n) + R"(","full_name":"Nguyễn Văn An","agency":"stttt"}})";
}

double Percentile(std::vector<double> sorted, double p) {
  if (sorted.empty()) return 0;
  std::size_t index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("webhook_bench: webhook delivery latency (applied -> received) at a steady rate of changes");
  std::size_t changes = 500;
  double rate = 100;
  int timeout_s = 60;
  std::random_device rd;
  std::string work = (fs::temp_directory_path() / ("danhba-webhook-bench-" + std::to_string(rd()))).string();
  app.add_option("--changes", changes, "Changes to apply and deliver")->check(CLI::Range(1, 100'000));
  app.add_option("--rate", rate, "Changes applied per second")->check(CLI::Range(1.0, 10'000.0));
  app.add_option("--timeout", timeout_s, "Seconds to wait for the last deliveries")->check(CLI::Range(1, 3600));
  app.add_option("--dir", work, "Working directory (removed first and after)");
  CLI11_PARSE(app, argc, argv);
  fs::remove_all(work);
  fs::create_directories(work);

  Receiver receiver;
  config::Config config = config::Defaults(work);
  config.data_dir = fs::path(work) / "var";
  auto journal = journal::Journal::Open({.dir = (config.data_dir / "journal").string()});
  if (!journal.ok()) Die(journal.error().detail);
  auto added = ops::AddSubscriber(config, "bench", "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook",
                                  {}, std::chrono::system_clock::now());
  if (!added.ok()) Die(added.error().detail);
  ops::WebhookDispatcher dispatcher(config, **journal);
  dispatcher.Start();

  // Append and apply at `rate`, on a fixed schedule (no drift).
  std::map<std::string, Clock::time_point> applied;
  const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
  const auto began = Clock::now();
  for (std::size_t i = 0; i < changes; ++i) {
    std::this_thread::sleep_until(began + period * static_cast<Clock::rep>(i));
    std::string id = "bench-" + std::to_string(i);
    journal::NewEvent event;
    event.id = id;
    event.sender = "bench";
    event.payload = Hire(id, i);
    auto appended = (*journal)->Append(std::move(event));
    if (!appended.ok()) Die(appended.error().detail);
    journal::StatusChange applied_change;
    applied_change.id = id;
    applied_change.state = journal::EventState::kApplied;
    applied_change.detail = "uid=bench" + std::to_string(i);
    if (Status done = (*journal)->Update({std::move(applied_change)}); !done.ok()) {
      Die(done.error().detail);
    }
    applied[id] = Clock::now();
  }
  const double apply_s = std::chrono::duration<double>(Clock::now() - began).count();
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  while (receiver.received().size() < changes && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double total_s = std::chrono::duration<double>(Clock::now() - began).count();
  dispatcher.Stop();
  auto received = receiver.received();

  std::vector<double> latency_ms;
  for (const auto& [id, at] : applied) {
    if (auto it = received.find(id); it != received.end()) {
      latency_ms.push_back(std::chrono::duration<double, std::milli>(it->second - at).count());
    }
  }
  std::sort(latency_ms.begin(), latency_ms.end());
  const double p50 = Percentile(latency_ms, 0.50);
  const double p99 = Percentile(latency_ms, 0.99);
  const double max = latency_ms.empty() ? 0 : latency_ms.back();
  std::printf("webhook_bench: %zu changes applied at %.0f/s (took %.1f s), %zu delivered in %.1f s to one "
              "subscriber on loopback\n",
              changes, rate, apply_s, latency_ms.size(), total_s);
  std::printf("%-40s %10s   %s\n", "applied -> received", "ms", "target");
  std::printf("%-40s %10.1f   -\n", "p50", p50);
  std::printf("%-40s %10.1f   < 1000 ms (%s)\n", "p99", p99, p99 < 1000 ? "met" : "NOT met");
  std::printf("%-40s %10.1f   -\n", "max", max);
  fs::remove_all(work);
  if (latency_ms.size() < changes) {
    std::fprintf(stderr, "webhook_bench: %zu of %zu changes were not delivered within %d s\n",
                 changes - latency_ms.size(), changes, timeout_s);
    return 1;
  }
  return 0;
}
