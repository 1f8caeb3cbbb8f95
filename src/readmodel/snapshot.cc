#include "danhba/readmodel/snapshot.h"

#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "danhba/base/strings.h"
#include "danhba/ldap/dn.h"
#include "danhba/text/text.h"
#include "readmodel/words.h"

namespace danhba::readmodel {
namespace {

bool EndsWithDomain(std::string_view address, std::string_view domain) {
  if (address.size() <= domain.size() + 1) return false;
  std::string_view tail = address.substr(address.size() - domain.size() - 1);
  return tail[0] == '@' && AsciiLower(tail.substr(1)) == AsciiLower(domain);
}

// The value of the first RDN of a DN attribute ("ou=stttt,ou=agencies,..." -> "stttt").
std::optional<std::string> RdnOf(const std::optional<std::string>& dn, std::string_view type) {
  if (!dn || dn->empty()) return std::nullopt;
  auto parsed = ldap::Dn::Parse(*dn);
  if (!parsed.ok()) return std::nullopt;
  std::string value = parsed->RdnValue(type);
  if (value.empty()) return std::nullopt;
  return value;
}

std::optional<std::string> NonEmpty(std::optional<std::string> value) {
  if (value && value->empty()) return std::nullopt;
  return value;
}

// Whether `dn` is an entry directly below `parent` (no parent: any).
bool DirectlyUnder(const std::string& dn, const std::string& parent) {
  if (parent.empty()) return true;
  auto parsed = ldap::Dn::Parse(dn);
  auto expected = ldap::Dn::Parse(parent);
  return parsed.ok() && expected.ok() && parsed->Parent() == *expected;
}

bool IsActive(const ldap::Entry& entry) {
  // The reader may not see danhbaStatus on an older directory: absent means active.
  auto status = entry.First("danhbaStatus");
  return !status || AsciiLower(*status) == "active";
}

std::string JsonString(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The first 8 bytes of `s`, big-endian: comparing these orders as the strings do
// (ties broken by the whole strings).
std::uint64_t Prefix(std::string_view s) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    value = (value << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0u);
  }
  return value;
}

template <class Key>
void SortByKey(std::vector<std::shared_ptr<const PersonEntry>>& people, Key key) {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed(people.size());
  for (std::size_t i = 0; i < people.size(); ++i) keyed[i] = {Prefix(key(*people[i])), static_cast<std::uint32_t>(i)};
  std::sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return key(*people[a.second]) < key(*people[b.second]);
  });
  std::vector<std::shared_ptr<const PersonEntry>> sorted;
  sorted.reserve(people.size());
  for (const auto& [prefix, i] : keyed) sorted.push_back(std::move(people[i]));
  people = std::move(sorted);
}

void AppendWords(std::string_view words, std::uint32_t person, std::vector<std::string_view>& scratch,
                 std::vector<std::pair<std::string_view, std::uint32_t>>& out) {
  scratch.clear();
  SplitWords(words, scratch);
  std::sort(scratch.begin(), scratch.end());
  scratch.erase(std::unique(scratch.begin(), scratch.end()), scratch.end());
  for (std::string_view w : scratch) out.emplace_back(w, person);
}

}  // namespace

const std::vector<std::string>& PersonAttributes() {
  static const std::vector<std::string> attributes = {
      "uid", "mail", "cn", "displayName", "sn", "givenName", "title", "telephoneNumber", "ou",
      "danhbaAgencyDN", "danhbaStatus"};
  return attributes;
}

const std::vector<std::string>& AgencyAttributes() {
  static const std::vector<std::string> attributes = {
      "ou", "danhbaAgencyCode", "displayName", "mail", "danhbaParentDN", "danhbaHeadDN", "danhbaStatus"};
  return attributes;
}

PersonEntry::PersonEntry(const Fields& f) : json_agency_at_(f.json_agency_at) {
  has_title_ = f.title.has_value();
  has_phone_ = f.phone.has_value();
  const std::string empty;
  const std::string* parts[kCount] = {&f.uid, &f.email, &f.full_name, &f.family_name, &f.given_name,
                                      f.title ? &*f.title : &empty, f.phone ? &*f.phone : &empty,
                                      &f.agency_code, &f.sort_key, &f.folded_words, &f.lower_words, &f.json};
  std::size_t total = 0;
  for (const std::string* part : parts) total += part->size();
  text_.reserve(total);
  for (int i = 0; i < kCount; ++i) {
    starts_[i] = static_cast<std::uint16_t>(text_.size());
    text_ += *parts[i];
  }
  starts_[kCount] = static_cast<std::uint16_t>(text_.size());
}

std::optional<std::string_view> PersonEntry::title() const {
  if (!has_title_) return std::nullopt;
  return Field(kTitle);
}

std::optional<std::string_view> PersonEntry::phone() const {
  if (!has_phone_) return std::nullopt;
  return Field(kPhone);
}

std::size_t PersonEntry::MemoryBytes() const {
  // glibc rounds a block up to 16 bytes with an 8-byte header.
  std::size_t heap = text_.capacity() > 15 ? ((text_.capacity() + 1 + 8 + 15) / 16) * 16 : 0;
  return sizeof(PersonEntry) + heap;
}

std::vector<std::string> PersonEntry::MiddleNames() const {
  std::vector<std::string_view> words;
  SplitWords(full_name(), words);
  std::vector<std::string_view> family;
  SplitWords(family_name(), family);
  std::string_view given_name = this->given_name();
  std::vector<std::string> middle;
  if (given_name.empty() || words.size() < family.size() + 2) return middle;
  auto equal = [](std::string_view a, std::string_view b) { return a == b; };
  // "Family Middle… Given", or "Given Middle… Family" (Ê Đê names: H'Hen Niê).
  if (std::equal(family.begin(), family.end(), words.begin(), equal) && words.back() == given_name) {
    for (std::size_t i = family.size(); i + 1 < words.size(); ++i) middle.emplace_back(words[i]);
  } else if (words.front() == given_name &&
             std::equal(family.rbegin(), family.rend(), words.rbegin(), equal)) {
    for (std::size_t i = 1; i + family.size() < words.size(); ++i) middle.emplace_back(words[i]);
  }
  return middle;
}

model::Person PersonEntry::ToModel(std::string agency_name) const {
  model::Person p;
  p.uid = uid();
  p.email = email();
  p.full_name = full_name();
  p.family_name = family_name();
  p.middle_names = MiddleNames();
  p.given_name = given_name();
  if (auto t = title()) p.title = std::string(*t);
  p.agency = {std::string(agency_code()), std::move(agency_name)};
  if (auto ph = phone()) p.phone = std::string(*ph);
  return p;
}

model::Agency AgencyEntry::ToModel() const {
  return model::Agency{.code = code, .name = name, .email = email, .parent = parent, .head_uid = head_uid};
}

std::optional<std::shared_ptr<const PersonEntry>> MakePerson(const ldap::Entry& entry, const EntryContext& context,
                                                             std::string* why) {
  auto refuse = [&](std::string reason) -> std::optional<std::shared_ptr<const PersonEntry>> {
    if (why != nullptr) *why = entry.dn + ": " + reason;
    return std::nullopt;
  };
  if (!DirectlyUnder(entry.dn, context.people_dn)) return refuse("not under " + context.people_dn);
  if (!IsActive(entry)) return refuse("not active");
  auto uid = entry.First("uid");
  if (!uid || uid->empty()) return refuse("no uid");
  auto mail = entry.First("mail");
  if (!mail || !EndsWithDomain(*mail, context.domain)) return refuse("no address in " + context.domain);
  PersonEntry::Fields f;
  f.uid = AsciiLower(*uid);
  f.email = AsciiLower(*mail);
  // cn holds the name and its ASCII fold; displayName the name alone.
  f.full_name = entry.First("displayName").value_or(entry.First("cn").value_or(*uid));
  f.family_name = entry.First("sn").value_or("");
  f.given_name = entry.First("givenName").value_or("");
  if (context.publish.title) f.title = NonEmpty(entry.First("title"));
  if (context.publish.phone) f.phone = NonEmpty(entry.First("telephoneNumber"));
  f.agency_code = AsciiLower(RdnOf(entry.First("danhbaAgencyDN"), "ou").value_or(entry.First("ou").value_or("")));
  // A first entry with the names alone gives the middle names.
  auto middle = PersonEntry(f).MiddleNames();
  std::string middle_joined;
  for (const auto& m : middle) {
    if (!middle_joined.empty()) middle_joined.push_back(' ');
    middle_joined += m;
  }
  std::string given = f.given_name.empty() ? f.full_name : f.given_name;
  f.sort_key = context.collator->PersonSortKey(given, middle_joined, f.family_name);
  f.sort_key.push_back('\0');
  f.sort_key += f.uid;

  f.folded_words = f.uid;
  f.folded_words.push_back(' ');
  text::AppendFoldForSearch(f.full_name, f.folded_words);
  f.lower_words = LowerWords(f.full_name);
  if (f.title) {
    f.folded_words.push_back(' ');
    text::AppendFoldForSearch(*f.title, f.folded_words);
    f.lower_words.push_back(' ');
    f.lower_words += LowerWords(*f.title);
  }

  // Rendered with an empty agency, which is then cut out: the agency's name may
  // change without the person's entry changing.
  static constexpr std::string_view kEmptyAgency = R"("agency":{"code":"","name":""})";
  model::Person probe = PersonEntry(f).ToModel("");
  probe.agency.code.clear();
  model::AppendJson(probe, f.json);
  auto at = f.json.find(kEmptyAgency);
  if (at == std::string::npos) return refuse("cannot render");
  f.json.erase(at, kEmptyAgency.size());
  f.json_agency_at = static_cast<std::uint32_t>(at);
  std::size_t total = f.uid.size() + f.email.size() + f.full_name.size() + f.family_name.size() +
                      f.given_name.size() + (f.title ? f.title->size() : 0) + (f.phone ? f.phone->size() : 0) +
                      f.agency_code.size() + f.sort_key.size() + f.folded_words.size() + f.lower_words.size() +
                      f.json.size();
  if (total > 60000) return refuse("attribute values too long");
  return std::make_shared<const PersonEntry>(f);
}

std::optional<AgencyEntry> MakeAgency(const ldap::Entry& entry, const EntryContext& context, std::string* why) {
  auto refuse = [&](std::string reason) -> std::optional<AgencyEntry> {
    if (why != nullptr) *why = entry.dn + ": " + reason;
    return std::nullopt;
  };
  if (!DirectlyUnder(entry.dn, context.agencies_dn)) return refuse("not under " + context.agencies_dn);
  if (!IsActive(entry)) return refuse("not active");
  auto code = entry.First("danhbaAgencyCode");
  if (!code || code->empty()) code = entry.First("ou");
  if (!code || code->empty()) return refuse("no code");
  AgencyEntry agency;
  agency.code = AsciiLower(*code);
  agency.name = entry.First("displayName").value_or(agency.code);
  if (auto mail = entry.First("mail"); mail && EndsWithDomain(*mail, context.domain)) {
    agency.email = AsciiLower(*mail);
  }
  if (auto parent = RdnOf(entry.First("danhbaParentDN"), "ou")) agency.parent = AsciiLower(*parent);
  if (auto head = RdnOf(entry.First("danhbaHeadDN"), "uid")) agency.head_uid = AsciiLower(*head);
  agency.sort_key = context.collator->SortKey(agency.name);
  agency.person_fragment = "\"agency\":{\"code\":" + JsonString(agency.code) + ",\"name\":" + JsonString(agency.name) + "}";
  return agency;
}

std::shared_ptr<const Snapshot> Snapshot::Empty() {
  static const std::shared_ptr<const Snapshot> empty = Build({}, {}, 0, {});
  return empty;
}

std::shared_ptr<const Snapshot> Snapshot::Build(std::vector<std::shared_ptr<const PersonEntry>> people,
                                                std::vector<AgencyEntry> agencies, std::uint64_t generation,
                                                std::chrono::system_clock::time_point built_at) {
  auto s = std::make_shared<Snapshot>();
  s->generation_ = generation;
  s->built_at_ = built_at;
  SortByKey(people, [](const PersonEntry& p) { return p.sort_key(); });
  std::sort(agencies.begin(), agencies.end(), [](const AgencyEntry& a, const AgencyEntry& b) {
    return a.sort_key != b.sort_key ? a.sort_key < b.sort_key : a.code < b.code;
  });
  s->people_ = std::move(people);
  s->agencies_ = std::move(agencies);
  const auto& ps = s->people_;
  const auto n = static_cast<std::uint32_t>(ps.size());

  {
    // Sorted on an 8-byte prefix first: rebuilding after each change must stay cheap.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed(n);
    for (std::uint32_t i = 0; i < n; ++i) keyed[i] = {Prefix(ps[i]->uid()), i};
    std::sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first < b.first;
      return ps[a.second]->uid() < ps[b.second]->uid();
    });
    s->by_uid_.resize(n);
    s->uid_prefixes_.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      s->by_uid_[i] = keyed[i].second;
      s->uid_prefixes_[i] = keyed[i].first;
    }
  }

  const auto agency_count = static_cast<std::uint32_t>(s->agencies_.size());
  s->agency_by_code_.resize(agency_count);
  for (std::uint32_t i = 0; i < agency_count; ++i) s->agency_by_code_[i] = i;
  std::sort(s->agency_by_code_.begin(), s->agency_by_code_.end(),
            [&](auto a, auto b) { return s->agencies_[a].code < s->agencies_[b].code; });
  auto agency_index = [&](std::string_view code) -> std::optional<std::uint32_t> {
    auto it = std::lower_bound(s->agency_by_code_.begin(), s->agency_by_code_.end(), code,
                               [&](std::uint32_t i, std::string_view c) { return s->agencies_[i].code < c; });
    if (it == s->agency_by_code_.end() || s->agencies_[*it].code != code) return std::nullopt;
    return *it;
  };
  s->members_.assign(agency_count, {});
  s->children_.assign(agency_count, {});
  for (std::uint32_t i = 0; i < n; ++i) {
    if (auto a = agency_index(ps[i]->agency_code())) s->members_[*a].push_back(i);
  }
  for (std::uint32_t i = 0; i < agency_count; ++i) {
    AgencyEntry& agency = s->agencies_[i];
    if (agency.parent) {
      if (auto p = agency_index(*agency.parent); p && *p != i) s->children_[*p].push_back(i);
    }
    if (agency.head_uid && s->FindPerson(*agency.head_uid, {}) == nullptr) agency.head_uid.reset();
  }

  std::vector<std::pair<std::string_view, std::uint32_t>> folded, lower;
  std::vector<std::string_view> scratch;
  for (std::uint32_t i = 0; i < n; ++i) {
    AppendWords(ps[i]->folded_words(), i, scratch, folded);
    AppendWords(ps[i]->lower_words(), i, scratch, lower);
  }
  s->folded_.Build(folded, n);
  s->lower_.Build(lower, n);
  return s;
}

const PersonEntry* Snapshot::FindPerson(std::string_view uid_or_email, std::string_view domain) const {
  std::string key = AsciiLower(uid_or_email);
  if (auto at = key.find('@'); at != std::string::npos) {
    if (!EndsWithDomain(key, domain)) return nullptr;
    key.resize(at);
  }
  std::size_t at = LowerBoundUid(key);
  if (at == by_uid_.size() || people_[by_uid_[at]]->uid() != key) return nullptr;
  return people_[by_uid_[at]].get();
}

std::size_t Snapshot::LowerBoundUid(std::string_view key) const {
  // Integers first (one array, no pointers followed); strings only among the
  // few uids that share the key's first eight bytes.
  std::uint64_t prefix = Prefix(key);
  auto at = static_cast<std::size_t>(std::lower_bound(uid_prefixes_.begin(), uid_prefixes_.end(), prefix) -
                                     uid_prefixes_.begin());
  while (at < by_uid_.size() && uid_prefixes_[at] == prefix && people_[by_uid_[at]]->uid() < key) ++at;
  return at;
}

const AgencyEntry* Snapshot::FindAgency(std::string_view code) const {
  std::string key = AsciiLower(code);
  auto it = std::lower_bound(agency_by_code_.begin(), agency_by_code_.end(), key,
                             [&](std::uint32_t i, const std::string& k) { return agencies_[i].code < k; });
  if (it == agency_by_code_.end() || agencies_[*it].code != key) return nullptr;
  return &agencies_[*it];
}

std::vector<const AgencyEntry*> Snapshot::Children(std::string_view code) const {
  std::vector<const AgencyEntry*> out;
  const AgencyEntry* agency = FindAgency(code);
  if (agency == nullptr) return out;
  auto index = static_cast<std::size_t>(agency - agencies_.data());
  for (std::uint32_t child : children_[index]) out.push_back(&agencies_[child]);
  return out;
}

std::string_view Snapshot::AgencyName(std::string_view code) const {
  const AgencyEntry* agency = FindAgency(code);
  return agency != nullptr ? std::string_view(agency->name) : code;
}

void Snapshot::AppendPersonJson(const PersonEntry& person, std::string& out) const {
  std::string_view json = person.json();
  out.append(json.substr(0, person.json_agency_at()));
  if (const AgencyEntry* agency = FindAgency(person.agency_code())) {
    out.append(agency->person_fragment);
  } else {
    out.append("\"agency\":{\"code\":" + JsonString(person.agency_code()) + ",\"name\":" +
               JsonString(person.agency_code()) + "}");
  }
  out.append(json.substr(person.json_agency_at()));
}

std::vector<std::uint32_t> Snapshot::AgencyMembers(std::string_view code, bool sub_units) const {
  std::vector<std::uint32_t> out;
  const AgencyEntry* agency = FindAgency(code);
  if (agency == nullptr) return out;
  auto root = static_cast<std::uint32_t>(agency - agencies_.data());
  if (!sub_units) return members_[root];
  std::vector<std::uint32_t> pending{root};
  std::vector<bool> seen(agencies_.size(), false);  // a hand-made cycle must not loop
  seen[root] = true;
  while (!pending.empty()) {
    std::uint32_t a = pending.back();
    pending.pop_back();
    out.insert(out.end(), members_[a].begin(), members_[a].end());
    for (std::uint32_t c : children_[a]) {
      if (!seen[c]) {
        seen[c] = true;
        pending.push_back(c);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint32_t> Snapshot::MatchText(std::string_view text, std::string_view domain) const {
  std::vector<std::uint32_t> out;
  // An address: the part before '@' is a uid prefix; what follows must start the domain.
  if (auto at = text.find('@'); at != std::string_view::npos) {
    std::string local = AsciiLower(text.substr(0, at));
    std::string host = AsciiLower(text.substr(at + 1));
    if (local.empty() || AsciiLower(domain).compare(0, host.size(), host) != 0) return out;
    for (auto it = by_uid_.begin() + static_cast<std::ptrdiff_t>(LowerBoundUid(local));
         it != by_uid_.end() && people_[*it]->uid().starts_with(local); ++it) {
      if (host.size() == domain.size() && people_[*it]->uid() != local) continue;  // a whole address: exact
      out.push_back(*it);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  struct Term {
    std::string word;
    bool exact_marks;  // typed with diacritics: match lower_ words
    const WordIndex* index = nullptr;  // lower_ or folded_, by exact_marks
    std::size_t first = 0, last = 0;  // the range of matching words
    std::size_t count = 0;            // postings in that range
    std::uint64_t mask = 0;           // the buckets of that range
  };
  std::vector<Term> terms;
  std::vector<std::string_view> lower_words;
  bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  // Typed without diacritics (the usual case): the fold alone.
  std::string lower = ascii ? text::FoldForSearch(text) : LowerWords(text);
  SplitWords(lower, lower_words);
  for (std::string_view w : lower_words) {
    if (ascii) {
      terms.push_back({std::string(w), false});
      continue;
    }
    std::string folded = text::FoldForSearch(w);
    if (folded.empty()) continue;
    bool marks = folded != w;
    if (folded.find(' ') != std::string::npos) {
      // A word the fold splits further ("k'nam" stays one; "a.b" becomes two).
      std::vector<std::string_view> parts;
      SplitWords(folded, parts);
      for (auto part : parts) terms.push_back({std::string(part), false});
      continue;
    }
    terms.push_back({marks ? std::string(w) : std::move(folded), marks});
  }
  if (terms.empty()) return out;
  for (Term& t : terms) {
    t.index = t.exact_marks ? &lower_ : &folded_;
    std::tie(t.first, t.last) = t.index->Range(t.word);
    t.count = t.index->starts[t.last] - t.index->starts[t.first];
    t.mask = t.index->RangeMask(t.first, t.last);
  }
  // The people of the rarest term, kept when every other term matches one of
  // their words (word numbers in a range: no string is touched). The other
  // terms are checked rarest first, so most candidates fail at the first.
  std::sort(terms.begin(), terms.end(), [](const Term& a, const Term& b) { return a.count < b.count; });
  const Term& rarest = terms.front();
  const WordIndex& index = *rarest.index;
  auto matches_rest = [&](std::uint32_t p) {
    // The bucket masks first: one load per person rules out most candidates.
    for (std::size_t t = 1; t < terms.size(); ++t) {
      if ((terms[t].index->person_masks[p] & terms[t].mask) == 0) return false;
    }
    for (std::size_t t = 1; t < terms.size(); ++t) {
      if (!terms[t].index->HasWordIn(p, terms[t].first, terms[t].last)) return false;
    }
    return true;
  };
  const std::uint32_t begin = index.starts[rarest.first], end = index.starts[rarest.last];
  if (rarest.last - rarest.first <= 1) {
    // One word: its people are already ascending and distinct.
    for (std::uint32_t i = begin; i < end; ++i) {
      if (matches_rest(index.people[i])) out.push_back(index.people[i]);
    }
    return out;
  }
  // Several words (a prefix): one person may hold more than one of them. A
  // bitmap over people keeps each once, checks each once and yields them in order.
  std::vector<std::uint64_t> seen((people_.size() + 63) / 64, 0), kept(seen.size(), 0);
  for (std::uint32_t i = begin; i < end; ++i) {
    std::uint32_t p = index.people[i];
    std::uint64_t bit = std::uint64_t{1} << (p % 64);
    if (seen[p / 64] & bit) continue;
    seen[p / 64] |= bit;
    if (matches_rest(p)) kept[p / 64] |= bit;
  }
  for (std::size_t w = 0; w < kept.size(); ++w) {
    for (std::uint64_t bits = kept[w]; bits != 0; bits &= bits - 1) {
      out.push_back(static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits))));
    }
  }
  return out;
}

std::vector<std::uint32_t> Snapshot::Search(const Query& query, std::string_view domain) const {
  std::vector<std::uint32_t> out;
  bool has_text = query.text.find_first_not_of(' ') != std::string::npos;
  if (query.agency) {
    out = AgencyMembers(*query.agency, query.sub_units);
    if (!has_text) return out;
    std::vector<std::uint32_t> matched = MatchText(query.text, domain);
    std::vector<std::uint32_t> both;
    std::set_intersection(out.begin(), out.end(), matched.begin(), matched.end(), std::back_inserter(both));
    return both;
  }
  if (has_text) return MatchText(query.text, domain);
  out.resize(people_.size());
  for (std::uint32_t i = 0; i < out.size(); ++i) out[i] = i;
  return out;
}

std::size_t Snapshot::MemoryBytes() const {
  auto heap = [](const std::string& s) -> std::size_t {
    return s.capacity() > 15 ? ((s.capacity() + 1 + 8 + 15) / 16) * 16 : 0;
  };
  std::size_t bytes = sizeof(Snapshot);
  for (const auto& p : people_) bytes += sizeof(p) + 16 + p->MemoryBytes();  // 16: make_shared's control block
  bytes += people_.capacity() > people_.size() ? (people_.capacity() - people_.size()) * sizeof(people_[0]) : 0;
  bytes += by_uid_.capacity() * sizeof(std::uint32_t) + uid_prefixes_.capacity() * sizeof(std::uint64_t);
  bytes += folded_.MemoryBytes() + lower_.MemoryBytes();
  for (const auto& m : members_) bytes += m.capacity() * sizeof(std::uint32_t) + sizeof(m);
  for (const auto& a : agencies_) {
    bytes += sizeof(a) + heap(a.name) + heap(a.email) + heap(a.sort_key) + heap(a.person_fragment);
  }
  return bytes;
}

void Snapshot::WordIndex::Build(std::vector<std::pair<std::string_view, std::uint32_t>>& pairs,
                                std::size_t person_count) {
  // Linear apart from the vocabulary's sort: pairs come in person order, so each
  // word's list of people comes out ascending without sorting the pairs.
  std::unordered_map<std::string_view, std::uint32_t> ids;
  ids.reserve(pairs.size() / 4 + 16);
  std::vector<std::uint32_t> pair_word(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    pair_word[i] = ids.try_emplace(pairs[i].first, static_cast<std::uint32_t>(ids.size())).first->second;
  }
  std::vector<std::string_view> vocabulary(ids.size());
  for (const auto& [word, id] : ids) vocabulary[id] = word;
  std::vector<std::uint32_t> order(vocabulary.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return vocabulary[a] < vocabulary[b]; });
  std::vector<std::uint32_t> rank(vocabulary.size());
  words.reserve(vocabulary.size());
  for (std::uint32_t r = 0; r < order.size(); ++r) {
    rank[order[r]] = r;
    words.emplace_back(vocabulary[order[r]]);
  }
  starts.assign(words.size() + 1, 0);
  std::vector<std::uint32_t> counts(person_count + 1, 0);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    pair_word[i] = rank[pair_word[i]];
    ++starts[pair_word[i] + 1];
    ++counts[pairs[i].second + 1];
  }
  for (std::size_t w = 0; w < words.size(); ++w) starts[w + 1] += starts[w];
  for (std::size_t p = 0; p < person_count; ++p) counts[p + 1] += counts[p];
  person_starts = counts;
  people.resize(pairs.size());
  person_words.resize(pairs.size());
  std::vector<std::uint32_t> next(starts.begin(), starts.end() - 1);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    people[next[pair_word[i]]++] = pairs[i].second;
    person_words[counts[pairs[i].second]++] = pair_word[i];
  }
  // Each person's word numbers ascending, so HasWordIn stops at the first past the range.
  for (std::size_t p = 0; p < person_count; ++p) {
    std::sort(person_words.begin() + person_starts[p], person_words.begin() + person_starts[p + 1]);
  }
  // 64 buckets of consecutive words, each holding about as many postings, and
  // per person the buckets of their words.
  bucket_starts.assign(kBuckets + 1, static_cast<std::uint32_t>(words.size()));
  std::size_t bucket = 0;
  for (std::size_t w = 0; w < words.size() && bucket < kBuckets; ++w) {
    while (bucket < kBuckets && static_cast<std::uint64_t>(starts[w]) * kBuckets >= bucket * std::uint64_t{people.size()}) {
      bucket_starts[bucket++] = static_cast<std::uint32_t>(w);
    }
  }
  person_masks.assign(person_count, 0);
  for (std::size_t p = 0; p < person_count; ++p) {
    for (std::uint32_t i = person_starts[p]; i < person_starts[p + 1]; ++i) {
      person_masks[p] |= std::uint64_t{1} << BucketOf(person_words[i]);
    }
  }
}

std::size_t Snapshot::WordIndex::BucketOf(std::uint32_t word) const {
  auto after = std::upper_bound(bucket_starts.begin(), bucket_starts.end() - 1, word);
  return static_cast<std::size_t>(after - bucket_starts.begin()) - 1;
}

std::uint64_t Snapshot::WordIndex::RangeMask(std::size_t first, std::size_t last) const {
  if (first >= last) return 0;
  std::size_t low = BucketOf(static_cast<std::uint32_t>(first)), high = BucketOf(static_cast<std::uint32_t>(last - 1));
  std::uint64_t up_to_high = high == 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (high + 1)) - 1;
  return up_to_high & ~((std::uint64_t{1} << low) - 1);
}

bool Snapshot::WordIndex::HasWordIn(std::uint32_t person, std::size_t first, std::size_t last) const {
  for (std::uint32_t i = person_starts[person]; i < person_starts[person + 1]; ++i) {
    if (person_words[i] >= last) return false;
    if (person_words[i] >= first) return true;
  }
  return false;
}

std::pair<std::size_t, std::size_t> Snapshot::WordIndex::Range(std::string_view prefix) const {
  auto lo = std::lower_bound(words.begin(), words.end(), prefix,
                             [](const std::string& w, std::string_view p) { return w < p; });
  // No UTF-8 byte is 0xFF, so every word starting with `prefix` sorts before prefix + "\xff".
  std::string past(prefix);
  past.push_back('\xff');
  auto hi = std::lower_bound(lo, words.end(), past, [](const std::string& w, const std::string& p) { return w < p; });
  return {static_cast<std::size_t>(lo - words.begin()), static_cast<std::size_t>(hi - words.begin())};
}

std::size_t Snapshot::WordIndex::MemoryBytes() const {
  std::size_t bytes = words.capacity() * sizeof(std::string) +
                      (starts.capacity() + people.capacity() + person_starts.capacity() + person_words.capacity() +
                       bucket_starts.capacity()) * 4 +
                      person_masks.capacity() * 8;
  for (const auto& w : words) bytes += w.capacity() > 15 ? ((w.capacity() + 1 + 8 + 15) / 16) * 16 : 0;
  return bytes;
}

}  // namespace danhba::readmodel
