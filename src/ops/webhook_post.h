// One webhook delivery over HTTP or HTTPS (private to src/ops): the URL's
// parts and a POST that answers with the status and body.
//
// https: TLS 1.2 or later, the peer's certificate verified against the
// system's CAs (or a PEM file naming a private CA) and the URL's host name
// (or IP address); SNI is sent. A certificate that does not verify is a
// failed delivery, retried like any other.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "danhba/base/result.h"

namespace danhba::ops::webhook_post {

struct Url {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
};

// http://host[:port]/path or https://host[:port]/path; anything else is
// refused with a message naming the URL.
Result<Url> ParseUrl(const std::string& url);

// Checks that `ca_file` holds at least one PEM certificate.
Status CheckCaFile(const std::filesystem::path& ca_file);

struct Answer {
  int status = 0;
  std::string body;
};

// POSTs `body` as application/json. `ca_file` (https only; empty: the
// system's CAs) is what the server's certificate must chain to.
Result<Answer> Post(const Url& url, const std::vector<std::pair<std::string, std::string>>& headers,
                    const std::string& body, std::chrono::milliseconds timeout,
                    const std::filesystem::path& ca_file);

}  // namespace danhba::ops::webhook_post
