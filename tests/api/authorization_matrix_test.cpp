// Authorisation matrix generated from the server's own route table.
//
// For every registered route and every kind of caller this test sends one request and checks
// that the caller is refused exactly as the spec says (status and body) or, when the caller
// may use the route, that the request is not refused (2xx with a valid body). A refused
// request must change nothing: the owner's view of the fixture is compared before and after.
//
// Expectations come from the spec, never from the server:
//   workspaces.md §2.2   membership, the 10 admin-only operations, staff-only operations
//   tokens.md §2.2, §4   which endpoints accept database tokens, which permission each needs,
//                        check order (table → membership → token permission)
//   errors.md §3, §6     authentication failures (401 vs 403 on token-only endpoints)
//   pitfalls.md 24–27    400 not-in-group / invalid-permissions, 401 no-permission-to-table,
//                        403 on token-only endpoints, field creation never allowed to tokens
//
// A route registered by the server without an entry in kRoutes fails the test: new routes
// must be added to the matrix (with a valid body so body validation cannot mask the outcome).
#include <cctype>
#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "api/routes.hpp"
#include "support/api_fixture.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;
using gridbase::api::AuthMode;

// ---------------------------------------------------------------------------------------
// Callers
// ---------------------------------------------------------------------------------------

enum class Caller {
  kOwner,      // workspace ADMIN who created everything
  kAdmin,      // a second ADMIN member
  kMember,     // a MEMBER
  kNonMember,  // another account with its own workspace
  kStaff,      // an instance staff account that is not a member of the owner's workspace
  kFormer,     // a member removed from the workspace, with a pending re-invitation
  kAnonymous,  // no Authorization header
  kTokCreate,  // owner's database tokens with a single permission on the whole workspace
  kTokRead,
  kTokUpdate,
  kTokDelete,
  kTokOtherTable,     // all four permissions, but only on the Projects table
  kTokDeleted,        // deleted with DELETE /api/database/tokens/{id}/
  kTokRemovedMember,  // all permissions, created by kFormer before the removal
};

constexpr Caller kCallers[] = {Caller::kOwner,       Caller::kAdmin,          Caller::kMember,
                               Caller::kNonMember,   Caller::kStaff,          Caller::kFormer,
                               Caller::kAnonymous,   Caller::kTokCreate,      Caller::kTokRead,
                               Caller::kTokUpdate,   Caller::kTokDelete,      Caller::kTokOtherTable,
                               Caller::kTokDeleted,  Caller::kTokRemovedMember};

const char* CallerName(Caller c) {
  switch (c) {
    case Caller::kOwner: return "owner";
    case Caller::kAdmin: return "admin";
    case Caller::kMember: return "member";
    case Caller::kNonMember: return "non-member";
    case Caller::kStaff: return "staff (non-member)";
    case Caller::kFormer: return "removed member (re-invited)";
    case Caller::kAnonymous: return "anonymous";
    case Caller::kTokCreate: return "token create-only";
    case Caller::kTokRead: return "token read-only";
    case Caller::kTokUpdate: return "token update-only";
    case Caller::kTokDelete: return "token delete-only";
    case Caller::kTokOtherTable: return "token for another table";
    case Caller::kTokDeleted: return "deleted token";
    case Caller::kTokRemovedMember: return "token of a removed member";
  }
  return "?";
}

bool IsToken(Caller c) { return c >= Caller::kTokCreate; }
bool IsJwt(Caller c) { return c < Caller::kAnonymous; }

// Token permissions (tokens.md §2.1).
enum Perm : unsigned { kNever = 0, kCreate = 1, kRead = 2, kUpdate = 4, kDelete = 8 };

unsigned SinglePermission(Caller c) {
  switch (c) {
    case Caller::kTokCreate: return kCreate;
    case Caller::kTokRead: return kRead;
    case Caller::kTokUpdate: return kUpdate;
    case Caller::kTokDelete: return kDelete;
    default: return 0;
  }
}

// ---------------------------------------------------------------------------------------
// Fixture: one owner workspace with every kind of caller
// ---------------------------------------------------------------------------------------

constexpr const char* kPassword = "password123";
constexpr const char* kBaseUrl = "http://frontend.test/invite";

struct Fixture {
  Account owner, admin, member, nonmember, former;
  int64_t workspace = 0, database = 0, customers = 0, projects = 0;
  int64_t name_field = 0, last_name_field = 0, notes_field = 0, row = 0;
  int64_t member_membership = 0;  // the MEMBER's workspace_user id
  int64_t invitation = 0;         // pending invitation addressed to `former`
  int64_t owner_token = 0;        // id of the owner's read-only token (target of token routes)
  int64_t webhook = 0;            // a webhook of Customers
  int64_t view = 0;               // the default grid view of Customers, with a filter in a
  int64_t view_filter = 0;        // filter group, a sort and a group-by
  int64_t view_filter_group = 0;
  int64_t view_sort = 0;
  int64_t view_group_by = 0;
  std::map<Caller, std::string> token_keys;
};

/// Throws with a readable message when a fixture-building request fails.
HttpResponse Must(HttpResponse res, long status, const std::string& what) {
  if (res.status != status) {
    throw std::runtime_error("fixture: " + what + " answered " + std::to_string(res.status) + ": " + res.body);
  }
  return res;
}

int64_t IdOf(const json::value& v) { return v.as_object().at("id").as_int64(); }

std::string Str(int64_t n) { return std::to_string(n); }

int64_t Invite(HttpClient& c, const Fixture& f, const std::string& email, const std::string& role) {
  auto res = Must(c.Post("/api/workspaces/invitations/workspace/" + Str(f.workspace) + "/",
                         json::object{{"email", email}, {"permissions", role}, {"base_url", kBaseUrl}},
                         {f.owner.auth()}),
                  200, "invite " + email);
  return IdOf(res.json());
}

void JoinAs(HttpClient& c, Fixture& f, const Account& who, const std::string& role) {
  int64_t id = Invite(c, f, who.email, role);
  Must(c.Post("/api/workspaces/invitations/" + Str(id) + "/accept/", json::object{}, {who.auth()}), 200,
       "accept invitation");
}

/// A fresh owner workspace (database with Customers and Projects), two more members, a
/// non-member, a removed member with a pending invitation, and the owner's tokens.
Fixture BuildFixture(HttpClient& c) {
  Fixture f;
  f.owner = SignUp(c, "Owner", UniqueEmail("mx-owner"));
  f.admin = SignUp(c, "Admin", UniqueEmail("mx-admin"));
  f.member = SignUp(c, "Member", UniqueEmail("mx-member"));
  f.nonmember = SignUp(c, "Stranger", UniqueEmail("mx-stranger"));
  f.former = SignUp(c, "Former", UniqueEmail("mx-former"));
  auto owner = std::vector<std::string>{f.owner.auth()};

  f.workspace = IdOf(Must(c.Get("/api/workspaces/", owner), 200, "list workspaces").json().as_array().at(0));
  auto app = Must(c.Get("/api/applications/", owner), 200, "list applications").json().as_array().at(0);
  f.database = IdOf(app);
  for (const auto& t : app.as_object().at("tables").as_array()) {
    if (t.as_object().at("name") == "Customers") f.customers = IdOf(t);
    if (t.as_object().at("name") == "Projects") f.projects = IdOf(t);
  }
  if (!f.customers || !f.projects) throw std::runtime_error("fixture: no Customers/Projects table");
  auto fields =
      Must(c.Get("/api/database/fields/table/" + Str(f.customers) + "/", owner), 200, "list fields").json();
  for (const auto& fld : fields.as_array()) {
    const auto& name = fld.as_object().at("name");
    if (name == "Name") f.name_field = IdOf(fld);
    if (name == "Last name") f.last_name_field = IdOf(fld);
    if (name == "Notes") f.notes_field = IdOf(fld);
  }
  if (!f.name_field || !f.last_name_field || !f.notes_field) throw std::runtime_error("fixture: missing fields");
  auto rows = Must(c.Get("/api/database/rows/table/" + Str(f.customers) + "/", owner), 200, "list rows");
  f.row = IdOf(rows.json().as_object().at("results").as_array().at(0));

  f.webhook = IdOf(Must(c.Post("/api/database/webhooks/table/" + Str(f.customers) + "/",
                              json::object{{"url", "http://127.0.0.1:9/hook"}, {"name", "Matrix hook"}}, owner),
                       200, "create webhook")
                      .json());

  auto views = Must(c.Get("/api/database/views/table/" + Str(f.customers) + "/", owner), 200, "list views").json();
  f.view = IdOf(views.as_array().at(0));
  const std::string view_path = "/api/database/views/" + Str(f.view) + "/";
  f.view_filter_group = IdOf(Must(c.Post(view_path + "filter-groups/", json::object{{"filter_type", "OR"}}, owner),
                                  200, "create filter group")
                                 .json());
  f.view_filter = IdOf(Must(c.Post(view_path + "filters/",
                                   json::object{{"field", f.name_field},
                                                {"type", "contains"},
                                                {"value", "a"},
                                                {"group", f.view_filter_group}},
                                   owner),
                            200, "create view filter")
                           .json());
  f.view_sort = IdOf(
      Must(c.Post(view_path + "sortings/", json::object{{"field", f.name_field}}, owner), 200, "create sort").json());
  f.view_group_by = IdOf(
      Must(c.Post(view_path + "group_bys/", json::object{{"field", f.last_name_field}}, owner), 200, "create group-by")
          .json());

  JoinAs(c, f, f.admin, "ADMIN");
  JoinAs(c, f, f.member, "MEMBER");
  JoinAs(c, f, f.former, "MEMBER");
  auto former_token = Must(c.Post("/api/database/tokens/", json::object{{"name", "former"}, {"workspace", f.workspace}},
                                  {f.former.auth()}),
                           200, "former's token");
  f.token_keys[Caller::kTokRemovedMember] = std::string(former_token.json().as_object().at("key").as_string());

  int64_t former_membership = 0;
  auto members =
      Must(c.Get("/api/workspaces/users/workspace/" + Str(f.workspace) + "/", owner), 200, "members").json();
  for (const auto& m : members.as_array()) {
    int64_t user = m.as_object().at("user_id").as_int64();
    if (user == f.member.id) f.member_membership = IdOf(m);
    if (user == f.former.id) former_membership = IdOf(m);
  }
  Must(c.Delete("/api/workspaces/users/" + Str(former_membership) + "/", owner), 204, "remove former member");
  f.invitation = Invite(c, f, f.former.email, "MEMBER");

  auto table_only = json::array{json::array{"table", f.projects}};
  struct TokenSpec {
    Caller caller;
    json::object permissions;
  };
  const TokenSpec specs[] = {
      {Caller::kTokCreate, {{"create", true}, {"read", false}, {"update", false}, {"delete", false}}},
      {Caller::kTokRead, {{"create", false}, {"read", true}, {"update", false}, {"delete", false}}},
      {Caller::kTokUpdate, {{"create", false}, {"read", false}, {"update", true}, {"delete", false}}},
      {Caller::kTokDelete, {{"create", false}, {"read", false}, {"update", false}, {"delete", true}}},
      {Caller::kTokOtherTable,
       {{"create", table_only}, {"read", table_only}, {"update", table_only}, {"delete", table_only}}},
      {Caller::kTokDeleted, {{"create", true}, {"read", true}, {"update", true}, {"delete", true}}},
  };
  for (const auto& spec : specs) {
    auto created = Must(c.Post("/api/database/tokens/",
                               json::object{{"name", CallerName(spec.caller)}, {"workspace", f.workspace}}, owner),
                        200, "create token");
    int64_t id = IdOf(created.json());
    f.token_keys[spec.caller] = std::string(created.json().as_object().at("key").as_string());
    Must(c.Patch("/api/database/tokens/" + Str(id) + "/", json::object{{"permissions", spec.permissions}}, owner), 200,
         "set token permissions");
    if (spec.caller == Caller::kTokRead) f.owner_token = id;
    if (spec.caller == Caller::kTokDeleted) Must(c.Delete("/api/database/tokens/" + Str(id) + "/", owner), 204, "delete token");
  }
  return f;
}

/// The owner's view of everything a refused request could change, plus the caller's own
/// workspaces and tokens (a refused request must not add a membership or a token either).
std::string Snapshot(HttpClient& c, const Fixture& f, const std::vector<std::string>& caller_auth) {
  const std::string paths[] = {
      "/api/workspaces/",
      "/api/applications/",
      "/api/database/fields/table/" + Str(f.customers) + "/",
      "/api/database/fields/table/" + Str(f.projects) + "/",
      "/api/database/rows/table/" + Str(f.customers) + "/",
      "/api/database/rows/table/" + Str(f.projects) + "/",
      "/api/database/tokens/",
      "/api/workspaces/invitations/workspace/" + Str(f.workspace) + "/",
      "/api/settings/",
      "/api/database/webhooks/table/" + Str(f.customers) + "/",
      "/api/database/views/table/" + Str(f.customers) + "/?include=filters,sortings,group_bys",
      "/api/database/views/" + Str(f.view) + "/field-options/",
  };
  std::string out;
  for (const auto& p : paths) {
    auto res = c.Get(p, {f.owner.auth()});
    out += p + " " + std::to_string(res.status) + " " + res.body + "\n";
  }
  if (!caller_auth.empty() && caller_auth[0].rfind("Authorization: JWT ", 0) == 0) {
    for (const char* p : {"/api/workspaces/", "/api/database/tokens/"}) {
      auto res = c.Get(p, caller_auth);
      out += std::string("caller ") + p + " " + std::to_string(res.status) + " " + res.body + "\n";
    }
  }
  return out;
}

/// The first line that differs between two snapshots.
std::string FirstDifference(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb;
  while (true) {
    bool ga = static_cast<bool>(std::getline(sa, la)), gb = static_cast<bool>(std::getline(sb, lb));
    if (!ga && !gb) return "";
    if (la != lb || ga != gb) return "before: " + la + "\n after: " + lb;
  }
}

// ---------------------------------------------------------------------------------------
// The matrix: one entry per route
// ---------------------------------------------------------------------------------------

/// What the route operates on, deciding who may use it (JWT callers).
enum class Scope {
  kUser,        // user-level: any authenticated user (own account, own lists, …)
  kWorkspace,   // inside the owner's workspace: membership required (workspaces.md §2.2 item 4)
  kOwnerToken,  // the owner's database token: other users get 404 (tokens.md §3.4)
  kInvitee,     // accept/reject: only the invited address (workspaces.md §5.7)
};

/// How far an allowed execution changes the fixture.
enum class Mutation {
  kNone,       // read-only for the fixture: routes share one fixture
  kAdditive,   // only adds entities or changes values other routes do not depend on (view
               // settings, filters, field options): runs on the shared fixture
  kShared,     // changes it, but allowed callers do not disturb each other: one fresh fixture
  kPerCaller,  // each allowed caller needs its own fresh fixture (deletes, leave, …)
};

struct Env {
  HttpClient& c;
  const Fixture& f;
  int counter;  // unique suffix for names created by the request
};

using BodyFn = std::function<std::optional<json::value>(Env&)>;
using QueryFn = std::function<std::string(Env&)>;

struct RouteSpec {
  std::string method;
  std::string pattern;
  AuthMode auth;            // the authentication the spec requires for this route
  Scope scope = Scope::kUser;
  const char* admin_op = nullptr;  // admin-only operation name (workspaces.md §2.2 item 5)
  unsigned token_perms = kNever;   // kJwtOrToken: any of these permissions grants (tokens.md §4.2)
  Mutation mutation = Mutation::kNone;
  BodyFn body = nullptr;    // nullptr: no body
  QueryFn query = nullptr;  // appended to the path
};

BodyFn Body(std::function<json::value(Env&)> f) {
  return [f = std::move(f)](Env& e) -> std::optional<json::value> { return f(e); };
}
BodyFn Const(const char* text) {
  std::string t(text);
  return [t](Env&) -> std::optional<json::value> { return json::parse(t); };
}
std::string FieldKey(int64_t id) { return "field_" + Str(id); }

std::vector<RouteSpec> MatrixRoutes() {
  using A = AuthMode;
  using S = Scope;
  using M = Mutation;
  std::vector<RouteSpec> r;
  auto add = [&](RouteSpec s) { r.push_back(std::move(s)); };

  // --- users and authentication (auth.md) ---------------------------------------------
  add({"POST", "/api/user/", A::kPublic, S::kUser, nullptr, kNever, M::kNone,
       Body([](Env&) -> json::value {
         return json::object{{"name", "Matrix"}, {"email", UniqueEmail("mx-reg")}, {"password", kPassword}};
       })});
  add({"POST", "/api/user/token-auth/", A::kIgnore, S::kUser, nullptr, kNever, M::kNone,
       Body([](Env& e) -> json::value { return json::object{{"email", e.f.owner.email}, {"password", kPassword}}; })});
  add({"POST", "/api/user/token-refresh/", A::kIgnore, S::kUser, nullptr, kNever, M::kNone,
       Body([](Env& e) -> json::value { return json::object{{"refresh_token", e.f.owner.refresh}}; })});
  add({"POST", "/api/user/token-verify/", A::kIgnore, S::kUser, nullptr, kNever, M::kNone,
       Body([](Env& e) -> json::value { return json::object{{"refresh_token", e.f.owner.refresh}}; })});
  add({"POST", "/api/user/token-blacklist/", A::kIgnore, S::kUser, nullptr, kNever, M::kNone,
       Body([](Env& e) -> json::value {
         // A refresh token of its own, so the fixture's tokens stay usable.
         auto login = e.c.Post("/api/user/token-auth/", json::object{{"email", e.f.owner.email}, {"password", kPassword}});
         return json::object{{"refresh_token", login.json().as_object().at("refresh_token")}};
       })});
  add({"PATCH", "/api/user/account/", A::kJwt, S::kUser, nullptr, kNever, M::kShared,
       Const(R"({"first_name":"Renamed"})")});
  add({"POST", "/api/user/change-password/", A::kJwt, S::kUser, nullptr, kNever, M::kShared,
       Body([](Env&) -> json::value { return json::object{{"old_password", kPassword}, {"new_password", kPassword}}; })});
  add({"GET", "/api/user/dashboard/", A::kJwt});

  // --- workspaces and members (workspaces.md §3–§4) -----------------------------------
  add({"GET", "/api/workspaces/", A::kJwt});
  add({"POST", "/api/workspaces/", A::kJwt, S::kUser, nullptr, kNever, M::kShared, Const(R"({"name":"Matrix ws"})")});
  add({"PATCH", "/api/workspaces/{workspace_id}/", A::kJwt, S::kWorkspace, "workspace.update", kNever, M::kShared,
       Const(R"({"name":"Renamed ws"})")});
  add({"DELETE", "/api/workspaces/{workspace_id}/", A::kJwt, S::kWorkspace, "workspace.delete", kNever,
       M::kPerCaller});
  add({"POST", "/api/workspaces/order/", A::kJwt, S::kUser, nullptr, kNever, M::kShared,
       Body([](Env& e) -> json::value { return json::object{{"workspaces", json::array{e.f.workspace}}}; })});
  add({"POST", "/api/workspaces/{workspace_id}/leave/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kPerCaller});
  add({"POST", "/api/workspaces/create-initial-workspace/", A::kJwt, S::kUser, nullptr, kNever, M::kShared});
  // No membership check here (workspaces.md §3.9): a non-member gets its permission objects.
  add({"GET", "/api/workspaces/{workspace_id}/permissions/", A::kJwt, S::kUser});
  add({"GET", "/api/workspaces/users/workspace/{workspace_id}/", A::kJwt, S::kWorkspace,
       "workspace.list_workspace_users"});
  add({"PATCH", "/api/workspaces/users/{workspace_user_id}/", A::kJwt, S::kWorkspace, "workspace_user.update", kNever,
       M::kShared, Const(R"({"permissions":"MEMBER"})")});
  add({"DELETE", "/api/workspaces/users/{workspace_user_id}/", A::kJwt, S::kWorkspace, "workspace_user.delete",
       kNever, M::kPerCaller});

  // --- applications (applications-tables.md §2) ---------------------------------------
  add({"GET", "/api/applications/", A::kJwt});
  // Anonymous access only for template workspaces, otherwise 401 PERMISSION_DENIED.
  add({"GET", "/api/applications/workspace/{workspace_id}/", A::kPublic, S::kWorkspace});
  add({"POST", "/api/applications/workspace/{workspace_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kShared,
       Const(R"({"name":"Matrix db","type":"database"})")});
  add({"POST", "/api/applications/workspace/{workspace_id}/order/", A::kJwt, S::kWorkspace, nullptr, kNever,
       M::kShared, Body([](Env& e) -> json::value {
         return json::object{{"application_ids", json::array{e.f.database}}};
       })});
  add({"GET", "/api/applications/{application_id}/", A::kJwt, S::kWorkspace});
  add({"PATCH", "/api/applications/{application_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kShared,
       Const(R"({"name":"Renamed db"})")});
  add({"DELETE", "/api/applications/{application_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kPerCaller});

  // --- instance settings and health (misc.md) -----------------------------------------
  add({"GET", "/api/settings/", A::kPublic});
  add({"PATCH", "/api/settings/update/", A::kStaff, S::kUser, nullptr, kNever, M::kNone,
       Const(R"({"allow_new_signups":true})")});
  add({"GET", "/api/settings/instance-id/", A::kStaff});
  add({"GET", "/api/auth-provider/login-options/", A::kPublic});
  add({"GET", "/api/_health/", A::kNone});
  add({"GET", "/_health/", A::kNone});
  add({"GET", "/api/_health/full/", A::kStaff});

  // --- tables (applications-tables.md §3) ---------------------------------------------
  add({"GET", "/api/database/tables/database/{database_id}/", A::kJwt, S::kWorkspace});
  add({"POST", "/api/database/tables/database/{database_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kShared,
       Const(R"({"name":"Matrix table"})")});
  add({"POST", "/api/database/tables/database/{database_id}/order/", A::kJwt, S::kWorkspace, nullptr, kNever,
       M::kShared, Body([](Env& e) -> json::value {
         return json::object{{"table_ids", json::array{e.f.customers, e.f.projects}}};
       })});
  add({"GET", "/api/database/tables/{table_id}/", A::kJwt, S::kWorkspace});
  add({"PATCH", "/api/database/tables/{table_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kShared,
       Const(R"({"name":"Renamed table"})")});
  add({"DELETE", "/api/database/tables/{table_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kPerCaller});

  // --- fields (fields.md §1; tokens.md §4.2) ------------------------------------------
  add({"GET", "/api/database/fields/table/{table_id}/", A::kJwtOrToken, S::kWorkspace, nullptr,
       kRead | kCreate | kUpdate});
  add({"POST", "/api/database/fields/table/{table_id}/", A::kJwtOrToken, S::kWorkspace, nullptr, kNever, M::kShared,
       Body([](Env& e) -> json::value {
         return json::object{{"name", "Matrix field " + Str(e.counter)}, {"type", "text"}};
       })});
  add({"POST", "/api/database/fields/table/{table_id}/change-primary-field/", A::kJwt, S::kWorkspace, nullptr, kNever,
       M::kPerCaller, Body([](Env& e) -> json::value {
         return json::object{{"new_primary_field_id", e.f.last_name_field}};
       })});
  add({"GET", "/api/database/fields/{field_id}/", A::kJwt, S::kWorkspace});
  add({"PATCH", "/api/database/fields/{field_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kShared,
       Body([](Env& e) -> json::value { return json::object{{"name", "Notes " + Str(e.counter)}}; })});
  add({"DELETE", "/api/database/fields/{field_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kPerCaller});
  add({"GET", "/api/database/fields/{field_id}/unique_row_values/", A::kJwt, S::kWorkspace});

  // --- rows (rows.md; tokens.md §4.2) -------------------------------------------------
  add({"GET", "/api/database/rows/table/{table_id}/", A::kJwtOrToken, S::kWorkspace, nullptr, kRead});
  // event replay (gridbase): the permission of listing the rows
  add({"GET", "/api/database/events/table/{table_id}/", A::kJwtOrToken, S::kWorkspace, nullptr, kRead});
  add({"POST", "/api/database/rows/table/{table_id}/", A::kJwtOrToken, S::kWorkspace, nullptr, kCreate, M::kShared,
       Body([](Env& e) -> json::value { return json::object{{FieldKey(e.f.name_field), "Matrix"}}; })});
  add({"POST", "/api/database/rows/table/{table_id}/batch/", A::kJwtOrToken, S::kWorkspace, nullptr, kCreate,
       M::kShared, Body([](Env& e) -> json::value {
         return json::object{{"items", json::array{json::object{{FieldKey(e.f.name_field), "Matrix"}}}}};
       })});
  add({"PATCH", "/api/database/rows/table/{table_id}/batch/", A::kJwtOrToken, S::kWorkspace, nullptr, kUpdate,
       M::kShared, Body([](Env& e) -> json::value {
         return json::object{
             {"items", json::array{json::object{{"id", e.f.row}, {FieldKey(e.f.name_field), "Renamed"}}}}};
       })});
  add({"POST", "/api/database/rows/table/{table_id}/batch-delete/", A::kJwtOrToken, S::kWorkspace, nullptr, kDelete,
       M::kPerCaller, Body([](Env& e) -> json::value { return json::object{{"items", json::array{e.f.row}}}; })});
  add({"GET", "/api/database/rows/table/{table_id}/{row_id}/", A::kJwtOrToken, S::kWorkspace, nullptr, kRead});
  add({"PATCH", "/api/database/rows/table/{table_id}/{row_id}/", A::kJwtOrToken, S::kWorkspace, nullptr, kUpdate,
       M::kShared, Body([](Env& e) -> json::value { return json::object{{FieldKey(e.f.name_field), "Renamed"}}; })});
  add({"DELETE", "/api/database/rows/table/{table_id}/{row_id}/", A::kJwtOrToken, S::kWorkspace, nullptr, kDelete,
       M::kPerCaller});
  add({"PATCH", "/api/database/rows/table/{table_id}/{row_id}/move/", A::kJwtOrToken, S::kWorkspace, nullptr,
       kUpdate, M::kShared});
  add({"GET", "/api/database/rows/table/{table_id}/{row_id}/adjacent/", A::kJwt, S::kWorkspace});
  add({"GET", "/api/database/rows/names/", A::kJwtOrToken, S::kWorkspace, nullptr, kRead, M::kNone, nullptr,
       [](Env& e) { return "?table__" + Str(e.f.customers) + "=" + Str(e.f.row); }});

  // --- database tokens (tokens.md §3) -------------------------------------------------
  add({"GET", "/api/database/tokens/", A::kJwt});
  // Creating a token in the owner's workspace needs membership (tokens.md §3.3).
  add({"POST", "/api/database/tokens/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kShared,
       Body([](Env& e) -> json::value { return json::object{{"name", "Matrix token"}, {"workspace", e.f.workspace}}; })});
  add({"GET", "/api/database/tokens/check/", A::kTokenOnly});
  add({"GET", "/api/database/tokens/{token_id}/", A::kJwt, S::kOwnerToken});
  add({"PATCH", "/api/database/tokens/{token_id}/", A::kJwt, S::kOwnerToken, nullptr, kNever, M::kShared,
       Const(R"({"name":"Renamed token"})")});
  add({"DELETE", "/api/database/tokens/{token_id}/", A::kJwt, S::kOwnerToken, nullptr, kNever, M::kPerCaller});
  add({"GET", "/api/database/tables/all-tables/", A::kTokenOnly});

  // --- invitations (workspaces.md §5) -------------------------------------------------
  add({"GET", "/api/workspaces/invitations/workspace/{workspace_id}/", A::kJwt, S::kWorkspace,
       "workspace.list_invitations"});
  add({"POST", "/api/workspaces/invitations/workspace/{workspace_id}/", A::kJwt, S::kWorkspace,
       "workspace.create_invitation", kNever, M::kShared, Body([](Env&) -> json::value {
         return json::object{{"email", UniqueEmail("mx-invitee")}, {"permissions", "MEMBER"}, {"base_url", kBaseUrl}};
       })});
  add({"GET", "/api/workspaces/invitations/token/{token:str}/", A::kPublic});
  add({"GET", "/api/workspaces/invitations/{invitation_id}/", A::kJwt, S::kWorkspace, "invitation.read"});
  add({"PATCH", "/api/workspaces/invitations/{invitation_id}/", A::kJwt, S::kWorkspace, "invitation.update", kNever,
       M::kShared, Const(R"({"permissions":"ADMIN"})")});
  add({"DELETE", "/api/workspaces/invitations/{invitation_id}/", A::kJwt, S::kWorkspace, "invitation.delete", kNever,
       M::kPerCaller});
  add({"POST", "/api/workspaces/invitations/{invitation_id}/accept/", A::kJwt, S::kInvitee, nullptr, kNever,
       M::kPerCaller});
  add({"POST", "/api/workspaces/invitations/{invitation_id}/reject/", A::kJwt, S::kInvitee, nullptr, kNever,
       M::kPerCaller});

  // --- table webhooks (webhooks.md §1: JWT only, any member) ---------------------------
  add({"GET", "/api/database/webhooks/table/{table_id}/", A::kJwt, S::kWorkspace});
  add({"POST", "/api/database/webhooks/table/{table_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kShared,
       Body([](Env& e) -> json::value {
         return json::object{{"url", "http://127.0.0.1:9/hook"}, {"name", "Matrix hook " + Str(e.counter)}};
       })});
  // Sent to a closed port: an allowed caller gets 200 with is_unreachable.
  add({"POST", "/api/database/webhooks/table/{table_id}/test-call/", A::kJwt, S::kWorkspace, nullptr, kNever,
       M::kNone, Body([](Env&) -> json::value {
         return json::object{{"url", "http://127.0.0.1:" + Str(FreePort()) + "/hook"}, {"event_type", "rows.created"}};
       })});
  add({"GET", "/api/database/webhooks/{webhook_id}/", A::kJwt, S::kWorkspace});
  add({"PATCH", "/api/database/webhooks/{webhook_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kShared,
       Const(R"({"name":"Renamed hook"})")});
  add({"DELETE", "/api/database/webhooks/{webhook_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kPerCaller});

  // --- views (views.md: JWT only, any member) ------------------------------------------
  add({"GET", "/api/database/views/table/{table_id}/", A::kJwt, S::kWorkspace});
  add({"POST", "/api/database/views/table/{table_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kAdditive,
       Body([](Env& e) -> json::value {
         return json::object{{"name", "Matrix view " + Str(e.counter)}, {"type", "grid"}};
       })});
  add({"POST", "/api/database/views/table/{table_id}/order/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kAdditive,
       Body([](Env& e) -> json::value { return json::object{{"view_ids", json::array{e.f.view}}}; })});
  add({"GET", "/api/database/views/{view_id}/", A::kJwt, S::kWorkspace});
  add({"PATCH", "/api/database/views/{view_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kAdditive,
       Const(R"({"name":"Renamed view"})")});
  add({"DELETE", "/api/database/views/{view_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kPerCaller});
  add({"POST", "/api/database/views/{view_id}/duplicate/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kAdditive});
  add({"GET", "/api/database/views/{view_id}/filters/", A::kJwt, S::kWorkspace});
  add({"POST", "/api/database/views/{view_id}/filters/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kAdditive,
       Body([](Env& e) -> json::value {
         return json::object{{"field", e.f.notes_field}, {"type", "empty"}, {"value", ""}};
       })});
  add({"GET", "/api/database/views/filter/{view_filter_id}/", A::kJwt, S::kWorkspace});
  add({"PATCH", "/api/database/views/filter/{view_filter_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kAdditive,
       Const(R"({"value":"b"})")});
  add({"DELETE", "/api/database/views/filter/{view_filter_id}/", A::kJwt, S::kWorkspace, nullptr, kNever,
       M::kPerCaller});
  add({"POST", "/api/database/views/{view_id}/filter-groups/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kAdditive,
       Const(R"({"filter_type":"AND"})")});
  add({"GET", "/api/database/views/filter-group/{view_filter_group_id}/", A::kJwt, S::kWorkspace});
  add({"PATCH", "/api/database/views/filter-group/{view_filter_group_id}/", A::kJwt, S::kWorkspace, nullptr, kNever,
       M::kAdditive, Const(R"({"filter_type":"AND"})")});
  add({"DELETE", "/api/database/views/filter-group/{view_filter_group_id}/", A::kJwt, S::kWorkspace, nullptr, kNever,
       M::kPerCaller});
  add({"GET", "/api/database/views/{view_id}/sortings/", A::kJwt, S::kWorkspace});
  add({"POST", "/api/database/views/{view_id}/sortings/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kPerCaller,
       Body([](Env& e) -> json::value { return json::object{{"field", e.f.notes_field}, {"order", "DESC"}}; })});
  add({"GET", "/api/database/views/sort/{view_sort_id}/", A::kJwt, S::kWorkspace});
  add({"PATCH", "/api/database/views/sort/{view_sort_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kAdditive,
       Const(R"({"order":"DESC"})")});
  add({"DELETE", "/api/database/views/sort/{view_sort_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kPerCaller});
  add({"GET", "/api/database/views/{view_id}/group_bys/", A::kJwt, S::kWorkspace});
  add({"POST", "/api/database/views/{view_id}/group_bys/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kPerCaller,
       Body([](Env& e) -> json::value { return json::object{{"field", e.f.notes_field}}; })});
  add({"GET", "/api/database/views/group_by/{view_group_by_id}/", A::kJwt, S::kWorkspace});
  add({"PATCH", "/api/database/views/group_by/{view_group_by_id}/", A::kJwt, S::kWorkspace, nullptr, kNever,
       M::kAdditive, Const(R"({"width":250})")});
  add({"DELETE", "/api/database/views/group_by/{view_group_by_id}/", A::kJwt, S::kWorkspace, nullptr, kNever,
       M::kPerCaller});
  add({"GET", "/api/database/views/{view_id}/decorations/", A::kJwt, S::kWorkspace});
  add({"GET", "/api/database/views/{view_id}/field-options/", A::kJwt, S::kWorkspace});
  add({"PATCH", "/api/database/views/{view_id}/field-options/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kAdditive,
       Body([](Env& e) -> json::value {
         return json::object{{"field_options", json::object{{Str(e.f.name_field), json::object{{"width", 250}}}}}};
       })});
  add({"GET", "/api/database/views/grid/{view_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kNone, nullptr,
       [](Env&) { return std::string("?limit=10&include=field_options,row_metadata"); }});
  add({"POST", "/api/database/views/grid/{view_id}/", A::kJwt, S::kWorkspace, nullptr, kNever, M::kNone,
       Body([](Env& e) -> json::value { return json::object{{"row_ids", json::array{e.f.row}}}; })});
  add({"GET", "/api/database/views/grid/{view_id}/aggregations/", A::kJwt, S::kWorkspace});
  add({"GET", "/api/database/views/grid/{view_id}/aggregation/{field_id}/", A::kJwt, S::kWorkspace, nullptr, kNever,
       M::kNone, nullptr, [](Env&) { return std::string("?type=empty_count"); }});

  // --- jobs (jobs-trash-undo.md §1.4: the caller's own jobs) ----------------------------
  add({"GET", "/api/jobs/", A::kJwt, S::kUser, nullptr, kNever, M::kNone, nullptr,
       [](Env&) { return std::string("?states=%21finished%2C%21failed%2C%21cancelled"); }});
  return r;
}

// ---------------------------------------------------------------------------------------
// Expected outcome of one (route, caller) cell, derived from the spec
// ---------------------------------------------------------------------------------------

struct Outcome {
  bool allowed = false;
  long status = 0;
  std::string body;        // exact JSON of a refusal
  int www_authenticate = -1;  // 1: `JWT realm="api"` required, 0: must be absent, -1: not checked
  std::string why;         // spec reference, printed on failure
};

Outcome Allow(std::string why) { return {true, 0, "", -1, std::move(why)}; }
Outcome Refuse(long status, std::string body, std::string why, int www = -1) {
  return {false, status, std::move(body), www, std::move(why)};
}

const char* kNoCredentials = R"({"detail":"Authentication credentials were not provided."})";
const char* kNotStaff = R"({"detail":"You do not have permission to perform this action."})";
const char* kTokenGone = R"({"detail":"The provided token does not exist.","error":"ERROR_TOKEN_DOES_NOT_EXIST"})";
const char* kNotInGroup = R"({"error":"ERROR_USER_NOT_IN_GROUP","detail":""})";
const char* kNoTablePermission =
    R"({"error":"ERROR_NO_PERMISSION_TO_TABLE","detail":"The token does not have permissions to the table."})";
const char* kTokenNotFound = R"({"error":"ERROR_TOKEN_DOES_NOT_EXIST","detail":"The token does not exist."})";
const char* kEmailMismatch =
    R"({"error":"ERROR_GROUP_INVITATION_EMAIL_MISMATCH","detail":"Your email address does not match with the invitation."})";
const char* kPermissionDenied =
    R"({"error":"PERMISSION_DENIED","detail":"You don't have the required permission to execute this operation."})";

std::string InvalidGroupPermissions(const std::string& op) {
  return R"({"error":"ERROR_USER_INVALID_GROUP_PERMISSIONS","detail":"You need )" + op + R"( permissions."})";
}

/// A JWT caller on a route of the given scope (workspaces.md §2.2, tokens.md §3.4, §5.7).
Outcome ForJwtUser(const RouteSpec& r, Caller c) {
  switch (r.scope) {
    case Scope::kUser:
      return Allow("user-level operation");
    case Scope::kWorkspace:
      if (c == Caller::kOwner || c == Caller::kAdmin) return Allow("workspace ADMIN");
      if (c == Caller::kMember) {
        if (r.admin_op) {
          return Refuse(400, InvalidGroupPermissions(r.admin_op), "workspaces.md §2.2 item 5 (admin-only)");
        }
        return Allow("workspaces.md §2.2 item 6 (every member)");
      }
      return Refuse(400, kNotInGroup, "workspaces.md §2.2 item 4 (membership required)");
    case Scope::kOwnerToken:
      if (c == Caller::kOwner) return Allow("own token");
      return Refuse(404, kTokenNotFound, "tokens.md §3.4 (tokens of other users are 404)");
    case Scope::kInvitee:
      if (c == Caller::kFormer) return Allow("the invited address");
      return Refuse(400, kEmailMismatch, "workspaces.md §5.7 (caller must be the invited address)");
  }
  return Allow("?");
}

Outcome Expected(const RouteSpec& r, Caller c) {
  switch (r.auth) {
    case AuthMode::kNone:
    case AuthMode::kIgnore:
    case AuthMode::kPublic:
      // A Token header on an endpoint without the token scheme is "no credentials"
      // (errors.md §3), which a public endpoint accepts as anonymous.
      if (r.scope == Scope::kWorkspace) {
        if (!IsJwt(c)) return Refuse(401, kPermissionDenied, "applications-tables.md §2 (anonymous, no template)");
        return ForJwtUser(r, c);
      }
      return Allow("public endpoint");
    case AuthMode::kTokenOnly:
      if (!IsToken(c)) return Refuse(403, kNoCredentials, "errors.md §3 / pitfalls 25 (token-only endpoint)", 0);
      if (c == Caller::kTokDeleted) return Refuse(403, kTokenGone, "errors.md §3 (unknown key, token-only: 403)");
      return Allow("tokens.md §3.7 / applications-tables.md §3.10 (any valid token)");
    case AuthMode::kJwt:
    case AuthMode::kStaff:
    case AuthMode::kJwtOrToken:
      break;
  }
  if (c == Caller::kAnonymous) return Refuse(401, kNoCredentials, "errors.md §3 (no credentials)", 1);
  if (IsToken(c)) {
    if (r.auth != AuthMode::kJwtOrToken) {
      return Refuse(401, kNoCredentials, "tokens.md §4.2 (Token header on a JWT-only endpoint)", 1);
    }
    if (c == Caller::kTokDeleted) return Refuse(401, kTokenGone, "errors.md §3 (unknown key)");
    if (c == Caller::kTokRemovedMember) return Refuse(400, kNotInGroup, "tokens.md §2.2 item 2 / §4.3 step 2");
    if (c == Caller::kTokOtherTable) return Refuse(401, kNoTablePermission, "tokens.md §2.2 item 3 / §4.3 step 3");
    if (r.token_perms & SinglePermission(c)) return Allow("tokens.md §4.2 (token has the permission)");
    return Refuse(401, kNoTablePermission, "tokens.md §4.2 / §4.3 step 3 (permission missing)");
  }
  if (r.auth == AuthMode::kStaff) {
    if (c == Caller::kStaff) return Allow("staff");
    return Refuse(403, kNotStaff, "errors.md §3 (staff-only endpoint)");
  }
  return ForJwtUser(r, c);
}

const char* AuthName(AuthMode m) {
  switch (m) {
    case AuthMode::kNone: return "kNone";
    case AuthMode::kIgnore: return "kIgnore";
    case AuthMode::kPublic: return "kPublic";
    case AuthMode::kJwt: return "kJwt";
    case AuthMode::kStaff: return "kStaff";
    case AuthMode::kJwtOrToken: return "kJwtOrToken";
    case AuthMode::kTokenOnly: return "kTokenOnly";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------

class AuthorizationMatrixTest : public ApiTest {
 protected:
  /// Webhooks of the fixture call loopback addresses, which the server refuses by default.
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--secret-key", kTestSecret, "--webhooks-allow-private-address=true"});
    server_->Start();
  }

  /// The signed invitation token the server mailed (logged) to `email` most recently.
  static std::string InvitationTokenFor(const std::string& email) {
    std::string log = server().log();
    size_t at = log.rfind(" to " + email + ":");
    if (at == std::string::npos) return "";
    const std::string link = std::string(kBaseUrl) + "/";
    size_t start = log.find(link, at);
    if (start == std::string::npos) return "";
    start += link.size();
    size_t end = start;
    while (end < log.size() && (std::isalnum(static_cast<unsigned char>(log[end])) || log[end] == '_' ||
                                log[end] == '-' || log[end] == '.' || log[end] == ':')) {
      ++end;
    }
    return log.substr(start, end - start);
  }

  std::string staff_email_;
  std::string staff_access_;

  void LoginStaff(HttpClient& c) {
    auto login = c.Post("/api/user/token-auth/", json::object{{"email", staff_email_}, {"password", kPassword}});
    ASSERT_EQ(login.status, 200) << login.body;
    staff_access_ = std::string(login.json().as_object().at("access_token").as_string());
  }

  std::vector<std::string> HeadersFor(Caller caller, const Fixture& f) const {
    switch (caller) {
      case Caller::kOwner: return {f.owner.auth()};
      case Caller::kAdmin: return {f.admin.auth()};
      case Caller::kMember: return {f.member.auth()};
      case Caller::kNonMember: return {f.nonmember.auth()};
      case Caller::kFormer: return {f.former.auth()};
      case Caller::kStaff: return {"Authorization: JWT " + staff_access_};
      case Caller::kAnonymous: return {};
      default: return {"Authorization: Token " + f.token_keys.at(caller)};
    }
  }

  /// The concrete path of a route pattern on fixture `f`.
  static std::string PathFor(const RouteSpec& r, const Fixture& f, Env& env) {
    std::string out;
    const std::string& p = r.pattern;
    for (size_t i = 0; i < p.size();) {
      if (p[i] != '{') {
        out += p[i++];
        continue;
      }
      size_t close = p.find('}', i);
      std::string name = p.substr(i + 1, close - i - 1);
      name = name.substr(0, name.find(':'));
      i = close + 1;
      if (name == "workspace_id") out += Str(f.workspace);
      else if (name == "application_id" || name == "database_id") out += Str(f.database);
      else if (name == "table_id") out += Str(f.customers);
      else if (name == "field_id") out += Str(f.notes_field);
      else if (name == "row_id") out += Str(f.row);
      else if (name == "workspace_user_id") out += Str(f.member_membership);
      else if (name == "invitation_id") out += Str(f.invitation);
      else if (name == "token_id") out += Str(f.owner_token);
      else if (name == "webhook_id") out += Str(f.webhook);
      else if (name == "view_id") out += Str(f.view);
      else if (name == "view_filter_id") out += Str(f.view_filter);
      else if (name == "view_filter_group_id") out += Str(f.view_filter_group);
      else if (name == "view_sort_id") out += Str(f.view_sort);
      else if (name == "view_group_by_id") out += Str(f.view_group_by);
      else if (name == "token") out += InvitationTokenFor(f.former.email);
      else throw std::runtime_error("matrix: no fixture value for path parameter {" + name + "} in " + p);
    }
    if (r.query) out += r.query(env);
    return out;
  }
};

struct CellResult {
  std::string route;
  Caller caller;
  bool passed;
  std::string detail;
};

TEST_F(AuthorizationMatrixTest, EveryRouteEveryCaller) {
  auto started = std::chrono::steady_clock::now();
  auto c = client();

  // An instance staff account (created before any sign-up, so sign-ups are never staff).
  staff_email_ = UniqueEmail("mx-staff");
  std::string out;
  ASSERT_EQ(RunCli(WithArgs({"create-user", "--email", staff_email_, "--password", kPassword, "--staff"},
                            server().StoreArgs()),
                   &out),
            0)
      << out;
  LoginStaff(c);

  // Walk the server's route table; every route needs a matrix entry with the spec's auth mode.
  const std::vector<RouteSpec> specs = MatrixRoutes();
  std::map<std::string, const RouteSpec*> by_key;
  for (const auto& s : specs) by_key[s.method + " " + s.pattern] = &s;
  std::vector<const RouteSpec*> plan;
  std::set<std::string> registered;
  gridbase::api::ApiRouter router;
  gridbase::api::RegisterAllRoutes(router);
  router.ForEach([&](const std::string& method, const std::string& pattern, const gridbase::api::RouteTarget& t) {
    std::string key = method + " " + pattern;
    registered.insert(key);
    auto it = by_key.find(key);
    if (it == by_key.end()) {
      ADD_FAILURE() << "route " << key << " (" << AuthName(t.auth)
                    << ") has no entry in the authorisation matrix: add it to MatrixRoutes() with its spec'd "
                       "auth mode, scope, admin operation, token permission and a valid body";
      return;
    }
    EXPECT_EQ(AuthName(t.auth), std::string(AuthName(it->second->auth)))
        << "route " << key << " is registered with another authentication mode than the spec requires";
    plan.push_back(it->second);
  });
  for (const auto& s : specs) {
    EXPECT_TRUE(registered.count(s.method + " " + s.pattern)) << "matrix entry for an unregistered route: " << s.method
                                                              << " " << s.pattern;
  }

  std::vector<CellResult> results;
  int counter = 0;
  int fixtures = 0;
  int refused_checked = 0;
  auto build = [&]() {
    ++fixtures;
    return BuildFixture(c);
  };

  try {
    Fixture shared = build();
    for (const RouteSpec* route : plan) {
      const std::string label = route->method + " " + route->pattern;
      Fixture fresh;
      const Fixture* f = &shared;
      if (route->mutation != Mutation::kNone && route->mutation != Mutation::kAdditive) {
        fresh = build();
        f = &fresh;
      }

      std::vector<std::pair<Caller, Outcome>> refused, allowed;
      for (Caller caller : kCallers) {
        Outcome o = Expected(*route, caller);
        (o.allowed ? allowed : refused).emplace_back(caller, std::move(o));
      }

      auto send = [&](Caller caller, const Fixture& fx) {
        Env env{c, fx, ++counter};
        std::string path = PathFor(*route, fx, env);
        std::optional<json::value> body = route->body ? route->body(env) : std::nullopt;
        return c.Request(route->method, path, body ? json::serialize(*body) : "", HeadersFor(caller, fx));
      };

      // Refused callers first, on an unchanged fixture; nothing may change.
      for (const auto& [caller, want] : refused) {
        const auto headers = HeadersFor(caller, *f);
        std::string before = Snapshot(c, *f, headers);
        auto res = send(caller, *f);
        std::ostringstream why;
        bool ok = res.status == want.status;
        json::value actual;
        try {
          actual = json::parse(res.body);
        } catch (const std::exception&) {
          ok = false;
        }
        ok = ok && actual == json::parse(want.body);
        std::string www = res.header("www-authenticate");
        if (want.www_authenticate == 1 && www != "JWT realm=\"api\"") {
          ok = false;
          why << " [WWW-Authenticate: '" << www << "', expected 'JWT realm=\"api\"']";
        }
        if (want.www_authenticate == 0 && !www.empty()) {
          ok = false;
          why << " [unexpected WWW-Authenticate: '" << www << "']";
        }
        if (!ok) {
          why << " expected " << want.status << " " << want.body << " (" << want.why << "), got " << res.status
              << " " << res.body;
        }
        std::string after = Snapshot(c, *f, headers);
        if (after != before) {
          ok = false;
          why << " the refused request changed data:\n" << FirstDifference(before, after);
          // Start again from a clean fixture so one leak does not cascade into other cells.
          if (f == &shared) {
            shared = build();
          } else {
            fresh = build();
          }
        }
        ++refused_checked;
        if (!ok) ADD_FAILURE() << label << " as " << CallerName(caller) << ":" << why.str();
        results.push_back({label, caller, ok, why.str()});
      }

      // Allowed callers afterwards: no refusal of any kind, a 2xx answer.
      bool first = true;
      bool staff_ran = false;
      for (const auto& [caller, want] : allowed) {
        if (route->mutation == Mutation::kPerCaller && !first) {
          fresh = build();
          f = &fresh;
        }
        first = false;
        staff_ran = staff_ran || caller == Caller::kStaff;
        auto res = send(caller, *f);
        bool ok = res.status >= 200 && res.status < 300;
        std::string why;
        if (!ok) {
          why = " expected to be allowed (" + want.why + "), got " + std::to_string(res.status) + " " + res.body;
          ADD_FAILURE() << label << " as " << CallerName(caller) << ":" << why;
        }
        results.push_back({label, caller, ok, why});
      }
      // The staff account is shared between fixtures: a fresh session after it changed
      // its own account (e.g. its password).
      if (staff_ran && route->mutation != Mutation::kNone && route->mutation != Mutation::kAdditive) LoginStaff(c);
    }
  } catch (const std::exception& e) {
    FAIL() << e.what();
  }

  // Summary: routes × callers.
  size_t passed = 0;
  std::map<Caller, std::pair<int, int>> per_caller;  // passed, failed
  for (const auto& r : results) {
    passed += r.passed;
    (r.passed ? per_caller[r.caller].first : per_caller[r.caller].second)++;
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "authorisation matrix: " << plan.size() << " routes x " << std::size(kCallers) << " callers = "
            << results.size() << " cells (" << refused_checked << " refusals with snapshot checks), " << passed
            << " passed, " << results.size() - passed << " failed; " << fixtures << " fixtures, " << seconds
            << " s\n";
  for (Caller caller : kCallers) {
    std::cout << "  " << CallerName(caller) << ": " << per_caller[caller].first << " passed, "
              << per_caller[caller].second << " failed\n";
  }
  for (const auto& r : results) {
    if (!r.passed) std::cout << "  FAILED " << r.route << " as " << CallerName(r.caller) << ":" << r.detail << "\n";
  }
}

}  // namespace
}  // namespace gbtest
