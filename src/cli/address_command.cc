// `danhba address`: the naming rule alone, without a directory (R1, R12).
//
//   danhba address [--json] [--explain] [--domain D] [--encoding E] [NAME ...]
//
// One result per NAME, or per stdin line when no NAME is given. Plain output is
// the local part (local@domain with --domain), one per line; a name that fails
// gives its error on stderr and the others still go through. --json writes one
// object per line, errors included, so output lines match input lines. Exit 1
// when any name failed.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command_registry.h"
#include "danhba/naming/address.h"
#include "danhba/text/legacy.h"
#include "danhba/text/text.h"

namespace danhba::cli {
namespace {

constexpr std::string_view kDefaultDomain = "dongnai.gov.vn";

struct AddressArgs {
  bool json = false;
  bool explain = false;
  std::string domain;
  std::string encoding = "auto";
  std::vector<std::string> names;
};

// stdout through one large buffer: a line at a time would cost a write(2) each.
class Output {
 public:
  Output() { buffer_.reserve(kFlushAt + 4096); }
  ~Output() { Flush(); }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void Line(std::string_view s) {
    buffer_.append(s);
    buffer_.push_back('\n');
    if (buffer_.size() >= kFlushAt) Flush();
  }
  void Flush() {
    if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), stdout);
    std::fflush(stdout);
    buffer_.clear();
  }

 private:
  static constexpr std::size_t kFlushAt = 64 * 1024;
  std::string buffer_;
};

bool ValidDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253 || domain.front() == '.' || domain.back() == '.') {
    return false;
  }
  char previous = '.';
  for (const char c : domain) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok || (c == '.' && previous == '.')) return false;
    previous = c;
  }
  return true;
}

class AddressRun {
 public:
  explicit AddressRun(const AddressArgs& args) : args_(args) {
    domain_ = args.domain.empty() ? std::string(kDefaultDomain) : args.domain;
  }

  // One name; `input` is what to echo as the input (already UTF-8); `line` its
  // stdin line number, 0 for an argument.
  void One(std::string_view input, const Result<std::string>& decoded, std::size_t line = 0) {
    line_ = line;
    if (!decoded.ok()) {
      Fail(input, decoded.error().detail);
      return;
    }
    if (!args_.json && !args_.explain) {
      // The local part alone: the rule's allocation-free path.
      local_.clear();
      if (auto status = naming::AppendLocalPart(*decoded, local_); !status.ok()) {
        Fail(input, status.error().detail);
        return;
      }
      if (!args_.domain.empty()) local_ += "@" + domain_;
      out_.Line(local_);
      return;
    }
    auto result = naming::AddressFor(*decoded, naming::AddressOptions{.explain = args_.explain});
    if (!result.ok()) {
      Fail(input, result.error().detail);
      return;
    }
    const auto& name = result->name;
    const std::string& local = result->local_part.value;
    if (!args_.json) {  // plain, with --explain
      out_.Line(args_.domain.empty() ? local : local + "@" + domain_);
      for (const auto& step : name.explanation) out_.Line("  " + step);
      for (const auto& step : result->local_part.explanation) out_.Line("  " + step);
      return;
    }
    nlohmann::ordered_json j = {
        {"input", input},
        {"full_name", name.full_name},
        {"family_name", name.family_name},
        {"middle_names", name.middle_names},
        {"given_name", name.given_name},
        {"local_part", local},
        {"email", local + "@" + domain_},
    };
    if (!name.titles.empty()) j["titles"] = name.titles;
    if (args_.explain) {
      auto explanation = name.explanation;
      explanation.insert(explanation.end(), result->local_part.explanation.begin(),
                         result->local_part.explanation.end());
      j["explanation"] = std::move(explanation);
    }
    out_.Line(Dump(j));
  }

  void Flush() { out_.Flush(); }
  bool failed() const { return failed_; }

 private:
  static std::string Dump(const nlohmann::ordered_json& j) {
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }

  void Fail(std::string_view input, const std::string& detail) {
    failed_ = true;
    if (args_.json) {
      out_.Line(Dump(nlohmann::ordered_json{{"input", input}, {"error", detail}}));
    } else {
      // stdout first, so the error shows beside the lines before it on a terminal.
      out_.Flush();
      if (line_ > 0) {
        std::fprintf(stderr, "danhba address: line %zu: %s\n", line_, detail.c_str());
      } else {
        std::fprintf(stderr, "danhba address: %s\n", detail.c_str());
      }
    }
  }

  const AddressArgs& args_;
  std::string domain_;
  Output out_;
  std::string local_;
  bool failed_ = false;
  std::size_t line_ = 0;
};

std::string ReadAll(std::FILE* in) {
  std::string data;
  char chunk[65536];
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, in)) > 0) data.append(chunk, n);
  return data;
}

// Lines of `data` without their "\n" or "\r\n"; no empty last line after a final "\n".
std::vector<std::string_view> Lines(std::string_view data) {
  std::vector<std::string_view> lines;
  std::size_t i = 0;
  while (i < data.size()) {
    std::size_t e = data.find('\n', i);
    if (e == std::string_view::npos) e = data.size();
    std::string_view line = data.substr(i, e - i);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    i = e + 1;
  }
  return lines;
}

// Chooses stdin's encoding when asked to detect it: a decided detection wins;
// otherwise UTF-8 when the bytes are UTF-8, else an error asking for --encoding.
Result<text::Encoding> ChooseEncoding(const std::vector<std::string_view>& lines,
                                      std::string_view data) {
  const text::Detection detection = text::DetectEncoding(lines);
  if (detection.decided) {
    if (detection.encoding != text::Encoding::kUtf8) {
      std::fprintf(stderr, "danhba address: stdin read as %s (%s)\n",
                   std::string(text::EncodingName(detection.encoding)).c_str(),
                   detection.reason.c_str());
    }
    return detection.encoding;
  }
  if (text::CheckUtf8(data).ok()) {
    if (detection.encoding != text::Encoding::kUtf8) {
      std::fprintf(stderr,
                   "danhba address: stdin read as utf-8, though it may be %s (%s); "
                   "give --encoding to choose\n",
                   std::string(text::EncodingName(detection.encoding)).c_str(),
                   detection.reason.c_str());
    }
    return text::Encoding::kUtf8;
  }
  return InvalidInput("cannot tell the encoding of stdin (" + detection.reason +
                      "); give --encoding utf-8|tcvn3|vni|viscii|cp1258");
}

int RunAddress(const AddressArgs& args) {
  if (!args.domain.empty() && !ValidDomain(args.domain)) {
    std::fprintf(stderr, "danhba address: --domain '%s' is not a lower-case domain name\n",
                 args.domain.c_str());
    return 2;
  }
  auto encoding = text::ParseEncoding(args.encoding);
  if (!encoding.ok()) {
    std::fprintf(stderr, "danhba address: --encoding: %s\n", encoding.error().detail.c_str());
    return 2;
  }
  AddressRun run(args);
  if (!args.names.empty()) {
    // Arguments come from the terminal or a script: UTF-8.
    for (const auto& name : args.names) run.One(name, Result<std::string>(name));
    run.Flush();
    return run.failed() ? 1 : 0;
  }

  const std::string data = ReadAll(stdin);
  const auto lines = Lines(data);
  text::Encoding chosen = text::Encoding::kUtf8;
  if (encoding->has_value()) {
    chosen = **encoding;
  } else {
    auto detected = ChooseEncoding(lines, data);
    if (!detected.ok()) {
      std::fprintf(stderr, "danhba address: %s\n", detected.error().detail.c_str());
      return 1;
    }
    chosen = *detected;
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (chosen == text::Encoding::kUtf8) {
      run.One(line, Result<std::string>(std::string(line)), i + 1);
      continue;
    }
    auto decoded = text::Decode(line, chosen);
    run.One(decoded.ok() ? std::string_view(*decoded) : line, decoded, i + 1);
  }
  run.Flush();
  return run.failed() ? 1 : 0;
}

void AddAddressCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<AddressArgs>();
  auto* command = app.add_subcommand(
      "address",
      "Print the mailbox address the naming rule gives each NAME (or each stdin line): "
      "given name + initials of family and middle names, e.g. 'Nguyễn Văn An' -> annv");
  command->add_flag("--json", args->json,
                    "One JSON object per line: input, full_name, family_name, middle_names, "
                    "given_name, local_part, email (or input and error)");
  command->add_flag("--explain", args->explain,
                    "Say which titles, words and letters made each address");
  command->add_option("--domain", args->domain,
                      "Print local@DOMAIN instead of the local part (JSON 'email' uses it; "
                      "default " +
                          std::string(kDefaultDomain) + ")");
  command
      ->add_option("--encoding", args->encoding,
                   "Encoding of stdin: auto (detect over the whole input), utf-8, tcvn3, "
                   "vni, viscii, cp1258")
      ->capture_default_str();
  command->add_option("NAME", args->names, "Full names; without any, one name per stdin line");
  command->callback([args, &exit_code] { exit_code = RunAddress(*args); });
}

const bool kRegistered = RegisterCommand("address", &AddAddressCommand);

}  // namespace
}  // namespace danhba::cli
