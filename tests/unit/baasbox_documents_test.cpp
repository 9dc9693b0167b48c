// Service-level tests of the BaasBox collections, documents, grants and links (baasbox.md §5–§7,
// §9.4–§9.7, §11.4, §14) — on SQLite, and on PostgreSQL when GRIDBASE_TEST_PG_URL names a cluster.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <filesystem>

#include "baasbox/documents.hpp"
#include "baasbox/where.hpp"
#include "store/store.hpp"

namespace gridbase::baasbox::doc_test {

namespace json = boost::json;

std::string PgAdminUrl() {
  const char* url = std::getenv("GRIDBASE_TEST_PG_URL");
  return url ? url : "";
}

bool Psql(const std::string& url, const std::string& sql) {
  std::string cmd = "psql -X -q '" + url + "' -c '" + sql + "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

class PgDb {
 public:
  PgDb() {
    static std::atomic<int> n{0};
    name_ = "gbdoc_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
    admin_ = PgAdminUrl();
    if (!Psql(admin_, "CREATE DATABASE " + name_)) throw std::runtime_error("cannot create " + name_);
    url_ = admin_.substr(0, admin_.rfind('/') + 1) + name_;
  }
  ~PgDb() { Psql(admin_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
  const std::string& url() const { return url_; }

 private:
  std::string admin_, name_, url_;
};

/// Runs `fn`, expecting a BbError with this status, message and bb_code.
template <class F>
void ExpectBb(F&& fn, int status, const std::string& message, const std::string& bb_code = "") {
  try {
    fn();
    ADD_FAILURE() << "expected BbError " << status << " «" << message << "»";
  } catch (const BbError& e) {
    EXPECT_EQ(e.status(), status) << e.message();
    EXPECT_EQ(e.message(), message);
    EXPECT_EQ(e.bb_code(), bb_code);
  }
}

template <class F>
void ExpectCriteria(F&& fn) {
  try {
    fn();
    ADD_FAILURE() << "expected CriteriaError";
  } catch (const CriteriaError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(std::string(kCriteriaMessage), 0), 0u);
  }
}

json::object Obj(const std::string& text) { return json::parse(text).as_object(); }

Criteria Q(std::vector<std::pair<std::string, std::string>> q) { return ParseCriteria(q); }

class DocumentTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gridbase-docs-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    if (GetParam() == "postgresql") {
      if (PgAdminUrl().empty()) GTEST_SKIP() << "GRIDBASE_TEST_PG_URL is not set";
      pg_ = std::make_unique<PgDb>();
      store_ = store::OpenPostgresStore(pg_->url(), 2);
    } else {
      store_ = store::OpenSqliteStore(dir_ + "/t.db", 2);
    }
    store::Migrate(*store_);
    anonymous_role_ = Role("anonymous", std::nullopt, false);
    registered_role_ = Role("registered", anonymous_role_, false);
    admin_role_ = Role("administrator", std::nullopt, true);
    custom_role_ = Role("testers", registered_role_, false);
    admin_ = User("admin", {admin_role_, registered_role_, anonymous_role_});
    admin_.bypass_acl = admin_.is_admin = true;
    alice_ = User("alice", {registered_role_, anonymous_role_});
    bob_ = User("bob", {registered_role_, anonymous_role_});
    carol_ = User("carol", {custom_role_, registered_role_, anonymous_role_});
    anon_.role_ids = {anonymous_role_};
    svc_ = std::make_unique<DocumentService>(*store_);
  }
  void TearDown() override {
    svc_.reset();
    if (store_) store_->Close();
    store_.reset();
    pg_.reset();
    std::filesystem::remove_all(dir_);
  }

  int64_t Role(const std::string& name, std::optional<int64_t> parent, bool bypass) {
    return store_->WriteResult([&](store::Tx& tx) {
      if (auto id = tx.QueryInt("SELECT id FROM bb_role WHERE name = ?", name)) return *id;
      return *tx.QueryInt("INSERT INTO bb_role (name, parent_id, bypass_acl) VALUES (?, ?, ?) RETURNING id", name,
                          parent, bypass ? 1 : 0);
    });
  }
  Caller User(const std::string& name, std::vector<int64_t> roles) {
    Caller c;
    c.username = name;
    c.role_ids = std::move(roles);
    c.user_id = store_->WriteResult([&](store::Tx& tx) {
      return *tx.QueryInt(
          "INSERT INTO bb_user (uuid, username, username_ci, password_hash, signup_at) VALUES (?, ?, ?, 'x', 0) "
          "RETURNING id",
          "uuid-" + name, name, name);
    });
    return c;
  }
  int64_t QueryInt(const std::string& sql) {
    return store_->ReadResult([&](store::Tx& tx) { return tx.QueryInt(sql).value_or(-1); });
  }
  std::vector<std::string> Ids(const json::array& a) {
    std::vector<std::string> out;
    for (const auto& v : a) out.push_back(std::string(v.at("id").as_string()));
    return out;
  }
  std::string Id(const json::object& doc) { return std::string(doc.at("id").as_string()); }

  std::string dir_;
  std::unique_ptr<PgDb> pg_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<DocumentService> svc_;
  int64_t anonymous_role_ = 0, registered_role_ = 0, admin_role_ = 0, custom_role_ = 0;
  Caller admin_, alice_, bob_, carol_, anon_;
};

TEST_P(DocumentTest, CollectionNamesAndAdminRights) {
  for (const std::string& bad : std::vector<std::string>{"1abc", "_x", "a;b", "a.b", "a:b", "a@b", "", std::string(101, 'a')}) {
    ExpectBb([&] { svc_->CreateCollection(admin_, bad); }, 400, "The collection name " + bad + " is invalid");
  }
  ExpectBb([&] { svc_->CreateCollection(alice_, "posts"); }, 403, "User alice is not an administrator");
  svc_->CreateCollection(admin_, "posts");
  svc_->CreateCollection(admin_, "-dash_1");
  ExpectBb([&] { svc_->CreateCollection(admin_, "POSTS"); }, 400, "Collection POSTS already exists");
  ExpectBb([&] { svc_->DropCollection(admin_, "nope"); }, 404, "The Collection nope does not exist");
  ExpectBb([&] { svc_->ListCollections(bob_, {}); }, 403, "User bob is not an administrator");
  auto list = svc_->ListCollections(admin_, {});
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].as_object(), Obj(R"({"name":"posts","records":0,"size":0})"));
  // Lookups use the exact spelling (§6.1).
  ExpectBb([&] { svc_->List(alice_, "POSTS", {}); }, 404, "POSTS is not a valid collection name");
  auto named = svc_->ListCollections(admin_, Q({{"where", "name = ?"}, {"params", "-dash_1"}}));
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0].at("name"), "-dash_1");
}

TEST_P(DocumentTest, CollectionIsABaserowTable) {
  // A Baserow staff user becomes a member of the BaasBox workspace (documents.hpp).
  store_->Write([&](store::Tx& tx) {
    tx.Exec("INSERT INTO users (email, first_name, password_hash, is_staff, date_joined) VALUES ('s@x.io', 'S', "
            "'x', 1, 0)");
  });
  svc_->CreateCollection(admin_, "posts");
  svc_->CreateCollection(admin_, "things");
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM workspaces WHERE name = 'BaasBox'"), 1);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM applications WHERE name = 'BaasBox' AND type = 'database'"), 1);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM workspace_users wu JOIN workspaces w ON w.id = wu.workspace_id "
                     "WHERE w.name = 'BaasBox'"),
            1);
  int64_t table = QueryInt("SELECT table_id FROM bb_collection WHERE name = 'posts'");
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM database_tables WHERE name = 'posts' AND id = " + std::to_string(table)), 1);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM fields WHERE type = 'long_text' AND is_primary = 1 AND name = 'Document' "
                     "AND table_id = " + std::to_string(table)),
            1);
  auto doc = svc_->Create(alice_, "posts", R"({"z":1,"a":{"y":2,"b":3}})");
  // Baserow's row_count and the mirrored raw JSON.
  EXPECT_EQ(QueryInt("SELECT row_count FROM database_tables WHERE id = " + std::to_string(table)), 1);
  int64_t field = QueryInt("SELECT doc_field_id FROM bb_collection WHERE name = 'posts'");
  auto mirror = store_->ReadResult([&](store::Tx& tx) {
    return *tx.QueryText("SELECT field_" + std::to_string(field) + " FROM tbl_" + std::to_string(table));
  });
  EXPECT_EQ(mirror, R"({"z":1,"a":{"y":2,"b":3}})");
  // A row added on the Baserow side (no bb_uuid) is not a document.
  store_->Write([&](store::Tx& tx) {
    tx.Exec("INSERT INTO tbl_" + std::to_string(table) + " (ord, created_on, updated_on) VALUES (9, 0, 0)");
  });
  EXPECT_EQ(svc_->List(alice_, "posts", {}).size(), 1u);
  EXPECT_EQ(svc_->ListCollections(admin_, {})[0].at("records"), 1);
  // Row events through the outbox, as row writes record them.
  auto events = [&](const std::string& type) {
    return QueryInt("SELECT COUNT(*) FROM events WHERE type = '" + type + "' AND table_id = " + std::to_string(table));
  };
  EXPECT_EQ(events("rows_created"), 1);
  svc_->Replace(alice_, "posts", Id(doc), R"({"z":2})");
  svc_->UpdatePart(alice_, "posts", Id(doc), {".q"}, R"({"data":1})");
  EXPECT_EQ(events("rows_updated"), 2);
  svc_->Delete(alice_, "posts", Id(doc));
  EXPECT_EQ(events("rows_deleted"), 1);
  EXPECT_EQ(QueryInt("SELECT row_count FROM database_tables WHERE id = " + std::to_string(table)), 0);
  // Drop removes the table, its registration and the collection.
  svc_->DropCollection(admin_, "posts");
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM database_tables WHERE id = " + std::to_string(table)), 0);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM bb_collection"), 1);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM events WHERE type = 'table_deleted'"), 1);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM events WHERE type = 'table_created'"), 2);
}

TEST_P(DocumentTest, CollectionListCountsAndSize) {
  svc_->CreateCollection(admin_, "posts");
  svc_->Create(alice_, "posts", R"({"a":1})");
  svc_->Create(bob_, "posts", R"({"a":2})");
  auto list = svc_->ListCollections(admin_, {});
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("records"), 2);  // regardless of ACL
  EXPECT_GE(list[0].at("size").as_int64(), 6);
  EXPECT_EQ(svc_->ListCollections(admin_, Q({{"count", "true"}}))[0].as_object(), Obj(R"({"count":1})"));
}

TEST_P(DocumentTest, DocumentCreateRules) {
  svc_->CreateCollection(admin_, "posts");
  const std::string empty_msg =
      "The body payload cannot be empty. Hint: put in the request header Content-Type: application/json";
  const std::string json_msg =
      "JSON not valid. HINT: check if it is not just a JSON collection ([..]), a single element ({\"element\"}) or "
      "you are trying to pass a @version:null field";
  ExpectBb([&] { svc_->Create(alice_, "posts", ""); }, 400, empty_msg);
  ExpectBb([&] { svc_->Create(alice_, "posts", "[1,2]"); }, 400, json_msg);
  ExpectBb([&] { svc_->Create(alice_, "posts", "\"x\""); }, 400, json_msg);
  ExpectBb([&] { svc_->Create(alice_, "posts", "{bad"); }, 400, json_msg);
  ExpectBb([&] { svc_->Create(alice_, "posts", R"({"@version":null})"); }, 400, json_msg);
  ExpectBb([&] { svc_->Create(alice_, "posts", R"({"@version":2})"); }, 400,
           "Are you trying to create a document with a @version field?");
  ExpectBb([&] { svc_->Create(alice_, "nope", "{}"); }, 404, "nope is not a valid collection name");
  ExpectBb([&] { svc_->Create(anon_, "posts", "{}"); }, 401, "Missing both Session Token and Authorization info");
  for (std::string bad : {"#1:2", ".x", "a/b", ""}) {
    ExpectBb([&] { svc_->Create(alice_, "posts", json::serialize(json::object{{"id", bad}})); }, 400, "Invalid id");
  }
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM bb_node"), 0);  // nothing written

  auto doc = svc_->Create(alice_, "posts",
                          R"({"title":"t","@rid":"#9:9","@class":"x","@version":0,"_author":"eve","zeta":[1,{"b":null}],
                              "_creation_date":"x","_links":1,"alpha":{"y":1,"x":2}})");
  std::vector<std::string> keys;
  for (const auto& kv : doc) keys.push_back(std::string(kv.key()));
  EXPECT_EQ(keys, (std::vector<std::string>{"@rid", "@version", "@class", "title", "zeta", "alpha", "id",
                                            "_creation_date", "_author"}));
  EXPECT_EQ(doc.at("@version"), 1);
  EXPECT_EQ(doc.at("@class"), "posts");
  EXPECT_EQ(doc.at("_author"), "alice");
  EXPECT_EQ(doc.at("alpha"), json::parse(R"({"y":1,"x":2})"));
  EXPECT_EQ(Id(doc).size(), 36u);
  EXPECT_EQ(doc.at("_creation_date").as_string().size(), 28u);  // 2026-11-30T19:41:44.123+0000
  EXPECT_TRUE(std::string(doc.at("_creation_date").as_string()).ends_with("+0000"));
  // Client-supplied ids (§6.2): unique across every node, users included; non-strings ignored.
  auto mine = svc_->Create(alice_, "posts", R"({"id":"my-id","v":1})");
  EXPECT_EQ(Id(mine), "my-id");
  ExpectBb([&] { svc_->Create(bob_, "posts", R"({"id":"my-id"})"); }, 400, "Provided ID already exists: \"my-id\"");
  ExpectBb([&] { svc_->Create(bob_, "posts", R"({"id":"uuid-alice"})"); }, 400,
           "Provided ID already exists: \"uuid-alice\"");
  auto numeric = svc_->Create(alice_, "posts", R"({"id":5})");
  EXPECT_NE(numeric.at("id"), 5);
  EXPECT_FALSE(numeric.contains("_links"));
}

TEST_P(DocumentTest, DocumentGetByIdAndRid) {
  svc_->CreateCollection(admin_, "posts");
  svc_->CreateCollection(admin_, "other");
  auto doc = svc_->Create(alice_, "posts", R"({"a":1})");
  auto foreign = svc_->Create(alice_, "other", R"({"b":1})");
  std::string rid(doc.at("@rid").as_string());
  EXPECT_EQ(svc_->Get(alice_, "posts", Id(doc)), doc);
  EXPECT_EQ(svc_->Get(alice_, "posts", rid), doc);
  EXPECT_EQ(svc_->GetByRid(alice_, rid), doc);
  EXPECT_EQ(svc_->Get(admin_, "posts", Id(doc)), doc);  // bypass
  ExpectBb([&] { svc_->Get(alice_, "posts", "#1"); }, 400,
           "#1 is not a RecordId in form of string. Format must be: <cluster-id>:<cluster-position>");
  ExpectBb([&] { svc_->GetByRid(alice_, "#1"); }, 400,
           "#1 is not a RecordId in form of string. Format must be: <cluster-id>:<cluster-position>");
  ExpectBb([&] { svc_->Get(alice_, "posts", "nope"); }, 404, "nope not found");
  ExpectBb([&] { svc_->Get(alice_, "posts", "#999:1"); }, 404, "#999:1 not found");
  ExpectBb([&] { svc_->GetByRid(alice_, "#999:1"); }, 404, "#999:1 unknown");
  ExpectBb([&] { svc_->Get(alice_, "posts", Id(foreign)); }, 404, "Document " + Id(foreign) + " is not a posts document");
  ExpectBb([&] { svc_->Get(alice_, "nope", Id(doc)); }, 404, "nope is not a valid collection name");
  // Unreadable = unknown (no existence leak).
  ExpectBb([&] { svc_->Get(bob_, "posts", Id(doc)); }, 404, Id(doc) + " not found");
  ExpectBb([&] { svc_->GetByRid(bob_, rid); }, 404, rid + " unknown");
}

TEST_P(DocumentTest, DocumentReplaceAndVersion) {
  svc_->CreateCollection(admin_, "posts");
  auto doc = svc_->Create(alice_, "posts", R"({"title":"t","body":"b"})");
  std::string id = Id(doc);
  // The JS SDK sends the whole loaded object back.
  json::object sent = doc;
  sent["body"] = "new";
  sent["tags"] = "tag1";
  sent["id"] = "ignored";
  auto updated = svc_->Replace(alice_, "posts", id, json::serialize(sent));
  EXPECT_EQ(updated.at("@version"), 2);
  EXPECT_EQ(updated.at("body"), "new");
  EXPECT_EQ(updated.at("id").as_string(), id);
  EXPECT_EQ(updated.at("_creation_date"), doc.at("_creation_date"));
  // Stale @version → 40001, nothing changed.
  ExpectBb([&] { svc_->Replace(alice_, "posts", id, R"({"@version":1,"x":1})"); }, 400,
           "You are attempting to update an older version of the document. Your document version is 1, the stored "
           "document has version 2",
           "40001");
  EXPECT_EQ(svc_->Get(alice_, "posts", id).at("@version"), 2);
  // Keys absent from the body are removed; @version 0 skips the check.
  auto replaced = svc_->Replace(alice_, "posts", std::string(doc.at("@rid").as_string()), R"({"@version":0,"only":true})");
  EXPECT_FALSE(replaced.contains("title"));
  EXPECT_EQ(replaced.at("only"), true);
  EXPECT_EQ(replaced.at("@version"), 3);
  ExpectBb([&] { svc_->Replace(alice_, "posts", id, R"({"@version":"3"})"); }, 400, "@version field must be an Integer");
  ExpectBb([&] { svc_->Replace(alice_, "posts", id, R"({"x":1,"_allowRead":[{"name":"zed"}]})"); }, 400,
           "ACL fields are not valid: The user zed does not exist");
  EXPECT_EQ(svc_->Get(alice_, "posts", id), replaced);  // refused writes changed nothing
  ExpectBb([&] { svc_->Replace(alice_, "posts", "#1", "{}"); }, 400, "#1 is not a document");
  ExpectBb([&] { svc_->Replace(alice_, "posts", "nope", "{}"); }, 404, "Document nope not found");
  ExpectBb([&] { svc_->Replace(bob_, "posts", id, "{}"); }, 404, "Document " + id + " not found");
  svc_->SetGrant(alice_, "posts", id, "read", false, "bob", true);
  ExpectBb([&] { svc_->Replace(bob_, "posts", id, "{}"); }, 403, "You have not the right to modify " + id);
  svc_->CreateCollection(admin_, "other");
  ExpectBb([&] { svc_->Replace(alice_, "other", id, "{}"); }, 404, id + " is not a valid belongs to other");
}

TEST_P(DocumentTest, DocumentFieldParts) {
  svc_->CreateCollection(admin_, "posts");
  auto doc = svc_->Create(alice_, "posts", R"({"title":"t","tags":["one","two"],"issues":[{"tags":[1,2,3]}]})");
  std::string id = Id(doc);
  EXPECT_EQ(svc_->GetPart(alice_, "posts", id, {".tags[0]"}), Obj(R"({"result":"one"})"));
  EXPECT_EQ(svc_->GetPart(alice_, "posts", id, {".issues[0]", ".tags[2]"}), Obj(R"({"result":3})"));
  ExpectBb([&] { svc_->GetPart(alice_, "posts", id, {".missing"}); }, 404, id + " not found");
  ExpectBb([&] { svc_->GetPart(alice_, "posts", id, {"title"}); }, 400,
           "Part title at position 1 is not valid:Unrecognized Part Type.HINT: did you put a . before any field?");
  ExpectBb([&] { svc_->GetPart(alice_, "posts", id, {".tags", ".id"}); }, 400,
           "Part .id at position 2 is not valid:This field is private and can't be modified");
  // The §9.5.9 examples.
  svc_->UpdatePart(alice_, "posts", id, {".title"}, R"({"data":"Updated title"})");
  svc_->UpdatePart(alice_, "posts", id, {".tags"}, R"({"data":["tag1","tag2"]})");
  svc_->UpdatePart(alice_, "posts", id, {".tags[3]"}, R"({"data":"newly added tag"})");
  svc_->UpdatePart(alice_, "posts", id, {".address"}, R"({"data":{"street":"5th Avenue","zip":10021}})");
  svc_->UpdatePart(alice_, "posts", id, {".address", ".street"}, R"({"data":"6th Avenue"})");
  auto last = svc_->UpdatePart(alice_, "posts", id, {".issues[0]", ".tags[3]"}, R"({"data":"four"})");
  EXPECT_EQ(last.at("title"), "Updated title");
  EXPECT_EQ(last.at("tags"), json::parse(R"(["tag1","tag2","newly added tag"])"));
  EXPECT_EQ(last.at("address"), json::parse(R"({"street":"6th Avenue","zip":10021})"));
  EXPECT_EQ(last.at("issues"), json::parse(R"([{"tags":[1,2,3,"four"]}])"));
  EXPECT_EQ(last.at("@version"), 7);
  ExpectBb([&] { svc_->UpdatePart(alice_, "posts", id, {".title[0]"}, R"({"data":1})"); }, 400,
           ".title[0] is not an array");
  ExpectBb([&] { svc_->UpdatePart(alice_, "posts", id, {".nope", ".x"}, R"({"data":1})"); }, 404, ".nope");
  ExpectBb([&] { svc_->UpdatePart(alice_, "posts", id, {".title"}, "[1]"); }, 400, "The body must be an JSON object");
  ExpectBb([&] { svc_->UpdatePart(alice_, "posts", id, {".title"}, R"({"x":1})"); }, 400,
           "The body payload must have a data field. Hint: modify your content to have a \"data\" field");
  svc_->SetGrant(alice_, "posts", id, "read", false, "bob", true);
  ExpectBb([&] { svc_->UpdatePart(bob_, "posts", id, {".title"}, R"({"data":1})"); }, 403,
           "You have not the right to modify the document " + id);
  EXPECT_EQ(svc_->Get(alice_, "posts", id).at("@version"), 8);  // the grant advanced it; the refusal did not
}

TEST_P(DocumentTest, DocumentDelete) {
  svc_->CreateCollection(admin_, "posts");
  svc_->CreateCollection(admin_, "other");
  auto doc = svc_->Create(alice_, "posts", R"({"a":1})");
  auto other = svc_->Create(alice_, "posts", R"({"a":2})");
  std::string id = Id(doc);
  svc_->CreateLink(alice_, id, "rel", Id(other));
  ExpectBb([&] { svc_->Delete(bob_, "posts", id); }, 404, "id " + id + " not found");
  svc_->SetGrant(alice_, "posts", id, "read", false, "bob", true);
  ExpectBb([&] { svc_->Delete(bob_, "posts", id); }, 403, "You have not the right to delete " + id);
  ExpectBb([&] { svc_->Delete(alice_, "other", id); }, 404, "The document " + id + " does no belong to the collection other");
  ExpectBb([&] { svc_->Delete(alice_, "posts", "#x"); }, 400,
           "#x is not a RecordId in form of string. Format must be: <cluster-id>:<cluster-position>");
  svc_->SetGrant(alice_, "posts", id, "delete", false, "bob", true);
  svc_->Delete(bob_, "posts", id);
  ExpectBb([&] { svc_->Get(alice_, "posts", id); }, 404, id + " not found");
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM bb_link"), 0);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM bb_node"), 1);
  EXPECT_EQ(svc_->List(alice_, "posts", {}).size(), 1u);
}

TEST_P(DocumentTest, DocumentListCriteria) {
  svc_->CreateCollection(admin_, "things");
  for (int i = 1; i <= 6; ++i) {
    svc_->Create(alice_, "things", json::serialize(json::object{{"n", i}, {"name", "n" + std::to_string(i)},
                                                                 {"odd", i % 2 == 1}}));
  }
  auto names = [&](const json::array& a) {
    std::vector<std::string> out;
    for (const auto& v : a) out.push_back(std::string(v.at("name").as_string()));
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names(svc_->List(alice_, "things", Q({{"where", "n = ?"}, {"params", "2"}}))), V{"n2"});
  EXPECT_EQ(names(svc_->List(alice_, "things", Q({{"where", "n >= ? and odd = true"}, {"params", "2"}}))),
            (V{"n3", "n5"}));
  EXPECT_EQ(names(svc_->List(alice_, "things", Q({{"where", "_author = ?"}, {"params", "alice"}}))).size(), 6u);
  EXPECT_EQ(names(svc_->List(alice_, "things", Q({{"orderBy", "n desc"}, {"page", "0"}, {"recordsPerPage", "2"}}))),
            (V{"n6", "n5"}));
  // Paging arithmetic (§7.2): offset = page*rpp + skip; rpp without page does not limit.
  EXPECT_EQ(names(svc_->List(alice_, "things", Q({{"page", "1"}, {"recordsPerPage", "2"}, {"skip", "1"}}))),
            (V{"n4", "n5"}));
  EXPECT_EQ(names(svc_->List(alice_, "things", Q({{"recordsPerPage", "2"}}))).size(), 6u);
  EXPECT_EQ(names(svc_->List(alice_, "things", Q({{"skip", "4"}}))), (V{"n5", "n6"}));
  EXPECT_EQ(names(svc_->List(alice_, "things", Q({{"page", "0"}, {"recordPerPage", "1"}}))), V{"n1"});
  EXPECT_EQ(names(svc_->List(alice_, "things", Q({{"page", "0"}, {"recordPerPage", "1"}, {"recordsPerPage", "3"}})))
                .size(),
            3u);
  // 12 documents so that RIDs #t:10.. exist: @rid orders numerically, not as text.
  for (int i = 7; i <= 12; ++i) svc_->Create(bob_, "things", json::serialize(json::object{{"n", i}, {"name", "n" + std::to_string(i)}}));
  EXPECT_EQ(names(svc_->List(bob_, "things", Q({{"orderBy", "@rid desc"}, {"page", "0"}, {"recordsPerPage", "4"}}))),
            (V{"n12", "n11", "n10", "n9"}));
  EXPECT_EQ(names(svc_->List(alice_, "things", Q({{"orderBy", "odd desc, n desc"}, {"skip", "1"}}))),
            (V{"n3", "n1", "n6", "n4", "n2"}));
  EXPECT_EQ(svc_->List(alice_, "things", Q({{"count", "TRUE"}, {"where", "n > 4"}, {"page", "0"}, {"recordsPerPage", "1"}})),
            json::parse(R"([{"count":2}])"));
  EXPECT_EQ(svc_->Count(alice_, "things", Q({{"where", "odd = ?"}, {"params", "true"}})), Obj(R"({"count":3})"));
  EXPECT_EQ(svc_->Count(bob_, "things", {}), Obj(R"({"count":6})"));  // only his own
  // Projections (§5.5, §7.4).
  EXPECT_EQ(svc_->List(alice_, "things", Q({{"fields", "name, n as num, missing"}, {"where", "n < 3"}})),
            json::parse(R"([{"name":"n1","num":1,"missing":null},{"name":"n2","num":2,"missing":null}])"));
  auto latest = svc_->List(alice_, "things", Q({{"fields", "max(_creation_date) as d, min(@version) as v"}}));
  EXPECT_TRUE(std::string(latest[0].at("d").as_string()).ends_with("+0000"));
  EXPECT_EQ(latest[0].at("v"), 1);
  EXPECT_EQ(svc_->List(alice_, "things", Q({{"fields", "count(*), max(n), max(n), sum(n) as s, avg(n)"}})),
            json::parse(R"([{"count":6,"max":6,"max2":6,"s":21,"avg":3.5}])"));
  EXPECT_EQ(svc_->List(alice_, "things", Q({{"fields", "odd, count(*) as c"}, {"groupBy", "odd"}, {"orderBy", "c desc, odd"}})),
            json::parse(R"([{"odd":false,"c":3},{"odd":true,"c":3}])"));
  // Errors: criteria (§7.6) and integers (§7.2).
  ExpectCriteria([&] { svc_->List(alice_, "things", Q({{"where", "n = "}})); });
  ExpectCriteria([&] { svc_->List(alice_, "things", Q({{"where", "n = ?"}})); });
  ExpectCriteria([&] { svc_->List(alice_, "things", Q({{"where", "_allowRead = 1"}})); });
  ExpectCriteria([&] { svc_->List(alice_, "things", Q({{"fields", "expand(_allowRead) as ar"}})); });
  ExpectCriteria([&] { svc_->List(alice_, "things", Q({{"fields", "sum(eval(\"n * 1\"))"}})); });
  ExpectCriteria([&] { svc_->List(alice_, "things", Q({{"fields", "_allow"}})); });
  ExpectCriteria([&] { svc_->List(alice_, "things", Q({{"orderBy", "n; drop table x"}})); });
  ExpectCriteria([&] { svc_->List(alice_, "things", Q({{"groupBy", "_allowRead"}})); });
  ExpectCriteria([&] { svc_->Count(alice_, "things", Q({{"where", "1 = 1; DELETE"}})); });
  ExpectBb([&] { Q({{"page", "x"}}); }, 400, "page parameter must be a valid Integer");
  ExpectBb([&] { Q({{"page", "-2"}}); }, 400, "page parameter must be a valid Integer");
  ExpectBb([&] { Q({{"recordsPerPage", "0"}}); }, 400, "recordsPerPage parameter must be a valid Integer");
  ExpectBb([&] { Q({{"skip", "-1"}}); }, 400, "skip parameter must be a valid Integer");
  ExpectBb([&] { Q({{"depth", "1.5"}}); }, 400, "depth parameter must be a valid Integer");
  EXPECT_TRUE(Q({{"withAcl", "Yes"}}).with_acl);
  EXPECT_FALSE(Q({{"count", "1"}}).count);
  // The result cap (§7.2).
  DocumentOptions small;
  small.max_records = 4;
  DocumentService capped(*store_, small);
  ExpectBb([&] { capped.List(alice_, "things", {}); }, 400,
           "Too many records: use page and recordsPerPage (at most 4 per request)");
  ExpectBb([&] { capped.List(alice_, "things", Q({{"orderBy", "n"}})); }, 400,
           "Too many records: use page and recordsPerPage (at most 4 per request)");
  ExpectBb([&] { capped.List(alice_, "things", Q({{"page", "0"}, {"recordsPerPage", "5"}})); }, 400,
           "Too many records: use page and recordsPerPage (at most 4 per request)");
  EXPECT_EQ(capped.List(alice_, "things", Q({{"skip", "2"}})).size(), 4u);
}

TEST_P(DocumentTest, DocumentProjectionAggregatesSkipNonNumbers) {
  // bb: test/DocumentProjectionTest.java: totals 2, 3 in rome and 4, "5" in milan.
  svc_->CreateCollection(admin_, "orders");
  for (auto body : {R"({"city":"rome","total":2})", R"({"city":"rome","total":3})", R"({"city":"milan","total":4})",
                    R"({"city":"milan","total":"5"})"}) {
    svc_->Create(alice_, "orders", body);
  }
  EXPECT_EQ(svc_->List(alice_, "orders", Q({{"fields", "sum(total) as tot,city"}, {"groupBy", "city"}, {"orderBy", "city"}})),
            json::parse(R"([{"tot":4,"city":"milan"},{"tot":5,"city":"rome"}])"));
  EXPECT_EQ(svc_->List(bob_, "orders", Q({{"fields", "count(*) as c"}})), json::parse(R"([{"c":0}])"));
  EXPECT_EQ(svc_->List(alice_, "orders", Q({{"fields", "city.toUpperCase() as c, city.length() as l"}, {"where", "total = 2"}})),
            json::parse(R"([{"c":"ROME","l":4}])"));
}

TEST_P(DocumentTest, GrantsToUsersAndRoles) {
  svc_->CreateCollection(admin_, "posts");
  auto doc = svc_->Create(alice_, "posts", R"({"title":"t"})");
  std::string id = Id(doc);
  EXPECT_TRUE(svc_->List(bob_, "posts", {}).empty());
  EXPECT_TRUE(svc_->List(bob_, "posts", Q({{"fields", "title"}})).empty());
  svc_->SetGrant(alice_, "posts", id, "READ", false, "Bob", true);  // case-insensitive
  EXPECT_EQ(Ids(svc_->List(bob_, "posts", {})), std::vector<std::string>{id});
  EXPECT_EQ(svc_->Count(bob_, "posts", {}), Obj(R"({"count":1})"));
  EXPECT_EQ(svc_->Get(bob_, "posts", id).at("@version"), 2);  // a grant advances @version
  svc_->SetGrant(alice_, "posts", id, "read", false, "bob", true);  // idempotent
  svc_->SetGrant(alice_, "posts", id, "read", false, "bob", false);
  svc_->SetGrant(alice_, "posts", id, "read", false, "bob", false);  // revoking an absent grant
  EXPECT_TRUE(svc_->List(bob_, "posts", {}).empty());
  // Roles, with inheritance expanded in Caller::role_ids: a grant to `registered` reaches carol
  // (custom role) and bob; a grant to `testers` only carol.
  svc_->SetGrant(alice_, "posts", id, "read", true, "testers", true);
  EXPECT_EQ(svc_->List(carol_, "posts", {}).size(), 1u);
  EXPECT_TRUE(svc_->List(bob_, "posts", {}).empty());
  svc_->SetGrant(alice_, "posts", id, "update", true, "registered", true);
  EXPECT_TRUE(svc_->List(bob_, "posts", {}).empty());  // update without read: invisible
  // Anonymous: before and after granting read to `anonymous` (§14).
  EXPECT_TRUE(svc_->List(anon_, "posts", {}).empty());
  svc_->SetGrant(alice_, "posts", id, "read", true, "anonymous", true);
  EXPECT_EQ(svc_->List(anon_, "posts", {}).size(), 1u);
  EXPECT_EQ(svc_->List(bob_, "posts", {}).size(), 1u);  // registered inherits anonymous
  svc_->Replace(bob_, "posts", id, R"({"by":"bob"})");  // update via the role grant
  // withAcl (§5.1): no @rid, the three lists.
  auto acl = svc_->Get(alice_, "posts", id, true);
  EXPECT_FALSE(acl.contains("@rid"));
  EXPECT_EQ(acl.at("_allowRead"), json::parse(R"([{"name":"anonymous","isrole":true},{"name":"testers","isrole":true}])"));
  EXPECT_EQ(acl.at("_allowUpdate"), json::parse(R"([{"name":"registered","isrole":true}])"));
  EXPECT_EQ(acl.at("_allowDelete"), json::array{});
  EXPECT_EQ(svc_->List(alice_, "posts", Q({{"withAcl", "true"}}))[0].at("_allowUpdate"), acl.at("_allowUpdate"));
  // Errors (§9.6.1).
  ExpectBb([&] { svc_->SetGrant(alice_, "posts", id, "write", false, "bob", true); }, 400, "write is not a valid action");
  ExpectBb([&] { svc_->SetGrant(alice_, "posts", id, "read", false, "zed", true); }, 404, "user zed not found");
  ExpectBb([&] { svc_->SetGrant(alice_, "posts", id, "read", true, "zed", true); }, 404, "role zed not found");
  ExpectBb([&] { svc_->SetGrant(alice_, "nope", id, "read", false, "bob", true); }, 404, "collection nope not found");
  ExpectBb([&] { svc_->SetGrant(alice_, "posts", "nope", "read", false, "bob", true); }, 404, "id nope not found");
  auto hidden = svc_->Create(carol_, "posts", "{}");
  ExpectBb([&] { svc_->SetGrant(alice_, "posts", Id(hidden), "read", false, "bob", true); }, 404,
           "document " + Id(hidden) + " not found. Hint: has the user the correct rights on it?");
  svc_->SetGrant(carol_, "posts", Id(hidden), "read", false, "alice", true);
  ExpectBb([&] { svc_->SetGrant(alice_, "posts", Id(hidden), "read", false, "bob", true); }, 403,
           "You have not the right to modify " + Id(hidden));
  svc_->CreateCollection(admin_, "other");
  ExpectBb([&] { svc_->SetGrant(alice_, "other", id, "read", false, "bob", true); }, 400,
           id + " does not belong to the other collection");
  // Revoking `all` from the author removes the author's own access, as in BaasBox.
  svc_->SetGrant(alice_, "posts", id, "all", false, "alice", false);
  EXPECT_EQ(svc_->List(alice_, "posts", {}).size(), 2u);  // still readable through `anonymous`
  svc_->SetGrant(admin_, "posts", id, "read", true, "anonymous", false);
  EXPECT_EQ(svc_->List(alice_, "posts", {}).size(), 1u);
}

TEST_P(DocumentTest, GrantsInsideBodiesAndAclRoute) {
  svc_->CreateCollection(admin_, "posts");
  auto doc = svc_->Create(alice_, "posts",
                          R"({"title":"x","_allowRead":[{"name":"bob"},{"name":"registered","isRole":true}],
                              "_allowUpdate":[{"name":"bob"}],"_allowDelete":[]})");
  std::string id = Id(doc);
  EXPECT_FALSE(doc.contains("_allowRead"));
  EXPECT_EQ(svc_->List(carol_, "posts", {}).size(), 1u);
  svc_->Replace(bob_, "posts", id, R"({"title":"y"})");  // no ACL keys: ACL unchanged
  EXPECT_EQ(svc_->List(carol_, "posts", {}).size(), 1u);
  // ACL keys in a PUT replace the whole ACL; the author keeps full access.
  svc_->Replace(alice_, "posts", id, R"({"title":"z","_allowRead":[{"name":"carol"}]})");
  EXPECT_TRUE(svc_->List(bob_, "posts", {}).empty());
  EXPECT_EQ(svc_->List(carol_, "posts", {}).size(), 1u);
  EXPECT_EQ(svc_->List(alice_, "posts", {}).size(), 1u);
  // The acl route: no key at all clears every grant.
  auto cleared = svc_->ReplaceAcl(alice_, "posts", id, "{}", true);
  EXPECT_EQ(cleared.at("_allowRead"), json::array{});
  EXPECT_TRUE(svc_->List(carol_, "posts", {}).empty());
  svc_->ReplaceAcl(alice_, "posts", id, R"({"_allowRead":[{"name":"testers","isrole":true}]})");
  EXPECT_EQ(svc_->List(carol_, "posts", {}).size(), 1u);
  const std::string p = "ACL fields are not valid: ";
  ExpectBb([&] { svc_->Create(alice_, "posts", R"({"_allowRead":{}})"); }, 400,
           p + "The _allowRead, _allowUpdate, _allowDelete, values must be an array");
  ExpectBb([&] { svc_->Create(alice_, "posts", R"({"_allowUpdate":["bob"]})"); }, 400,
           p + "_allowUpdate must contains array of objects");
  ExpectBb([&] { svc_->Create(alice_, "posts", R"({"_allowRead":[{"nam":"bob"}]})"); }, 400,
           p + "An element of the _allowRead ACL field has no name");
  ExpectBb([&] { svc_->Create(alice_, "posts", R"({"_allowRead":[{"name":"zed"}]})"); }, 400,
           p + "The user zed does not exist");
  ExpectBb([&] { svc_->Create(alice_, "posts", R"({"_allowRead":[{"name":"zed","isrole":true}]})"); }, 400,
           p + "The role zed does not exist");
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM bb_node"), 1);  // refused creates wrote nothing
}

TEST_P(DocumentTest, LinksBetweenDocumentsAndUsers) {
  svc_->CreateCollection(admin_, "invoices");
  svc_->CreateCollection(admin_, "customers");
  auto invoice = svc_->Create(alice_, "invoices", R"({"number":345})");
  auto customer = svc_->Create(alice_, "customers", R"({"name":"John Doe"})");
  auto link = svc_->CreateLink(alice_, Id(invoice), "customer", Id(customer));
  EXPECT_EQ(link.at("@class"), "E");
  EXPECT_EQ(link.at("label"), "customer");
  EXPECT_EQ(link.at("_author"), "alice");
  EXPECT_EQ(link.at("@version"), 1);
  EXPECT_EQ(link.at("out").at("number"), 345);
  EXPECT_EQ(link.at("in").at("name"), "John Doe");
  EXPECT_FALSE(link.at("in").as_object().contains("@rid"));
  std::string lid = Id(link);
  EXPECT_EQ(svc_->GetLink(alice_, lid), link);
  // A node the caller cannot read is null; linking needs read on both ends.
  auto seen_by_bob = svc_->GetLink(bob_, lid);
  EXPECT_TRUE(seen_by_bob.at("in").is_null());
  EXPECT_TRUE(seen_by_bob.at("out").is_null());
  const std::string missing =
      "Source or Destination record was not found. Hint: do you have the read grant on them? Or ids are not valid";
  ExpectBb([&] { svc_->CreateLink(bob_, Id(invoice), "x", Id(customer)); }, 400, missing);
  ExpectBb([&] { svc_->CreateLink(alice_, Id(invoice), "x", "nope"); }, 400, missing);
  // A user node (by its id).
  auto to_user = svc_->CreateLink(alice_, Id(invoice), "owner", "uuid-bob");
  EXPECT_EQ(to_user.at("in").at("user").at("name"), "bob");
  // Queries (§9.7.3, §8.6).
  EXPECT_EQ(svc_->ListLinks(alice_, Q({{"where", "label = ?"}, {"params", "customer"}})).size(), 1u);
  EXPECT_EQ(svc_->ListLinks(alice_, Q({{"where", "in.name.toLowerCase() like 'john%' and label=\"customer\""}})).size(), 1u);
  EXPECT_EQ(svc_->ListLinks(alice_, Q({{"where", "out.id = ?"}, {"params", Id(invoice)}})).size(), 2u);
  EXPECT_EQ(svc_->ListLinks(bob_, Q({{"where", "out.id = ?"}, {"params", Id(invoice)}})).size(), 0u);
  EXPECT_EQ(svc_->ListLinks(alice_, Q({{"where", "in.@class = 'customers'"}})).size(), 1u);
  EXPECT_EQ(svc_->ListLinks(alice_, Q({{"count", "true"}})), json::parse(R"([{"count":2}])"));
  EXPECT_EQ(svc_->ListLinks(alice_, Q({{"fields", "label"}, {"orderBy", "label desc"}})),
            json::parse(R"([{"label":"owner"},{"label":"customer"}])"));
  ExpectCriteria([&] { svc_->ListLinks(alice_, Q({{"where", "label = "}})); });
  ExpectCriteria([&] { svc_->ListLinks(alice_, Q({{"where", "in._allowRead is null"}})); });
  ExpectCriteria([&] { svc_->ListLinks(alice_, Q({{"fields", "out._allow"}})); });
  // Deleting (§9.7.4): author, admin or update rights on the source.
  ExpectBb([&] { svc_->DeleteLink(bob_, lid); }, 403, "You have not the right to delete the link " + lid);
  ExpectBb([&] { svc_->GetLink(alice_, "nope"); }, 404, "The link nope was not found");
  ExpectBb([&] { svc_->DeleteLink(alice_, "nope"); }, 404, "The link nope was not found");
  svc_->SetGrant(alice_, "invoices", Id(invoice), "read", false, "bob", true);
  svc_->SetGrant(alice_, "invoices", Id(invoice), "update", false, "bob", true);
  svc_->DeleteLink(bob_, lid);
  ExpectBb([&] { svc_->GetLink(alice_, lid); }, 404, "The link " + lid + " was not found");
  // Deleting a node deletes its links; dropping a collection too.
  svc_->Delete(alice_, "invoices", Id(invoice));
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM bb_link"), 0);
  auto again = svc_->CreateLink(alice_, Id(customer), "self", Id(customer));
  svc_->DropCollection(admin_, "customers");
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM bb_link"), 0);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM bb_node"), 0);
}

INSTANTIATE_TEST_SUITE_P(Stores, DocumentTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace gridbase::baasbox::doc_test
