// The public read model: an immutable, in-memory snapshot of what the public
// lookup may show of active people and agencies (R10, R15, R21), with the
// indexes that answer the public API without asking LDAP.
//
// A Snapshot is built once (Snapshot::Build) and never changes, so any number of
// threads read it without locks; the follower (follower.h) builds a new one on
// each change and swaps it in as a std::shared_ptr<const Snapshot>.
//
// What gets in is decided when an LDAP entry becomes a PersonEntry or an
// AgencyEntry (MakePerson, MakeAgency): only the attributes named here are read,
// people and agencies whose status is not "active" are left out, and an address
// outside the configured domain is never kept.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/ldap/entry.h"
#include "danhba/model/public.h"
#include "danhba/text/collation.h"

namespace danhba::readmodel {

// Which optional attributes are published (public_api.publish); the name,
// address and agency always are.
struct PublishPolicy {
  bool title = true;
  bool phone = true;
};

// The LDAP attributes the read model asks for, and the only ones it reads.
const std::vector<std::string>& PersonAttributes();
const std::vector<std::string>& AgencyAttributes();

// One published person. Immutable once made; shared between snapshots. Its
// text lives in one block (a person costs well under 1 KiB in a snapshot).
class PersonEntry {
 public:
  struct Fields {
    std::string uid;
    std::string email;  // uid@domain, lower case
    std::string full_name;
    std::string family_name;
    std::string given_name;
    std::optional<std::string> title;
    std::optional<std::string> phone;
    std::string agency_code;
    // Vietnamese listing order (given, middle, family), then uid.
    std::string sort_key;
    // Search words: the uid and the ASCII-folded words of the name and of the
    // title, separated by single spaces.
    std::string folded_words;
    // The same words in lower case with their diacritics (NFC), for queries
    // typed with diacritics ("tuyết" finds Tuyết, not Tuyệt).
    std::string lower_words;
    // The person's JSON (model::AppendJson) with the agency object cut out at
    // `json_agency_at`, where the agency's current `"agency":{...}` goes.
    std::string json;
    std::uint32_t json_agency_at = 0;
  };
  // The fields' text together must stay under 64 KiB (MakePerson checks).
  explicit PersonEntry(const Fields& fields);
  PersonEntry(const PersonEntry&) = delete;
  PersonEntry& operator=(const PersonEntry&) = delete;

  std::string_view uid() const { return Field(kUid); }
  std::string_view email() const { return Field(kEmail); }
  std::string_view full_name() const { return Field(kFullName); }
  std::string_view family_name() const { return Field(kFamilyName); }
  std::string_view given_name() const { return Field(kGivenName); }
  std::optional<std::string_view> title() const;
  std::optional<std::string_view> phone() const;
  std::string_view agency_code() const { return Field(kAgencyCode); }
  std::string_view sort_key() const { return Field(kSortKey); }
  std::string_view folded_words() const { return Field(kFoldedWords); }
  std::string_view lower_words() const { return Field(kLowerWords); }
  std::string_view json() const { return Field(kJson); }
  std::uint32_t json_agency_at() const { return json_agency_at_; }

  std::vector<std::string> MiddleNames() const;
  model::Person ToModel(std::string agency_name) const;
  // Heap and object bytes (for Snapshot::MemoryBytes).
  std::size_t MemoryBytes() const;

 private:
  enum Index {
    kUid, kEmail, kFullName, kFamilyName, kGivenName, kTitle, kPhone, kAgencyCode,
    kSortKey, kFoldedWords, kLowerWords, kJson, kCount
  };
  std::string_view Field(Index i) const {
    return std::string_view(text_).substr(starts_[i], starts_[i + 1] - starts_[i]);
  }

  std::string text_;
  std::uint16_t starts_[kCount + 1] = {};
  std::uint32_t json_agency_at_ = 0;
  bool has_title_ = false;
  bool has_phone_ = false;
};

// One published agency.
struct AgencyEntry {
  std::string code;
  std::string name;
  std::string email;  // code@domain; empty when the entry has no address in the domain
  std::optional<std::string> parent;  // parent agency code
  std::optional<std::string> head_uid;
  std::string sort_key;  // Vietnamese order of the name
  // `"agency":{"code":…,"name":…}`, spliced into people's JSON.
  std::string person_fragment;

  model::Agency ToModel() const;
};

struct EntryContext {
  std::string domain;  // e.g. dongnai.gov.vn
  // When set, only entries directly under these are published (an entry moved
  // elsewhere, e.g. to ou=former, is not).
  std::string people_dn;
  std::string agencies_dn;
  PublishPolicy publish;
  const text::Collator* collator = nullptr;  // required
};

// The entry as a published person, or nullopt when it must not be shown (not
// an active person, no uid, an address outside the domain): `why` says which.
std::optional<std::shared_ptr<const PersonEntry>> MakePerson(const ldap::Entry& entry,
                                                             const EntryContext& context,
                                                             std::string* why = nullptr);
std::optional<AgencyEntry> MakeAgency(const ldap::Entry& entry, const EntryContext& context,
                                      std::string* why = nullptr);

// A search over people (the public API's q and agency parameters).
struct Query {
  // Words of a name or title, each matched as a word prefix (all must match),
  // with or without diacritics; or an address (prefix of a uid, or a whole
  // email in the domain). Empty: everyone.
  std::string text;
  // Only the people of this agency (and of its sub-units with `sub_units`).
  std::optional<std::string> agency;
  bool sub_units = false;
};

class Snapshot {
 public:
  // Builds the indexes. People whose agency is not among `agencies` are kept
  // (their agency shown by code); a head who is not among the people is dropped.
  static std::shared_ptr<const Snapshot> Build(std::vector<std::shared_ptr<const PersonEntry>> people,
                                               std::vector<AgencyEntry> agencies, std::uint64_t generation,
                                               std::chrono::system_clock::time_point built_at);
  static std::shared_ptr<const Snapshot> Empty();

  // Exact lookup by uid or by email (case-insensitive).
  const PersonEntry* FindPerson(std::string_view uid_or_email, std::string_view domain) const;
  const AgencyEntry* FindAgency(std::string_view code) const;

  // Indexes (positions in people()) of the matching people, in Vietnamese order.
  std::vector<std::uint32_t> Search(const Query& query, std::string_view domain) const;

  // In Vietnamese order.
  const std::vector<std::shared_ptr<const PersonEntry>>& people() const { return people_; }
  // In Vietnamese order of their names.
  const std::vector<AgencyEntry>& agencies() const { return agencies_; }
  // Codes of the agencies directly under `code`, in order.
  std::vector<const AgencyEntry*> Children(std::string_view code) const;
  // The agency's name, or its code when it is unknown.
  std::string_view AgencyName(std::string_view code) const;
  // The person's JSON with the agency's current name.
  void AppendPersonJson(const PersonEntry& person, std::string& out) const;

  std::uint64_t generation() const { return generation_; }
  std::chrono::system_clock::time_point built_at() const { return built_at_; }
  // Bytes held by this snapshot's people and indexes (an estimate, for /metrics
  // and the benchmark).
  std::size_t MemoryBytes() const;

 private:
  // Words and the people (positions, ascending) whose words they are.
  struct WordIndex {
    std::vector<std::string> words;      // sorted, unique
    std::vector<std::uint32_t> starts;   // words.size() + 1 offsets into people
    std::vector<std::uint32_t> people;
    // The other way round: person p's word numbers (positions in `words`) are
    // person_words[person_starts[p] .. person_starts[p + 1]), so whether p has
    // a word in a range is a few integer comparisons.
    std::vector<std::uint32_t> person_starts;
    std::vector<std::uint32_t> person_words;
    // A coarse filter before person_words: the words in 64 buckets of
    // consecutive word numbers (bucket b starts at word bucket_starts[b]), and
    // per person a bit for each bucket holding one of their words.
    static constexpr std::size_t kBuckets = 64;
    std::vector<std::uint32_t> bucket_starts;
    std::vector<std::uint64_t> person_masks;
    std::size_t BucketOf(std::uint32_t word) const;
    // The buckets of words [first, last): a person with no bit in common has no word there.
    std::uint64_t RangeMask(std::size_t first, std::size_t last) const;
    void Build(std::vector<std::pair<std::string_view, std::uint32_t>>& pairs, std::size_t person_count);
    bool HasWordIn(std::uint32_t person, std::size_t first, std::size_t last) const;
    // The range of words starting with `prefix`.
    std::pair<std::size_t, std::size_t> Range(std::string_view prefix) const;
    std::size_t MemoryBytes() const;
  };
  std::vector<std::uint32_t> AgencyMembers(std::string_view code, bool sub_units) const;
  std::vector<std::uint32_t> MatchText(std::string_view text, std::string_view domain) const;
  // The first position in by_uid_ whose uid is not less than `key`.
  std::size_t LowerBoundUid(std::string_view key) const;

  std::vector<std::shared_ptr<const PersonEntry>> people_;
  std::vector<AgencyEntry> agencies_;
  std::vector<std::uint32_t> by_uid_;       // positions, sorted by uid
  std::vector<std::uint64_t> uid_prefixes_;  // the first 8 bytes of each by_uid_ uid, as an integer
  std::vector<std::uint32_t> agency_by_code_;  // agency positions, sorted by code
  std::vector<std::vector<std::uint32_t>> members_;  // per agency position, people positions
  std::vector<std::vector<std::uint32_t>> children_;  // per agency position, agency positions
  WordIndex folded_;
  WordIndex lower_;
  std::uint64_t generation_ = 0;
  std::chrono::system_clock::time_point built_at_{};
};

}  // namespace danhba::readmodel
