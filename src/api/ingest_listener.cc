#include "danhba/api/ingest_listener.h"

#include "danhba/api/listener_options.h"

#include "danhba/base/log.h"
#include "danhba/http/server.h"

namespace danhba::api {

class IngestListener::Impl {
 public:
  std::unique_ptr<SenderRegistry> senders;
  std::unique_ptr<IngestService> service;
  std::unique_ptr<http::Server> server;
};

Result<std::unique_ptr<IngestListener>> IngestListener::Start(const config::Config& config,
                                                              IngestServices services,
                                                              base::Clock clock) {
  if (services.journal == nullptr) return Internal("the ingest API needs a journal");
  auto impl = std::make_unique<Impl>();
  auto senders = SenderRegistry::Open(config.SendersFile());
  if (!senders.ok()) return ConfigError("ingest.senders_file: " + senders.error().detail);
  impl->senders = std::move(senders).value();
  services.senders = impl->senders.get();
  IngestOptions ingest_options = IngestOptionsFromConfig(config);
  ingest_options.clock = std::move(clock);
  impl->service = std::make_unique<IngestService>(std::move(ingest_options), std::move(services));

  http::ServerOptions options = ListenerOptions("ingest.listen", config.ingest);
  auto server = http::Server::Start(options, impl->service->AsHandler());
  if (!server.ok()) return server.take_error();
  impl->server = std::move(server).value();
  std::size_t count = impl->senders->Current()->senders().size();
  auto log = log::Get("ingest");
  log->info("ingest API on {} with {} sender(s) from {}", impl->server->address(), count,
            config.SendersFile().string());
  if (count == 0) log->warn("no sender is registered yet: add one with `danhba sender add NAME`");
  return std::make_unique<IngestListener>(std::move(impl));
}

IngestListener::IngestListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

IngestListener::~IngestListener() { Stop(); }

std::uint16_t IngestListener::port() const { return impl_->server->port(); }
std::string IngestListener::address() const { return impl_->server->address(); }
std::size_t IngestListener::sender_count() const {
  return impl_->senders->Current()->senders().size();
}
IngestCounters IngestListener::counters() const { return impl_->service->counters(); }

void IngestListener::Stop() {
  if (impl_ && impl_->server) impl_->server->Stop();
}

}  // namespace danhba::api
