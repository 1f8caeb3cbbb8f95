// Appends per second with fsync, side by side in one run:
//   naive      every record written and fdatasync'd on its own (under a mutex
//              when several threads share the file): the baseline
//   journal    Journal::Append of one event per call (group commit shares
//              fsyncs between the callers waiting at the same time)
//   batch      Journal::Append of 100 events per call
// Each row runs for --seconds (default 2) on --dir (default: a new directory
// under $TMPDIR or /tmp), and the disk under it is printed first.
#include <fcntl.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "danhba/base/log.h"
#include "danhba/journal/journal.h"

namespace {

using danhba::journal::Journal;
using danhba::journal::JournalOptions;
using danhba::journal::NewEvent;
using Clock = std::chrono::steady_clock;

// A hire event of a typical size.
const std::string kPayload =
    R"({"id":"hr-2026-000123","type":"hire","decision":{"number":"123/QĐ-SNV","date":"2026-11-20",)"
    R"("issuer":"Sở Nội vụ"},"effective_date":"2026-12-01","person":{"id":"CB000123",)"
    R"("full_name":"Nguyễn Văn An","birth_date":"1990-05-01","title":"Chuyên viên",)"
    R"("phone":"0251 3822 000","agency":"stttt"}})";

struct Row {
  std::string name;
  int threads = 0;
  std::uint64_t records = 0;
  std::uint64_t fsyncs = 0;
  double seconds = 0;
};

void PrintDisk(const std::string& dir) {
  struct stat st {};
  ::stat(dir.c_str(), &st);
  std::string device = std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
  std::ifstream mounts("/proc/self/mountinfo");
  std::string line;
  std::string where = "unknown";
  while (std::getline(mounts, line)) {
    // mountinfo: id parent major:minor root mountpoint options ... - fstype source superoptions
    std::size_t sep = line.find(" - ");
    if (line.find(" " + device + " ") == std::string::npos || sep == std::string::npos) continue;
    where = line.substr(sep + 3);
    break;
  }
  std::printf("directory: %s\ndevice %s: %s\n", dir.c_str(), device.c_str(), where.c_str());
  std::string dev_name;
  std::ifstream rotational("/sys/dev/block/" + device + "/queue/rotational");
  int rot = -1;
  if (rotational >> rot) std::printf("rotational: %s\n", rot == 1 ? "yes (spinning disk)" : "no (SSD or virtual)");
  std::printf("cpus: %u\n\n", std::thread::hardware_concurrency());
}

template <class Work>
Row RunThreads(const std::string& name, int threads, double seconds, Work work) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> records{0};
  std::vector<std::thread> pool;
  auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::uint64_t n = 0;
      for (std::uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) n += work(t, i);
      records += n;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));  // the measuring window, not a wait
  stop = true;
  for (auto& thread : pool) thread.join();
  Row row;
  row.name = name;
  row.threads = threads;
  row.records = records.load();
  row.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return row;
}

Row Naive(const std::string& dir, int threads, double seconds) {
  std::string path = dir + "/naive.log";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  std::mutex mutex;
  std::string record = std::string(13, '\0') + kPayload;  // framing-sized header and the payload
  Row row = RunThreads("naive fsync per record", threads, seconds, [&](int, std::uint64_t) -> std::uint64_t {
    std::lock_guard lock(mutex);
    if (::write(fd, record.data(), record.size()) != static_cast<ssize_t>(record.size())) std::abort();
    if (::fdatasync(fd) != 0) std::abort();
    return 1;
  });
  ::close(fd);
  row.fsyncs = row.records;
  return row;
}

Row WithJournal(const std::string& dir, const std::string& name, int threads, int batch, double seconds) {
  JournalOptions options;
  options.dir = dir;
  auto journal = Journal::Open(options);
  if (!journal) {
    std::fprintf(stderr, "%s\n", journal.error().ToString().c_str());
    std::exit(1);
  }
  Journal& j = **journal;
  Row row = RunThreads(name, threads, seconds, [&](int t, std::uint64_t i) -> std::uint64_t {
    std::vector<NewEvent> events;
    for (int k = 0; k < batch; ++k) {
      events.push_back(NewEvent{"t" + std::to_string(t) + "-" + std::to_string(i) + "-" + std::to_string(k),
                                "bench", kPayload, std::nullopt});
    }
    auto result = j.Append(std::move(events));
    if (!result) {
      std::fprintf(stderr, "%s\n", result.error().ToString().c_str());
      std::abort();
    }
    return static_cast<std::uint64_t>(batch);
  });
  row.fsyncs = j.Stats().commits;
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--seconds") seconds = std::atof(argv[i + 1]);
    if (flag == "--dir") dir = argv[i + 1];
  }
  bool own_dir = dir.empty();
  if (own_dir) {
    const char* tmp = std::getenv("TMPDIR");
    dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/danhba-journal-bench-" + std::to_string(::getpid());
  }
  std::filesystem::create_directories(dir);
  (void)danhba::log::SetLevel("warn");
  PrintDisk(dir);

  std::vector<Row> rows;
  rows.push_back(Naive(dir, 1, seconds));
  rows.push_back(Naive(dir, 8, seconds));
  rows.push_back(WithJournal(dir + "/j1", "journal, 1 event per call", 1, 1, seconds));
  rows.push_back(WithJournal(dir + "/j8", "journal, 1 event per call", 8, 1, seconds));
  rows.push_back(WithJournal(dir + "/jb", "journal, 100 events per call", 1, 100, seconds));

  std::printf("%-30s %7s %12s %10s %12s %14s\n", "", "threads", "records/s", "fsyncs/s", "records/fsync",
              "vs naive (1t)");
  double baseline = static_cast<double>(rows[0].records) / rows[0].seconds;
  for (const Row& r : rows) {
    double rate = static_cast<double>(r.records) / r.seconds;
    std::printf("%-30s %7d %12.0f %10.0f %12.1f %13.1fx\n", r.name.c_str(), r.threads, rate,
                static_cast<double>(r.fsyncs) / r.seconds,
                r.fsyncs > 0 ? static_cast<double>(r.records) / static_cast<double>(r.fsyncs) : 0.0,
                rate / baseline);
  }
  if (own_dir) std::filesystem::remove_all(dir);
  return 0;
}
