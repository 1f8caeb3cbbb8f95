// Webhooks of the change feed (R18) end to end: a real `danhba run`, a
// receiver on loopback (python3's http.server) that records every delivery and
// can be told to fail; deliveries are signed, in feed order, retried, never
// lost across a SIGKILL of the daemon while the receiver is down, dead after
// webhooks.max_attempts tries and delivered again after `subscribe retry`.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "daemon.h"
#include "danhba/api/senders.h"
#include "e2e_test_util.h"
#include "support/http_client.h"

namespace danhba::e2e {

using support::HttpClient;
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using std::chrono::seconds;

// Answers 500 while <dir>/fail exists, else 204 and appends one JSON line per
// delivery (headers and body) to <dir>/deliveries.jsonl.
constexpr char kReceiver[] = R"(
import http.server, json, os, sys
port, out = int(sys.argv[1]), sys.argv[2]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers['Content-Length'])).decode()
        if os.path.exists(os.path.join(out, 'fail')):
            self.send_response(500); self.end_headers(); return
        with open(os.path.join(out, 'deliveries.jsonl'), 'a') as f:
            f.write(json.dumps({'id': self.headers['X-Danhba-Delivery'], 'ts': self.headers['X-Danhba-Timestamp'],
                                'sig': self.headers['X-Danhba-Signature'], 'body': body}) + '\n')
        self.send_response(204); self.end_headers()
    def log_message(self, *args): pass
http.server.HTTPServer(('127.0.0.1', port), Handler).serve_forever()
)";

std::string Event(const std::string& id, const std::string& fields, const std::string& type = "hire") {
  return R"({"id":")" + id + R"(","type":")" + type +
         R"(","decision":{"number":"1/QĐ-UBND","date":"2025-01-02","issuer":"UBND tỉnh"},)" + fields + "}";
}

std::vector<Json> Deliveries(const fs::path& dir) {
  std::vector<Json> out;
  std::ifstream in(dir / "deliveries.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(Json::parse(line));
  }
  return out;
}

Result<CommandOutput> Danhba(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {DANHBA_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunToCompletion(argv);
}

TEST(DaemonWebhooks, SignedInOrderRetriedNeverLostAcrossRestartDeadAndRetried) {
  if (!fs::exists("/usr/bin/python3")) GTEST_SKIP() << "python3 is needed for the receiver";
  auto dir = TempDir::Make("danhba-webhook");
  ASSERT_TRUE(dir.ok()) << dir.error().detail;
  const fs::path inbox = dir->path() / "inbox";
  fs::create_directories(inbox);
  const fs::path script = dir->path() / "receiver.py";
  std::ofstream(script) << kReceiver;
  auto port = FreePort();
  ASSERT_TRUE(port.ok());
  ChildProcess receiver;
  auto start_receiver = [&] {
    ASSERT_TRUE(receiver.Start({"/usr/bin/python3", script.string(), std::to_string(*port), inbox.string()},
                               dir->path() / "receiver.log").ok());
  };
  start_receiver();

  DaemonOptions options;
  options.binary = DANHBA_BINARY;
  options.dir = dir->path() / "site";
  options.extra_yaml = "backup:\n  enabled: false\nwebhooks:\n  max_attempts: 3\n  first_backoff: 200ms\n"
                       "  max_backoff: 400ms\n  timeout: 2s\n";
  auto created = Daemon::Create(options);
  ASSERT_TRUE(created.ok()) << created.error().detail;
  Daemon& daemon = **created;
  auto token = daemon.AddSender("hr-snv");
  ASSERT_TRUE(token.ok());
  const std::string url = "http://127.0.0.1:" + std::to_string(*port) + "/hook";
  auto added = Danhba({"subscribe", "add", "portal", "--url", url, "--config", daemon.config_file().string()});
  ASSERT_TRUE(added.ok());
  ASSERT_EQ(added->exit_code, 0) << added->err;
  const std::string secret = added->out.substr(0, added->out.find('\n'));
  ASSERT_EQ(secret.size(), 64U);
  auto again = Danhba({"subscribe", "add", "portal", "--url", url, "--config", daemon.config_file().string()});
  EXPECT_EQ(again->exit_code, 1);
  EXPECT_NE(again->err.find("exists already"), std::string::npos) << again->err;
  auto bad_url = Danhba({"subscribe", "add", "x", "--url", "ftp://nowhere", "--config", daemon.config_file().string()});
  EXPECT_EQ(bad_url->exit_code, 1);
  EXPECT_NE(bad_url->err.find("--url 'ftp://nowhere'"), std::string::npos) << bad_url->err;

  ASSERT_TRUE(daemon.Start().ok());
  ASSERT_TRUE(daemon.WaitReady(seconds(60)).ok()) << daemon.LogTail();
  HttpClient client("127.0.0.1", daemon.ingest_port());
  client.SetBearerToken(*token);
  std::vector<std::string> ids;
  auto post = [&](const std::string& id, const std::string& json) {
    auto posted = client.PostJson("/api/v1/events", "[" + json + "]");
    ASSERT_TRUE(posted.ok());
    ASSERT_EQ(posted->status, 202) << posted->body;
    ids.push_back(id);
  };
  post("a-1", Event("a-1", R"("agency":{"code":"stttt","name":"Sở TT&TT"})", "agency.create"));
  for (int i = 0; i < 10; ++i) {
    std::string id = "h-" + std::to_string(i);
    post(id, Event(id, R"("person":{"id":"CB)" + std::to_string(i) + R"(","full_name":"Nguyễn Văn An","agency":"stttt"})"));
  }
  auto all_delivered = [&](std::size_t count) {
    return PollUntil(seconds(60), [&] {
      std::set<std::string> seen;
      for (const Json& d : Deliveries(inbox)) seen.insert(d["id"].get<std::string>());
      return seen.size() >= count;
    });
  };
  ASSERT_TRUE(all_delivered(11)) << daemon.LogTail();

  // The receiver fails, the daemon is killed and more events come meanwhile.
  std::ofstream(inbox / "fail").put('1');
  for (int i = 10; i < 15; ++i) {
    std::string id = "h-" + std::to_string(i);
    post(id, Event(id, R"("person":{"id":"CB)" + std::to_string(i) + R"(","full_name":"Trần Thị Bình","agency":"stttt"})"));
  }
  ASSERT_TRUE(PollUntil(seconds(30), [&] {
    return Danhba({"subscribe", "list", "--config", daemon.config_file().string()})->out.find("retrying") !=
           std::string::npos;
  })) << daemon.LogTail();
  ASSERT_TRUE(daemon.Kill().ok());
  ASSERT_TRUE(daemon.Start().ok());
  ASSERT_TRUE(daemon.WaitReady(seconds(60)).ok()) << daemon.LogTail();
  // Still failing: dead after max_attempts, shown as such.
  ASSERT_TRUE(PollUntil(seconds(30), [&] {
    return Danhba({"subscribe", "list", "--config", daemon.config_file().string()})->out.find("\tdead\t") !=
           std::string::npos;
  })) << daemon.LogTail();
  fs::remove(inbox / "fail");
  auto retried = Danhba({"subscribe", "retry", "portal", "--config", daemon.config_file().string()});
  ASSERT_EQ(retried->exit_code, 0) << retried->err;
  ASSERT_TRUE(all_delivered(16)) << daemon.LogTail();
  auto listed = Danhba({"subscribe", "list", "--config", daemon.config_file().string()});
  EXPECT_NE(listed->out.find("portal\t" + url + "\t*\tok\t"), std::string::npos) << listed->out;

  // In feed order (the order applied), each signed, nothing missing; a change
  // may come twice only when the daemon died between the answer and its record.
  auto feed = client.Get("/api/v1/changes?limit=1000");
  ASSERT_TRUE(feed.ok());
  ASSERT_EQ(feed->status, 200) << feed->body;
  std::vector<std::string> order;
  const Json page = Json::parse(feed->body);
  for (const Json& change : page["changes"]) order.push_back(change["id"]);
  ASSERT_EQ(order.size(), ids.size()) << feed->body.substr(0, 500);
  std::vector<std::string> received;
  for (const Json& d : Deliveries(inbox)) {
    std::string expected = api::HmacSha256Hex(secret, d["ts"].get<std::string>() + "\n" + d["body"].get<std::string>());
    EXPECT_EQ(d["sig"], "sha256=" + expected) << d.dump();
    EXPECT_EQ(Json::parse(d["body"].get<std::string>())["id"], d["id"]);
    if (received.empty() || received.back() != d["id"]) received.push_back(d["id"]);
  }
  EXPECT_EQ(received, order);

  auto removed = Danhba({"subscribe", "remove", "portal", "--config", daemon.config_file().string()});
  EXPECT_EQ(removed->exit_code, 0);
  EXPECT_EQ(Danhba({"subscribe", "list", "--config", daemon.config_file().string()})->out, "");
  ASSERT_TRUE(daemon.Stop().ok());
}

// The receiver over TLS with the certificate and key given; records the path
// of each delivery too, to tell subscribers apart.
constexpr char kTlsReceiver[] = R"(
import http.server, json, os, ssl, sys
port, out, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers['Content-Length'])).decode()
        with open(os.path.join(out, 'deliveries.jsonl'), 'a') as f:
            f.write(json.dumps({'id': self.headers['X-Danhba-Delivery'], 'path': self.path, 'body': body}) + '\n')
        self.send_response(204); self.end_headers()
    def log_message(self, *args): pass
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server = http.server.HTTPServer(('127.0.0.1', port), Handler)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
)";

TEST(DaemonWebhooks, HttpsDeliversToAVerifiedReceiverOnlyAndBadSchemesOrCaFilesAreRefused) {
  if (!fs::exists("/usr/bin/python3") || !fs::exists("/usr/bin/openssl")) {
    GTEST_SKIP() << "python3 and openssl are needed for the TLS receiver";
  }
  auto dir = TempDir::Make("danhba-webhook-tls");
  ASSERT_TRUE(dir.ok()) << dir.error().detail;
  const fs::path inbox = dir->path() / "inbox";
  fs::create_directories(inbox);
  // A self-signed certificate for 127.0.0.1, made now (it is its own CA).
  const fs::path cert = dir->path() / "receiver.pem";
  const fs::path key = dir->path() / "receiver.key";
  auto made = RunToCompletion({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                               key.string(), "-out", cert.string(), "-days", "2", "-subj", "/CN=127.0.0.1",
                               "-addext", "subjectAltName=IP:127.0.0.1"});
  ASSERT_TRUE(made.ok());
  ASSERT_EQ(made->exit_code, 0) << made->out << made->err;
  const fs::path script = dir->path() / "receiver.py";
  std::ofstream(script) << kTlsReceiver;
  auto port = FreePort();
  ASSERT_TRUE(port.ok());
  ChildProcess receiver;
  ASSERT_TRUE(receiver.Start({"/usr/bin/python3", script.string(), std::to_string(*port), inbox.string(),
                              cert.string(), key.string()},
                             dir->path() / "receiver.log").ok());

  DaemonOptions options;
  options.binary = DANHBA_BINARY;
  options.dir = dir->path() / "site";
  options.extra_yaml = "backup:\n  enabled: false\nwebhooks:\n  max_attempts: 100\n  first_backoff: 200ms\n"
                       "  max_backoff: 400ms\n  timeout: 2s\n";
  auto created = Daemon::Create(options);
  ASSERT_TRUE(created.ok()) << created.error().detail;
  Daemon& daemon = **created;
  auto token = daemon.AddSender("hr-snv");
  ASSERT_TRUE(token.ok());
  const std::string config = daemon.config_file().string();
  const std::string base = "https://127.0.0.1:" + std::to_string(*port);
  auto subscribe = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "subscribe");
    args.insert(args.begin() + 1, "add");
    args.push_back("--config");
    args.push_back(config);
    return Danhba(args);
  };
  // The receiver's CA given: verified. Without it (the system's CAs), or for a
  // host the certificate does not name: refused by the daemon, retried.
  auto trusted = subscribe({"trusted", "--url", base + "/trusted", "--ca-file", cert.string()});
  ASSERT_EQ(trusted->exit_code, 0) << trusted->err;
  auto system = subscribe({"system", "--url", base + "/system"});
  ASSERT_EQ(system->exit_code, 0) << system->err;
  auto misnamed = subscribe({"misnamed", "--url", "https://localhost:" + std::to_string(*port) + "/misnamed",
                             "--ca-file", cert.string()});
  ASSERT_EQ(misnamed->exit_code, 0) << misnamed->err;

  // Refused at `subscribe add`, naming what is wrong; nothing added.
  auto gopher = subscribe({"x", "--url", "gopher://127.0.0.1/x"});
  EXPECT_EQ(gopher->exit_code, 1);
  EXPECT_NE(gopher->err.find("--url 'gopher://127.0.0.1/x': scheme 'gopher' is not supported"), std::string::npos)
      << gopher->err;
  auto plain_with_ca = subscribe({"x", "--url", "http://127.0.0.1/x", "--ca-file", cert.string()});
  EXPECT_EQ(plain_with_ca->exit_code, 1);
  EXPECT_NE(plain_with_ca->err.find("only for an https:// --url"), std::string::npos) << plain_with_ca->err;
  auto not_a_ca = subscribe({"x", "--url", base + "/x", "--ca-file", script.string()});
  EXPECT_EQ(not_a_ca->exit_code, 1);
  EXPECT_NE(not_a_ca->err.find("CA file " + script.string() + " holds no PEM certificate"), std::string::npos)
      << not_a_ca->err;
  auto listed = Danhba({"subscribe", "list", "--config", config});
  EXPECT_EQ(listed->out.find("\nx\t"), std::string::npos) << listed->out;

  ASSERT_TRUE(daemon.Start().ok());
  ASSERT_TRUE(daemon.WaitReady(seconds(60)).ok()) << daemon.LogTail();
  HttpClient client("127.0.0.1", daemon.ingest_port());
  client.SetBearerToken(*token);
  auto posted = client.PostJson("/api/v1/events",
                                "[" + Event("a-1", R"("agency":{"code":"stttt","name":"Sở TT&TT"})", "agency.create") +
                                    "," +
                                    Event("h-1", R"("person":{"id":"CB1","full_name":"Nguyễn Văn An","agency":"stttt"})") +
                                    "]");
  ASSERT_TRUE(posted.ok());
  ASSERT_EQ(posted->status, 202) << posted->body;
  ASSERT_TRUE(PollUntil(seconds(60), [&] { return Deliveries(inbox).size() >= 2; })) << daemon.LogTail();
  // The other two keep failing on the certificate, and say so.
  std::string states;
  ASSERT_TRUE(PollUntil(seconds(30), [&] {
    states = Danhba({"subscribe", "list", "--config", config})->out;
    return states.find("system\t" + base + "/system\t*\tretrying\t") != std::string::npos &&
           states.find("misnamed\thttps://localhost:") != std::string::npos &&
           states.find("\tretrying\tchange a-1") != std::string::npos;
  })) << states;
  for (const std::string name : {"system", "misnamed"}) {
    std::size_t at = states.find(name + "\t");
    std::string line = states.substr(at, states.find('\n', at) - at);
    EXPECT_NE(line.find("certificate verify failed"), std::string::npos) << line;
  }
  std::vector<std::string> paths;
  for (const Json& d : Deliveries(inbox)) paths.push_back(d["path"].get<std::string>() + " " + d["id"].get<std::string>());
  EXPECT_EQ(paths, (std::vector<std::string>{"/trusted a-1", "/trusted h-1"}));
  ASSERT_TRUE(daemon.Stop().ok());
}

}  // namespace
}  // namespace danhba::e2e
