// API tests of the document counters (store/doc_counts.hpp) behind `GET /document/{c}/count`
// and `?count=true` (baasbox.md §9.5): after every kind of write — documents created, updated and
// deleted through the surface, grants given and taken (including a grant the author already
// holds), rows trashed, restored and purged underneath (as the Baserow side does), a role
// deleted, the collection dropped — the counters equal what they count, and every caller's count
// equals the number of documents its list shows. A counter is read when it can answer alone.
#include "api/baasbox_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <random>
#include <sstream>

namespace gbtest::bb {
namespace {

class BaasBoxCountsTest : public BbTest {
 protected:
  static std::vector<std::string> Lines(const std::optional<std::string>& out) {
    std::vector<std::string> lines;
    if (!out) return {"(query failed)"};
    std::istringstream in(*out);
    for (std::string line; std::getline(in, line);) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (!line.empty()) lines.push_back(line);
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  }

  std::string Sql1(const std::string& sql) {
    auto lines = Lines(RunSql(server_->db_file(), sql));
    return lines.empty() ? "" : lines[0];
  }

  std::string TableOf(const std::string& col) {
    return Sql1("SELECT table_id FROM bb_collection WHERE name = '" + col + "'");
  }

  /// The counters of table `t` (kind:principal:n:dup, non-zero ones and the document count)
  /// and the same figures computed from bb_acl and the rows.
  std::pair<std::vector<std::string>, std::vector<std::string>> CountersAndTruth(const std::string& t) {
    auto counters = Lines(RunSql(
        server_->db_file(),
        "SELECT principal_kind || ':' || principal_id || ':' || n || ':' || dup FROM bb_doc_count WHERE table_id = " +
            t + " AND (n <> 0 OR dup <> 0 OR principal_kind = '*')"));
    auto truth = Lines(RunSql(
        server_->db_file(),
        "SELECT '*:0:' || COUNT(*) || ':0' FROM tbl_" + t +
            " WHERE trashed = 0 AND bb_uuid IS NOT NULL UNION ALL "
            "SELECT k || ':' || p || ':' || n || ':' || d FROM (SELECT a.principal_kind AS k, a.principal_id AS p, "
            "SUM(CASE WHEN r.id IS NULL THEN 0 ELSE 1 END) AS n, SUM(CASE WHEN a.perm = 'R' AND EXISTS (SELECT 1 "
            "FROM bb_acl b WHERE b.table_id = a.table_id AND b.row_id = a.row_id AND b.perm = 'A' AND "
            "b.principal_kind = a.principal_kind AND b.principal_id = a.principal_id) THEN 1 ELSE 0 END) AS d "
            "FROM bb_acl a LEFT JOIN tbl_" +
            t +
            " r ON r.id = a.row_id AND r.trashed = 0 AND r.bb_uuid IS NOT NULL WHERE a.table_id = " + t +
            " AND a.perm IN ('A', 'R') GROUP BY a.principal_kind, a.principal_id) q WHERE n <> 0 OR d <> 0"));
    return {counters, truth};
  }

  int64_t Count(const std::string& col, const std::vector<std::string>& headers, const char* where) {
    auto c = bb();
    auto data = ExpectOk(c.Get("/document/" + col + "/count", headers), 200, where);
    auto listed = ExpectOk(c.Get("/document/" + col + "?count=true", headers), 200, where);
    if (!data.is_object() || !listed.is_array()) return -1;
    EXPECT_EQ(listed.as_array().at(0).at("count"), data.at("count")) << where;
    return data.at("count").as_int64();
  }
  int64_t Listed(const std::string& col, const std::vector<std::string>& headers, const char* where) {
    auto c = bb();
    auto data = ExpectOk(c.Get("/document/" + col, headers), 200, where);
    return data.is_array() ? static_cast<int64_t>(data.as_array().size()) : -1;
  }
};

TEST_F(BaasBoxCountsTest, CountersFollowEveryWriteAndCountsEqualLists) {
  auto c = bb();
  std::string admin = AdminToken();
  std::string col = NewCollection("counted");
  std::string t = TableOf(col);
  ASSERT_FALSE(t.empty());
  std::string role = Unique("counters");
  ExpectOk(c.Request("POST", "/admin/role/" + role, R"({"description":"counted"})", {Session(admin)}), 201, "role");

  struct Who {
    std::string name, token;
  };
  std::vector<Who> users;
  for (int i = 0; i < 3; ++i) {
    std::string name = Unique("cu");
    users.push_back({name, SignUp(name)});
  }
  {
    std::string name = Unique("cmember");
    ExpectOk(c.Post("/admin/user", json::object{{"username", name}, {"password", "p"}, {"role", role}},
                    {Session(admin)}),
             201, "member");
    users.push_back({name, Login(name, "p")});
  }
  const std::vector<std::string> roles = {"registered", "anonymous", role};

  struct Doc {
    std::string id;
    size_t author;
    bool trashed = false;
  };
  std::vector<Doc> docs;
  std::mt19937 rng(20261201);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };

  auto check = [&](const std::string& step) {
    SCOPED_TRACE(step);
    auto [counters, truth] = CountersAndTruth(t);
    EXPECT_EQ(counters, truth);
    // bb_acl.live mirrors its document's state (the several-principals count reads it).
    EXPECT_EQ(Sql1("SELECT COUNT(*) FROM bb_acl a WHERE a.table_id = " + t +
                   " AND a.live <> CASE WHEN EXISTS (SELECT 1 FROM tbl_" + t +
                   " r WHERE r.id = a.row_id AND r.trashed = 0 AND r.bb_uuid IS NOT NULL) THEN 1 ELSE 0 END"),
              "0");
    for (const auto& u : users) {
      EXPECT_EQ(Count(col, As(u.token), u.name.c_str()), Listed(col, As(u.token), u.name.c_str())) << u.name;
    }
    EXPECT_EQ(Count(col, {kAppHeader}, "anonymous"), Listed(col, {kAppHeader}, "anonymous"));
    EXPECT_EQ(Count(col, As(admin), "admin"), Listed(col, As(admin), "admin"));
  };

  check("empty");
  for (int step = 0; step < 70; ++step) {
    int op = docs.empty() ? 0 : static_cast<int>(pick(10));
    std::string label;
    if (op <= 2) {
      size_t a = pick(users.size());
      auto made = ExpectOk(c.Post("/document/" + col, json::object{{"step", step}}, As(users[a].token)), 200, "create");
      if (!made.is_object()) break;
      docs.push_back({std::string(made.at("id").as_string()), a});
      label = "create by " + users[a].name;
    } else if (op <= 4) {
      // A read grant to a user: sometimes the author (who holds 'all' already), sometimes twice.
      auto& d = docs[pick(docs.size())];
      if (d.trashed) continue;
      size_t to = pick(users.size());
      ExpectOk(c.Put("/document/" + col + "/" + d.id + "/read/user/" + users[to].name, json::object{},
                     As(users[d.author].token)),
               200, "grant user");
      label = "grant read to " + users[to].name + " on " + d.id;
    } else if (op == 5) {
      auto& d = docs[pick(docs.size())];
      if (d.trashed) continue;
      const auto& r = roles[pick(roles.size())];
      ExpectOk(c.Put("/document/" + col + "/" + d.id + "/read/role/" + r, json::object{}, As(users[d.author].token)),
               200, "grant role");
      label = "grant read to role " + r + " on " + d.id;
    } else if (op == 6) {
      auto& d = docs[pick(docs.size())];
      if (d.trashed) continue;
      bool to_role = pick(2) == 0;
      std::string path = to_role ? "/read/role/" + roles[pick(roles.size())] : "/read/user/" + users[pick(users.size())].name;
      ExpectOk(c.Delete("/document/" + col + "/" + d.id + path, As(users[d.author].token)), 200, "revoke");
      label = "revoke " + path + " on " + d.id;
    } else if (op == 7) {
      size_t i = pick(docs.size());
      if (docs[i].trashed) continue;
      ExpectOk(c.Delete("/document/" + col + "/" + docs[i].id, As(users[docs[i].author].token)), 200, "delete");
      label = "delete " + docs[i].id;
      docs.erase(docs.begin() + static_cast<long>(i));
    } else if (op == 8) {
      // Underneath, as the Baserow side's trash and restore do.
      auto& d = docs[pick(docs.size())];
      d.trashed = !d.trashed;
      ASSERT_TRUE(RunSql(server_->db_file(), "UPDATE tbl_" + t + " SET trashed = " + (d.trashed ? "1" : "0") +
                                                 " WHERE bb_uuid = '" + d.id + "'"));
      label = std::string(d.trashed ? "trash " : "restore ") + d.id;
    } else {
      size_t i = pick(docs.size());
      if (docs[i].trashed) {
        // Purged from the trash: the row goes, its grants stay behind unreachable.
        ASSERT_TRUE(RunSql(server_->db_file(), "DELETE FROM tbl_" + t + " WHERE bb_uuid = '" + docs[i].id + "'"));
        label = "purge " + docs[i].id;
        docs.erase(docs.begin() + static_cast<long>(i));
      } else {
        auto& d = docs[i];
        ExpectOk(c.Put("/document/" + col + "/" + d.id, json::object{{"edited", step}}, As(users[d.author].token)),
                 200, "update");
        label = "update " + d.id;
      }
    }
    check(fmt::format("step {}: {}", step, label));
    if (HasFailure()) return;
  }
  // A role's deletion takes its grants along.
  ExpectOk(c.Request("DELETE", "/admin/role/" + role, "", {Session(admin)}), 200, "delete role");
  check("role deleted");
  // So does the collection's.
  ExpectOk(c.Delete("/admin/collection/" + col, As(admin)));
  EXPECT_EQ(Sql1("SELECT COUNT(*) FROM bb_doc_count WHERE table_id = " + t), "0");
}

TEST_F(BaasBoxCountsTest, TheCounterAnswersAloneOnlyWhenItCan) {
  auto c = bb();
  std::string admin = AdminToken();
  std::string col = NewCollection("alone");
  std::string t = TableOf(col);
  std::string name = Unique("alone");
  std::string user = SignUp(name);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto d = ExpectOk(c.Post("/document/" + col, json::object{{"i", i}}, As(user)), 200, "create");
    ids.push_back(std::string(d.at("id").as_string()));
  }
  std::string uid = Sql1("SELECT id FROM bb_user WHERE username = '" + name + "'");
  EXPECT_EQ(Sql1("SELECT n FROM bb_doc_count WHERE table_id = " + t + " AND principal_kind = 'U' AND principal_id = " +
                 uid),
            "3");
  // Make the counters disagree with the rows: the answers show which source each count reads.
  auto skew = [&](const std::string& kind, const std::string& id, int n) {
    ASSERT_TRUE(RunSql(server_->db_file(), fmt::format("UPDATE bb_doc_count SET n = {} WHERE table_id = {} AND "
                                                       "principal_kind = '{}' AND principal_id = {}",
                                                       n, t, kind, id)));
  };
  skew("U", uid, 40);
  skew("*", "0", 50);
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count", As(user))), J(R"({"count":40})"));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "?count=true", As(user))), J(R"([{"count":40}])"));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count", As(admin))), J(R"({"count":50})"));
  // A `where` always scans.
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count?where=i%3E%3D0", As(user))), J(R"({"count":3})"));
  // Another of the caller's principals holding grants: the largest counter plus what the
  // others' grant rows add (here `registered`'s one document, not one of the user's).
  std::string other = SignUp(Unique("other"));
  auto foreign = ExpectOk(c.Post("/document/" + col, json::object{{"i", 9}}, As(other)), 200, "foreign");
  const std::string foreign_id(foreign.at("id").as_string());
  ExpectOk(c.Put("/document/" + col + "/" + foreign_id + "/read/role/registered", json::object{}, As(other)));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count", As(user))), J(R"({"count":41})"));
  // A document both principals reach is added once (it is the base's already).
  ExpectOk(c.Put("/document/" + col + "/" + ids[1] + "/read/role/registered", json::object{}, As(user)));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count", As(user))), J(R"({"count":41})"));
  // The largest counter is the base: skewed below the role's, the role's counter is read.
  skew("U", uid, 1);
  skew("R", Sql1("SELECT id FROM bb_role WHERE name = 'registered'"), 30);
  // 30 (registered) + the user's documents `registered` cannot read (ids[0], ids[2]).
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count", As(user))), J(R"({"count":32})"));
  // The counters equal the truth again once the skew is undone.
  skew("U", uid, 3);
  skew("R", Sql1("SELECT id FROM bb_role WHERE name = 'registered'"), 2);
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count", As(user))), J(R"({"count":4})"));
  ExpectOk(c.Delete("/document/" + col + "/" + ids[1] + "/read/role/registered", As(user)));
  ExpectOk(c.Delete("/document/" + col + "/" + foreign_id, As(other)));
  skew("U", uid, 40);
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count", As(user))), J(R"({"count":40})"));
  // The author also granted read on its own document: that document would count twice, so it scans.
  ExpectOk(c.Put("/document/" + col + "/" + ids[0] + "/read/user/" + name, json::object{}, As(user)));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count", As(user))), J(R"({"count":3})"));
  ExpectOk(c.Delete("/document/" + col + "/" + ids[0] + "/read/user/" + name, As(user)));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count", As(user))), J(R"({"count":40})"));
  // No counters at all for the table (never so after migration 15): it scans.
  ASSERT_TRUE(RunSql(server_->db_file(), "DELETE FROM bb_doc_count WHERE table_id = " + t));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count", As(user))), J(R"({"count":3})"));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count", As(admin))), J(R"({"count":3})"));
}

}  // namespace
}  // namespace gbtest::bb
