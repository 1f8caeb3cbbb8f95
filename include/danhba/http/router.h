// Routing as a pure function: a table of (method, path pattern, handler) and
// Handle(request) -> response, shared by the public and the ingest API.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/http/message.h"

namespace danhba::http {

// Values of the {name} segments of the pattern that matched.
using PathParams = std::map<std::string, std::string, std::less<>>;
using RouteHandler = std::function<Response(const Request&, const PathParams&)>;

struct RouterOptions {
  // Only GET and HEAD are served; any other method, on any path, is 405 with
  // "Allow: GET, HEAD" (the public API).
  bool read_only = false;
};

class Router {
 public:
  explicit Router(RouterOptions options = {});

  // Adds a route. `pattern` is a path whose segments are literal or "{name}",
  // e.g. "/api/v1/people/{local_part}"; a {name} matches one non-empty segment.
  // A GET route also answers HEAD (same status and headers, no body).
  // Routes are tried in the order added; the first whose pattern matches wins.
  void Add(std::string method, std::string pattern, RouteHandler handler);
  void Get(std::string pattern, RouteHandler handler) { Add("GET", std::move(pattern), std::move(handler)); }
  void Post(std::string pattern, RouteHandler handler) { Add("POST", std::move(pattern), std::move(handler)); }

  // Answers `request`: the matching route's response; 404 (JSON error) when no
  // pattern matches the path; 405 with Allow when the path matches under other
  // methods only; 400 for a path that cannot be decoded. Thread-safe once built.
  Response Handle(const Request& request) const;

  // Handle as a Handler, for Server. The router must outlive it.
  Handler AsHandler() const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    RouteHandler handler;
  };

  RouterOptions options_;
  std::vector<Route> routes_;
};

}  // namespace danhba::http
