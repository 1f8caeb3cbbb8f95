// `danhba address` as users and scripts run it: the built binary, fed through a
// pipe, its stdout, stderr and exit status checked.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "danhba/base/unique_fd.h"
#include "danhba/text/legacy.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A file descriptor closed when it goes out of scope.
using Fd = danhba::UniqueFd;

struct Pipe {
  Fd read, write;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    read.reset(fds[0]);
    write.reset(fds[1]);
  }
};

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;

  std::vector<std::string> Lines() const {
    std::vector<std::string> lines;
    std::size_t i = 0;
    while (i < out.size()) {
      std::size_t e = out.find('\n', i);
      if (e == std::string::npos) e = out.size();
      lines.push_back(out.substr(i, e - i));
      i = e + 1;
    }
    return lines;
  }
};

// Runs `danhba address ARGS...` with `input` on its stdin, reading stdout and
// stderr while writing, so large inputs and outputs cannot deadlock.
Outcome RunAddress(const std::vector<std::string>& args, const std::string& input = "") {
  Pipe in, out, err;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in.read.get(), 0);
    ::dup2(out.write.get(), 1);
    ::dup2(err.write.get(), 2);
    std::vector<char*> argv;
    std::string binary = DANHBA_BINARY;
    std::string command = "address";
    argv.push_back(binary.data());
    argv.push_back(command.data());
    std::vector<std::string> copies = args;
    for (auto& a : copies) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  in.read.reset();
  out.write.reset();
  err.write.reset();
  ::signal(SIGPIPE, SIG_IGN);
  Outcome outcome;
  std::size_t written = 0;
  if (input.empty()) in.write.reset();
  char buffer[65536];
  while (out.read.get() >= 0 || err.read.get() >= 0) {
    std::vector<pollfd> fds;
    if (in.write.get() >= 0) fds.push_back({in.write.get(), POLLOUT, 0});
    if (out.read.get() >= 0) fds.push_back({out.read.get(), POLLIN, 0});
    if (err.read.get() >= 0) fds.push_back({err.read.get(), POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 30000) <= 0) break;
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == in.write.get()) {
        const ssize_t n = ::write(p.fd, input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if (n < 0 || written == input.size()) in.write.reset();
        continue;
      }
      const ssize_t n = ::read(p.fd, buffer, sizeof buffer);
      if (n <= 0) {
        (p.fd == out.read.get() ? out.read : err.read).reset();
        continue;
      }
      (p.fd == out.read.get() ? outcome.out : outcome.err)
          .append(buffer, static_cast<std::size_t>(n));
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return outcome;
}

TEST(AddressCli, NamesAsArgumentsGiveOneLocalPartPerLine) {
  const auto r =
      RunAddress({"Nguyễn Văn An", "Tôn Thất Thuyết", "Điểu K' Nam", "PGS.TS. Lê Văn Tám"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "annv\nthuyettt\nknamd\ntamlv\n");
  EXPECT_EQ(r.err, "");
}

TEST(AddressCli, StdinLinesInAnyFormAndLineEnding) {
  // NFD, upper case, CRLF, stray spaces, a BOM on the first line.
  const std::string input =
      "\xEF\xBB\xBFNguye\xCC\x82\xCC\x83n Va\xCC\x86n An\r\n"
      "NGUYỄN VĂN HÙNG\n"
      "   Trần   Thị  Lan  \n"
      "Ông Văn Ích";
  const auto r = RunAddress({"--encoding", "utf-8"}, input);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "annv\nhungnv\nlantt\nichov\n");
}

TEST(AddressCli, DomainGivesFullAddresses) {
  const auto r = RunAddress({"--domain", "example.vn", "Nguyễn Văn An"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "annv@example.vn\n");
}

TEST(AddressCli, JsonHasTheContractsFields) {
  const auto r = RunAddress({"--json"}, "ts. nguyễn  thị MINH khai\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = r.Lines();
  ASSERT_EQ(lines.size(), 1u);
  const auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["input"], "ts. nguyễn  thị MINH khai");
  EXPECT_EQ(j["full_name"], "Nguyễn Thị Minh Khai");
  EXPECT_EQ(j["family_name"], "Nguyễn");
  EXPECT_EQ(j["middle_names"], nlohmann::json::array({"Thị", "Minh"}));
  EXPECT_EQ(j["given_name"], "Khai");
  EXPECT_EQ(j["local_part"], "khaintm");
  EXPECT_EQ(j["email"], "khaintm@dongnai.gov.vn");
  EXPECT_EQ(j["titles"], nlohmann::json::array({"ts."}));
  EXPECT_FALSE(j.contains("explanation"));
}

TEST(AddressCli, ExplainAddsTheSteps) {
  const auto r = RunAddress({"--json", "--explain", "--domain", "test.vn", "Điểu K' Nam"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.Lines().at(0));
  EXPECT_EQ(j["email"], "knamd@test.vn");
  ASSERT_TRUE(j["explanation"].is_array());
  EXPECT_EQ(j["explanation"][0], "joined 'K'' to the next word 'Nam'");

  const auto plain = RunAddress({"--explain", "Nguyễn Văn An"});
  EXPECT_THAT(plain.out, HasSubstr("annv\n  words 'Nguyễn' 'Văn' 'An'"));
}

TEST(AddressCli, ABadNameFailsAloneAndTheExitCodeSaysSo) {
  const std::string input = "Nguyễn Văn An\nNguyễn Văn 2\n\nTrần Thị Lan\nTS.\n";
  const auto json = RunAddress({"--json"}, input);
  EXPECT_EQ(json.exit_code, 1);
  const auto lines = json.Lines();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["local_part"], "annv");
  const auto bad = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(bad["input"], "Nguyễn Văn 2");
  EXPECT_EQ(bad["error"], "name 'Nguyễn Văn 2': '2' cannot be part of a name");
  EXPECT_FALSE(bad.contains("local_part"));
  EXPECT_EQ(nlohmann::json::parse(lines[2])["error"], "name is empty");
  EXPECT_EQ(nlohmann::json::parse(lines[3])["local_part"], "lantt");
  EXPECT_EQ(nlohmann::json::parse(lines[4])["error"], "name 'TS.' has no name after its titles");

  const auto plain = RunAddress({}, input);
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_EQ(plain.out, "annv\nlantt\n");
  EXPECT_THAT(plain.err, HasSubstr("line 2: name 'Nguyễn Văn 2': '2' cannot be part of a name"));
  EXPECT_THAT(plain.err, HasSubstr("line 3: name is empty"));
  EXPECT_THAT(plain.err, HasSubstr("line 5: name 'TS.' has no name after its titles"));
}

TEST(AddressCli, UsageErrorsExitWith2) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--bogus"},
                                                                {"--encoding", "latin9", "An"},
                                                                {"--domain", "Bad Domain", "An"},
                                                                {"--domain"}}) {
    const auto r = RunAddress(args);
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_EQ(r.out, "") << args[0];
    EXPECT_NE(r.err, "") << args[0];
  }
}

TEST(AddressCli, HelpDescribesTheOptions) {
  const auto r = RunAddress({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option : {"--json", "--explain", "--domain", "--encoding", "NAME"}) {
    EXPECT_THAT(r.out, HasSubstr(option));
  }
}

const std::vector<std::pair<std::string, std::string>> kLegacyNames = {
    {"Nguyễn Văn An", "annv"},      {"Trần Thị Lan", "lantt"},    {"Lê Thị Thu Hằng", "hangltt"},
    {"Phạm Quốc Cường", "cuongpq"}, {"Đặng Thùy Trâm", "tramdt"}, {"Tôn Thất Thuyết", "thuyettt"},
    {"Vũ Đức Đam", "damvd"},        {"Hoàng Ngọc Hải", "haihn"},  {"Huỳnh Tấn Phát", "phatht"},
    {"Dương Thu Hương", "huongdt"},
};

std::string Encoded(danhba::text::Encoding encoding, bool* ok) {
  std::string input;
  *ok = true;
  for (const auto& [name, local] : kLegacyNames) {
    auto bytes = danhba::text::Encode(name, encoding);
    if (!bytes.ok()) {
      *ok = false;
      ADD_FAILURE() << name << ": " << bytes.error();
      return "";
    }
    input += *bytes + "\r\n";
  }
  return input;
}

std::string Expected() {
  std::string out;
  for (const auto& [name, local] : kLegacyNames) out += local + "\n";
  return out;
}

TEST(AddressCli, StdinInALegacyEncodingNamedOrDetected) {
  using danhba::text::Encoding;
  for (const Encoding encoding :
       {Encoding::kTcvn3, Encoding::kVni, Encoding::kViscii, Encoding::kCp1258}) {
    const std::string name(danhba::text::EncodingName(encoding));
    SCOPED_TRACE(name);
    bool ok = false;
    const std::string input = Encoded(encoding, &ok);
    ASSERT_TRUE(ok);

    const auto named = RunAddress({"--encoding", name}, input);
    EXPECT_EQ(named.exit_code, 0) << named.err;
    EXPECT_EQ(named.out, Expected());

    const auto detected = RunAddress({}, input);
    EXPECT_EQ(detected.exit_code, 0) << detected.err;
    EXPECT_EQ(detected.out, Expected());
    if (encoding != Encoding::kCp1258) {
      EXPECT_THAT(detected.err, HasSubstr("stdin read as " + name));
    }

    // JSON echoes the decoded input, not the legacy bytes.
    const auto json = RunAddress({"--json", "--encoding", name}, input);
    EXPECT_EQ(nlohmann::json::parse(json.Lines().at(0))["input"], "Nguyễn Văn An");
  }
}

TEST(AddressCli, LegacyBytesReadAsUtf8AreRejectedNotGarbled) {
  bool ok = false;
  const std::string input = Encoded(danhba::text::Encoding::kTcvn3, &ok);
  ASSERT_TRUE(ok);
  const auto r = RunAddress({"--encoding", "utf-8"}, input);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("invalid UTF-8"));
  EXPECT_THAT(r.out, Not(HasSubstr("nguy")));
}

TEST(AddressCli, ThousandsOfLinesThroughAPipe) {
  std::string input;
  std::string expected;
  const char* const families[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng"};
  const char* const middles[] = {"Văn", "Thị", "Hữu", "Minh"};
  const char* const givens[] = {"An", "Bình", "Cường", "Dũng", "Hà"};
  const char* const given_ascii[] = {"an", "binh", "cuong", "dung", "ha"};
  const char family_initial[] = {'n', 't', 'l', 'p', 'h'};
  const char middle_initial[] = {'v', 't', 'h', 'm'};
  for (int i = 0; i < 20000; ++i) {
    const int f = i % 5, m = (i / 5) % 4, g = (i / 20) % 5;
    input += std::string(families[f]) + " " + middles[m] + " " + givens[g] + "\n";
    expected += std::string(given_ascii[g]) + family_initial[f] + middle_initial[m] + "\n";
  }
  const auto r = RunAddress({}, input);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out == expected) << "output differs; " << r.out.size() << " bytes";
}

}  // namespace
