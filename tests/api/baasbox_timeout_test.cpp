// API tests of the query time limit (baasbox.md §8.9: past it, 503 «Query timeout»): a `where`
// whose array paths multiply into 10^8 combinations is stopped — in SQL (documents) by the
// store's time limit, in memory (links) by the evaluator's work budget — and the server goes on
// answering. The limit is --baasbox-query-timeout-ms (300 ms here).
#include "api/baasbox_support.hpp"

namespace gbtest::bb {
namespace {

class BaasBoxTimeoutTest : public BbTest {
 protected:
  static void SetUpTestSuite() { StartServer(WithArgs(ServerArgs(), {"--baasbox-query-timeout-ms", "300"})); }
};

TEST_F(BaasBoxTimeoutTest, AQueryPastTheLimitAnswersQueryTimeoutAndChangesNothing) {
  auto c = bb();
  std::string admin = AdminToken();
  std::string col = Unique("slow");
  ExpectOk(c.Post("/admin/collection/" + col, json::object{}, As(admin)), 201, "collection");
  std::string user = SignUp(Unique("slowuser"));
  json::array a;  // a path through an array of objects is multi-valued (§8.6)
  for (int i = 0; i < 100; ++i) a.emplace_back(json::object{{"v", i}});
  auto doc = ExpectOk(c.Post("/document/" + col, json::object{{"a", a}, {"name", "grid"}}, As(user)), 200, "doc");
  auto other = ExpectOk(c.Post("/document/" + col, json::object{{"name", "plain"}}, As(user)), 200, "doc");
  const std::string id(doc.at("id").as_string()), other_id(other.at("id").as_string());

  // distance() over four 100-value paths is never negative: 10^8 combinations to refute.
  const std::string hostile = "distance(a.v%2Ca.v%2Ca.v%2Ca.v)+%3C+0";
  ExpectBbError(c.Get("/document/" + col + "?where=" + hostile, As(user)), 503, "Query timeout", "", "list");
  ExpectBbError(c.Get("/document/" + col + "/count?where=" + hostile, As(user)), 503, "Query timeout", "", "count");
  // The same in memory: links are matched by the evaluator.
  ExpectOk(c.Post("/link/" + id + "/grid/" + other_id, json::object{}, As(user)), 200, "link");
  ExpectBbError(c.Get("/link?where=distance(out.a.v%2Cout.a.v%2Cout.a.v%2Cout.a.v)+%3C+0", As(user)), 503, "Query timeout",
                "", "links");

  // The server goes on: ordinary queries answer, nothing changed.
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count", As(user))), J(R"({"count":2})"));
  auto found = ExpectOk(c.Get("/document/" + col + "?where=name+%3D+%27grid%27", As(user)));
  ASSERT_TRUE(found.is_array());
  ASSERT_EQ(found.as_array().size(), 1u);
  EXPECT_EQ(found.at(0).at("a").as_array().size(), 100u);
  EXPECT_EQ(ExpectOk(c.Get("/link?where=label+%3D+%27grid%27", As(user))).as_array().size(), 1u);
  // A small array in the same shape is well within the limit.
  ExpectOk(c.Post("/document/" + col, J(R"({"a":[{"v":1},{"v":2},{"v":3}]})"), As(user)), 200, "small");
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "?where=distance(a.v%2Ca.v%2Ca.v%2Ca.v)+%3E%3D+0&count=true",
                           As(user))),
            J(R"([{"count":2}])"));
}

}  // namespace
}  // namespace gbtest::bb
