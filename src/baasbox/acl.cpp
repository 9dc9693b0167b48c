// Per-document grants (baasbox.md §9.6, storage §11.5): bb_acl rows (perm A/R/U/D, principal
// U(ser)/R(ole)); the author holds an ordinary 'A' row. The read rule is one EXISTS over bb_acl
// ANDed outside the user's `where` (§8.10 point 7); administrator/backoffice bypass it.
#include <fmt/format.h>

#include "baasbox/documents_internal.hpp"

namespace gridbase::baasbox {

namespace doc_impl {

char PermChar(Permission p) {
  switch (p) {
    case Permission::kRead: return 'R';
    case Permission::kUpdate: return 'U';
    case Permission::kDelete: return 'D';
    case Permission::kAll: return 'A';
  }
  return 'A';
}

namespace {
/// "(<p>principal_kind = 'U' AND <p>principal_id = ?) OR (… 'R' AND … IN (…))": the rows of the
/// caller's user and roles, column names prefixed by `prefix`.
std::string CallerPrincipals(const Caller& caller, std::string_view prefix, where::SqlParams& params) {
  const std::string p(prefix);
  std::string sql = "(" + p + "principal_kind = 'U' AND " + p + "principal_id = ?)";
  params.push_back(caller.user_id);  // 0 (anonymous) matches no user row
  if (!caller.role_ids.empty()) {
    sql += " OR (" + p + "principal_kind = 'R' AND " + p + "principal_id IN (";
    for (size_t i = 0; i < caller.role_ids.size(); ++i) {
      sql += i ? ", ?" : "?";
      params.push_back(caller.role_ids[i]);
    }
    sql += "))";
  }
  return sql;
}
}  // namespace

std::string AclCondition(const Caller& caller, int64_t table_id, std::string_view row_sql, std::string_view perms,
                         where::SqlParams& params) {
  if (caller.bypass_acl) return "";
  std::string sql = "EXISTS (SELECT 1 FROM bb_acl a WHERE a.table_id = ? AND a.row_id = " + std::string(row_sql) +
                    " AND a.perm IN (?, ?) AND (";
  params.push_back(table_id);
  params.push_back(std::string(1, perms[0]));
  params.push_back(std::string(1, perms[1]));
  return sql + CallerPrincipals(caller, "a.", params) + "))";
}

bool Allowed(store::Tx& tx, const Caller& caller, int64_t table_id, int64_t row_id, Permission p) {
  if (caller.bypass_acl) return true;
  where::SqlParams params;
  std::string perms = p == Permission::kAll ? "AA" : std::string("A") + PermChar(p);
  std::string cond = AclCondition(caller, table_id, "?", perms, params);
  // The row id is the 2nd parameter (after the table id).
  params.insert(params.begin() + 1, row_id);
  auto bound = types::BindValues(params);
  auto c = tx.QueryV("SELECT 1 WHERE " + cond, bound);
  return c->Next();
}

std::optional<int64_t> CountedReadable(store::Tx& tx, const Caller& caller, int64_t table_id) {
  std::string sql =
      "SELECT principal_kind, principal_id, n, dup FROM bb_doc_count WHERE table_id = ? AND ((principal_kind = '*' "
      "AND principal_id = 0)";
  where::SqlParams params{table_id};
  if (!caller.bypass_acl) sql += " OR " + CallerPrincipals(caller, "", params);
  sql += ")";
  struct Holder {
    std::string kind;
    int64_t id, n, dup;
  };
  std::optional<int64_t> total;
  std::vector<Holder> holders;
  {
    auto bound = types::BindValues(params);
    auto c = tx.QueryV(sql, bound);
    while (c->Next()) {
      if (c->String(0) == "*") {
        total = c->Int(2);
      } else if (c->Int(2) != 0 || c->Int(3) != 0) {
        holders.push_back({c->String(0), c->Int(1), c->Int(2), c->Int(3)});
      }
    }
  }
  if (!total) return std::nullopt;  // no counters for this table (should not happen): scan
  if (caller.bypass_acl) return total;
  // The base: the principal with the most documents whose counter counts each once.
  const Holder* base = nullptr;
  for (const auto& h : holders) {
    if (h.dup == 0 && (!base || h.n > base->n)) base = &h;
  }
  if (holders.empty()) return 0;
  if (!base) return std::nullopt;
  if (holders.size() == 1) return base->n;
  // Several principals: the base's count plus the live documents the others' grants add,
  // found through their grant rows (index bb_acl_principal: the rows of one principal in one
  // table), never through the collection. SQLite's statistics cannot tell a role holding 100
  // grants from a user holding 1,000,000 (both are one principal_id), hence INDEXED BY.
  const std::string from = tx.dialect().postgres() ? "bb_acl a" : "bb_acl a INDEXED BY bb_acl_principal";
  // (UNION ALL and COUNT(DISTINCT): a principal may hold both an A and an R grant on a document.)
  std::string extra = "SELECT COUNT(DISTINCT row_id) FROM (";
  std::vector<store::Value> extra_params;
  bool first = true;
  for (const auto& h : holders) {
    if (&h == base) continue;
    extra += first ? "" : " UNION ALL ";
    extra += "SELECT a.row_id FROM " + from +
             " WHERE a.principal_kind = ? AND a.principal_id = ? AND a.perm IN ('A', 'R') AND a.table_id = ? AND "
             "a.live = 1 AND NOT EXISTS (SELECT 1 FROM bb_acl b WHERE b.table_id = a.table_id AND b.row_id = "
             "a.row_id AND b.perm IN ('A', 'R') AND b.principal_kind = ? AND b.principal_id = ?)";
    extra_params.emplace_back(std::string_view(h.kind));
    extra_params.emplace_back(h.id);
    extra_params.emplace_back(table_id);
    extra_params.emplace_back(std::string_view(base->kind));
    extra_params.emplace_back(base->id);
    first = false;
  }
  extra += ") added";
  auto c = tx.QueryV(extra, extra_params);
  c->Next();
  return base->n + c->Int(0);
}

void AddGrant(store::Tx& tx, int64_t table_id, int64_t row_id, char perm, char kind, int64_t principal) {
  const std::string p(1, perm), k(1, kind);
  tx.Exec("DELETE FROM bb_acl WHERE table_id = ? AND row_id = ? AND perm = ? AND principal_kind = ? AND "
          "principal_id = ?",
          table_id, row_id, p, k, principal);
  tx.Exec("INSERT INTO bb_acl (table_id, row_id, perm, principal_kind, principal_id) VALUES (?, ?, ?, ?, ?)",
          table_id, row_id, p, k, principal);
}

namespace {
[[noreturn]] void AclInvalid(const std::string& detail) {
  throw BbError(400, "ACL fields are not valid: " + detail);
}

std::string AsciiLower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

std::optional<int64_t> UserIdByName(store::Tx& tx, const std::string& name) {
  return tx.QueryInt("SELECT id FROM bb_user WHERE username_ci = ?", AsciiLower(name));
}

std::optional<int64_t> RoleIdByName(store::Tx& tx, const std::string& name) {
  return tx.QueryInt("SELECT id FROM bb_role WHERE name = ?", name);
}

std::optional<std::vector<AclGrant>> TakeAclKeys(store::Tx& tx, const json::object& body, bool force) {
  static const std::pair<const char*, char> kKeys[] = {{"_allowRead", 'R'}, {"_allowUpdate", 'U'}, {"_allowDelete", 'D'}};
  bool any = force;
  for (const auto& [key, perm] : kKeys) any = any || body.contains(key);
  if (!any) return std::nullopt;
  std::vector<AclGrant> grants;
  for (const auto& [key, perm] : kKeys) {
    const auto* v = body.if_contains(key);
    if (!v) continue;
    if (!v->is_array()) AclInvalid("The _allowRead, _allowUpdate, _allowDelete, values must be an array");
    for (const auto& e : v->get_array()) {
      if (!e.is_object()) AclInvalid(std::string(key) + " must contains array of objects");
      const auto& o = e.get_object();
      const auto* name = o.if_contains("name");
      if (!name || !name->is_string()) AclInvalid("An element of the " + std::string(key) + " ACL field has no name");
      bool is_role = false;
      for (const char* flag : {"isRole", "isrole"}) {
        if (const auto* r = o.if_contains(flag); r && r->is_bool() && r->get_bool()) is_role = true;
      }
      std::string n(name->get_string());
      if (is_role) {
        auto id = RoleIdByName(tx, n);
        if (!id) AclInvalid("The role " + n + " does not exist");
        grants.push_back({perm, 'R', *id});
      } else {
        auto id = UserIdByName(tx, n);
        if (!id) AclInvalid("The user " + n + " does not exist");
        grants.push_back({perm, 'U', *id});
      }
    }
  }
  return grants;
}

void ReplaceAclRows(store::Tx& tx, int64_t table_id, int64_t row_id, int64_t author_id,
                    const std::vector<AclGrant>& grants) {
  tx.Exec("DELETE FROM bb_acl WHERE table_id = ? AND row_id = ?", table_id, row_id);
  if (author_id) AddGrant(tx, table_id, row_id, 'A', 'U', author_id);
  for (const auto& g : grants) AddGrant(tx, table_id, row_id, g.perm, g.kind, g.principal);
}

}  // namespace doc_impl

namespace json = boost::json;

void DocumentService::SetGrant(const Caller& caller, const std::string& collection, const std::string& id,
                               const std::string& action, bool to_role, const std::string& name, bool grant) {
  using namespace doc_impl;
  std::string a;
  for (char ch : action) a += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  Permission perm;
  if (a == "read") perm = Permission::kRead;
  else if (a == "update") perm = Permission::kUpdate;
  else if (a == "delete") perm = Permission::kDelete;
  else if (a == "all") perm = Permission::kAll;
  else throw BbError(400, action + " is not a valid action");
  store_.Write([&](store::Tx& tx) {
    int64_t principal;
    if (to_role) {
      auto r = RoleIdByName(tx, name);
      if (!r) throw BbError(404, "role " + name + " not found");
      principal = *r;
    } else {
      auto u = UserIdByName(tx, name);
      if (!u) throw BbError(404, "user " + name + " not found");
      principal = *u;
    }
    Located at = Locate(tx, caller, collection, id, Route::kGrant);
    if (!Allowed(tx, caller, at.coll.table_id, at.row.row_id, Permission::kUpdate)) {
      throw BbError(403, "You have not the right to modify " + id);
    }
    const std::string p(1, PermChar(perm)), k(1, to_role ? 'R' : 'U');
    if (grant) {
      AddGrant(tx, at.coll.table_id, at.row.row_id, PermChar(perm), to_role ? 'R' : 'U', principal);
    } else {
      tx.Exec("DELETE FROM bb_acl WHERE table_id = ? AND row_id = ? AND perm = ? AND principal_kind = ? AND "
              "principal_id = ?",
              at.coll.table_id, at.row.row_id, p, k, principal);
    }
    BumpVersion(tx, at);
  });
}

json::object DocumentService::ReplaceAcl(const Caller& caller, const std::string& collection, const std::string& id,
                                         std::string_view body, bool with_acl) {
  using namespace doc_impl;
  json::object parsed = ParseBodyObject(body);
  return store_.WriteResult([&](store::Tx& tx) {
    Located at = Locate(tx, caller, collection, id, Route::kGrant);
    if (!Allowed(tx, caller, at.coll.table_id, at.row.row_id, Permission::kUpdate)) {
      throw BbError(403, "You have not the right to modify " + id);
    }
    auto grants = TakeAclKeys(tx, parsed, /*force=*/true);
    ReplaceAclRows(tx, at.coll.table_id, at.row.row_id, at.row.author_id, *grants);
    BumpVersion(tx, at);
    return RenderDoc(tx, *LoadDoc(tx, at.coll, at.row.row_id), with_acl);
  });
}

}  // namespace gridbase::baasbox
