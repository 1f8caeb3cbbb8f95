// Typed events and applied results: the shapes the sync engine works with.
#include "danhba/model/typed_event.h"

#include <gtest/gtest.h>

#include "danhba/sync/engine.h"
#include "sync/address_claims.h"

namespace danhba {
namespace {

constexpr char kDecision[] =
    R"("decision":{"number":"1/QĐ-SNV","date":"2026-11-20","issuer":"Sở Nội vụ"})";

model::Event Parsed(const std::string& body) {
  auto e = model::ParseEvent("{\"id\":\"e1\"," + std::string(kDecision) + "," + body + "}");
  EXPECT_TRUE(e.ok()) << e.error() << "\n" << body;
  return e.ok() ? *e : model::Event{};
}

TEST(TypedEventTest, EveryTypeRoundTrips) {
  const std::vector<std::string> bodies = {
      R"("type":"hire","person":{"id":"CB1","full_name":"Nguyễn Văn An","agency":"stttt"})",
      R"("type":"transfer","person":{"id":"CB1","title":"Phó Giám đốc"},"to_agency":"skhcn")",
      R"("type":"update","person":{"id":"CB1","phone":null})",
      R"("type":"leave","person":{"id":"CB1"})",
      R"("type":"agency.create","agency":{"code":"sgtvt","name":"Sở Giao thông Vận tải"})",
      R"("type":"agency.update","agency":{"code":"sgtvt","new_code":"sxd"})",
      R"("type":"agency.merge","agency":{"code":"sgtvt"},"into":"sxd")",
      R"("type":"agency.dissolve","agency":{"code":"sgtvt"})",
      R"("type":"agency.head","agency":{"code":"sgtvt","head":"CB1","delegates":["CB2"]})",
  };
  for (const std::string& body : bodies) {
    model::Event event = Parsed(body);
    auto typed = model::ToTyped(event);
    ASSERT_TRUE(typed.ok()) << typed.error() << "\n" << body;
    EXPECT_EQ(model::TypeOf(*typed), event.type) << body;
    EXPECT_EQ(model::HeaderOf(*typed).id, "e1");
    EXPECT_EQ(model::ToEvent(*typed), event) << body;
  }
}

TEST(TypedEventTest, RequiredPartsAreMembers) {
  auto typed = model::ToTyped(Parsed(R"("type":"agency.merge","agency":{"code":"a"},"into":"b")"));
  ASSERT_TRUE(typed.ok());
  ASSERT_TRUE(std::holds_alternative<model::AgencyMergeEvent>(*typed));
  EXPECT_EQ(std::get<model::AgencyMergeEvent>(*typed).into, "b");
}

TEST(TypedEventTest, MissingPartsAreNamedAndNothingIsMade) {
  model::Event hire;
  hire.id = "h1";
  hire.type = model::EventType::kHire;
  hire.person = model::PersonFields{};
  hire.person->id = "CB1";
  auto typed = model::ToTyped(hire);
  ASSERT_FALSE(typed.ok());
  EXPECT_EQ(typed.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(typed.error().detail,
            "person.agency: required for hire; person.full_name: required for hire");

  model::Event merge;
  merge.id = "m1";
  merge.type = model::EventType::kAgencyMerge;
  auto untyped = model::ToTyped(merge);
  ASSERT_FALSE(untyped.ok());
  EXPECT_EQ(untyped.error().detail,
            "agency: required for agency.merge; into: required for agency.merge");
}

TEST(TypedEventTest, StoredParserRejectsAnEventWithoutItsParts) {
  auto typed = model::ParseStoredTypedEvent(R"({"id":"t1","type":"transfer",)" +
                                            std::string(kDecision) + R"(,"person":{"id":"CB1"}})");
  ASSERT_FALSE(typed.ok());
  EXPECT_NE(typed.error().detail.find("to_agency"), std::string::npos) << typed.error();
}

TEST(AppliedResultTest, JournalFormRoundTrips) {
  sync::AppliedResult hire;
  hire.uid = "annv";
  hire.mail = "annv@dongnai.gov.vn";
  EXPECT_EQ(hire.ToString(), "uid=annv mail=annv@dongnai.gov.vn");
  sync::AppliedResult readdress = hire;
  readdress.alias = "an@dongnai.gov.vn";
  EXPECT_EQ(readdress.ToString(), "uid=annv mail=annv@dongnai.gov.vn alias=an@dongnai.gov.vn");
  sync::AppliedResult rename;
  rename.agency = "sxd";
  rename.mail = "sxd@dongnai.gov.vn";
  rename.alias = "sgtvt@dongnai.gov.vn";
  rename.renamed_from = "sgtvt";
  EXPECT_EQ(rename.ToString(),
            "agency=sxd mail=sxd@dongnai.gov.vn alias=sgtvt@dongnai.gov.vn renamed_from=sgtvt");
  sync::AppliedResult merge;
  merge.agency = "sgtvt";
  merge.into = "sxd";
  merge.alias = "sgtvt@dongnai.gov.vn";
  EXPECT_EQ(merge.ToString(), "agency=sgtvt into=sxd alias=sgtvt@dongnai.gov.vn");
  // R17: what became of the certificate comes last, its reason with spaces.
  sync::AppliedResult withheld = readdress;
  withheld.certificate = "withheld: it is for an@dongnai.gov.vn, not annv@dongnai.gov.vn";
  EXPECT_EQ(withheld.ToString(),
            "uid=annv mail=annv@dongnai.gov.vn alias=an@dongnai.gov.vn certificate=withheld: it "
            "is for an@dongnai.gov.vn, not annv@dongnai.gov.vn");
  sync::AppliedResult published = hire;
  published.certificate = "published";
  for (const auto& r : {hire, readdress, rename, merge, withheld, published}) {
    auto back = sync::ParseAppliedResult(r.ToString());
    ASSERT_TRUE(back.has_value()) << r.ToString();
    EXPECT_EQ(*back, r) << r.ToString();
  }
}

TEST(AppliedResultTest, OtherDetailsAreNotResults) {
  for (std::string_view detail : {"", "unknown person id CB404", "uid=", "mail=x uid=y",
                                  "uid=annv uid=annv1", "agency=x colour=blue"}) {
    EXPECT_FALSE(sync::ParseAppliedResult(detail).has_value()) << detail;
  }
}

TEST(CandidateWalkTest, SkipsTakenAndClaimedAddressesAndEndsWithTheOwnOne) {
  auto allocator = naming::Allocator::Create({}).value();
  naming::AllocationRequest request;
  request.base = "annv";
  sync::AddressClaims claims;
  claims.NoteTaken("annv");
  auto held = claims.TryClaim("annv1");  // another worker adds annv1 right now
  ASSERT_TRUE(held.has_value());
  std::vector<std::string> asked;
  auto is_taken = [&](const std::string& c) -> Result<bool> {
    asked.push_back(c);
    return c == "annv2";
  };
  sync::CandidateWalk walk(claims, allocator.Candidates(request).value(), "Nguyễn Văn An", {});
  auto claim = walk.Next(is_taken);
  ASSERT_TRUE(claim.ok()) << claim.error();
  EXPECT_EQ(claim->local_part(), "annv3");
  EXPECT_EQ(asked, (std::vector<std::string>{"annv1", "annv2", "annv3"}));
  EXPECT_FALSE(claims.TryClaim("annv3").has_value());  // held by the walk's claim
  claim->Release();
  EXPECT_TRUE(claims.TryClaim("annv3").has_value());
  EXPECT_TRUE(claims.KnownTaken("annv2"));

  sync::CandidateWalk::Limits own;
  own.own = "annv";
  sync::CandidateWalk mine(claims, allocator.Candidates(request).value(), "Nguyễn Văn An", own);
  auto same = mine.Next(is_taken);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->local_part(), "annv");

  sync::CandidateWalk::Limits few;
  few.max_attempts = 1;
  sync::CandidateWalk short_walk(claims, allocator.Candidates(request).value(), "Nguyễn Văn An",
                                 few);
  auto none = short_walk.Next([](const std::string&) -> Result<bool> { return true; });
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(none.error().detail, "no free address for Nguyễn Văn An: too many taken");
}

}  // namespace
}  // namespace danhba
