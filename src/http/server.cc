#include "danhba/http/server.h"

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "danhba/base/log.h"

namespace danhba::http {
namespace {

namespace beast = boost::beast;
namespace wire = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

class Session;

// What the listener, the workers and every session share; sessions keep it
// alive until the last of them is gone.
struct Shared {
  ServerOptions options;
  Handler handler;
  std::shared_ptr<spdlog::logger> log = log::Get("http");
  std::atomic<bool> stopping{false};

  // Connections open now; Stop() waits for it to reach zero.
  std::mutex mutex;
  std::condition_variable drained;
  std::size_t connections = 0;

  void Opened() {
    std::lock_guard lock(mutex);
    ++connections;
  }
  void Closed() {
    std::lock_guard lock(mutex);
    if (--connections == 0) drained.notify_all();
  }
  std::size_t Count() {
    std::lock_guard lock(mutex);
    return connections;
  }
};

// One thread running one io_context, and the sessions that live on it. A
// connection stays on one worker for its whole life, so its handlers never run
// concurrently and need no strand; the session list is touched only on the
// worker's own thread.
struct Worker {
  net::io_context ioc{1};
  net::steady_timer sweeper{ioc};
  std::vector<std::weak_ptr<Session>> sessions;
  std::thread thread;

  // Calls `visit` with each session still open, forgetting those that are gone.
  template <class Visit>
  void ForEachSession(Visit visit) {
    std::erase_if(sessions, [&](const std::weak_ptr<Session>& weak) {
      auto session = weak.lock();
      if (session) visit(*session);
      return !session;
    });
  }
};

// Runs the worker's handlers until the server stops, polling for `busy_poll`
// after the last of them before sleeping (ServerOptions::busy_poll).
void RunWorker(Worker& worker, std::chrono::microseconds busy_poll) {
  if (busy_poll.count() <= 0) {
    worker.ioc.run();
    return;
  }
  auto idle_since = SteadyClock::now();
  while (!worker.ioc.stopped()) {
    if (worker.ioc.poll() > 0) {
      idle_since = SteadyClock::now();
    } else if (SteadyClock::now() - idle_since >= busy_poll) {
      worker.ioc.run_one();
      idle_since = SteadyClock::now();
    }
  }
}

Request ToRequest(wire::request<wire::string_body>&& in, const std::string& remote) {
  Request request = Request::Make(std::string(in.method_string()), std::string(in.target()),
                                  std::move(in.body()));
  for (const auto& field : in)
    request.headers.Add(std::string(field.name_string()), std::string(field.value()));
  request.remote_address = remote;
  return request;
}

// The status line and headers of `response`, ready for the wire. Besides the
// handler's headers: Server, Content-Type, Content-Length and, where the
// version's default differs, Connection.
std::string ResponseHead(const Response& response, std::size_t content_length, unsigned version,
                         bool keep_alive) {
  std::string head;
  head.reserve(256);
  head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  head += std::to_string(response.status);
  head += ' ';
  head += ReasonPhrase(response.status);
  head += "\r\nServer: danhba\r\n";
  if (!response.content_type.empty()) {
    head += "Content-Type: ";
    head += response.content_type;
    head += "\r\n";
  }
  for (const auto& [name, value] : response.headers.entries()) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  bool bodiless = (response.status >= 100 && response.status < 200) || response.status == 204;
  if (!bodiless) {
    head += "Content-Length: ";
    head += std::to_string(content_length);
    head += "\r\n";
  }
  if (version >= 11 && !keep_alive) head += "Connection: close\r\n";
  if (version < 11 && keep_alive) head += "Connection: keep-alive\r\n";
  head += "\r\n";
  return head;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<Shared> shared, Worker& worker, bool reject)
      : socket_(std::move(socket)), shared_(std::move(shared)), worker_(worker), reject_(reject) {
    shared_->Opened();
    boost::system::error_code ec;
    auto endpoint = socket_.remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
    socket_.set_option(tcp::no_delay(true), ec);
  }

  ~Session() { shared_->Closed(); }

  // On the worker's thread.
  void Run() {
    worker_.sessions.push_back(weak_from_this());
    Begin();
  }

  // On the worker's thread when the server stops: an idle connection closes
  // now; one with a request in progress closes after its answer.
  void Shutdown() {
    stopping_ = true;
    if (!writing_) Cancel();
  }

  // On the worker's thread, a few times per timeout: a connection past its
  // deadline (a slow or silent client) is closed.
  void Sweep(SteadyClock::time_point now) {
    if (now >= deadline_) Cancel();
  }

 private:
  void Begin() {
    if (reject_) {
      shared_->log->warn("{}: {} connections open, refusing {}", shared_->options.name,
                         shared_->options.max_connections, remote_);
      Send(Response::Error(503, "unavailable", "too many connections; try again later"), 11, false,
           false);
      return;
    }
    ReadHeader(shared_->options.request_timeout);
  }

  void Expire(std::chrono::milliseconds timeout) { deadline_ = SteadyClock::now() + timeout; }

  void Cancel() {
    beast::error_code ignored;
    socket_.cancel(ignored);
    closing_ = true;
  }

  void ReadHeader(std::chrono::milliseconds timeout) {
    if (stopping_ || closing_ || shared_->stopping) return Close();
    parser_.emplace();
    parser_->body_limit(shared_->options.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(shared_->options.max_header_bytes));
    Expire(timeout);
    wire::async_read_header(socket_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    if (parser_->is_done()) return OnRead(ec, 0);  // no body: nothing more to read
    Expire(shared_->options.request_timeout);
    wire::async_read(socket_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnReadError(beast::error_code ec) {
    if (closing_ || ec == wire::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof) {
      return Close();
    }
    if (ec == wire::error::body_limit) {
      return Send(Response::Error(413, "too_large",
                                  "the request body is larger than " +
                                      std::to_string(shared_->options.max_body_bytes) + " bytes"),
                  11, false, false);
    }
    if (ec == wire::error::header_limit) {
      return Send(Response::Error(431, "headers_too_large", "the request headers are too large"),
                  11, false, false);
    }
    shared_->log->debug("{}: bad request from {}: {}", shared_->options.name, remote_,
                        ec.message());
    Send(Response::Error(400, "bad_request", "malformed HTTP request"), 11, false, false);
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    auto in = parser_->release();
    unsigned version = in.version();
    bool keep_alive = in.keep_alive() && !stopping_ && !shared_->stopping;
    Request request = ToRequest(std::move(in), remote_);
    // The clock is read only for the debug line (the handler keeps its own metrics).
    bool debug = shared_->log->should_log(spdlog::level::debug);
    auto started = debug ? SteadyClock::now() : SteadyClock::time_point();
    Response response;
    try {
      response = shared_->handler(request);
    } catch (const std::exception& e) {
      shared_->log->error("{} {}: handler failed: {}", request.method, request.target, e.what());
      response = Response::Error(500, "internal", "internal error");
    }
    if (debug) {
      auto elapsed =
          std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started);
      shared_->log->debug("{} {} {} -> {} ({} us)", remote_, request.method, request.target,
                          response.status, elapsed.count());
    }
    Send(std::move(response), version, keep_alive, request.method == "HEAD");
  }

  void Send(Response&& response, unsigned version, bool keep_alive, bool head) {
    std::size_t length = response.content_length.value_or(response.body.size());
    head_ = ResponseHead(response, length, version, keep_alive);
    body_ = head ? std::string() : std::move(response.body);
    writing_ = true;
    Expire(shared_->options.request_timeout);
    std::array<net::const_buffer, 2> buffers = {net::buffer(head_), net::buffer(body_)};
    net::async_write(socket_, buffers,
                     beast::bind_front_handler(&Session::OnWrite, shared_from_this(), keep_alive));
  }

  void OnWrite(bool keep_alive, beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec || !keep_alive || stopping_ || closing_) return Close();
    ReadHeader(shared_->options.idle_timeout);
  }

  void Close() {
    deadline_ = SteadyClock::time_point::max();
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::optional<wire::request_parser<wire::string_body>> parser_;
  std::string head_;
  std::string body_;
  std::shared_ptr<Shared> shared_;
  Worker& worker_;
  std::string remote_;
  SteadyClock::time_point deadline_ = SteadyClock::time_point::max();
  bool reject_ = false;
  bool stopping_ = false;
  bool closing_ = false;  // cancelled for a timeout or a stop: no further reads
  bool writing_ = false;
};

// How often each worker looks for connections past their deadline: a fraction
// of the shortest timeout, so a timeout fires late by at most that much.
std::chrono::milliseconds SweepInterval(const ServerOptions& options) {
  auto shortest = std::min(options.request_timeout, options.idle_timeout);
  return std::clamp(shortest / 8, std::chrono::milliseconds(5), std::chrono::milliseconds(500));
}

void Sweep(Worker& worker, std::chrono::milliseconds interval) {
  worker.sweeper.expires_after(interval);
  worker.sweeper.async_wait([&worker, interval](beast::error_code ec) {
    if (ec) return;
    auto now = SteadyClock::now();
    worker.ForEachSession([now](Session& session) { session.Sweep(now); });
    Sweep(worker, interval);
  });
}

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(tcp::acceptor&& acceptor, std::vector<std::unique_ptr<Worker>>& workers,
           std::shared_ptr<Shared> shared)
      : acceptor_(std::move(acceptor)), workers_(workers), shared_(std::move(shared)) {}

  void Run() {
    net::dispatch(acceptor_.get_executor(),
                  beast::bind_front_handler(&Listener::Accept, shared_from_this()));
  }

  void Close() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

 private:
  // Each new connection goes to the next worker in turn.
  void Accept() {
    Worker& worker = *workers_[next_++ % workers_.size()];
    acceptor_.async_accept(
        worker.ioc, [self = shared_from_this(), &worker](beast::error_code ec, tcp::socket socket) {
          self->OnAccept(worker, ec, std::move(socket));
        });
  }

  void OnAccept(Worker& worker, beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open() || shared_->stopping) return;
    if (ec) {
      shared_->log->warn("{}: accept failed: {}", shared_->options.name, ec.message());
    } else {
      bool reject = shared_->Count() >= shared_->options.max_connections;
      auto session = std::make_shared<Session>(std::move(socket), shared_, worker, reject);
      net::post(worker.ioc, [session] { session->Run(); });
    }
    Accept();
  }

  tcp::acceptor acceptor_;
  std::vector<std::unique_ptr<Worker>>& workers_;
  std::shared_ptr<Shared> shared_;
  std::size_t next_ = 0;
};

std::string DescribeBindError(const beast::error_code& ec) {
  if (ec == net::error::address_in_use) return "address already in use";
  if (ec == net::error::access_denied)
    return "permission denied (ports below 1024 need privileges)";
  if (ec == boost::system::errc::address_not_available) return "no such address on this machine";
  return ec.message();
}

std::string Format(const std::string& host, std::uint16_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

}  // namespace

class Server::Impl {
 public:
  explicit Impl(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {
    int threads = std::max(1, shared_->options.threads);
    for (int i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
  }

  Status Bind() {
    const ServerOptions& options = shared_->options;
    std::string where = options.name + " " + Format(options.host, options.port);
    beast::error_code ec;
    net::io_context& ioc = workers_.front()->ioc;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || endpoints.empty()) {
      return ConfigError(where + ": cannot resolve host: " + (ec ? ec.message() : "no address"));
    }
    tcp::endpoint endpoint = endpoints.begin()->endpoint();
    tcp::acceptor acceptor(ioc);
    if (acceptor.open(endpoint.protocol(), ec); ec)
      return ConfigError(where + ": " + DescribeBindError(ec));
    if (acceptor.set_option(net::socket_base::reuse_address(true), ec); ec) {
      return ConfigError(where + ": " + DescribeBindError(ec));
    }
    if (acceptor.bind(endpoint, ec); ec) return ConfigError(where + ": " + DescribeBindError(ec));
    if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) {
      return ConfigError(where + ": " + DescribeBindError(ec));
    }
    bound_ = acceptor.local_endpoint(ec);
    listener_ = std::make_shared<Listener>(std::move(acceptor), workers_, shared_);
    return Ok();
  }

  void Start() {
    listener_->Run();
    auto interval = SweepInterval(shared_->options);
    for (auto& worker : workers_) {
      Sweep(*worker, interval);
      worker->thread = std::thread([this, w = worker.get()] {
        // A handler that throws is a bug; keep the listener serving and say so.
        for (;;) {
          try {
            RunWorker(*w, shared_->options.busy_poll);
            return;
          } catch (const std::exception& e) {
            shared_->log->error("{}: unexpected exception: {}", shared_->options.name, e.what());
          }
        }
      });
    }
    shared_->log->info("{}: listening on {} ({} threads)", shared_->options.name, Address(),
                       workers_.size());
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    shared_->stopping = true;
    listener_->Close();
    for (auto& worker : workers_) {
      net::post(worker->ioc, [w = worker.get()] {
        w->ForEachSession([](Session& session) { session.Shutdown(); });
      });
    }
    {
      std::unique_lock lock(shared_->mutex);
      shared_->drained.wait_for(lock, shared_->options.stop_grace,
                                [&] { return shared_->connections == 0; });
    }
    for (auto& worker : workers_) worker->ioc.stop();
    for (auto& worker : workers_) {
      if (worker->thread.joinable()) worker->thread.join();
    }
    shared_->log->info("{}: stopped", shared_->options.name);
  }

  std::uint16_t Port() const { return bound_.port(); }
  std::string Address() const { return Format(bound_.address().to_string(), bound_.port()); }
  std::size_t Connections() const { return shared_->Count(); }

 private:
  std::shared_ptr<Shared> shared_;
  // Destroyed before shared_: pending handlers release their sessions first.
  std::vector<std::unique_ptr<Worker>> workers_;
  std::shared_ptr<Listener> listener_;
  tcp::endpoint bound_;
  std::atomic<bool> stopped_{false};
};

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, Handler handler) {
  auto shared = std::make_shared<Shared>();
  shared->options = std::move(options);
  shared->handler = std::move(handler);
  auto impl = std::make_unique<Impl>(std::move(shared));
  DANHBA_RETURN_IF_ERROR(impl->Bind());
  impl->Start();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

std::uint16_t Server::port() const { return impl_->Port(); }
std::string Server::address() const { return impl_->Address(); }
std::size_t Server::connections() const { return impl_->Connections(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace danhba::http
