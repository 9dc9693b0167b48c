// Unit tests for api/ pieces: the validator (DRF messages), the router and the error catalogue.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/errors.hpp"
#include "util/validate.hpp"
#include "http/router.hpp"
#include "services/applications.hpp"

namespace gridbase {
namespace {

namespace json = boost::json;

json::value Parse(std::string_view s) { return json::parse(s); }

TEST(ValidatorTest, NonObjectBodyNamesThePythonType) {
  auto v_body = Parse("[1]");
  util::Validator v(v_body);
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(json::serialize(v.errors()),
            R"({"non_field_errors":[{"error":"Invalid data. Expected a dictionary, but got list.","code":"invalid"}]})");
  auto s_body = Parse(R"("x")");
  util::Validator s(s_body);
  EXPECT_EQ(std::string(s.errors().at("non_field_errors").as_array()[0].as_object().at("error").as_string()),
            "Invalid data. Expected a dictionary, but got str.");
}

TEST(ValidatorTest, StringRulesFollowDrf) {
  auto v_body = Parse(R"({"a":"  x ","b":null,"c":"","d":true,"e":12,"f":"toolong"})");
  util::Validator v(v_body);
  util::StringRule r;
  EXPECT_EQ(v.String("a", r).value_or(""), "x");
  EXPECT_FALSE(v.String("b", r));
  EXPECT_FALSE(v.String("c", r));
  EXPECT_FALSE(v.String("d", r));
  EXPECT_EQ(v.String("e", r).value_or(""), "12");
  util::StringRule max3;
  max3.max_length = 3;
  EXPECT_FALSE(v.String("f", max3));
  EXPECT_FALSE(v.String("missing", r));
  EXPECT_EQ(json::serialize(v.errors()),
            R"({"b":[{"error":"This field may not be null.","code":"null"}],)"
            R"("c":[{"error":"This field may not be blank.","code":"blank"}],)"
            R"("d":[{"error":"Not a valid string.","code":"invalid"}],)"
            R"("f":[{"error":"Ensure this field has no more than 3 characters.","code":"max_length"}],)"
            R"("missing":[{"error":"This field is required.","code":"required"}]})");
  EXPECT_EQ(json::serialize(v.PlainErrors().at("missing")), R"(["This field is required."])");
}

TEST(ValidatorTest, BooleanAndIntegerCoercion) {
  EXPECT_EQ(util::CoerceBool(Parse(R"("yes")")), true);
  EXPECT_EQ(util::CoerceBool(Parse(R"("OFF")")), false);
  EXPECT_EQ(util::CoerceBool(Parse("1")), true);
  EXPECT_FALSE(util::CoerceBool(Parse("2")).has_value());
  EXPECT_FALSE(util::CoerceBool(Parse(R"("maybe")")).has_value());
  EXPECT_EQ(util::CoerceInt(Parse("3.0")), 3);
  EXPECT_EQ(util::CoerceInt(Parse(R"(" 42 ")")), 42);
  EXPECT_EQ(util::CoerceInt(Parse(R"("7.00")")), 7);
  EXPECT_FALSE(util::CoerceInt(Parse("3.5")).has_value());
  EXPECT_FALSE(util::CoerceInt(Parse("true")).has_value());
  EXPECT_FALSE(util::CoerceInt(Parse(R"("abc")")).has_value());
}

TEST(ValidatorTest, ListErrorsAreKeyedByIndex) {
  auto v_body = Parse(R"({"ids":[1,"x",null],"other":"nope"})");
  util::Validator v(v_body);
  EXPECT_FALSE(v.IntList("ids"));
  EXPECT_FALSE(v.IntList("other"));
  EXPECT_EQ(json::serialize(v.errors()),
            R"({"ids":{"1":[{"error":"A valid integer is required.","code":"invalid"}],)"
            R"("2":[{"error":"This field may not be null.","code":"null"}]},)"
            R"("other":[{"error":"Expected a list of items but got type \"str\".","code":"not_a_list"}]})");
}

TEST(ValidatorTest, PasswordLengthRules) {
  auto v_body = Parse(R"({"short":"1234567","ok":"12345678"})");
  util::Validator v(v_body);
  EXPECT_FALSE(v.Password("short"));
  EXPECT_EQ(v.Password("ok").value_or(""), "12345678");
  EXPECT_EQ(std::string(v.errors().at("short").as_array()[0].as_object().at("code").as_string()),
            "password_validation_failed");
  try {
    v.Check();
    FAIL() << "Check() must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ERROR_REQUEST_BODY_VALIDATION");
  }
}

TEST(RouterTest, MatchesParamsMethodsAndTrailingSlashes) {
  http::Router<int> r;
  r.Add("GET", "/api/workspaces/", 1);
  r.Add("PATCH", "/api/workspaces/{workspace_id}/", 2);
  r.Add("DELETE", "/api/workspaces/{workspace_id}/", 3);
  r.Add("POST", "/api/workspaces/order/", 4);
  r.Add("GET", "/api/x/{token:str}/", 5);

  auto m = r.Find("PATCH", "/api/workspaces/12/");
  ASSERT_EQ(m.kind, http::MatchKind::kFound);
  EXPECT_EQ(*m.target, 2);
  EXPECT_EQ(m.params.get("workspace_id"), "12");

  EXPECT_EQ(*r.Find("POST", "/api/workspaces/order/").target, 4);
  auto na = r.Find("GET", "/api/workspaces/12/");
  EXPECT_EQ(na.kind, http::MatchKind::kMethodNotAllowed);
  EXPECT_EQ(na.allow, "PATCH, DELETE");
  EXPECT_EQ(r.Find("GET", "/api/workspaces").kind, http::MatchKind::kTrailingSlashMissing);
  EXPECT_EQ(r.Find("GET", "/api/workspaces/abc/").kind, http::MatchKind::kNotFound);
  EXPECT_EQ(r.Find("GET", "/api/nothing/").kind, http::MatchKind::kNotFound);
  EXPECT_EQ(r.Find("GET", "/api/nothing").kind, http::MatchKind::kNotFound);
  EXPECT_EQ(r.Find("GET", "/api/x/ab-c/").params.get("token"), "ab-c");
}

TEST(ErrorCatalogueTest, KnownCodesHaveStatusAndDetail) {
  ASSERT_NE(api::FindErrorCode("ERROR_USER_NOT_IN_GROUP"), nullptr);
  EXPECT_EQ(api::FindErrorCode("ERROR_USER_NOT_IN_GROUP")->status, 400);
  EXPECT_EQ(api::FindErrorCode("ERROR_GROUP_DOES_NOT_EXIST")->status, 404);
  EXPECT_EQ(api::FindErrorCode("ERROR_INVALID_CREDENTIALS")->status, 401);
  EXPECT_EQ(api::FindErrorCode("NOT_A_CODE"), nullptr);
  http::Response res;
  api::WriteError(Error("ERROR_GROUP_DOES_NOT_EXIST"), res);
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.body, R"({"error":"ERROR_GROUP_DOES_NOT_EXIST","detail":"The requested group does not exist."})");
  api::WriteError(Error("NOT_A_CODE"), res);
  EXPECT_EQ(res.status, 500);
}

TEST(PartialReorderTest, FollowsBaserowsAlgorithm) {
  // A=1, B=2, C=3, D=4; N=[C, A] → [B, C, A, D]
  EXPECT_EQ(services::PartialReorder({1, 2, 3, 4}, {3, 1}), (std::vector<int64_t>{2, 3, 1, 4}));
  EXPECT_EQ(services::PartialReorder({1, 2, 3}, {3, 2, 1}), (std::vector<int64_t>{3, 2, 1}));
  EXPECT_EQ(services::PartialReorder({1, 2, 3}, {}), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(services::PartialReorder({1, 2, 3}, {2}), (std::vector<int64_t>{1, 2, 3}));
}

}  // namespace
}  // namespace gridbase
