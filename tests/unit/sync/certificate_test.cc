// person.certificate applied by the sync engine (R17): published on the entry
// when valid for the person's address at the engine's "now", withheld (and
// said so in the result) otherwise.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "danhba/crypto/certificate.h"
#include "danhba/journal/fault_env.h"
#include "danhba/model/event.h"
#include "danhba/sync/engine.h"
#include "support/test_certificates.h"
#include "unit/sync/fake_directory.h"

namespace danhba::sync {
namespace {

namespace fs = std::filesystem;
using journal::EventState;
using Json = nlohmann::json;
using danhba::testing::TestCertificate;
using testing::FakeDirectory;
using testing::FakeTree;

TimePoint At(int y, int m, int d, int hour = 0) {
  return TimePoint(model::Date::FromYmd(y, m, d).value().ToSysDays()) + std::chrono::hours(hour);
}

Json Event(const std::string& id, const std::string& type, Json person) {
  return {{"id", id},
          {"type", type},
          {"decision", {{"number", "1/QĐ-SNV"}, {"date", "2026-11-20"}, {"issuer", "Sở Nội vụ"}}},
          {"person", std::move(person)}};
}

Json Hire(const std::string& id, const std::string& person, const std::string& name) {
  return Event(id, "hire", {{"id", person}, {"full_name", name}, {"agency", "stttt"}});
}

class CertificateEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("danhba-sync-cert-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    journal::JournalOptions options;
    options.dir = (dir_ / "journal").string();
    journal_env_.SetClock([this] { return now_; });
    options.env = &journal_env_;
    journal_ = journal::Journal::Open(options).value();
    directory::AgencyRecord a;
    a.code = "stttt";
    a.name = "Sở Thông tin và Truyền thông";
    a.dn = fake_.layout().AgencyDn(a.code);
    a.mail = "stttt@dongnai.gov.vn";
    tree_.agencies[a.code] = a;
  }
  void TearDown() override {
    journal_.reset();
    fs::remove_all(dir_);
  }

  void Apply(const Json& json) {
    auto event = model::ParseEvent(json.dump());
    ASSERT_TRUE(event.ok()) << event.error().detail;
    auto appended =
        journal_->Append(journal::NewEvent{event->id, "test", model::ToJson(*event), std::nullopt});
    ASSERT_TRUE(appended.ok());
    EngineOptions options;
    options.handover_dir = (dir_ / "handover").string();
    options.clock = [this] { return now_; };
    options.start_of_day = [](const model::Date& d) { return TimePoint(d.ToSysDays()); };
    Engine engine(*journal_, fake_, options);
    ASSERT_TRUE(engine.Validate().ok());
    engine.RunOnce(now_);
  }

  journal::EventInfo Info(const std::string& id) { return journal_->Lookup(id).value(); }

  const directory::PersonRecord& Person(const std::string& uid) { return tree_.people.at(uid); }

  fs::path dir_;
  journal::FaultEnv journal_env_;
  std::unique_ptr<journal::Journal> journal_;
  FakeTree tree_;
  FakeDirectory fake_{tree_};
  TimePoint now_ = At(2026, 11, 28, 12);
};

TEST_F(CertificateEngineTest, AHireWithACertificateForItsAddressPublishesIt) {
  const auto cert = TestCertificate::ValidFor("AnNV@dongnai.gov.vn", now_);
  Json hire = Hire("h1", "CB1", "Nguyễn Văn An");
  hire["person"]["certificate"] = cert.pem();
  Apply(hire);
  ASSERT_EQ(Info("h1").state, EventState::kApplied) << Info("h1").detail;
  EXPECT_EQ(Info("h1").detail, "uid=annv mail=annv@dongnai.gov.vn certificate=published");
  EXPECT_EQ(Person("annv").certificate, cert.der());
}

TEST_F(CertificateEngineTest, AHireWhoseAddressIsNotTheCertificatesIsMadeWithoutIt) {
  // The name gives annv, already taken: the person gets annv1, the
  // certificate was made for annv.
  Apply(Hire("h0", "CB0", "Nguyễn Văn An"));
  const auto cert = TestCertificate::ValidFor("annv@dongnai.gov.vn", now_);
  Json hire = Hire("h1", "CB1", "Nguyễn Văn An");
  hire["person"]["certificate"] = cert.pem();
  Apply(hire);
  ASSERT_EQ(Info("h1").state, EventState::kApplied) << Info("h1").detail;
  EXPECT_EQ(Info("h1").detail,
            "uid=annv1 mail=annv1@dongnai.gov.vn certificate=withheld: it is for "
            "annv@dongnai.gov.vn, not annv1@dongnai.gov.vn");
  EXPECT_FALSE(Person("annv1").certificate.has_value());
}

TEST_F(CertificateEngineTest, AnExpiredCertificateIsWithheldAndTheUpdateStillApplies) {
  const auto first = TestCertificate::ValidFor("annv@dongnai.gov.vn", now_);
  Json hire = Hire("h1", "CB1", "Nguyễn Văn An");
  hire["person"]["certificate"] = first.pem();
  Apply(hire);
  ASSERT_EQ(Person("annv").certificate, first.der());

  danhba::testing::CertificateSpec spec;
  spec.san_email = "annv@dongnai.gov.vn";
  spec.not_before = now_ - std::chrono::hours(48);
  spec.not_after = now_ - std::chrono::hours(24);
  const auto expired = TestCertificate::Make(spec);
  Apply(Event("u1", "update",
              {{"id", "CB1"}, {"phone", "0251 3822 000"}, {"certificate", expired.pem()}}));
  ASSERT_EQ(Info("u1").state, EventState::kApplied) << Info("u1").detail;
  EXPECT_EQ(Info("u1").detail, "uid=annv mail=annv@dongnai.gov.vn certificate=withheld: it "
                               "expired on " + base::FormatUtc(spec.not_after));
  EXPECT_EQ(Person("annv").phone, "0251 3822 000");
  EXPECT_EQ(Person("annv").certificate, first.der());  // the old one stays
}

TEST_F(CertificateEngineTest, AnUpdateReplacesLeavesOrRemovesIt) {
  Apply(Hire("h1", "CB1", "Nguyễn Văn An"));
  EXPECT_EQ(Info("h1").detail, "uid=annv mail=annv@dongnai.gov.vn");
  const auto cert = TestCertificate::ValidFor("annv@dongnai.gov.vn", now_);
  Apply(Event("u1", "update", {{"id", "CB1"}, {"certificate", crypto::Base64Encode(cert.der())}}));
  EXPECT_EQ(Info("u1").detail, "uid=annv mail=annv@dongnai.gov.vn certificate=published");
  EXPECT_EQ(Person("annv").certificate, cert.der());

  Apply(Event("u2", "update", {{"id", "CB1"}, {"title", "Chuyên viên"}}));
  EXPECT_EQ(Info("u2").detail, "uid=annv mail=annv@dongnai.gov.vn");
  EXPECT_EQ(Person("annv").certificate, cert.der());

  Apply(Event("u3", "update", {{"id", "CB1"}, {"certificate", nullptr}}));
  EXPECT_EQ(Info("u3").detail, "uid=annv mail=annv@dongnai.gov.vn certificate=removed");
  EXPECT_FALSE(Person("annv").certificate.has_value());
}

}  // namespace
}  // namespace danhba::sync
