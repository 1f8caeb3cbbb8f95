// address_book_bench [--people N] [--queries Q] [--dir DIR]: slapd search
// latency (p50, p99) of each mail client's address-book filter on a province of
// N people (default 50,000) written as danhba writes them, in a slapd with our
// indexes beside the same slapd without the client indexes (cn, sn, givenName,
// displayName, uid, mail eq/sub/pres). One connection, bound as the reader,
// each search at most 100 entries as clients get; loopback only.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "danhba/base/log.h"
#include "danhba/directory/ldap_directory.h"
#include "danhba/ldap/connection.h"
#include "danhba/naming/address.h"
#include "danhba/slapd/config.h"
#include "danhba/slapd/instance.h"
#include "danhba/text/text.h"
#include "province.h"
#include "slapd/process.h"

namespace {

namespace fs = std::filesystem;
using namespace danhba;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kBase = "dc=dongnai,dc=gov,dc=vn";
constexpr std::string_view kDomain = "dongnai.gov.vn";

struct Typed {
  std::vector<std::string> family_middle;  // "nguyen van", "Nguyễn Văn"
  std::vector<std::string> uids;           // "annv"
  std::vector<std::string> given;          // "tuyet"
};

std::string Ldif(const ldap::Entry& entry) {
  std::string out = slapd::LdifLine("dn", entry.dn);
  for (const auto& [name, values] : entry.attributes) {
    for (const auto& value : values) out += slapd::LdifLine(name, value);
  }
  return out + "\n";
}

// The province's people as LdapDirectory writes them, into `file`; what
// people would type to find them, into `typed`.
Status WritePeople(const province::Province& p, const fs::path& file, Typed& typed) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  const directory::Layout layout = directory::Layout::ForBase(kBase);
  std::map<std::string, std::string> names;
  for (const auto& a : p.agencies) {
    directory::AgencyRecord agency;
    agency.dn = layout.AgencyDn(a.code);
    agency.code = a.code;
    agency.name = a.name;
    agency.mail = a.code + "@" + std::string(kDomain);
    agency.organization = "Ủy ban nhân dân tỉnh Đồng Nai";
    names[a.code] = a.name;
    out << Ldif(directory::AgencyEntry(agency));
  }
  std::set<std::string> taken;
  std::mt19937_64 random(70);
  for (const auto& person : p.people) {
    auto named = naming::AddressFor(person.full_name);
    if (!named.ok()) return named.take_error();
    std::string uid = named->local_part.value;
    for (int n = 1; taken.count(uid); ++n) uid = named->local_part.value + std::to_string(n);
    taken.insert(uid);
    directory::PersonRecord r;
    r.dn = layout.PersonDn(uid);
    r.uid = uid;
    r.mail = uid + "@" + std::string(kDomain);
    r.person_id = person.id;
    r.full_name = named->name.full_name;
    r.family_name = named->name.family_name;
    r.given_name = named->name.given_name;
    r.title = person.title;
    r.phone = person.phone;
    r.agency_code = person.agency;
    r.agency_name = names[person.agency];
    r.agency_dn = layout.AgencyDn(person.agency);
    r.organization = "Ủy ban nhân dân tỉnh Đồng Nai";
    out << Ldif(directory::PersonEntry(r));
    if (random() % 50 == 0) {
      std::string prefix = named->name.family_name;
      for (const auto& middle : named->name.middle_names) prefix += " " + middle;
      typed.family_middle.push_back(random() % 2 ? prefix : text::FoldForSearch(prefix));
      typed.uids.push_back(uid.substr(0, std::min<std::size_t>(uid.size(), 5)));
      typed.given.push_back(text::FoldForSearch(named->name.given_name));
    }
  }
  if (!out.flush()) return Internal("cannot write " + file.string());
  return Ok();
}

std::string Replace(std::string filter, const std::string& token, const std::string& value) {
  for (std::size_t at = filter.find(token); at != std::string::npos; at = filter.find(token, at)) {
    filter.replace(at, token.size(), value);
    at += value.size();
  }
  return filter;
}

std::string ThunderbirdAutocomplete(const std::string& typed) {
  std::size_t space = typed.find(' ');
  std::string first = typed.substr(0, space);
  std::string rest = space == std::string::npos ? "" : typed.substr(space + 1);
  std::string f = Replace(Replace("(|(cn=%v1*%v2-*)(mail=%v1*%v2-*)(sn=%v1*%v2-*))", "%v2-", rest),
                          "%v1", first);
  for (std::size_t at = f.find("**"); at != std::string::npos; at = f.find("**")) f.erase(at, 1);
  return f;
}

struct Client {
  std::string name;
  std::function<std::string(const std::string&)> filter;
  const std::vector<std::string>* inputs;
};

struct Figures {
  double p50_ms = 0;
  double p99_ms = 0;
  std::size_t found = 0;
};

Figures Measure(ldap::Connection& connection, const Client& client, std::size_t queries) {
  std::vector<double> ms;
  std::size_t found = 0;
  for (std::size_t i = 0; i < queries; ++i) {
    ldap::SearchRequest request;
    request.base = std::string(kBase);
    request.scope = ldap::Scope::kSubtree;
    request.filter = client.filter((*client.inputs)[i % client.inputs->size()]);
    request.attributes = {"cn", "mail", "title", "ou", "o", "telephoneNumber", "displayName"};
    request.size_limit = 100;
    auto start = Clock::now();
    Status searched = connection.Search(request, [&](ldap::Entry&&) {
      ++found;
      return Ok();
    });
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!searched.ok()) {
      std::fprintf(stderr, "%s: %s\n", request.filter.c_str(), searched.error().detail.c_str());
      std::exit(1);
    }
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))]; };
  return {at(0.50), at(0.99), found};
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t people = 50000;
  std::size_t queries = 200;
  fs::path dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--people") people = std::stoul(argv[i + 1]);
    else if (flag == "--queries") queries = std::stoul(argv[i + 1]);
    else if (flag == "--dir") dir = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: address_book_bench [--people N] [--queries Q] [--dir DIR]\n");
      return 2;
    }
  }
  (void)log::SetLevel("warn");
  bool own_dir = dir.empty();
  if (own_dir) {
    std::string templ = "/tmp/danhba-abbench-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) return 1;
    dir = templ;
  }
  auto generated = province::Generate({DANHBA_SHARED_DIR, people, 70});
  if (!generated.ok()) {
    std::fprintf(stderr, "province: %s\n", generated.error().detail.c_str());
    return 1;
  }
  Typed typed;
  const fs::path ldif = dir / "people.ldif";
  if (Status s = WritePeople(*generated, ldif, typed); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.error().detail.c_str());
    return 1;
  }
  const std::vector<Client> clients = {
      {"Thunderbird autocomplete 'nguyen van'", ThunderbirdAutocomplete, &typed.family_middle},
      {"Thunderbird autocomplete 'annv'", ThunderbirdAutocomplete, &typed.uids},
      {"Thunderbird address book (contains)",
       [](const std::string& x) {
         return Replace("(&(objectclass=*)(|(mail=*X*)(cn=*X*)(givenName=*X*)(sn=*X*)))", "X", x);
       },
       &typed.family_middle},
      {"Outlook '%s*'",
       [](const std::string& x) {
         return Replace("(&(mail=*)(|(mail=%s*)(|(cn=%s*)(|(sn=%s*)(givenName=%s*)))))", "%s", x);
       },
       &typed.family_middle},
      {"macOS Contacts (given name)",
       [](const std::string& x) { return Replace("(|(givenname=X)(sn=X)(cn=X)(mail=X))", "X", x); },
       &typed.given},
      {"Evolution (cn|sn prefix)",
       [](const std::string& x) { return Replace("(|(cn=X*)(sn=X*))", "X", x); }, &typed.given},
  };

  std::map<bool, std::vector<Figures>> results;
  for (bool indexed : {true, false}) {
    slapd::InstanceOptions options;
    options.directory = dir / (indexed ? "indexed" : "unindexed");
    options.durable = false;
    options.client_indexes = indexed;
    auto instance = slapd::Instance::Create(options);
    if (!instance.ok()) {
      std::fprintf(stderr, "%s\n", instance.error().detail.c_str());
      return 1;
    }
    auto load_start = Clock::now();
    auto loaded = slapd::RunProcess({"/usr/sbin/slapadd", "-q", "-n1", "-F",
                                     (*instance)->config_dir().string(), "-l", ldif.string()});
    if (!loaded.ok() || loaded->exit_code != 0) {
      std::fprintf(stderr, "slapadd: %s\n", loaded.ok() ? loaded->output.c_str() : "cannot run");
      return 1;
    }
    double load_s = std::chrono::duration<double>(Clock::now() - load_start).count();
    if (Status s = (*instance)->Start(); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.error().detail.c_str());
      return 1;
    }
    const auto& reader = (*instance)->account(slapd::ServiceAccount::kReader);
    ldap::ConnectOptions connect;
    connect.url = (*instance)->url();
    auto connection = ldap::Connection::Open(connect, ldap::Credentials::Simple(reader.dn, reader.password));
    if (!connection.ok()) {
      std::fprintf(stderr, "%s\n", connection.error().detail.c_str());
      return 1;
    }
    std::fprintf(stderr, "%s: %zu people loaded in %.1f s\n", indexed ? "indexed" : "unindexed", people,
                 load_s);
    for (const Client& client : clients) {
      Measure(*connection, client, std::min<std::size_t>(queries, 10));  // warm the cache
      results[indexed].push_back(Measure(*connection, client, queries));
    }
    (void)(*instance)->Stop();
  }
  std::printf("address-book searches on %zu people, %zu queries each, one connection, <= 100 entries\n",
              people, queries);
  std::printf("%-40s %21s %21s %8s\n", "client filter", "our indexes p50/p99", "without p50/p99",
              "p50 x");
  for (std::size_t i = 0; i < clients.size(); ++i) {
    const Figures& with = results[true][i];
    const Figures& without = results[false][i];
    std::printf("%-40s %9.2f/%8.2f ms %9.2f/%8.2f ms %7.1fx\n", clients[i].name.c_str(), with.p50_ms,
                with.p99_ms, without.p50_ms, without.p99_ms, without.p50_ms / std::max(with.p50_ms, 1e-6));
    if (with.found != without.found) {
      std::printf("  (entries found differ: %zu vs %zu)\n", with.found, without.found);
    }
  }
  if (own_dir && std::getenv("DANHBA_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  return 0;
}
