#include "danhba/ops/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace danhba::ops {
namespace {

using Json = nlohmann::json;

model::Date D(const char* iso) { return *model::Date::Parse(iso); }

std::chrono::system_clock::time_point At(const char* iso) {
  return std::chrono::sys_days(D(iso).ToSysDays());
}

ReportPerson Person(std::string uid, std::string agency, const char* created, const char* left = nullptr) {
  ReportPerson p;
  p.uid = uid;
  p.dn = "uid=" + uid + (left ? ",ou=former,dc=x" : ",ou=people,dc=x");
  p.agency = std::move(agency);
  p.created = D(created);
  if (left) {
    p.left = D(left);
    p.former = true;
  }
  p.password_changed = At(created);
  p.must_change_password = true;
  return p;
}

ReportDecision Decision(std::string id, std::string type, const char* effective, std::vector<std::string> subjects) {
  return ReportDecision{id, "QĐ-" + id, D(effective), "UBND tỉnh", std::move(type), D(effective), std::move(subjects)};
}

// Two agencies, people hired before and during the first half of 2026, one
// leave, one transfer, one rename, one locked account, two rejections.
ReportInputs Inputs() {
  ReportInputs in;
  in.agencies = {{"stttt", "Sở Thông tin và Truyền thông"}, {"syt", "Sở Y tế"}};
  in.people.push_back(Person("annv", "stttt", "2025-05-01"));                 // before, stays
  in.people.push_back(Person("binhtt", "stttt", "2025-06-01", "2026-03-15"));  // before, leaves in March
  in.people.push_back(Person("chilm", "syt", "2026-02-10"));                  // hired in February
  in.people.push_back(Person("dungpv", "syt", "2026-08-01"));                 // after the period
  in.people[0].must_change_password = false;
  in.people[0].password_changed = At("2026-05-01");
  in.people[2].locked = true;
  in.people[2].aliases = 1;
  in.decisions.push_back(Decision("h1", "hire", "2026-02-10", {"uid=chilm,ou=people,dc=x"}));
  in.decisions.push_back(Decision("t1", "transfer", "2026-04-02", {"uid=chilm,ou=people,dc=x"}));
  in.decisions.push_back(Decision("u1", "update", "2026-05-20", {"uid=chilm,ou=people,dc=x"}));
  in.decisions.push_back(Decision("l1", "leave", "2026-03-15", {"uid=binhtt,ou=former,dc=x"}));
  in.decisions.push_back(Decision("x1", "hire", "2026-08-01", {"uid=dungpv,ou=people,dc=x"}));
  in.rejection_reasons = {"person id 123 already has the mailbox annv@dongnai.gov.vn (R3)",
                          "person id 456 already has the mailbox binhtt@dongnai.gov.vn (R3)", "unknown agency 'sxyz'"};
  in.password_max_age = std::chrono::hours(24 * 90);
  return in;
}

ReportOptions Half() {
  return ReportOptions{.from = D("2026-01-01"), .to = D("2026-06-30"), .agency = std::nullopt,
                       .generated_at = At("2026-07-01")};
}

TEST(Report, CountsMailboxesAndChangesPerAgencyAndInTotal) {
  auto report = ComputeReport(Inputs(), Half());
  ASSERT_TRUE(report.ok()) << report.error().detail;
  const AgencyFigures& t = report->total;
  EXPECT_EQ(t.mailboxes_start, 2U);  // annv, binhtt
  EXPECT_EQ(t.mailboxes_end, 2U);    // annv, chilm
  EXPECT_EQ(t.created, 1U);
  EXPECT_EQ(t.removed, 1U);
  EXPECT_EQ(t.transferred, 1U);
  EXPECT_EQ(t.renamed, 1U);
  EXPECT_EQ(t.active_now, 3U);        // annv, chilm, dungpv
  EXPECT_EQ(t.password_changed, 1U);  // annv
  EXPECT_EQ(t.within_expiry, 2U);     // annv (May), dungpv (August); chilm's is from February
  EXPECT_EQ(t.locked, 1U);
  ASSERT_EQ(report->agencies.size(), 2U);
  EXPECT_EQ(report->agencies[0].code, "stttt");
  EXPECT_EQ(report->agencies[0].mailboxes_start, 2U);
  EXPECT_EQ(report->agencies[0].mailboxes_end, 1U);
  EXPECT_EQ(report->agencies[1].created, 1U);
  ASSERT_EQ(report->months.size(), 6U);
  EXPECT_EQ(report->months[1].created, 1U);        // February
  EXPECT_EQ(report->months[2].removed, 1U);        // March
  EXPECT_EQ(report->months[2].mailboxes_end, 2U);  // annv, chilm
  EXPECT_EQ(report->months[3].transferred, 1U);    // April
  EXPECT_EQ(report->decisions.size(), 4U);         // not the August hire
  EXPECT_EQ(report->rejected, 3U);
  ASSERT_FALSE(report->rejection_reasons.empty());
  EXPECT_EQ(report->rejection_reasons[0].second, 2U) << report->rejection_reasons[0].first;
}

TEST(Report, OneAgencyOnlyAndErrors) {
  auto options = Half();
  options.agency = "syt";
  auto report = ComputeReport(Inputs(), options);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->agencies.size(), 1U);
  EXPECT_EQ(report->total.mailboxes_start, 0U);
  EXPECT_EQ(report->total.mailboxes_end, 1U);
  EXPECT_EQ(report->decisions.size(), 3U);  // h1, t1, u1

  options.agency = "nope";
  auto unknown = ComputeReport(Inputs(), options);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().detail.find("'nope'"), std::string::npos);
  options.agency.reset();
  options.from = D("2026-07-01");
  auto backwards = ComputeReport(Inputs(), options);
  ASSERT_FALSE(backwards.ok());
  EXPECT_NE(backwards.error().detail.find("after"), std::string::npos);
}

TEST(Report, FormatsCarryTheSameNumbers) {
  auto report = ComputeReport(Inputs(), Half());
  ASSERT_TRUE(report.ok());
  Json json = Json::parse(ReportJson(*report));
  EXPECT_EQ(json["total"]["mailboxes_start"], 2);
  EXPECT_EQ(json["agencies"][1]["code"], "syt");
  EXPECT_EQ(json["rejected"]["total"], 3);
  std::string csv = ReportCsv(*report);
  EXPECT_NE(csv.find("stttt,Sở Thông tin và Truyền thông,2,1,0,0,1,0,1,1,1,0\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("TOTAL,,2,2,1,1,1,1,3,1,2,1\n"), std::string::npos) << csv;
  std::string html = ReportHtml(*report);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("@page { size: A4"), std::string::npos);
  EXPECT_NE(html.find("id=\"mailboxes-end\">2<"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);  // self-contained, static
  EXPECT_EQ(html.find("http"), std::string::npos);     // nothing fetched
}

}  // namespace
}  // namespace danhba::ops
