// The listener settings of a configured HTTP section (public_api.*, ingest.*)
// as http::Server takes them; `name` is the key errors name ("ingest.listen").
#pragma once

#include <string>

#include "danhba/config/config.h"
#include "danhba/http/server.h"

namespace danhba::api {

http::ServerOptions ListenerOptions(std::string name, const config::HttpConfig& http);

}  // namespace danhba::api
