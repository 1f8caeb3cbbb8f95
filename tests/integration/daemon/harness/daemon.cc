#include "daemon.h"

#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "support/http_client.h"

namespace danhba::e2e {

using support::HttpClient;
namespace {

using Clock = std::chrono::steady_clock;

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

Result<DaemonOnOwnSlapd> CreateDaemonOnOwnSlapd(const std::filesystem::path& binary,
                                                const std::filesystem::path& dir) {
  DaemonOnOwnSlapd made;
  slapd::InstanceOptions slapd_options;
  slapd_options.directory = dir / "slapd";
  auto instance = slapd::Instance::Create(slapd_options);
  if (!instance.ok()) return instance.take_error();
  made.slapd = std::move(instance).value();
  DANHBA_RETURN_IF_ERROR(made.slapd->Start());
  const auto& sync_account = made.slapd->account(slapd::ServiceAccount::kSync);
  DaemonOptions options;
  options.binary = binary;
  options.dir = dir / "daemon";
  options.managed = false;
  options.ldap_url = made.slapd->url();
  options.bind_dn = sync_account.dn;
  options.password_file = sync_account.password_file;
  auto daemon = Daemon::Create(options);
  if (!daemon.ok()) return daemon.take_error();
  made.daemon = std::move(daemon).value();
  return made;
}

Result<std::unique_ptr<Daemon>> Daemon::Create(DaemonOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Internal(options.dir.string() + ": " + ec.message());
  auto daemon = std::make_unique<Daemon>(std::move(options));
  const DaemonOptions& o = daemon->options_;
  auto public_port = FreePort();
  if (!public_port.ok()) return public_port.take_error();
  auto ingest_port = FreePort();
  if (!ingest_port.ok()) return ingest_port.take_error();
  daemon->public_port_ = *public_port;
  daemon->ingest_port_ = *ingest_port;
  if (o.managed) {
    auto ldap_port = FreePort();
    if (!ldap_port.ok()) return ldap_port.take_error();
    daemon->ldap_url_ = "ldap://127.0.0.1:" + std::to_string(*ldap_port);
  } else {
    daemon->ldap_url_ = o.ldap_url;
  }
  std::ostringstream yaml;
  yaml << "domain: " << o.domain << "\n"
       << "data_dir: " << daemon->data_dir().string() << "\n"
       << "log:\n  level: " << o.log_level << "\n"
       << "ldap:\n  managed: " << (o.managed ? "true" : "false") << "\n"
       << "  url: " << daemon->ldap_url_ << "\n"
       << "  base_dn: " << o.base_dn << "\n";
  if (!o.managed) {
    yaml << "  bind_dn: " << o.bind_dn << "\n"
         << "  password_file: " << o.password_file.string() << "\n";
  }
  yaml << "public_api:\n  listen: 127.0.0.1:" << daemon->public_port_ << "\n"
       << o.public_api_yaml
       << "ingest:\n  listen: 127.0.0.1:" << daemon->ingest_port_ << "\n"
       << o.extra_yaml;
  daemon->config_file_ = o.dir / "danhba.yaml";
  std::ofstream out(daemon->config_file_);
  out << yaml.str();
  out.close();
  if (!out) return Internal("cannot write " + daemon->config_file_.string());
  return daemon;
}

Result<std::string> Daemon::AddSender(const std::string& name, const std::string& agencies) {
  std::vector<std::string> argv = {options_.binary.string(), "sender", "add", name, "--config",
                                   config_file_.string()};
  if (!agencies.empty()) {
    argv.push_back("--agencies");
    argv.push_back(agencies);
  }
  auto ran = RunToCompletion(argv);
  if (!ran.ok()) return ran.take_error();
  if (ran->exit_code != 0) {
    return Internal("danhba sender add " + name + " exited with " + std::to_string(ran->exit_code) +
                    ": " + ran->err + ran->out);
  }
  std::istringstream lines(ran->out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("token: ", 0) == 0) return line.substr(7);
  }
  return Internal("danhba sender add printed no token: " + ran->out);
}

Status Daemon::Start() {
  return process_.Start({options_.binary.string(), "run", "--config", config_file_.string()},
                        log_file());
}

Status Daemon::WaitFor(std::chrono::milliseconds timeout, bool ready) {
  auto deadline = Clock::now() + timeout;
  HttpClient public_api("127.0.0.1", public_port_, std::chrono::seconds(2));
  HttpClient ingest("127.0.0.1", ingest_port_, std::chrono::seconds(2));
  std::string last = "nothing answered yet";
  while (Clock::now() < deadline) {
    if (!process_.Running()) {
      return Internal("danhba run exited with " + std::to_string(process_.last_exit_code()) +
                      "; its log:\n" + LogTail());
    }
    auto health = public_api.Get(ready ? "/readyz" : "/healthz");
    if (health.ok() && health->status == 200) {
      auto probe = ingest.Get("/api/v1/events/readiness-probe");
      if (probe.ok()) return Ok();
      last = "ingest: " + probe.error().detail;
    } else {
      last = health.ok() ? "status " + std::to_string(health->status) : health.error().detail;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Transient("danhba run did not become " + std::string(ready ? "ready" : "serving") +
                   " within " + std::to_string(timeout.count()) + " ms (" + last + "); its log:\n" +
                   LogTail());
}

Status Daemon::WaitServing(std::chrono::milliseconds timeout) { return WaitFor(timeout, false); }
Status Daemon::WaitReady(std::chrono::milliseconds timeout) { return WaitFor(timeout, true); }

Status Daemon::Kill() { return process_.Kill(); }

Result<int> Daemon::Stop(std::chrono::milliseconds timeout) { return process_.Stop(timeout); }

std::string Daemon::operator_dn() const { return "cn=operator,ou=system," + options_.base_dn; }

Result<std::string> Daemon::OperatorPassword() const {
  auto text = ReadFile(data_dir() / "secrets" / "operator.password");
  if (!text.ok()) return text.take_error();
  std::string password = std::move(text).value();
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
    password.pop_back();
  return password;
}

std::string Daemon::LogTail(std::size_t lines) const {
  auto text = ReadFile(log_file());
  if (!text.ok()) return "(no log)";
  std::vector<std::string> all;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) all.push_back(line);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += all[i] + "\n";
  return out;
}

}  // namespace danhba::e2e
