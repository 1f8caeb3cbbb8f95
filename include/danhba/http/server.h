// An HTTP/1.1 server for one listener: N threads, each with its own io_context
// and the connections handed to it in turn (no locks or strands on the request
// path), keep-alive, limits and timeouts from configuration.
// The request logic is a Handler (message.h); the server only moves bytes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "danhba/base/result.h"
#include "danhba/http/message.h"

namespace danhba::http {

struct ServerOptions {
  // Names the listener in logs and errors, e.g. "public_api.listen".
  std::string name = "http";
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (see Server::port())
  int threads = 2;
  std::size_t max_connections = 1024;       // beyond this, new connections get 503 and are closed
  std::size_t max_body_bytes = 1 << 20;     // larger bodies get 413
  std::size_t max_header_bytes = 16 << 10;  // larger headers get 431
  std::chrono::milliseconds request_timeout{
      30000};  // to read one whole request, and to write its answer
  std::chrono::milliseconds idle_timeout{60000};  // keep-alive wait for the next request
  // After its last piece of work a thread keeps polling this long before it
  // sleeps: a client's next request arrives without waking a sleeping thread
  // (on a virtual machine the wake-up costs more than the answer). Costs CPU
  // in proportion to the load; 0: sleep at once.
  std::chrono::microseconds busy_poll{0};
  // Stop() lets requests in progress finish for this long.
  std::chrono::milliseconds stop_grace{5000};
};

class Server {
 public:
  // Binds, listens and starts the threads. A bind failure is a ConfigError
  // naming the listener: "public_api.listen 127.0.0.1:8080: address already in use".
  // The handler is called on the server's threads, concurrently.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options, Handler handler);

  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port actually bound (useful with port 0).
  std::uint16_t port() const;
  // "host:port" actually bound.
  std::string address() const;
  // Connections open now.
  std::size_t connections() const;

  // Stops accepting, closes idle connections, lets requests in progress finish
  // (up to stop_grace), then joins the threads. Idempotent.
  void Stop();

 private:
  class Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace danhba::http
