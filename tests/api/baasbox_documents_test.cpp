// API tests of the BaasBox document surface (baasbox.md §9.4–§9.7, §14): collections, documents
// with criteria, field parts, optimistic locking, grants (anonymous before/after, custom roles),
// links, and a JS-SDK-style run; documents appear as rows of a Baserow table.
#include "api/baasbox_support.hpp"

namespace gbtest::bb {
namespace {

std::string util_trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

class BaasBoxDocumentsTest : public BbTest {};

TEST_F(BaasBoxDocumentsTest, CollectionsAreAdminOnlyAndValidated) {
  auto c = bb();
  std::string user = SignUp(Unique("colluser"));
  std::string name = Unique("posts");
  auto refused = c.Post("/admin/collection/" + name, json::object{}, As(user));
  EXPECT_EQ(refused.status, 403) << refused.body;
  std::string admin = AdminToken();
  ExpectOk(c.Post("/admin/collection/" + name, json::object{}, As(admin)), 201);
  ExpectBbError(c.Post("/admin/collection/" + name, json::object{}, As(admin)), 400,
                "Collection " + name + " already exists");
  ExpectBbError(c.Post("/admin/collection/1bad", json::object{}, As(admin)), 400,
                "The collection name 1bad is invalid");
  auto list = ExpectOk(c.Get("/admin/collection?where=" + std::string("name%3D%27") + name + "%27", As(admin)));
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.as_array().size(), 1u) << list;
  EXPECT_EQ(list.at(0).at("name"), json::value(name));
  EXPECT_EQ(list.at(0).at("records"), 0);
  EXPECT_EQ(list.at(0).at("size"), 0);
  ExpectOk(c.Delete("/admin/collection/" + name, As(admin)));
  ExpectBbError(c.Delete("/admin/collection/" + name, As(admin)), 404, "The Collection " + name + " does not exist");
  ExpectBbError(c.Get("/document/" + name, As(user)), 404, name + " is not a valid collection name");
}

TEST_F(BaasBoxDocumentsTest, CreateGetReplaceFieldPartsDelete) {
  auto c = bb();
  std::string col = NewCollection("notes");
  std::string user = SignUp(Unique("writer"));
  auto created = ExpectOk(c.Post("/document/" + col, J(R"({"title":"First","body":"Hi","n":1.5,"tags":["a"]})"),
                                 As(user)));
  ASSERT_TRUE(created.is_object()) << created;
  std::string id(created.at("id").as_string());
  EXPECT_EQ(created.at("@class"), json::value(col));
  EXPECT_EQ(created.at("title"), "First");
  EXPECT_EQ(created.at("n"), 1.5);
  EXPECT_TRUE(created.at("@rid").is_string());
  EXPECT_TRUE(created.at("_creation_date").is_string());
  // Key order of the stored document is the client's (§5.1).
  auto raw = c.Get("/document/" + col + "/" + id, As(user));
  EXPECT_LT(raw.body.find("\"title\""), raw.body.find("\"body\"")) << raw.body;
  EXPECT_NE(raw.body.find("\"n\":1.5"), std::string::npos) << raw.body;
  auto got = ExpectOk(raw);
  EXPECT_EQ(got, created);

  // Stale @version: 400 + bb_code 40001; the document is unchanged.
  int64_t version = created.at("@version").as_int64();
  auto stale = J(R"({"title":"Stale"})");
  stale.as_object()["@version"] = version + 5;
  ExpectBbError(c.Put("/document/" + col + "/" + id, stale, As(user)), 400,
                "You are attempting to update an older version of the document. Your document version is " +
                    std::to_string(version + 5) + ", the stored document has version " + std::to_string(version),
                "40001");
  // The JS SDK sends the whole object back, system keys included.
  json::object whole = got.as_object();
  whole["title"] = "Second";
  whole.erase("body");
  auto replaced = ExpectOk(c.Put("/document/" + col + "/" + id, whole, As(user)));
  EXPECT_EQ(replaced.at("title"), "Second");
  EXPECT_FALSE(replaced.as_object().contains("body"));
  EXPECT_GT(replaced.at("@version").as_int64(), version);
  EXPECT_EQ(replaced.at("id"), json::value(id));

  // Field parts (§9.5.8, §9.5.9).
  ExpectOk(c.Put("/document/" + col + "/" + id + "/.tags%5B3%5D", J(R"({"data":"b"})"), As(user)));
  ExpectOk(c.Put("/document/" + col + "/" + id + "/.address", J(R"({"data":{"street":"5th Avenue"}})"), As(user)));
  ExpectOk(c.Put("/document/" + col + "/" + id + "/.address/.street", J(R"({"data":"6th Avenue"})"), As(user)));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/" + id + "/.tags%5B1%5D", As(user))), J(R"({"result":"b"})"));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/" + id + "/.address/.street", As(user))),
            J(R"({"result":"6th Avenue"})"));
  ExpectBbError(c.Put("/document/" + col + "/" + id + "/.title", J(R"({"value":1})"), As(user)), 400,
                "The body payload must have a data field. Hint: modify your content to have a \"data\" field");

  // Bad input.
  ExpectBbError(c.Post("/document/" + col, J(R"([1,2])"), As(user)), 400,
                "JSON not valid. HINT: check if it is not just a JSON collection ([..]), a single element "
                "({\"element\"}) or you are trying to pass a @version:null field");
  ExpectBbError(c.Get("/document/" + col + "/%231", As(user)), 400,
                "#1 is not a RecordId in form of string. Format must be: <cluster-id>:<cluster-position>");
  ExpectBbError(c.Get("/document/" + col + "/nope", As(user)), 404, "nope not found");

  // Another user cannot read it (404, no existence leak), nor delete it.
  std::string other = SignUp(Unique("reader"));
  ExpectBbError(c.Get("/document/" + col + "/" + id, As(other)), 404, id + " not found");
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col, As(other))), J("[]"));
  ExpectOk(c.Delete("/document/" + col + "/" + id, As(user)));
  ExpectBbError(c.Get("/document/" + col + "/" + id, As(user)), 404, id + " not found");
}

TEST_F(BaasBoxDocumentsTest, CriteriaCountsAndPaging) {
  auto c = bb();
  std::string col = NewCollection("items");
  std::string user = SignUp(Unique("lister"));
  for (int i = 1; i <= 5; ++i) {
    json::object doc{{"n", i}, {"color", i % 2 ? "red" : "blue"}, {"address", json::object{{"city", "rome"}}}};
    ExpectOk(c.Post("/document/" + col, doc, As(user)));
  }
  auto red = ExpectOk(c.Get("/document/" + col + "?where=color%3D%27red%27&orderBy=n+desc", As(user)));
  ASSERT_EQ(red.as_array().size(), 3u) << red;
  EXPECT_EQ(red.at(0).at("n"), 5);
  // A string param compared with a number field (Android stringifies params).
  auto ge = ExpectOk(c.Get("/document/" + col + "?where=n+%3E%3D+%3F&params=4", As(user)));
  EXPECT_EQ(ge.as_array().size(), 2u) << ge;
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "?where=n%3D%3F+or+n%3D%3F&params%5B%5D=1&params%5B%5D=2", As(user)))
                .as_array()
                .size(),
            2u);
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count?where=address.city%3D%27rome%27", As(user))),
            J(R"({"count":5})"));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "?count=true&where=color%3D%27blue%27", As(user))),
            J(R"([{"count":2}])"));
  auto page = ExpectOk(c.Get("/document/" + col + "?orderBy=n&page=1&recordsPerPage=2", As(user)));
  ASSERT_EQ(page.as_array().size(), 2u) << page;
  EXPECT_EQ(page.at(0).at("n"), 3);
  auto fields = ExpectOk(c.Get("/document/" + col + "?fields=n&where=n%3D1", As(user)));
  EXPECT_EQ(fields, J(R"([{"n":1}])"));
  // Criteria that do not parse: 400, nothing run.
  auto bad = c.Get("/document/" + col + "?where=n%3D1%3B+drop", As(user));
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(std::string(bad.json().at("message").as_string())
                .rfind("Invalid criteria. Please check your query, the syntax and the parameters: ", 0),
            0u)
      << bad.body;
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count", As(user))), J(R"({"count":5})"));
}

TEST_F(BaasBoxDocumentsTest, GrantsToUsersRolesAndAnonymous) {
  auto c = bb();
  std::string col = NewCollection("shared");
  std::string owner = SignUp(Unique("owner"));
  std::string friend_name = Unique("friend");
  std::string friend_token = SignUp(friend_name);
  auto doc = ExpectOk(c.Post("/document/" + col, J(R"({"title":"Shared"})"), As(owner)));
  std::string id(doc.at("id").as_string());
  // Anonymous (app code only) sees nothing before the grant, the document after it.
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col, {kAppHeader})), J("[]"));
  ExpectOk(c.Put("/document/" + col + "/" + id + "/read/role/anonymous", json::object{}, As(owner)));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col, {kAppHeader})).as_array().size(), 1u);
  // A role grant to anonymous reaches registered users too (§2.4 inheritance).
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/" + id, As(friend_token))).at("title"), "Shared");
  ExpectOk(c.Delete("/document/" + col + "/" + id + "/read/role/anonymous", As(owner)));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col, {kAppHeader})), J("[]"));
  // A user grant; update rights are separate.
  ExpectOk(c.Put("/document/" + col + "/" + id + "/read/user/" + friend_name, json::object{}, As(owner)));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/" + id, As(friend_token))).at("title"), "Shared");
  ExpectBbError(c.Put("/document/" + col + "/" + id, J(R"({"title":"Mine"})"), As(friend_token)), 403,
                "You have not the right to modify " + id);
  ExpectBbError(c.Put("/document/" + col + "/" + id + "/fly/user/" + friend_name, json::object{}, As(owner)), 400,
                "fly is not a valid action");
  ExpectBbError(c.Put("/document/" + col + "/" + id + "/read/user/nobody_here", json::object{}, As(owner)), 404,
                "user nobody_here not found");
  auto with_acl = ExpectOk(c.Get("/document/" + col + "/" + id + "?withAcl=true", As(owner)));
  ASSERT_TRUE(with_acl.as_object().contains("_allowRead")) << with_acl;
  EXPECT_FALSE(with_acl.as_object().contains("@rid"));
  // Anonymous cannot write.
  ExpectBbError(c.Post("/document/" + col, J(R"({"x":1})"), {kAppHeader}), 401,
                "Missing both Session Token and Authorization info");
}

TEST_F(BaasBoxDocumentsTest, LinksBetweenDocuments) {
  auto c = bb();
  std::string invoices = NewCollection("invoices");
  std::string customers = NewCollection("customers");
  std::string user = SignUp(Unique("linker"));
  auto inv = ExpectOk(c.Post("/document/" + invoices, J(R"({"number":345})"), As(user)));
  auto cust = ExpectOk(c.Post("/document/" + customers, J(R"({"name":"John Doe"})"), As(user)));
  std::string inv_id(inv.at("id").as_string()), cust_id(cust.at("id").as_string());
  auto link = ExpectOk(c.Post("/link/" + inv_id + "/customer/" + cust_id, json::object{}, As(user)));
  ASSERT_TRUE(link.is_object()) << link;
  EXPECT_EQ(link.at("label"), "customer");
  EXPECT_EQ(link.at("out").at("number"), 345);
  EXPECT_EQ(link.at("in").at("name"), "John Doe");
  std::string link_id(link.at("id").as_string());
  EXPECT_EQ(ExpectOk(c.Get("/link/" + link_id, As(user))).at("label"), "customer");
  auto found = ExpectOk(
      c.Get("/link?where=in.name.toLowerCase()+like+%27john%25%27+and+label%3D%27customer%27", As(user)));
  ASSERT_EQ(found.as_array().size(), 1u) << found;
  ExpectBbError(c.Post("/link/" + inv_id + "/customer/missing", json::object{}, As(user)), 400,
                "Source or Destination record was not found. Hint: do you have the read grant on them? Or ids "
                "are not valid");
  // Deleting a node deletes its links.
  ExpectOk(c.Delete("/document/" + customers + "/" + cust_id, As(user)));
  ExpectBbError(c.Get("/link/" + link_id, As(user)), 404, "The link " + link_id + " was not found");
}

TEST_F(BaasBoxDocumentsTest, DocumentsAreRowsOfABaserowTableAndFireRowEvents) {
  auto c = bb();
  std::string col = NewCollection("mirror");
  std::string user = SignUp(Unique("mirrored"));
  ExpectOk(c.Post("/document/" + col, J(R"({"title":"Visible in Baserow"})"), As(user)));
  // The collection's table is registered like any table: its row count and events follow.
  auto sql = RunSql(server_->db_file(),
                    "SELECT t.row_count FROM database_tables t JOIN bb_collection b ON b.table_id = t.id WHERE "
                    "b.name = '" + col + "'");
  ASSERT_TRUE(sql.has_value());
  EXPECT_EQ(std::string(util_trim(*sql)), "1");
  auto events = RunSql(server_->db_file(),
                       "SELECT COUNT(*) FROM events e JOIN bb_collection b ON b.table_id = e.table_id WHERE b.name = '" +
                           col + "' AND e.type = 'rows_created'");
  ASSERT_TRUE(events.has_value());
  EXPECT_EQ(std::string(util_trim(*events)), "1");
}

// The calls of the JavaScript SDK (§10.1): app code and the stored session on every call, login
// by form, the whole object sent back on save, field update, count, logout.
TEST_F(BaasBoxDocumentsTest, JavaScriptSdkStyleRun) {
  auto c = bb();
  std::string col = NewCollection("jsdemo");
  std::string name = Unique("jsuser");
  std::string token = SignUp(name, "secret-pw");
  auto login = c.Request("POST", "/login", "username=" + name + "&password=secret-pw&appcode=" + kAppCode,
                         {kAppHeader, Session(token), "Content-Type: application/x-www-form-urlencoded"});
  auto data = ExpectOk(login);
  std::string session(data.at("X-BB-SESSION").as_string());
  auto saved = ExpectOk(c.Post("/document/" + col, J(R"({"title":"js"})"), As(session)));
  json::object obj = saved.as_object();
  obj["title"] = "js 2";
  auto updated = ExpectOk(c.Put("/document/" + col + "/" + std::string(obj.at("id").as_string()), obj, As(session)));
  EXPECT_EQ(updated.at("title"), "js 2");
  ExpectOk(c.Put("/document/" + col + "/" + std::string(obj.at("id").as_string()) + "/.title", J(R"({"data":"js 3"})"),
                 As(session)));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count", As(session))), J(R"({"count":1})"));
  auto list = ExpectOk(c.Get("/document/" + col + "?page=0&recordsPerPage=50", As(session)));
  EXPECT_EQ(list.at(0).at("title"), "js 3");
  ExpectOk(c.Request("POST", "/logout", "", {kAppHeader, Session(session),
                                             "Content-Type: application/x-www-form-urlencoded"}));
  ExpectBbError(c.Get("/document/" + col + "/count", As(session)), 401,
                "Authentication info not valid or not provided. HINT: is your session expired?", "40101");
}

}  // namespace
}  // namespace gbtest::bb
