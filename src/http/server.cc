#include "danhba/http/server.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "danhba/base/log.h"

namespace danhba::http {
namespace {

namespace beast = boost::beast;
namespace wire = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Session;

// What the listener and every session share; sessions keep it alive until the
// last of them is gone.
struct Shared {
  ServerOptions options;
  Handler handler;
  std::shared_ptr<spdlog::logger> log = log::Get("http");
  std::atomic<bool> stopping{false};

  std::mutex mutex;
  std::condition_variable drained;
  std::uint64_t next_id = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions;

  std::uint64_t Register(const std::shared_ptr<Session>& session) {
    std::lock_guard lock(mutex);
    sessions.emplace(++next_id, session);
    return next_id;
  }
  void Unregister(std::uint64_t id) {
    std::lock_guard lock(mutex);
    sessions.erase(id);
    if (sessions.empty()) drained.notify_all();
  }
  std::size_t Count() {
    std::lock_guard lock(mutex);
    return sessions.size();
  }
};

Request ToRequest(wire::request<wire::string_body>&& in, const std::string& remote) {
  Request request = Request::Make(std::string(in.method_string()), std::string(in.target()), std::move(in.body()));
  for (const auto& field : in) request.headers.Add(std::string(field.name_string()), std::string(field.value()));
  request.remote_address = remote;
  return request;
}

wire::response<wire::string_body> ToWire(Response&& response, unsigned version, bool keep_alive, bool head) {
  wire::response<wire::string_body> out;
  out.version(version);
  out.result(static_cast<unsigned>(response.status));
  out.set(wire::field::server, "danhba");
  if (!response.content_type.empty()) out.set(wire::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers.entries()) out.insert(name, value);
  if (head && !response.content_length) {
    response.content_length = response.body.size();
    response.body.clear();
  }
  out.body() = std::move(response.body);
  if (response.content_length) {
    out.content_length(*response.content_length);
  } else {
    out.prepare_payload();
  }
  out.keep_alive(keep_alive);
  return out;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<Shared> shared, bool reject)
      : stream_(std::move(socket)), shared_(std::move(shared)), reject_(reject) {
    boost::system::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }

  ~Session() {
    if (id_ != 0) shared_->Unregister(id_);
  }

  void Run() {
    id_ = shared_->Register(shared_from_this());
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::Begin, shared_from_this()));
  }

  // Called on this session's strand when the server stops: an idle connection
  // closes now; one with a request in progress closes after its answer.
  void Shutdown() {
    stopping_ = true;
    if (!writing_) stream_.cancel();
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

 private:
  void Begin() {
    if (reject_) {
      shared_->log->warn("{}: {} connections open, refusing {}", shared_->options.name,
                         shared_->options.max_connections, remote_);
      Send(Response::Error(503, "unavailable", "too many connections; try again later"), 11, false, false);
      return;
    }
    ReadHeader(shared_->options.request_timeout);
  }

  void ReadHeader(std::chrono::milliseconds timeout) {
    if (stopping_ || shared_->stopping) return Close();
    parser_.emplace();
    parser_->body_limit(shared_->options.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(shared_->options.max_header_bytes));
    stream_.expires_after(timeout);
    wire::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    stream_.expires_after(shared_->options.request_timeout);
    wire::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnReadError(beast::error_code ec) {
    if (ec == wire::error::end_of_stream || ec == net::error::operation_aborted || ec == beast::error::timeout ||
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
      return Send(Response::Error(431, "headers_too_large", "the request headers are too large"), 11, false, false);
    }
    shared_->log->debug("{}: bad request from {}: {}", shared_->options.name, remote_, ec.message());
    Send(Response::Error(400, "bad_request", "malformed HTTP request"), 11, false, false);
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    auto in = parser_->release();
    unsigned version = in.version();
    bool keep_alive = in.keep_alive() && !stopping_ && !shared_->stopping;
    Request request = ToRequest(std::move(in), remote_);
    auto started = std::chrono::steady_clock::now();
    Response response;
    try {
      response = shared_->handler(request);
    } catch (const std::exception& e) {
      shared_->log->error("{} {}: handler failed: {}", request.method, request.target, e.what());
      response = Response::Error(500, "internal", "internal error");
    }
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    shared_->log->debug("{} {} {} -> {} ({} us)", remote_, request.method, request.target, response.status,
                        elapsed.count());
    Send(std::move(response), version, keep_alive, request.method == "HEAD");
  }

  void Send(Response&& response, unsigned version, bool keep_alive, bool head) {
    response_ = ToWire(std::move(response), version, keep_alive, head);
    writing_ = true;
    stream_.expires_after(shared_->options.request_timeout);
    wire::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this(), keep_alive));
  }

  void OnWrite(bool keep_alive, beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return Close();
    if (!keep_alive || stopping_) return Close();
    ReadHeader(shared_->options.idle_timeout);
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<wire::request_parser<wire::string_body>> parser_;
  wire::response<wire::string_body> response_;
  std::shared_ptr<Shared> shared_;
  std::string remote_;
  std::uint64_t id_ = 0;
  bool reject_ = false;
  bool stopping_ = false;
  bool writing_ = false;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, tcp::acceptor&& acceptor, std::shared_ptr<Shared> shared)
      : ioc_(ioc), acceptor_(std::move(acceptor)), shared_(std::move(shared)) {}

  void Run() { net::dispatch(acceptor_.get_executor(), beast::bind_front_handler(&Listener::Accept, shared_from_this())); }

  void Close() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

 private:
  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
  }

  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open() || shared_->stopping) return;
    if (ec) {
      shared_->log->warn("{}: accept failed: {}", shared_->options.name, ec.message());
    } else {
      bool reject = shared_->Count() >= shared_->options.max_connections;
      std::make_shared<Session>(std::move(socket), shared_, reject)->Run();
    }
    Accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  std::shared_ptr<Shared> shared_;
};

std::string DescribeBindError(const beast::error_code& ec) {
  if (ec == net::error::address_in_use) return "address already in use";
  if (ec == net::error::access_denied) return "permission denied (ports below 1024 need privileges)";
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
  explicit Impl(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  Status Bind() {
    const ServerOptions& options = shared_->options;
    std::string where = options.name + " " + Format(options.host, options.port);
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || endpoints.empty()) {
      return ConfigError(where + ": cannot resolve host: " + (ec ? ec.message() : "no address"));
    }
    tcp::endpoint endpoint = endpoints.begin()->endpoint();
    tcp::acceptor acceptor(net::make_strand(ioc_));
    if (acceptor.open(endpoint.protocol(), ec); ec) return ConfigError(where + ": " + DescribeBindError(ec));
    if (acceptor.set_option(net::socket_base::reuse_address(true), ec); ec) {
      return ConfigError(where + ": " + DescribeBindError(ec));
    }
    if (acceptor.bind(endpoint, ec); ec) return ConfigError(where + ": " + DescribeBindError(ec));
    if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) {
      return ConfigError(where + ": " + DescribeBindError(ec));
    }
    bound_ = acceptor.local_endpoint(ec);
    listener_ = std::make_shared<Listener>(ioc_, std::move(acceptor), shared_);
    return Ok();
  }

  void Start() {
    listener_->Run();
    int threads = std::max(1, shared_->options.threads);
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this] {
        // A handler that throws is a bug; keep the listener serving and say so.
        for (;;) {
          try {
            ioc_.run();
            return;
          } catch (const std::exception& e) {
            shared_->log->error("{}: unexpected exception: {}", shared_->options.name, e.what());
          }
        }
      });
    }
    shared_->log->info("{}: listening on {}", shared_->options.name, Address());
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    shared_->stopping = true;
    listener_->Close();
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(shared_->mutex);
      for (auto& [id, weak] : shared_->sessions) {
        if (auto session = weak.lock()) live.push_back(std::move(session));
      }
    }
    for (auto& session : live) net::post(session->executor(), [session] { session->Shutdown(); });
    live.clear();
    {
      std::unique_lock lock(shared_->mutex);
      shared_->drained.wait_for(lock, shared_->options.stop_grace, [&] { return shared_->sessions.empty(); });
    }
    ioc_.stop();
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
    shared_->log->info("{}: stopped", shared_->options.name);
  }

  std::uint16_t Port() const { return bound_.port(); }
  std::string Address() const { return Format(bound_.address().to_string(), bound_.port()); }
  std::size_t Connections() const { return shared_->Count(); }

 private:
  std::shared_ptr<Shared> shared_;
  // Destroyed before shared_: pending handlers release their sessions first.
  net::io_context ioc_;
  std::shared_ptr<Listener> listener_;
  tcp::endpoint bound_;
  std::vector<std::thread> threads_;
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
