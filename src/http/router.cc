#include "danhba/http/router.h"

#include <algorithm>
#include <exception>

#include "danhba/base/log.h"

namespace danhba::http {
namespace {

// "/a/b" -> {"a", "b"}; "/" -> {}; "/a/" -> {"a", ""} (so a trailing slash is a different path).
std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.size() <= 1) return segments;
  std::size_t start = 1;
  while (true) {
    auto slash = path.find('/', start);
    segments.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// "{name}" -> "name"; "{name...}" -> "name" with `rest` set.
std::string_view ParamName(std::string_view segment, bool* rest) {
  std::string_view name = segment.substr(1, segment.size() - 2);
  *rest = name.size() > 3 && name.ends_with("...");
  if (*rest) name.remove_suffix(3);
  return name;
}

bool Match(const std::vector<std::string>& pattern, const std::vector<std::string_view>& path,
           PathParams* params) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (i >= path.size()) return false;
    if (IsParam(pattern[i])) {
      bool rest = false;
      std::string_view name = ParamName(pattern[i], &rest);
      if (rest && i + 1 == pattern.size()) {
        // The rest of the path, from this segment's start to the end.
        const char* begin = path[i].data();
        const char* end = path.back().data() + path.back().size();
        std::string_view value(begin, static_cast<std::size_t>(end - begin));
        if (value.empty()) return false;
        if (params) params->emplace(name, value);
        return true;
      }
      if (path[i].empty()) return false;
      if (params) params->emplace(name, path[i]);
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return pattern.size() == path.size();
}

std::string JoinAllow(std::vector<std::string> methods) {
  if (std::find(methods.begin(), methods.end(), "GET") != methods.end()) methods.push_back("HEAD");
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  std::string allow;
  for (const auto& method : methods) {
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  return allow;
}

Response MethodNotAllowed(const Request& request, std::string allow) {
  Response response =
      Response::Error(405, "method_not_allowed",
                      request.method + " is not allowed on " + request.path + "; use " + allow);
  response.headers.Set("Allow", std::move(allow));
  return response;
}

}  // namespace

std::size_t RouteTable::Add(std::string method, std::string_view pattern) {
  std::vector<std::string> segments;
  for (auto segment : Split(pattern)) segments.emplace_back(segment);
  routes_.push_back({std::move(method), std::move(segments)});
  return routes_.size() - 1;
}

Response RouteTable::Dispatch(
    const Request& request,
    const std::function<Response(std::size_t, const PathParams&)>& call) const {
  if (request.path.empty() || request.path.front() != '/') {
    return Response::Error(400, "bad_request", "the request target is not a valid path");
  }
  bool head = request.method == "HEAD";
  if (options_.read_only && request.method != "GET" && !head) {
    return MethodNotAllowed(request, "GET, HEAD");
  }
  auto segments = Split(request.path);
  std::vector<std::string> allowed;
  for (std::size_t index = 0; index < routes_.size(); ++index) {
    const Route& route = routes_[index];
    if (!Match(route.segments, segments, nullptr)) continue;
    bool serves = route.method == request.method || (head && route.method == "GET");
    if (!serves) {
      allowed.push_back(route.method);
      continue;
    }
    PathParams params;
    Match(route.segments, segments, &params);
    Response response;
    try {
      response = call(index, params);
    } catch (const std::exception& e) {
      log::Get("http")->error("{} {}: handler failed: {}", request.method, request.path, e.what());
      response = Response::Error(500, "internal", "internal error");
    }
    if (head) {
      response.content_length = response.body.size();
      response.body.clear();
    }
    return response;
  }
  if (!allowed.empty()) return MethodNotAllowed(request, JoinAllow(std::move(allowed)));
  Response response = Response::Error(404, "not_found", "no such path: " + request.path);
  if (head) {
    response.content_length = response.body.size();
    response.body.clear();
  }
  return response;
}

}  // namespace danhba::http
