// Collision policies, reserved names and explicit addresses (R2).
#include "danhba/naming/allocation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "danhba/naming/address.h"

// Cases name only the fields they set; g++ 12 warns about the others (GCC bug 96868).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace danhba::naming {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A directory in memory: the predicate the allocator asks, and the record of what
// it asked.
struct FakeDirectory {
  std::set<std::string, std::less<>> taken;
  std::vector<std::string> asked;

  IsTaken Predicate() {
    return [this](std::string_view local_part) {
      asked.emplace_back(local_part);
      return taken.find(local_part) != taken.end();
    };
  }
  // Allocates and records the result as taken, as the directory would.
  std::string Add(const Allocator& allocator, const AllocationRequest& request) {
    auto allocation = allocator.Allocate(request, Predicate());
    EXPECT_TRUE(allocation.ok()) << allocation.error();
    if (!allocation.ok()) return "";
    taken.insert(allocation->local_part);
    return allocation->local_part;
  }
};

Allocator MakeAllocator(NamingPolicy policy = {}) {
  auto allocator = Allocator::Create(std::move(policy));
  EXPECT_TRUE(allocator.ok()) << allocator.error();
  return std::move(allocator).value();
}

std::string Tencbcc(std::string_view full_name) {
  auto address = AddressFor(full_name);
  EXPECT_TRUE(address.ok()) << address.error();
  return address.ok() ? address->local_part.value : "";
}

TEST(Numeric, HungAndHungShareABaseAndAreNumberedInOrder) {
  const Allocator allocator = MakeAllocator();
  FakeDirectory directory;
  EXPECT_EQ(directory.Add(allocator, {.base = Tencbcc("Nguyễn Văn Hùng")}), "hungnv");
  EXPECT_EQ(directory.Add(allocator, {.base = Tencbcc("Nguyễn Văn Hưng")}), "hungnv1");
  EXPECT_EQ(directory.Add(allocator, {.base = Tencbcc("NGUYỄN VĂN HỪNG")}), "hungnv2");
  EXPECT_EQ(directory.Add(allocator, {.base = Tencbcc("Nguyễn Văn Hùng")}), "hungnv3");
}

TEST(Numeric, StartsFromTheConfiguredNumber) {
  const Allocator allocator = MakeAllocator({.numeric_start = 2});
  FakeDirectory directory;
  EXPECT_EQ(directory.Add(allocator, {.base = "annv"}), "annv");
  EXPECT_EQ(directory.Add(allocator, {.base = "annv"}), "annv2");
  EXPECT_EQ(directory.Add(allocator, {.base = "annv"}), "annv3");
}

TEST(Numeric, FillsAGapLeftByAnEarlierAddress) {
  const Allocator allocator = MakeAllocator();
  FakeDirectory directory;
  directory.taken = {"annv", "annv2"};
  EXPECT_EQ(directory.Add(allocator, {.base = "annv"}), "annv1");
  EXPECT_EQ(directory.Add(allocator, {.base = "annv"}), "annv3");
}

TEST(Numeric, IsDeterministic) {
  const Allocator allocator = MakeAllocator();
  FakeDirectory a;
  FakeDirectory b;
  a.taken = b.taken = {"annv", "annv1", "annv3"};
  auto first = allocator.Allocate({.base = "annv"}, a.Predicate());
  auto second = allocator.Allocate({.base = "annv"}, b.Predicate());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->local_part, "annv2");
  EXPECT_EQ(second->local_part, "annv2");
  EXPECT_EQ(a.asked, b.asked);
  EXPECT_THAT(a.asked, ElementsAre("annv", "annv1", "annv2"));
}

TEST(BirthYear, TriesTheYearThenNumbers) {
  const Allocator allocator = MakeAllocator({.collision = CollisionPolicy::kBirthYear});
  FakeDirectory directory;
  const AllocationRequest request{.base = "hungnv", .birth_year = 1990};
  EXPECT_EQ(directory.Add(allocator, request), "hungnv");
  EXPECT_EQ(directory.Add(allocator, request), "hungnv1990");
  EXPECT_EQ(directory.Add(allocator, request), "hungnv1");
  EXPECT_EQ(directory.Add(allocator, request), "hungnv2");
}

TEST(BirthYear, WithoutAYearFallsBackToNumbersAndSaysSo) {
  const Allocator allocator = MakeAllocator({.collision = CollisionPolicy::kBirthYear});
  FakeDirectory directory;
  directory.taken = {"hungnv"};
  auto allocation = allocator.Allocate({.base = "hungnv"}, directory.Predicate());
  ASSERT_TRUE(allocation.ok()) << allocation.error();
  EXPECT_EQ(allocation->local_part, "hungnv1");
  EXPECT_THAT(
      allocation->explanation,
      ::testing::Contains(HasSubstr("no birth year known: the birth_year step is skipped")));
}

TEST(Agency, AddsADotAndTheAgencyCodeThenNumbers) {
  const Allocator allocator = MakeAllocator({.collision = CollisionPolicy::kAgency});
  FakeDirectory directory;
  const AllocationRequest request{.base = "hungnv", .agency_code = "stttt"};
  EXPECT_EQ(directory.Add(allocator, request), "hungnv");
  EXPECT_EQ(directory.Add(allocator, request), "hungnv.stttt");
  EXPECT_EQ(directory.Add(allocator, request), "hungnv1");
  EXPECT_EQ(directory.Add(allocator, {.base = "hungnv", .agency_code = "p.tanmai"}),
            "hungnv.p.tanmai");
}

TEST(Agency, SkipsAnAgencyStepThatWouldBeTooLong) {
  const Allocator allocator =
      MakeAllocator({.collision = CollisionPolicy::kAgency, .max_length = 10});
  auto sequence = allocator.Candidates({.base = "hungnv", .agency_code = "skhcn"});
  ASSERT_TRUE(sequence.ok()) << sequence.error();
  EXPECT_EQ(sequence->At(1)->local_part, "hungnv1");
  EXPECT_THAT(sequence->notes(), ElementsAre(HasSubstr("'hungnv.skhcn' would be longer than 10")));
}

TEST(Reserved, ReservedNamesAreNeverReturned) {
  NamingPolicy policy;
  policy.reserved.push_back("an1");
  policy.reserved.push_back("STTTT");  // an agency code, any case
  const Allocator allocator = MakeAllocator(policy);
  FakeDirectory directory;
  directory.taken = {"an"};
  auto allocation = allocator.Allocate({.base = "an"}, directory.Predicate());
  ASSERT_TRUE(allocation.ok()) << allocation.error();
  EXPECT_EQ(allocation->local_part, "an2");
  EXPECT_THAT(directory.asked, ElementsAre("an", "an2"));
  EXPECT_THAT(allocation->explanation, ::testing::Contains("'an1' is a reserved name, skipped"));

  EXPECT_TRUE(allocator.IsReserved("stttt"));
  EXPECT_TRUE(allocator.IsReserved("PostMaster"));
  auto sequence = allocator.Candidates({.base = "stttt"});
  ASSERT_TRUE(sequence.ok());
  EXPECT_EQ(sequence->At(0)->local_part, "stttt1");
}

TEST(Reserved, DefaultsCoverTheRoleMailboxes) {
  const Allocator allocator = MakeAllocator();
  for (const char* role : {"postmaster", "abuse", "admin", "root", "noreply", "hostmaster",
                           "webmaster", "info", "mailer-daemon"}) {
    EXPECT_TRUE(allocator.IsReserved(role)) << role;
  }
  EXPECT_FALSE(allocator.IsReserved("annv"));
}

TEST(Explicit, IsUsedAsGivenWhenFree) {
  const Allocator allocator = MakeAllocator();
  FakeDirectory directory;
  directory.taken = {"annv"};
  auto allocation = allocator.Allocate({.base = "annv", .explicit_local_part = "an.nguyen"},
                                       directory.Predicate());
  ASSERT_TRUE(allocation.ok()) << allocation.error();
  EXPECT_EQ(allocation->local_part, "an.nguyen");
  EXPECT_EQ(allocation->step, "explicit address");
}

TEST(Explicit, IsNeverSuffixedWhenTaken) {
  const Allocator allocator = MakeAllocator();
  FakeDirectory directory;
  directory.taken = {"an.nguyen"};
  auto allocation = allocator.Allocate({.explicit_local_part = "an.nguyen"}, directory.Predicate());
  ASSERT_FALSE(allocation.ok());
  EXPECT_EQ(allocation.error().code, ErrorCode::kConflict);
  EXPECT_EQ(allocation.error().detail,
            "address 'an.nguyen' is already taken; an explicit address is never suffixed");
  EXPECT_THAT(directory.asked, ElementsAre("an.nguyen"));
}

TEST(Explicit, IsValidated) {
  const Allocator allocator = MakeAllocator();
  const std::pair<const char*, const char*> cases[] = {
      {"An.Nguyen", "has upper case"}, {"an..nguyen", "empty part between dots"},
      {"an nguyen", "has ' '"},        {"postmaster", "'postmaster' is reserved"},
      {"ABUSE", "has upper case"},     {"nguyễn", "non-ASCII"},
  };
  for (const auto& [address, message] : cases) {
    FakeDirectory directory;
    auto allocation = allocator.Allocate({.explicit_local_part = address}, directory.Predicate());
    ASSERT_FALSE(allocation.ok()) << address;
    EXPECT_EQ(allocation.error().code, ErrorCode::kInvalidInput);
    EXPECT_THAT(allocation.error().detail, HasSubstr(message));
    EXPECT_TRUE(directory.asked.empty()) << "asked the directory about a bad address";
  }
}

TEST(Candidates, GeneratorGivesTheSameSequenceAsAllocate) {
  const Allocator allocator = MakeAllocator({.collision = CollisionPolicy::kBirthYear});
  const AllocationRequest request{.base = "lantt", .birth_year = 1985};
  auto sequence = allocator.Candidates(request);
  ASSERT_TRUE(sequence.ok()) << sequence.error();
  std::vector<std::string> by_next;
  std::vector<std::string> by_index;
  for (std::size_t n = 0; n < 5; ++n) {
    by_next.push_back(sequence->Next()->local_part);
    by_index.push_back(sequence->At(n)->local_part);
  }
  EXPECT_THAT(by_next, ElementsAre("lantt", "lantt1985", "lantt1", "lantt2", "lantt3"));
  EXPECT_EQ(by_next, by_index);
  EXPECT_EQ(sequence->At(1)->step, "birth year 1985");
  EXPECT_EQ(sequence->At(2)->step, "numeric suffix 1");
}

TEST(Candidates, EndAtTheLimitWithAReason) {
  const Allocator allocator = MakeAllocator({.max_candidates = 3});
  auto sequence = allocator.Candidates({.base = "annv"});
  ASSERT_TRUE(sequence.ok());
  EXPECT_TRUE(sequence->Next().ok());
  EXPECT_TRUE(sequence->Next().ok());
  EXPECT_TRUE(sequence->Next().ok());
  auto end = sequence->Next();
  ASSERT_FALSE(end.ok());
  EXPECT_EQ(end.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(end.error().detail, HasSubstr("limit of 3 candidates"));

  FakeDirectory directory;
  directory.taken = {"annv", "annv1", "annv2"};
  auto allocation = allocator.Allocate({.base = "annv"}, directory.Predicate());
  ASSERT_FALSE(allocation.ok());
  EXPECT_EQ(allocation.error().code, ErrorCode::kConflict);
  EXPECT_THAT(allocation.error().detail, HasSubstr("last tried 'annv2'"));
}

TEST(Candidates, EndWhenTheSuffixWouldPassTheLengthLimit) {
  const Allocator allocator = MakeAllocator({.max_length = 5});
  auto sequence = allocator.Candidates({.base = "annv"});
  ASSERT_TRUE(sequence.ok());
  EXPECT_EQ(sequence->At(9)->local_part, "annv9");
  auto end = sequence->At(10);
  ASSERT_FALSE(end.ok());
  EXPECT_THAT(end.error().detail, HasSubstr("'annv10' would be longer than 5"));
}

TEST(Candidates, RejectBadRequests) {
  const Allocator allocator = MakeAllocator({.collision = CollisionPolicy::kAgency});
  EXPECT_THAT(allocator.Candidates({}).error().detail, HasSubstr("nothing to allocate from"));
  EXPECT_THAT(allocator.Candidates({.base = "An"}).error().detail, HasSubstr("upper case"));
  EXPECT_THAT(allocator.Candidates({.base = "annv", .birth_year = 90}).error().detail,
              HasSubstr("birth year 90 is not a four-digit year"));
  EXPECT_THAT(allocator.Candidates({.base = "annv", .agency_code = "S TTTT"}).error().detail,
              HasSubstr("agency code 'S TTTT'"));
}

TEST(Policy, ParsesAndPrintsItsName) {
  for (const auto policy :
       {CollisionPolicy::kNumeric, CollisionPolicy::kBirthYear, CollisionPolicy::kAgency}) {
    auto parsed = ParseCollisionPolicy(ToString(policy));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, policy);
  }
  auto bad = ParseCollisionPolicy("random");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().detail,
            "collision policy 'random' is not one of 'numeric', 'birth_year', 'agency'");
}

TEST(Policy, BadSettingsAreConfigErrors) {
  auto too_long = Allocator::Create({.max_length = 65});
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::kConfig);
  EXPECT_THAT(too_long.error().detail, HasSubstr("max_length 65"));
  NamingPolicy bad_reserved;
  bad_reserved.reserved = {"ok", "not ok"};
  auto reserved = Allocator::Create(bad_reserved);
  ASSERT_FALSE(reserved.ok());
  EXPECT_THAT(reserved.error().detail, HasSubstr("reserved name 'not ok'"));
  EXPECT_FALSE(Allocator::Create({.max_candidates = 0}).ok());
}

}  // namespace
}  // namespace danhba::naming
