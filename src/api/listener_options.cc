#include "danhba/api/listener_options.h"

namespace danhba::api {

http::ServerOptions ListenerOptions(std::string name, const config::HttpConfig& http) {
  http::ServerOptions options;
  options.name = std::move(name);
  options.host = http.listen.host;
  options.port = http.listen.port;
  options.threads = http.threads;
  options.max_connections = http.max_connections;
  options.max_body_bytes = http.max_body_bytes;
  options.max_header_bytes = http.max_header_bytes;
  options.request_timeout = http.request_timeout;
  options.idle_timeout = http.idle_timeout;
  options.busy_poll = http.busy_poll;
  return options;
}

}  // namespace danhba::api
