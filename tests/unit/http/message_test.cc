#include "danhba/http/message.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace danhba::http {
namespace {

TEST(Request, SplitsPathAndDecodesQuery) {
  Request request = Request::Make("GET", "/api/v1/people?q=Nguy%E1%BB%85n+V%C4%83n&agency=stttt&page=2&empty=&flag");
  EXPECT_EQ(request.path, "/api/v1/people");
  EXPECT_EQ(request.Query("q"), "Nguyễn Văn");
  EXPECT_EQ(request.Query("agency"), "stttt");
  EXPECT_EQ(request.Query("page"), "2");
  EXPECT_EQ(request.Query("empty"), "");
  EXPECT_EQ(request.Query("flag"), "");
  EXPECT_FALSE(request.Query("per_page").has_value());
}

TEST(Request, DecodesThePath) {
  EXPECT_EQ(Request::Make("GET", "/api/v1/people/an%6Ev").path, "/api/v1/people/annv");
  EXPECT_EQ(Request::Make("GET", "/a+b").path, "/a+b");  // '+' is only a space in the query
}

TEST(Request, BrokenEscapeLeavesPathEmpty) {
  EXPECT_EQ(Request::Make("GET", "/api/%zz").path, "");
  EXPECT_EQ(Request::Make("GET", "/api/%4").path, "");
  Request request = Request::Make("GET", "/p?a=%G1&b=1");
  EXPECT_EQ(request.path, "/p");
  EXPECT_FALSE(request.Query("a").has_value());
  EXPECT_EQ(request.Query("b"), "1");
}

TEST(Headers, AreCaseInsensitive) {
  Headers headers;
  headers.Add("Content-Type", "text/plain");
  headers.Add("X-Thing", "1");
  EXPECT_EQ(headers.Get("content-type"), "text/plain");
  headers.Set("x-thing", "2");
  EXPECT_EQ(headers.Get("X-THING"), "2");
  EXPECT_EQ(headers.entries().size(), 2u);
  EXPECT_FALSE(headers.Get("Allow").has_value());
}

TEST(Response, ErrorIsJson) {
  Response response = Response::Error(404, "not_found", "no person \"annv\"");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "not_found");
  EXPECT_EQ(body["error"]["message"], "no person \"annv\"");
}

TEST(Response, ErrorWithInvalidUtf8StaysJson) {
  Response response = Response::Error(400, "bad_request", "bad byte \xff here");
  EXPECT_TRUE(nlohmann::json::accept(response.body));
}

TEST(PercentDecode, PlusIsSpaceOnlyWhenAsked) {
  EXPECT_EQ(PercentDecode("a+b%20c"), "a+b c");
  EXPECT_EQ(PercentDecode("a+b%20c", true), "a b c");
  EXPECT_FALSE(PercentDecode("%").has_value());
}

}  // namespace
}  // namespace danhba::http
