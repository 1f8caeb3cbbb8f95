#include "danhba/ops/digests.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <fstream>
#include <istream>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "danhba/api/changes.h"
#include "danhba/base/files.h"
#include "danhba/base/log.h"
#include "danhba/base/strings.h"
#include "danhba/journal/journal.h"
#include "danhba/model/event.h"

namespace danhba::ops {
namespace {

namespace fs = std::filesystem;
using tcp = boost::asio::ip::tcp;
using Json = nlohmann::json;

fs::path StateFile(const config::Config& config) { return config.data_dir / "digests" / "state.json"; }

std::string ReadCursor(const config::Config& config) {
  std::ifstream in(StateFile(config));
  if (!in) return "";
  try {
    return Json::parse(in).value("cursor", "");
  } catch (const std::exception&) {
    return "";
  }
}

Status WriteCursor(const config::Config& config, const std::string& cursor) {
  fs::path file = StateFile(config);
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  return WriteFileAtomically(file, Json{{"cursor", cursor}}.dump() + "\n", 0644);
}

// "uid=annv mail=annv@dongnai.gov.vn": the mail.
std::string MailOf(const std::string& result) {
  std::size_t at = result.find("mail=");
  if (at == std::string::npos) return "";
  return result.substr(at + 5, result.find(' ', at) - at - 5);
}

// Reads one SMTP reply (multi-line "250-..." lines end with "250 ...").
Result<std::pair<int, std::string>> ReadReply(tcp::socket& socket, boost::asio::streambuf& buffer) {
  std::string text;
  while (true) {
    boost::asio::read_until(socket, buffer, "\r\n");
    std::istream in(&buffer);
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    text += line + " ";
    if (line.size() < 4) return Transient("a malformed SMTP reply: '" + line + "'");
    if (line[3] == ' ') return std::make_pair(std::atoi(line.substr(0, 3).c_str()), text);
  }
}

}  // namespace

Mail DigestMail(const config::Config& config, const AgencyDigest& digest) {
  Mail mail;
  mail.from = config.digests.from.empty() ? "danhba@" + config.domain : config.digests.from;
  mail.to = digest.agency + "@" + config.domain;
  mail.subject = "Danh bạ điện tử: thay đổi nhân sự của " + digest.agency;
  std::string body = "Kính gửi " + digest.agency + ",\n\nDanh bạ điện tử đã ghi nhận các thay đổi sau kể từ bản tin trước:\n";
  auto section = [&](const char* title, const std::vector<DigestLine>& lines) {
    if (lines.empty()) return;
    body += fmt::format("\n{} ({}):\n", title, lines.size());
    for (const DigestLine& line : lines) {
      body += "  - " + line.name + (line.address.empty() ? "" : " <" + line.address + ">");
      if (!line.note.empty()) body += " (" + line.note + ")";
      body += "\n";
    }
  };
  section("Tuyển dụng mới", digest.hired);
  section("Chuyển đến", digest.moved_in);
  section("Chuyển đi", digest.moved_out);
  section("Nghỉ việc", digest.left);
  body += "\nThư này được gửi tự động; vui lòng không trả lời.\n";
  mail.body = std::move(body);
  return mail;
}

Status SendMail(const config::ListenAddress& relay, const Mail& mail, std::chrono::milliseconds timeout) {
  const std::string where = "SMTP relay " + relay.ToString();
  try {
    boost::asio::io_context io;
    tcp::socket socket(io);
    tcp::resolver resolver(io);
    boost::asio::connect(socket, resolver.resolve(relay.host, std::to_string(relay.port)));
    // A read that never returns is cut by SO_RCVTIMEO.
    struct timeval tv {};
    tv.tv_sec = static_cast<long>(timeout.count() / 1000);
    tv.tv_usec = static_cast<long>((timeout.count() % 1000) * 1000);
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    boost::asio::streambuf buffer;
    auto expect = [&](int code, const std::string& what) -> Status {
      DANHBA_ASSIGN_OR_RETURN(auto reply, ReadReply(socket, buffer));
      if (reply.first != code) {
        return Transient(where + " answered " + what + " with " + reply.second);
      }
      return Ok();
    };
    auto send = [&](const std::string& line) { boost::asio::write(socket, boost::asio::buffer(line + "\r\n")); };
    DANHBA_RETURN_IF_ERROR(expect(220, "the connection"));
    send("EHLO danhba");
    DANHBA_RETURN_IF_ERROR(expect(250, "EHLO"));
    send("MAIL FROM:<" + mail.from + "> BODY=8BITMIME");
    DANHBA_RETURN_IF_ERROR(expect(250, "MAIL FROM"));
    send("RCPT TO:<" + mail.to + ">");
    DANHBA_RETURN_IF_ERROR(expect(250, "RCPT TO:<" + mail.to + ">"));
    send("DATA");
    DANHBA_RETURN_IF_ERROR(expect(354, "DATA"));
    std::string message = "From: " + mail.from + "\r\nTo: " + mail.to + "\r\nSubject: =?UTF-8?B?" +
                          Base64Encode(mail.subject) +
                          "?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                          "Content-Transfer-Encoding: 8bit\r\n\r\n";
    std::size_t start = 0;
    while (start < mail.body.size()) {
      std::size_t end = mail.body.find('\n', start);
      std::string line = mail.body.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (line.starts_with(".")) line = "." + line;  // dot-stuffing
      message += line + "\r\n";
      if (end == std::string::npos) break;
      start = end + 1;
    }
    message += ".\r\n";
    boost::asio::write(socket, boost::asio::buffer(message));
    DANHBA_RETURN_IF_ERROR(expect(250, "the message"));
    send("QUIT");
    return Ok();
  } catch (const boost::system::system_error& e) {
    return Transient(where + ": " + e.what());
  }
}

DigestSender::DigestSender(config::Config config, journal::Journal& journal)
    : config_(std::move(config)), journal_(journal) {}

DigestSender::~DigestSender() { Stop(); }

void DigestSender::Start() {
  if (!config_.digests.enabled) return;
  thread_ = std::thread([this] { Loop(); });
}

void DigestSender::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DigestSender::Loop() {
  auto log = log::Get("digest");
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (wake_.wait_for(lock, config_.digests.interval, [this] { return stopping_; })) break;
    lock.unlock();
    auto sent = RunOnce();
    if (!sent.ok()) {
      log->error("digests not sent (next try in {} s): {}",
                 std::chrono::duration_cast<std::chrono::seconds>(config_.digests.interval).count(),
                 sent.error().detail);
    } else if (*sent > 0) {
      log->info("{} digest(s) sent through {}", *sent, config_.digests.smtp_relay.ToString());
    }
    lock.lock();
  }
}

Result<std::size_t> DigestSender::RunOnce() {
  api::ChangePosition after;
  if (auto decoded = api::DecodeCursor(ReadCursor(config_))) after = *decoded;
  // Names and agencies of people, from every event still in the journal (a
  // transfer or leave names only the person id).
  std::unordered_map<std::string, std::string> name_of;
  std::unordered_map<std::string, std::string> agency_of;
  std::map<std::string, AgencyDigest> digests;
  auto digest = [&](const std::string& code) -> AgencyDigest& {
    AgencyDigest& d = digests[code];
    d.agency = code;
    return d;
  };
  api::ChangePosition last = after;
  auto changes = api::ReadChanges(journal_, {}, std::numeric_limits<std::size_t>::max(), {}, nullptr, nullptr);
  if (!changes.ok()) return changes.take_error();
  for (const api::Change& change : *changes) {
    Json item = Json::parse(change.json);
    if (item["event"].is_null()) continue;
    auto event = model::ParseEvent(item["event"].dump());
    if (!event.ok() || !event->person) continue;
    const std::string& id = event->person->id;
    std::string before = agency_of.contains(id) ? agency_of[id] : "";
    if (event->person->full_name) name_of[id] = *event->person->full_name;
    if (event->type == model::EventType::kHire && event->person->agency) agency_of[id] = *event->person->agency;
    if (event->type == model::EventType::kTransfer && event->to_agency) agency_of[id] = *event->to_agency;
    if (change.position <= after) continue;  // only to learn names and agencies
    last = change.position;
    DigestLine line{name_of.contains(id) ? name_of[id] : id, MailOf(item.value("result", "")), ""};
    switch (event->type) {
      case model::EventType::kHire:
        if (event->person->agency) digest(*event->person->agency).hired.push_back(line);
        break;
      case model::EventType::kTransfer:
        if (event->to_agency) {
          DigestLine in = line;
          if (!before.empty()) in.note = "từ " + before;
          digest(*event->to_agency).moved_in.push_back(in);
          if (!before.empty()) {
            line.note = "đến " + *event->to_agency;
            digest(before).moved_out.push_back(line);
          }
        }
        break;
      case model::EventType::kLeave:
        if (!before.empty()) digest(before).left.push_back(line);
        break;
      default:
        break;
    }
  }
  std::size_t sent = 0;
  for (const auto& [code, d] : digests) {
    if (d.empty()) continue;
    DANHBA_RETURN_IF_ERROR(SendMail(config_.digests.smtp_relay, DigestMail(config_, d), std::chrono::seconds(30)));
    ++sent;
  }
  if (last != after) DANHBA_RETURN_IF_ERROR(WriteCursor(config_, api::EncodeCursor(last)));
  return sent;
}

}  // namespace danhba::ops
