// `danhba sender` as an operator uses it: the token printed once and only its
// hash on disk (0600), clear one-line errors with exit status 1 that change
// nothing, list and remove.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "danhba/api/senders.h"
#include "support/test_certificates.h"
#include "unit/api/test_util.h"

namespace danhba::api {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class SenderCliTest : public ::testing::Test {
 protected:
  SenderCliTest() {
    config_ = dir_.path() / "danhba.yaml";
    std::ofstream(config_) << "data_dir: var\n";
  }

  // Runs `danhba sender ARGS... --config <temp>/danhba.yaml` (output is small:
  // it goes to files, read after the process exits).
  Outcome Run(std::vector<std::string> args, bool with_config = true) {
    if (with_config) {
      args.push_back("--config");
      args.push_back(config_.string());
    }
    std::string out_path = (dir_.path() / "stdout").string();
    std::string err_path = (dir_.path() / "stderr").string();
    pid_t pid = ::fork();
    if (pid == 0) {
      int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(out, 1);
      ::dup2(err, 2);
      std::vector<std::string> all = {DANHBA_BINARY, "sender"};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    Outcome outcome;
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    outcome.out = ReadAll(out_path);
    outcome.err = ReadAll(err_path);
    return outcome;
  }

  std::filesystem::path SendersFile() const { return dir_.path() / "var" / "senders.json"; }

  TempDir dir_;
  std::filesystem::path config_;
};

TEST_F(SenderCliTest, AddPrintsTheTokenOnceAndStoresItsHash) {
  Outcome added = Run({"add", "hr-snv", "--agencies", "stttt,skhcn"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  ASSERT_THAT(added.out, HasSubstr("token: "));
  std::string token = added.out.substr(added.out.find("token: ") + 7, 64);
  EXPECT_THAT(added.out, Not(HasSubstr("hmac_secret")));
  EXPECT_THAT(added.err, HasSubstr("only its hash is kept"));

  std::string file = ReadAll(SendersFile());
  EXPECT_THAT(file, Not(HasSubstr(token)));
  EXPECT_THAT(file, HasSubstr(Sha256Hex(token)));
  struct stat info {};
  ASSERT_EQ(::stat(SendersFile().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  auto loaded = SenderStore(SendersFile()).Load();
  ASSERT_TRUE(loaded.ok());
  const Sender* sender = loaded->Authenticate(token);
  ASSERT_NE(sender, nullptr);
  EXPECT_EQ(sender->agencies, (std::vector<std::string>{"stttt", "skhcn"}));
}

TEST_F(SenderCliTest, SignPrintsTheSecret) {
  Outcome added = Run({"add", "portal", "--sign"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_THAT(added.out, HasSubstr("hmac_secret: "));
  Outcome listed = Run({"list"});
  ASSERT_EQ(listed.exit_code, 0);
  EXPECT_THAT(listed.out, HasSubstr("portal"));
  EXPECT_THAT(listed.out, HasSubstr("yes"));
}

TEST_F(SenderCliTest, ErrorsAreOneLineAndChangeNothing) {
  ASSERT_EQ(Run({"add", "hr"}).exit_code, 0);
  std::string before = ReadAll(SendersFile());

  Outcome duplicate = Run({"add", "hr"});
  EXPECT_EQ(duplicate.exit_code, 1);
  EXPECT_THAT(duplicate.err, HasSubstr("'hr' is already registered"));
  Outcome bad_list = Run({"add", "other", "--agencies", "stttt,,skhcn"});
  EXPECT_EQ(bad_list.exit_code, 1);
  EXPECT_THAT(bad_list.err, HasSubstr("--agencies"));
  Outcome bad_name = Run({"add", "Bad Name"});
  EXPECT_EQ(bad_name.exit_code, 1);
  Outcome missing = Run({"remove", "nobody"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no sender named 'nobody'"));
  for (const Outcome* o : {&duplicate, &bad_list, &bad_name, &missing}) {
    EXPECT_TRUE(o->out.empty());
    EXPECT_EQ(std::count(o->err.begin(), o->err.end(), '\n'), 1) << o->err;
  }
  EXPECT_EQ(ReadAll(SendersFile()), before);

  EXPECT_EQ(Run({"add"}).exit_code, 2);  // usage
}

TEST_F(SenderCliTest, RemoveRevokesTheToken) {
  Outcome added = Run({"add", "hr"});
  ASSERT_EQ(added.exit_code, 0);
  std::string token = added.out.substr(added.out.find("token: ") + 7, 64);
  ASSERT_EQ(Run({"remove", "hr"}).exit_code, 0);
  auto loaded = SenderStore(SendersFile()).Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->Authenticate(token), nullptr);
  EXPECT_THAT(Run({"list"}).err, HasSubstr("no senders"));
}

TEST_F(SenderCliTest, X509CertStoresTheCertificateAndRefusesBadOnes) {
  const auto now = std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
  const auto cert = danhba::testing::TestCertificate::ValidFor("hr@snv.dongnai.gov.vn", now);
  const auto pem = dir_.path() / "hr-pki.pem";
  std::ofstream(pem) << cert.pem();
  const auto junk = dir_.path() / "junk.pem";
  std::ofstream(junk) << "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";

  Outcome added = Run({"add", "hr-pki", "--x509-cert", pem.string()});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_THAT(added.out, Not(HasSubstr("hmac_secret")));
  EXPECT_THAT(added.err, HasSubstr("cms="));
  auto loaded = SenderStore(SendersFile()).Load();
  ASSERT_TRUE(loaded.ok());
  ASSERT_NE(loaded->Find("hr-pki"), nullptr);
  EXPECT_EQ(loaded->Find("hr-pki")->x509_certificate, cert.pem());
  EXPECT_THAT(Run({"list"}).out, HasSubstr("x509"));

  const std::string before = ReadAll(SendersFile());
  Outcome bad = Run({"add", "other", "--x509-cert", junk.string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("the certificate is not a valid PEM certificate"));
  Outcome missing = Run({"add", "other", "--x509-cert", (dir_.path() / "nope.pem").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("--x509-cert: cannot read"));
  EXPECT_NE(Run({"add", "other", "--sign", "--x509-cert", pem.string()}).exit_code, 0);
  EXPECT_EQ(ReadAll(SendersFile()), before);
}

}  // namespace
}  // namespace danhba::api
