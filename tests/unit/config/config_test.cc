#include "danhba/config/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace danhba::config {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string ErrorOf(std::string_view yaml) {
  auto result = ParseString(yaml, "danhba.yaml", "/etc/danhba");
  EXPECT_FALSE(result.ok()) << "accepted:\n" << yaml;
  if (result.ok()) return "";
  EXPECT_EQ(result.error().code, ErrorCode::kConfig);
  return result.error().detail;
}

TEST(ConfigDefaults, MatchTheContract) {
  Config config = Defaults("/srv/danhba");
  EXPECT_EQ(config.domain, "dongnai.gov.vn");
  EXPECT_EQ(config.data_dir, fs::path("/srv/danhba/var"));
  EXPECT_TRUE(config.ldap.managed);
  EXPECT_EQ(config.ldap.url, "ldap://127.0.0.1:3890");
  EXPECT_EQ(config.ldap.base_dn, "dc=dongnai,dc=gov,dc=vn");
  EXPECT_EQ(config.public_api.listen.ToString(), "127.0.0.1:8080");
  EXPECT_EQ(config.ingest.listen.ToString(), "127.0.0.1:8081");
  EXPECT_EQ(config.public_api.busy_poll, std::chrono::microseconds(50));
  EXPECT_EQ(config.ingest.busy_poll, std::chrono::microseconds(0));
  EXPECT_EQ(config.naming.collision, "numeric");
  EXPECT_EQ(config.log.level, "info");
  EXPECT_EQ(config.naming.start_number, 1);
  EXPECT_EQ(config.naming.max_length, 64);
  EXPECT_TRUE(config.naming.reserved.empty());
  EXPECT_EQ(config.SecretsDir(), fs::path("/srv/danhba/var/secrets"));
  EXPECT_EQ(config.SlapdDir(), fs::path("/srv/danhba/var/slapd"));
}

TEST(ConfigParse, EmptyDocumentGivesDefaults) {
  auto config = ParseString("", "danhba.yaml", "/srv");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->domain, "dongnai.gov.vn");
  EXPECT_EQ(config->data_dir, fs::path("/srv/var"));
}

TEST(ConfigParse, ReadsEveryKey) {
  auto config = ParseString(R"(
domain: bienhoa.gov.vn
data_dir: state
log:
  level: debug
ldap:
  managed: false
  url: ldaps://ldap.bienhoa.gov.vn
  base_dn: dc=bienhoa,dc=gov,dc=vn
  bind_dn: cn=sync,ou=system,dc=bienhoa,dc=gov,dc=vn
  password_file: secrets/sync.password
  connect_timeout: 2s
  operation_timeout: 500ms
  start_timeout: 1m
public_api:
  listen: 0.0.0.0:80
  threads: 4
  max_connections: 10
  max_body_bytes: 64KiB
  max_header_bytes: 8192
  request_timeout: 5s
  idle_timeout: 2m
  busy_poll_us: 0
ingest:
  listen: "[::1]:8443"
naming:
  collision: birth_year
  start_number: 2
  max_length: 32
  reserved: [postmaster, vanthu]
)", "danhba.yaml", "/etc/danhba");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->domain, "bienhoa.gov.vn");
  EXPECT_EQ(config->data_dir, fs::path("/etc/danhba/state"));
  EXPECT_EQ(config->log.level, "debug");
  EXPECT_FALSE(config->ldap.managed);
  EXPECT_EQ(config->ldap.url, "ldaps://ldap.bienhoa.gov.vn");
  EXPECT_EQ(config->ldap.bind_dn, "cn=sync,ou=system,dc=bienhoa,dc=gov,dc=vn");
  EXPECT_EQ(config->ldap.password_file, fs::path("/etc/danhba/secrets/sync.password"));
  EXPECT_EQ(config->ldap.connect_timeout, std::chrono::seconds(2));
  EXPECT_EQ(config->ldap.operation_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(config->ldap.start_timeout, std::chrono::minutes(1));
  EXPECT_EQ(config->public_api.listen, (ListenAddress{"0.0.0.0", 80}));
  EXPECT_EQ(config->public_api.threads, 4);
  EXPECT_EQ(config->public_api.max_connections, 10u);
  EXPECT_EQ(config->public_api.max_body_bytes, 64u * 1024);
  EXPECT_EQ(config->public_api.max_header_bytes, 8192u);
  EXPECT_EQ(config->public_api.request_timeout, std::chrono::seconds(5));
  EXPECT_EQ(config->public_api.idle_timeout, std::chrono::minutes(2));
  EXPECT_EQ(config->public_api.busy_poll, std::chrono::microseconds(0));
  EXPECT_EQ(config->ingest.listen, (ListenAddress{"::1", 8443}));
  EXPECT_EQ(config->ingest.listen.ToString(), "[::1]:8443");
  EXPECT_EQ(config->naming.collision, "birth_year");
  EXPECT_EQ(config->naming.start_number, 2);
  EXPECT_EQ(config->naming.max_length, 32);
  EXPECT_EQ(config->naming.reserved, (std::vector<std::string>{"postmaster", "vanthu"}));
}

TEST(ConfigParse, WrongTypeNamesKeyPathAndLine) {
  EXPECT_EQ(ErrorOf("domain: dongnai.gov.vn\n"
                    "ldap:\n"
                    "  managed: true\n"
                    "  url:\n"
                    "    - ldap://a\n"
                    "    - ldap://b\n"),
            "danhba.yaml:5: ldap.url: expected a string, got a sequence");
  EXPECT_EQ(ErrorOf("ldap:\n  managed: maybe\n"),
            "danhba.yaml:2: ldap.managed: expected true or false, got 'maybe'");
  EXPECT_EQ(ErrorOf("public_api:\n  threads: many\n"),
            "danhba.yaml:2: public_api.threads: expected an integer, got 'many'");
  EXPECT_EQ(ErrorOf("ldap: ldap://x\n"), "danhba.yaml:1: ldap: expected a mapping of keys, got 'ldap://x'");
  EXPECT_EQ(ErrorOf("naming:\n  reserved: admin\n"),
            "danhba.yaml:2: naming.reserved: expected a sequence of local parts, got 'admin'");
  EXPECT_EQ(ErrorOf("ingest:\n  idle_timeout: 10\n"),
            "danhba.yaml:2: ingest.idle_timeout: expected a duration such as 500ms, 30s or 2m, got '10'");
  EXPECT_EQ(ErrorOf("public_api:\n  busy_poll_us: 1s\n"),
            "danhba.yaml:2: public_api.busy_poll_us: expected an integer, got '1s'");
  EXPECT_EQ(ErrorOf("ingest:\n  busy_poll_us: 20000\n"),
            "danhba.yaml:2: ingest.busy_poll_us: must be between 0 and 10000, got 20000");
  EXPECT_EQ(ErrorOf("public_api:\n  max_body_bytes: lots\n"),
            "danhba.yaml:2: public_api.max_body_bytes: expected a size such as 1048576, 64KiB or 1MiB, got 'lots'");
}

TEST(ConfigParse, UnknownKeySuggestsTheNearestOne) {
  EXPECT_EQ(ErrorOf("domain: dongnai.gov.vn\nldap:\n  ur1: ldap://127.0.0.1:3890\n"),
            "danhba.yaml:3: ldap.ur1: unknown key (did you mean ldap.url?)");
  EXPECT_EQ(ErrorOf("domian: x.vn\n"), "danhba.yaml:1: domian: unknown key (did you mean domain?)");
  EXPECT_EQ(ErrorOf("colour: blue\n"), "danhba.yaml:1: colour: unknown key");
}

TEST(ConfigParse, MissingValues) {
  EXPECT_EQ(ErrorOf("domain:\n"), "danhba.yaml:1: domain: missing value (expected a string)");
  EXPECT_EQ(ErrorOf("ldap:\n  base_dn: \"\"\n"), "danhba.yaml:2: ldap.base_dn: missing value (expected a string)");
  EXPECT_EQ(ErrorOf("ldap:\n  managed: false\n  password_file: /x\n"),
            "danhba.yaml:2: ldap.bind_dn: required when ldap.managed is false");
  EXPECT_EQ(ErrorOf("ldap:\n  managed: false\n  bind_dn: cn=a,dc=b\n"),
            "danhba.yaml:2: ldap.password_file: required when ldap.managed is false");
}

TEST(ConfigParse, BadValues) {
  EXPECT_EQ(ErrorOf("public_api:\n  listen: 127.0.0.1\n"),
            "danhba.yaml:2: public_api.listen: '127.0.0.1' is not host:port (no port)");
  EXPECT_EQ(ErrorOf("public_api:\n  listen: 127.0.0.1:0\n"),
            "danhba.yaml:2: public_api.listen: '127.0.0.1:0' is not host:port (the port must be 1-65535)");
  EXPECT_EQ(ErrorOf("ingest:\n  listen: 127.0.0.1:70000\n"),
            "danhba.yaml:2: ingest.listen: '127.0.0.1:70000' is not host:port (the port must be 1-65535)");
  EXPECT_EQ(ErrorOf("ingest:\n  listen: :8081\n"),
            "danhba.yaml:2: ingest.listen: ':8081' is not host:port (no host; use 0.0.0.0 for every address)");
  EXPECT_EQ(ErrorOf("naming:\n  collision: random\n"),
            "danhba.yaml:2: naming.collision: unknown policy 'random' (expected numeric, birth_year or agency)");
  EXPECT_EQ(ErrorOf("log:\n  level: loud\n"),
            "danhba.yaml:2: log.level: unknown level 'loud' (expected trace, debug, info, warn, error, critical or off)");
  EXPECT_EQ(ErrorOf("ldap:\n  url: http://x\n"),
            "danhba.yaml:2: ldap.url: 'http://x' is not an LDAP URL (the scheme must be ldap, ldaps or ldapi)");
  EXPECT_EQ(ErrorOf("ldap:\n  url: ldaps://x:636\n"),
            "danhba.yaml:2: ldap.url: a managed slapd listens on an ldap://host:port URL, got 'ldaps://x:636'");
  EXPECT_EQ(ErrorOf("domain: Dong Nai\n"),
            "danhba.yaml:1: domain: 'Dong Nai' is not a domain name (lower-case labels joined by dots, e.g. "
            "dongnai.gov.vn)");
  EXPECT_EQ(ErrorOf("ldap:\n  base_dn: dongnai\n"),
            "danhba.yaml:2: ldap.base_dn: 'dongnai' is not a DN (e.g. dc=dongnai,dc=gov,dc=vn)");
  EXPECT_EQ(ErrorOf("naming:\n  max_length: 100\n"),
            "danhba.yaml:2: naming.max_length: must be between 1 and 64, got 100");
  EXPECT_EQ(ErrorOf("public_api:\n  listen: 127.0.0.1:9000\ningest:\n  listen: 127.0.0.1:9000\n"),
            "danhba.yaml:4: ingest.listen: 127.0.0.1:9000 is also public_api.listen; the two APIs need different ports");
  EXPECT_EQ(ErrorOf("domain: a.vn\ndomain: b.vn\n"), "danhba.yaml:2: domain: duplicate key");
}

TEST(ConfigParse, InvalidYamlGivesTheLine) {
  std::string error = ErrorOf("domain: a.vn\nldap:\n  url: [unclosed\n");
  EXPECT_THAT(error, HasSubstr("danhba.yaml:"));
  EXPECT_THAT(error, HasSubstr("invalid YAML"));
  EXPECT_EQ(ErrorOf("- a\n- b\n"), "danhba.yaml:1: expected a mapping of keys, got a sequence");
}

TEST(ConfigParse, PasswordInTheFileIsRefused) {
  std::string error = ErrorOf("ldap:\n  password: hunter2\n");
  EXPECT_EQ(error,
            "danhba.yaml:2: ldap.password: secrets are not kept in this file; put the password in a file "
            "(mode 0600) and name it in ldap.password_file");
  EXPECT_THAT(error, ::testing::Not(HasSubstr("hunter2")));
}

TEST(ConfigUrl, ParsesLdapUrls) {
  auto plain = ParseLdapUrl("ldap://127.0.0.1:3890");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, (LdapUrl{"ldap", "127.0.0.1", 3890}));
  auto tls = ParseLdapUrl("ldaps://ldap.example.vn/");
  ASSERT_TRUE(tls.ok());
  EXPECT_EQ(*tls, (LdapUrl{"ldaps", "ldap.example.vn", 636}));
  auto socket = ParseLdapUrl("ldapi://%2Fvar%2Frun%2Fslapd%2Fldapi");
  ASSERT_TRUE(socket.ok());
  EXPECT_EQ(*socket, (LdapUrl{"ldapi", "/var/run/slapd/ldapi", 0}));
  EXPECT_FALSE(ParseLdapUrl("ldapi://%2").ok());
  EXPECT_FALSE(ParseLdapUrl("ldap://").ok());
  EXPECT_FALSE(ParseLdapUrl("127.0.0.1:389").ok());
}

TEST(Secret, PrintsStars) {
  Secret secret("s3cret-value");
  std::ostringstream out;
  out << secret;
  EXPECT_EQ(out.str(), "***");
  EXPECT_EQ(fmt::format("password={}", secret), "password=***");
  EXPECT_EQ(secret.Reveal(), "s3cret-value");
}

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("danhba-config-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& text, fs::perms perms = fs::perms::owner_read |
                                                                                    fs::perms::owner_write) {
    fs::path path = dir_ / name;
    std::ofstream(path) << text;
    fs::permissions(path, perms);
    return path;
  }

  fs::path dir_;
};

TEST_F(ConfigFileTest, RelativePathsAreRelativeToTheFile) {
  fs::path path = Write("danhba.yaml", "data_dir: state\nldap:\n  managed: false\n  bind_dn: cn=a,dc=b\n"
                                       "  password_file: ldap.password\n");
  auto config = LoadFile(path);
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->data_dir, dir_ / "state");
  EXPECT_EQ(config->ldap.password_file, dir_ / "ldap.password");
  EXPECT_EQ(config->source, path);
}

TEST_F(ConfigFileTest, ErrorsNameTheFileAsGiven) {
  fs::path path = Write("bad.yaml", "\n\nnaming:\n  collision: [a]\n");
  auto config = LoadFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().detail, path.string() + ":4: naming.collision: expected a string, got a sequence");
}

TEST_F(ConfigFileTest, MissingFile) {
  auto config = LoadFile(dir_ / "absent.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code, ErrorCode::kConfig);
  EXPECT_THAT(config.error().detail, HasSubstr("absent.yaml: cannot read"));
}

// The commented example documents every key with its default value.
TEST(ConfigExample, ExampleFileGivesTheDefaults) {
  fs::path example = fs::path(DANHBA_SOURCE_DIR) / "etc/danhba.example.yaml";
  auto config = LoadFile(example);
  ASSERT_TRUE(config.ok()) << config.error();
  Config defaults = Defaults(example.parent_path());
  EXPECT_EQ(config->domain, defaults.domain);
  EXPECT_EQ(config->data_dir, defaults.data_dir);
  EXPECT_EQ(config->log.level, defaults.log.level);
  EXPECT_EQ(config->ldap.managed, defaults.ldap.managed);
  EXPECT_EQ(config->ldap.url, defaults.ldap.url);
  EXPECT_EQ(config->ldap.base_dn, defaults.ldap.base_dn);
  EXPECT_EQ(config->ldap.connect_timeout, defaults.ldap.connect_timeout);
  EXPECT_EQ(config->ldap.operation_timeout, defaults.ldap.operation_timeout);
  EXPECT_EQ(config->ldap.start_timeout, defaults.ldap.start_timeout);
  for (auto [parsed, expected] : {std::pair{&config->public_api, &defaults.public_api},
                                  std::pair{&config->ingest, &defaults.ingest}}) {
    EXPECT_EQ(parsed->listen, expected->listen);
    EXPECT_EQ(parsed->threads, expected->threads);
    EXPECT_EQ(parsed->max_connections, expected->max_connections);
    EXPECT_EQ(parsed->max_body_bytes, expected->max_body_bytes);
    EXPECT_EQ(parsed->max_header_bytes, expected->max_header_bytes);
    EXPECT_EQ(parsed->request_timeout, expected->request_timeout);
    EXPECT_EQ(parsed->idle_timeout, expected->idle_timeout);
    EXPECT_EQ(parsed->busy_poll, expected->busy_poll);
  }
  EXPECT_EQ(config->ingest_auth.senders_file, defaults.ingest_auth.senders_file);
  EXPECT_EQ(config->ingest_auth.rate_limit, defaults.ingest_auth.rate_limit);
  EXPECT_EQ(config->ingest_auth.rate_burst, defaults.ingest_auth.rate_burst);
  EXPECT_EQ(config->ingest_auth.signature_window, defaults.ingest_auth.signature_window);
  EXPECT_EQ(config->naming.collision, defaults.naming.collision);
  EXPECT_EQ(config->naming.start_number, defaults.naming.start_number);
  EXPECT_EQ(config->naming.max_length, defaults.naming.max_length);
  EXPECT_EQ(config->naming.reserved, defaults.naming.reserved);
  EXPECT_EQ(config->spool.dir, defaults.spool.dir);
  EXPECT_EQ(config->spool.scan_interval, defaults.spool.scan_interval);
  EXPECT_EQ(config->journal.compact_after, defaults.journal.compact_after);
  EXPECT_EQ(config->journal.compact_interval, defaults.journal.compact_interval);
  EXPECT_EQ(config->ldap.organization, defaults.ldap.organization);
  EXPECT_EQ(config->ldap.AnonymousRead(), defaults.ldap.AnonymousRead());
  EXPECT_EQ(config->password_policy.min_length, defaults.password_policy.min_length);
  EXPECT_EQ(config->password_policy.max_age, defaults.password_policy.max_age);
  EXPECT_EQ(config->password_policy.expire_warning, defaults.password_policy.expire_warning);
  EXPECT_EQ(config->password_policy.grace_logins, defaults.password_policy.grace_logins);
  EXPECT_EQ(config->password_policy.history, defaults.password_policy.history);
  EXPECT_EQ(config->password_policy.max_failures, defaults.password_policy.max_failures);
  EXPECT_EQ(config->password_policy.lockout_duration, defaults.password_policy.lockout_duration);
  EXPECT_EQ(config->agency_mailbox.keep_delegates, defaults.agency_mailbox.keep_delegates);
  EXPECT_EQ(config->public_lookup.cors_origins, defaults.public_lookup.cors_origins);
  EXPECT_EQ(config->public_lookup.rate_limit, defaults.public_lookup.rate_limit);
  EXPECT_EQ(config->public_lookup.rate_burst, defaults.public_lookup.rate_burst);
  EXPECT_EQ(config->public_lookup.max_per_page, defaults.public_lookup.max_per_page);
  EXPECT_EQ(config->public_lookup.publish, defaults.public_lookup.publish);
}

TEST(ConfigParse, PublicLookupKeys) {
  auto config = ParseString(R"(
public_api:
  cors_origins: ["https://stttt.dongnai.gov.vn", "https://*.dongnai.gov.vn"]
  rate_limit: 0
  rate_burst: 5
  max_per_page: 100
  publish: [title]
)");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->public_lookup.cors_origins,
            (std::vector<std::string>{"https://stttt.dongnai.gov.vn", "https://*.dongnai.gov.vn"}));
  EXPECT_EQ(config->public_lookup.rate_limit, 0);
  EXPECT_EQ(config->public_lookup.rate_burst, 5);
  EXPECT_EQ(config->public_lookup.max_per_page, 100);
  EXPECT_EQ(config->public_lookup.publish, std::vector<std::string>{"title"});
  EXPECT_EQ(Defaults().public_lookup.publish, (std::vector<std::string>{"title", "phone"}));

  auto bad = ParseString("public_api:\n  publish: [title, birth_date]\n", "danhba.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().detail, HasSubstr("danhba.yaml:2: public_api.publish: 'birth_date' cannot be published"));
  bad = ParseString("public_api:\n  cors_origins: https://x.vn\n", "danhba.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().detail, HasSubstr("public_api.cors_origins: expected a sequence"));
  bad = ParseString("ingest:\n  cors_origins: []\n", "danhba.yaml");
  EXPECT_FALSE(bad.ok()) << "the public lookup's keys belong to public_api only";
  bad = ParseString("public_api:\n  max_per_page: 0\n", "danhba.yaml");
  EXPECT_FALSE(bad.ok());
}

TEST_F(ConfigFileTest, SecretFileIsReadWithoutNewline) {
  auto secret = ReadSecretFile(Write("ok.password", "pa55word\n"));
  ASSERT_TRUE(secret.ok()) << secret.error();
  EXPECT_EQ(secret->Reveal(), "pa55word");
}

TEST_F(ConfigFileTest, SecretFileReadableByOthersIsRefused) {
  auto secret = ReadSecretFile(Write("open.password", "pa55word\n", fs::perms::owner_read | fs::perms::others_read));
  ASSERT_FALSE(secret.ok());
  EXPECT_THAT(secret.error().detail, HasSubstr("readable by group or others"));
  EXPECT_THAT(secret.error().detail, ::testing::Not(HasSubstr("pa55word")));
}

TEST_F(ConfigFileTest, EmptySecretFileIsRefused) {
  auto secret = ReadSecretFile(Write("empty.password", "\n"));
  ASSERT_FALSE(secret.ok());
  EXPECT_THAT(secret.error().detail, HasSubstr("empty"));
}

TEST(ConfigIngestAuth, DefaultsAndKeys) {
  Config defaults = Defaults("/srv/danhba");
  EXPECT_EQ(defaults.SendersFile(), fs::path("/srv/danhba/var/senders.json"));
  EXPECT_EQ(defaults.ingest_auth.rate_limit, 50);
  EXPECT_EQ(defaults.ingest_auth.rate_burst, 100);
  EXPECT_EQ(defaults.ingest_auth.signature_window, std::chrono::seconds(300));

  auto config = ParseString(
      "ingest:\n  senders_file: etc/senders.json\n  rate_limit: 0\n  rate_burst: 5\n  signature_window: 2m\n",
      "danhba.yaml", "/etc/danhba");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->SendersFile(), fs::path("/etc/danhba/etc/senders.json"));
  EXPECT_EQ(config->ingest_auth.rate_limit, 0);
  EXPECT_EQ(config->ingest_auth.rate_burst, 5);
  EXPECT_EQ(config->ingest_auth.signature_window, std::chrono::minutes(2));
}

TEST(ConfigIngestAuth, BadValuesAndPlaces) {
  EXPECT_EQ(ErrorOf("ingest:\n  rate_limit: -1\n"),
            "danhba.yaml:2: ingest.rate_limit: must be between 0 and 1000000, got -1");
  EXPECT_THAT(ErrorOf("ingest:\n  rate_burst: 0\n"), HasSubstr("ingest.rate_burst"));
  // Only the ingest listener has senders.
  EXPECT_THAT(ErrorOf("public_api:\n  senders_file: x.json\n"), HasSubstr("public_api.senders_file"));
}

TEST(ConfigSpool, DefaultsAndKeys) {
  Config defaults = Defaults("/srv/danhba");
  EXPECT_EQ(defaults.SpoolDir(), fs::path("/srv/danhba/var/spool"));
  EXPECT_EQ(defaults.spool.scan_interval, std::chrono::seconds(2));

  auto config = ParseString("spool:\n  dir: drop\n  scan_interval: 500ms\n", "danhba.yaml",
                            "/etc/danhba");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->SpoolDir(), fs::path("/etc/danhba/drop"));
  EXPECT_EQ(config->spool.scan_interval, std::chrono::milliseconds(500));
}

TEST(ConfigSpool, BadValuesNameKeyAndLine) {
  EXPECT_EQ(ErrorOf("spool:\n  scan_interval: 0s\n"),
            "danhba.yaml:2: spool.scan_interval: must be greater than zero");
  EXPECT_THAT(ErrorOf("spool:\n  dri: x\n"), HasSubstr("danhba.yaml:2: spool.dri: unknown key"));
}

TEST(ConfigJournal, DefaultsAndKeys) {
  Config defaults = Defaults("/srv/danhba");
  EXPECT_EQ(defaults.journal.compact_after, std::chrono::hours(24 * 30));
  EXPECT_EQ(defaults.journal.compact_interval, std::chrono::hours(1));

  auto config = ParseString("journal:\n  compact_after: 7d\n  compact_interval: 15m\n",
                            "danhba.yaml", "/etc/danhba");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->journal.compact_after, std::chrono::hours(24 * 7));
  EXPECT_EQ(config->journal.compact_interval, std::chrono::minutes(15));

  config = ParseString("journal:\n  compact_after: 1s\n", "danhba.yaml", "/etc/danhba");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->journal.compact_after, std::chrono::seconds(1));
  EXPECT_EQ(config->journal.compact_interval, defaults.journal.compact_interval);
}

TEST(ConfigJournal, BadValuesNameKeyAndLine) {
  EXPECT_EQ(ErrorOf("journal:\n  compact_after: 0d\n"),
            "danhba.yaml:2: journal.compact_after: must be greater than zero");
  EXPECT_EQ(ErrorOf("domain: dongnai.gov.vn\njournal:\n  compact_interval: often\n"),
            "danhba.yaml:3: journal.compact_interval: expected a duration such as 500ms, 30s or "
            "2m, got 'often'");
  EXPECT_THAT(ErrorOf("journal:\n  compact_afte: 1h\n"),
              HasSubstr("danhba.yaml:2: journal.compact_afte: unknown key (did you mean "
                        "journal.compact_after?)"));
  EXPECT_THAT(ErrorOf("journal: 1h\n"), HasSubstr("danhba.yaml:1: journal:"));
}

TEST(ConfigDirectoryFace, AnonymousReadFollowsManagedModeUnlessSet) {
  Config defaults = Defaults("/srv/danhba");
  EXPECT_TRUE(defaults.ldap.AnonymousRead());  // the managed demo
  auto system = ParseString(
      "ldap:\n  managed: false\n  bind_dn: cn=sync,ou=system,dc=x\n  password_file: p\n",
      "danhba.yaml", "/etc/danhba");
  ASSERT_TRUE(system.ok()) << system.error();
  EXPECT_FALSE(system->ldap.AnonymousRead());
  auto closed = ParseString("ldap:\n  anonymous_read: false\n", "danhba.yaml", "/etc/danhba");
  ASSERT_TRUE(closed.ok()) << closed.error();
  EXPECT_FALSE(closed->ldap.AnonymousRead());
  EXPECT_EQ(ErrorOf("ldap:\n  anonymous_read: sometimes\n"),
            "danhba.yaml:2: ldap.anonymous_read: expected true or false, got 'sometimes'");
}

TEST(ConfigDirectoryFace, PasswordPolicyKeys) {
  auto config = ParseString(
      "password_policy:\n  min_length: 12\n  max_age: 180d\n  expire_warning: 7d\n"
      "  grace_logins: 0\n  history: 10\n  max_failures: 3\n  lockout_duration: 2s\n",
      "danhba.yaml", "/etc/danhba");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->password_policy.min_length, 12);
  EXPECT_EQ(config->password_policy.max_age, std::chrono::hours(24 * 180));
  EXPECT_EQ(config->password_policy.expire_warning, std::chrono::hours(24 * 7));
  EXPECT_EQ(config->password_policy.grace_logins, 0);
  EXPECT_EQ(config->password_policy.history, 10);
  EXPECT_EQ(config->password_policy.max_failures, 3);
  EXPECT_EQ(config->password_policy.lockout_duration, std::chrono::seconds(2));
  EXPECT_EQ(ErrorOf("password_policy:\n  min_length: 0\n"),
            "danhba.yaml:2: password_policy.min_length: must be between 1 and 128, got 0");
  auto keep = ParseString("agency_mailbox:\n  keep_delegates: true\n", "danhba.yaml", "/etc");
  ASSERT_TRUE(keep.ok()) << keep.error();
  EXPECT_TRUE(keep->agency_mailbox.keep_delegates);
  EXPECT_FALSE(Defaults("/").agency_mailbox.keep_delegates);
  EXPECT_THAT(ErrorOf("password_policy:\n  lockout: 1m\n"),
              HasSubstr("danhba.yaml:2: password_policy.lockout: unknown key"));
}

}  // namespace
}  // namespace danhba::config
