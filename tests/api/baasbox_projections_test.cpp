// API tests of BaasBox projections (baasbox.md §11.4, gridbase's admin routes
// /admin/collection/{c}/projection[/{key}]) and of `orderBy` sorted in SQL: a projection never
// changes an answer, only how it is computed; document writes keep the columns current.
#include "api/baasbox_support.hpp"

#include <fmt/format.h>

namespace gbtest::bb {
namespace {

class BaasBoxProjectionsTest : public BbTest {
 protected:
  /// The `k` values of a list answer, in order.
  std::string Keys(const std::string& col, const std::string& query, const std::string& token) {
    auto c = bb();
    auto data = ExpectOk(c.Get("/document/" + col + "?" + query, As(token)), 200, query.c_str());
    std::string out;
    if (!data.is_array()) return "not an array";
    for (const auto& d : data.as_array()) {
      const auto* k = d.as_object().if_contains("k");
      out += (k ? json::serialize(*k) : std::string("-")) + " ";
    }
    return out;
  }
};

TEST_F(BaasBoxProjectionsTest, ProjectionsAreAdminOnlyValidatedAndListed) {
  std::string col = NewCollection("proj");
  std::string admin = AdminToken();
  std::string user = SignUp(Unique("projuser"));
  auto c = bb();
  auto refused = c.Post("/admin/collection/" + col + "/projection/title", json::object{}, As(user));
  EXPECT_EQ(refused.status, 403) << refused.body;
  for (const std::string& bad : std::vector<std::string>{"1abc", "id", "_author", "_creation_date", "_allowRead", "a-b",
                                                         std::string(65, 'x')}) {
    ExpectBbError(c.Post("/admin/collection/" + col + "/projection/" + bad, json::object{}, As(admin)), 400,
                  "The projection key " + bad +
                      " is invalid: use a top-level document key of at most 64 letters, digits or _ (not id, "
                      "_author, _creation_date or an ACL field)",
                  "", bad.c_str());
  }
  ExpectBbError(c.Post("/admin/collection/nope_" + col + "/projection/title", json::object{}, As(admin)), 404,
                "The Collection nope_" + col + " does not exist");
  auto made = ExpectOk(c.Post("/admin/collection/" + col + "/projection/title", json::object{}, As(admin)), 201);
  EXPECT_EQ(made.at("key"), "title");
  EXPECT_TRUE(made.at("_creation_date").is_string());
  ExpectBbError(c.Post("/admin/collection/" + col + "/projection/title", json::object{}, As(admin)), 400,
                "Projection title already exists");
  ExpectOk(c.Post("/admin/collection/" + col + "/projection/n", json::object{}, As(admin)), 201);
  auto list = ExpectOk(c.Get("/admin/collection/" + col + "/projection", As(admin)));
  ASSERT_EQ(list.as_array().size(), 2u) << json::serialize(list);
  EXPECT_EQ(list.as_array()[0].at("key"), "title");
  EXPECT_EQ(list.as_array()[1].at("key"), "n");
  ExpectOk(c.Delete("/admin/collection/" + col + "/projection/title", As(admin)));
  ExpectBbError(c.Delete("/admin/collection/" + col + "/projection/title", As(admin)), 404,
                "The projection title does not exist");
  list = ExpectOk(c.Get("/admin/collection/" + col + "/projection", As(admin)));
  EXPECT_EQ(json::serialize(list).find("title"), std::string::npos);
  // A dropped collection takes its projections along; the name can be reused afresh.
  ExpectOk(c.Delete("/admin/collection/" + col, As(admin)));
  ExpectOk(c.Post("/admin/collection/" + col, json::object{}, As(admin)), 201);
  EXPECT_EQ(ExpectOk(c.Get("/admin/collection/" + col + "/projection", As(admin))), json::array{});
}

TEST_F(BaasBoxProjectionsTest, AnswersAreTheSameWithAndWithoutProjections) {
  std::string col = NewCollection("projsame");
  std::string admin = AdminToken();
  std::string user = SignUp(Unique("projsame"));
  auto c = bb();
  // Mixed types under the projected keys: numbers (int, real, numeric text), strings, booleans,
  // null, arrays, objects, missing.
  const char* docs[] = {
      R"({"k":1,"v":7,"s":"abc"})",        R"({"k":2,"v":"7","s":"Abc"})",     R"({"k":3,"v":7.5,"s":"b"})",
      R"({"k":4,"v":true,"s":""})",        R"({"k":5,"v":null,"s":"7"})",      R"({"k":6,"v":[7,8],"s":["abc"]})",
      R"({"k":7,"v":{"x":7},"s":{"a":1}})", R"({"k":8})",                        R"({"k":9,"v":-3,"s":"zz"})",
      R"({"k":10,"v":"abc","s":7})",       R"({"k":11,"v":1e2,"s":"\u00e9t\u00e9"})", R"({"k":12,"v":"","s":"a%b"})",
      // `num` only ever holds numbers and `str` only strings (with nulls, arrays, missing):
      // the compiler then tests one column of the projection.
      R"({"k":14,"num":7,"str":"7"})",     R"({"k":15,"num":7.0,"str":"abc"})", R"({"k":16,"num":-1,"str":null})",
      R"({"k":17,"num":[7],"str":["7"]})", R"({"k":18,"num":null,"str":"b"})",
  };
  for (const char* d : docs) ExpectOk(c.Post("/document/" + col, J(d), As(user)), 200, d);
  const std::vector<std::string> queries = {
      "where=" + PercentEncode("v = ?") + "&params=7",
      "where=" + PercentEncode("v = 7"),
      "where=" + PercentEncode("v = '7'"),
      "where=" + PercentEncode("v > ?") + "&params=0",
      "where=" + PercentEncode("v < 'b'"),
      "where=" + PercentEncode("v >= ?") + "&params=abc",
      "where=" + PercentEncode("v <> 7"),
      "where=" + PercentEncode("not (v = 7)"),
      "where=" + PercentEncode("v in [7, 'abc', -3]"),
      "where=" + PercentEncode("v between 0 and 10"),
      "where=" + PercentEncode("v is null"),
      "where=" + PercentEncode("v like 'a%'"),
      "where=" + PercentEncode("s = ?") + "&params=abc",
      "where=" + PercentEncode("s > 'a' and v is not null"),
      "where=" + PercentEncode("s.toLowerCase() = 'abc'"),
      "where=" + PercentEncode("s.length() = 3"),
      "where=" + PercentEncode("s = 7 or v = 'abc'"),
      "orderBy=v",
      "orderBy=" + PercentEncode("v desc"),
      "orderBy=" + PercentEncode("s, v desc"),
      "orderBy=" + PercentEncode("s desc") + "&page=1&recordsPerPage=5",
      "where=" + PercentEncode("v > -10") + "&orderBy=" + PercentEncode("v desc") + "&skip=1",
      "where=" + PercentEncode("num = ?") + "&params=7",
      "where=" + PercentEncode("num = '7'"),
      "where=" + PercentEncode("num > ?") + "&params=-5",
      "where=" + PercentEncode("num in ['7', 'x']"),
      "where=" + PercentEncode("num.toLowerCase() = '7'"),
      "where=" + PercentEncode("not (num = 7)"),
      "where=" + PercentEncode("str = 7"),
      "where=" + PercentEncode("str < ?") + "&params=b",
      "where=" + PercentEncode("str.toUpperCase() = 'ABC'"),
      "where=" + PercentEncode("str like '7%'"),
      "orderBy=" + PercentEncode("num desc, str"),
  };
  std::vector<std::string> before;
  for (const auto& q : queries) before.push_back(Keys(col, q, user));
  // orderBy sorted in SQL gives the in-memory order (`fields` keeps the sort in memory).
  for (const std::string order : {"v", "v desc", "s, v desc", "s desc"}) {
    std::string sql = Keys(col, "orderBy=" + PercentEncode(order), user);
    std::string mem = Keys(col, "fields=k&orderBy=" + PercentEncode(order), user);
    EXPECT_EQ(sql, mem) << order;
  }
  ExpectOk(c.Post("/admin/collection/" + col + "/projection/v", json::object{}, As(admin)), 201);
  ExpectOk(c.Post("/admin/collection/" + col + "/projection/s", json::object{}, As(admin)), 201);
  ExpectOk(c.Post("/admin/collection/" + col + "/projection/num", json::object{}, As(admin)), 201);
  ExpectOk(c.Post("/admin/collection/" + col + "/projection/str", json::object{}, As(admin)), 201);
  for (size_t i = 0; i < queries.size(); ++i) EXPECT_EQ(Keys(col, queries[i], user), before[i]) << queries[i];
  EXPECT_EQ(before[0], "1 2 ");  // v = "7": the number 7 and the string "7"
  EXPECT_EQ(before[22], "14 15 ");  // num = "7": 7 and 7.0
  EXPECT_EQ(before[28], "14 ");  // str = 7: the string "7"

  // Writes keep the columns current: create, full replace, field update.
  ExpectOk(c.Post("/document/" + col, J(R"({"k":13,"v":"7"})"), As(user)));
  EXPECT_EQ(Keys(col, queries[0], user), "1 2 13 ");
  auto first = ExpectOk(c.Get("/document/" + col + "?where=" + PercentEncode("k = 1"), As(user)));
  std::string id1 = std::string(first.as_array()[0].at("id").as_string());
  auto replaced = ExpectOk(c.Put("/document/" + col + "/" + id1, J(R"({"k":1,"v":8})"), As(user)));
  EXPECT_EQ(Keys(col, queries[0], user), "2 13 ");
  ExpectOk(c.Put("/document/" + col + "/" + id1 + "/.v", J(R"({"data":7})"), As(user)));
  EXPECT_EQ(Keys(col, queries[0], user), "1 2 13 ");
  ExpectOk(c.Put("/document/" + col + "/" + id1 + "/.s", J(R"({"data":"7"})"), As(user)));
  EXPECT_EQ(Keys(col, "where=" + PercentEncode("s = 7"), user), "1 5 10 ");
  // A first string under `num`: the projection's string column now takes part.
  ExpectOk(c.Post("/document/" + col, J(R"({"k":19,"num":"7"})"), As(user)));
  EXPECT_EQ(Keys(col, "where=" + PercentEncode("num = ?") + "&params=7", user), "14 15 19 ");
  // Grants still apply to projected queries: another user sees nothing.
  std::string other = SignUp(Unique("projother"));
  EXPECT_EQ(Keys(col, queries[0], other), "");
  // Dropping a projection changes no answer either.
  ExpectOk(c.Delete("/admin/collection/" + col + "/projection/v", As(admin)));
  EXPECT_EQ(Keys(col, queries[0], user), "1 2 13 ");
  EXPECT_EQ(Keys(col, "where=" + PercentEncode("s = 7"), user), "1 5 10 ");
}

TEST_F(BaasBoxProjectionsTest, FirstOccurrenceOfACriteriaParameterWins) {
  std::string col = NewCollection("projfirst");
  std::string user = SignUp(Unique("projfirst"));
  auto c = bb();
  for (const char* d : {R"({"k":1})", R"({"k":2})", R"({"k":3})"}) ExpectOk(c.Post("/document/" + col, J(d), As(user)));
  EXPECT_EQ(Keys(col, "where=" + PercentEncode("k = 1") + "&where=" + PercentEncode("k = 2"), user), "1 ");
  EXPECT_EQ(Keys(col, "orderBy=" + PercentEncode("k desc") + "&orderBy=k", user), "3 2 1 ");
  EXPECT_EQ(Keys(col, "recordsPerPage=1&page=0&recordsPerPage=5", user), "1 ");
}

}  // namespace
}  // namespace gbtest::bb
