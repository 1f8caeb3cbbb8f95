// Routing as a pure function: a table of (method, path pattern, handler) and
// Handle(request) -> response, shared by the public and the ingest API.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "danhba/http/message.h"

namespace danhba::http {

// Values of the {name} segments of the pattern that matched.
using PathParams = std::map<std::string, std::string, std::less<>>;

struct RouterOptions {
  // Only GET and HEAD are served; any other method, on any path, is 405 with
  // "Allow: GET, HEAD" (the public API).
  bool read_only = false;
};

// The part of a router that does not depend on what the handlers take: the
// patterns, matching, 400/404/405 and HEAD. BasicRouter adds the handlers.
class RouteTable {
 public:
  explicit RouteTable(RouterOptions options) : options_(options) {}

  // Adds a route; returns its index (0, 1, ... in the order added).
  std::size_t Add(std::string method, std::string_view pattern);

  // The response of the first route that serves `request` (through `call`,
  // with the route's index and the path's parameters), or the router's own
  // 400/404/405; a HEAD answer loses its body; a handler that throws is 500.
  Response Dispatch(const Request& request,
                    const std::function<Response(std::size_t, const PathParams&)>& call) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
  };

  RouterOptions options_;
  std::vector<Route> routes_;
};

// A router whose handlers also receive `Context...` from the caller of
// Handle(), e.g. the authenticated sender: Router (no context) for most uses.
template <class... Context>
class BasicRouter {
 public:
  using RouteHandler = std::function<Response(const Request&, const PathParams&, Context...)>;

  explicit BasicRouter(RouterOptions options = {}) : table_(options) {}

  // Adds a route. `pattern` is a path whose segments are literal or "{name}",
  // e.g. "/api/v1/people/{local_part}"; a {name} matches one non-empty segment.
  // The last segment may be "{name...}": it matches the rest of the path, one
  // or more segments, slashes included (an id that may contain '/').
  // A GET route also answers HEAD (same status and headers, no body).
  // Routes are tried in the order added; the first whose pattern matches wins.
  void Add(std::string method, std::string pattern, RouteHandler handler) {
    table_.Add(std::move(method), pattern);
    handlers_.push_back(std::move(handler));
  }
  void Get(std::string pattern, RouteHandler handler) {
    Add("GET", std::move(pattern), std::move(handler));
  }
  void Post(std::string pattern, RouteHandler handler) {
    Add("POST", std::move(pattern), std::move(handler));
  }

  // Answers `request`: the matching route's response; 404 (JSON error) when no
  // pattern matches the path; 405 with Allow when the path matches under other
  // methods only; 400 for a path that cannot be decoded. Thread-safe once built.
  Response Handle(const Request& request, Context... context) const {
    return table_.Dispatch(request, [&](std::size_t route, const PathParams& params) {
      return handlers_[route](request, params, context...);
    });
  }

  // Handle as a Handler, for Server. The router must outlive it.
  Handler AsHandler() const requires(sizeof...(Context) == 0) {
    return [this](const Request& request) { return Handle(request); };
  }

 private:
  RouteTable table_;
  std::vector<RouteHandler> handlers_;
};

using Router = BasicRouter<>;
using RouteHandler = Router::RouteHandler;

}  // namespace danhba::http
