#include "danhba/http/router.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace danhba::http {
namespace {

std::string ErrorCodeOf(const Response& response) {
  return nlohmann::json::parse(response.body)["error"]["code"].get<std::string>();
}

Router MakeRouter(RouterOptions options = {}) {
  Router router(options);
  router.Get("/healthz", [](const Request&, const PathParams&) { return Response::Text(200, "ok\n"); });
  router.Get("/api/v1/people/{local_part}", [](const Request&, const PathParams& params) {
    return Response::Json(200, nlohmann::json{{"uid", params.at("local_part")}}.dump());
  });
  router.Get("/api/v1/agencies/{code}/people", [](const Request& request, const PathParams& params) {
    return Response::Json(200, nlohmann::json{{"agency", params.at("code")},
                                              {"page", request.Query("page").value_or("1")}}
                                   .dump());
  });
  router.Post("/api/v1/events", [](const Request& request, const PathParams&) {
    return Response::Json(202, request.body);
  });
  router.Get("/api/v1/events/{id}", [](const Request&, const PathParams& params) {
    return Response::Json(200, nlohmann::json{{"id", params.at("id")}}.dump());
  });
  router.Get("/boom", [](const Request&, const PathParams&) -> Response { throw std::runtime_error("bug"); });
  return router;
}

TEST(Router, CallsTheMatchingRouteWithParams) {
  Router router = MakeRouter();
  Response response = router.Handle(Request::Make("GET", "/api/v1/people/annv"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body)["uid"], "annv");

  response = router.Handle(Request::Make("GET", "/api/v1/agencies/stttt/people?page=3"));
  EXPECT_EQ(response.status, 200);
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["agency"], "stttt");
  EXPECT_EQ(body["page"], "3");
}

TEST(Router, UnknownPathIs404Json) {
  Router router = MakeRouter();
  for (const char* target : {"/nope", "/api/v1/people", "/api/v1/people/", "/api/v1/people/annv/extra", "/"}) {
    Response response = router.Handle(Request::Make("GET", target));
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_EQ(ErrorCodeOf(response), "not_found") << target;
  }
}

TEST(Router, WrongMethodIs405WithAllow) {
  Router router = MakeRouter();
  Response response = router.Handle(Request::Make("DELETE", "/api/v1/events"));
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.headers.Get("Allow"), "POST");
  EXPECT_EQ(ErrorCodeOf(response), "method_not_allowed");

  response = router.Handle(Request::Make("PUT", "/healthz"));
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.headers.Get("Allow"), "GET, HEAD");
}

TEST(Router, ReadOnlyRouterRefusesEveryOtherMethod) {
  Router router = MakeRouter({.read_only = true});
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"}) {
    for (const char* target : {"/api/v1/events", "/healthz", "/nope"}) {
      Response response = router.Handle(Request::Make(method, target, "{}"));
      EXPECT_EQ(response.status, 405) << method << " " << target;
      EXPECT_EQ(response.headers.Get("Allow"), "GET, HEAD");
      EXPECT_EQ(ErrorCodeOf(response), "method_not_allowed");
    }
  }
  EXPECT_EQ(router.Handle(Request::Make("GET", "/healthz")).status, 200);
}

TEST(Router, HeadAnswersLikeGetWithoutBody) {
  Router router = MakeRouter({.read_only = true});
  Response get = router.Handle(Request::Make("GET", "/api/v1/people/annv"));
  Response head = router.Handle(Request::Make("HEAD", "/api/v1/people/annv"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.content_type, get.content_type);
  EXPECT_TRUE(head.body.empty());
  ASSERT_TRUE(head.content_length.has_value());
  EXPECT_EQ(*head.content_length, get.body.size());
  EXPECT_FALSE(get.content_length.has_value());

  Response missing = router.Handle(Request::Make("HEAD", "/nope"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(missing.body.empty());
}

TEST(Router, PostRouteGetsTheBody) {
  Router router = MakeRouter();
  Response response = router.Handle(Request::Make("POST", "/api/v1/events", R"({"id":"x"})"));
  EXPECT_EQ(response.status, 202);
  EXPECT_EQ(response.body, R"({"id":"x"})");
}

TEST(Router, BadPathIs400) {
  Router router = MakeRouter();
  Response response = router.Handle(Request::Make("GET", "/api/%zz"));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(ErrorCodeOf(response), "bad_request");
}

TEST(Router, ThrowingHandlerIs500) {
  Router router = MakeRouter();
  Response response = router.Handle(Request::Make("GET", "/boom"));
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(ErrorCodeOf(response), "internal");
  EXPECT_EQ(response.body.find("bug"), std::string::npos);
}

TEST(Router, PercentEncodedParamIsDecoded) {
  Router router = MakeRouter();
  Response response = router.Handle(Request::Make("GET", "/api/v1/events/hr-2026%2D000123"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body)["id"], "hr-2026-000123");
}

TEST(Router, RestParamTakesTheRestOfThePathSlashesIncluded) {
  Router router;
  router.Get("/api/v1/events/{id...}", [](const Request&, const PathParams& params) {
    return Response::Text(200, params.at("id"));
  });
  EXPECT_EQ(router.Handle(Request::Make("GET", "/api/v1/events/e1")).body, "e1");
  EXPECT_EQ(router.Handle(Request::Make("GET", "/api/v1/events/a%2Fb/c")).body, "a/b/c");
  EXPECT_EQ(router.Handle(Request::Make("GET", "/api/v1/events/a/")).body, "a/");
  EXPECT_EQ(router.Handle(Request::Make("GET", "/api/v1/events/")).status, 404);
  EXPECT_EQ(router.Handle(Request::Make("GET", "/api/v1/events")).status, 404);
}

TEST(Router, HandlersGetTheCallersContext) {
  BasicRouter<const std::string&> router;
  router.Get("/whoami", [](const Request&, const PathParams&, const std::string& who) {
    return Response::Text(200, who);
  });
  EXPECT_EQ(router.Handle(Request::Make("GET", "/whoami"), "hr-system").body, "hr-system");
  Response head = router.Handle(Request::Make("HEAD", "/whoami"), "hr-system");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(router.Handle(Request::Make("POST", "/whoami"), "x").status, 405);
}

}  // namespace
}  // namespace danhba::http
