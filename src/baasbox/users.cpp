#include "baasbox/users.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <ctime>
#include <map>
#include <set>

#include "baasbox/where.hpp"
#include "store/store.hpp"
#include "util/crypto.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace gridbase::baasbox {

namespace json = boost::json;
using store::Tx;

namespace {

constexpr std::string_view kSectionsInvalid = "One or more profile sections is not a valid JSON object";
constexpr std::string_view kEmailInvalid = "The email address must be valid.";
constexpr std::string_view kSignUpError = "Error signing up";

int SectionIndex(std::string_view name) {
  for (size_t i = 0; i < kProfileSections.size(); ++i)
    if (kProfileSections[i] == name) return static_cast<int>(i);
  return -1;
}
constexpr int kTheUser = 1;
constexpr int kFriends = 2;
constexpr int kRegistered = 3;

int64_t NowMs() { return util::NowMicros() / 1000; }

/// §6.4: non-empty, at most 255 bytes, no '/', not an internal account.
bool ValidUsername(std::string_view name) {
  return !name.empty() && name.size() <= 255 && name.find('/') == std::string_view::npos &&
         !UserService::IsInternal(name);
}

/// §9.3.1: 1–100 characters of [A-Za-z0-9_.-], not starting with friends_of_.
bool ValidRoleName(std::string_view name) {
  if (name.empty() || name.size() > 100 || name.rfind("friends_of_", 0) == 0) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
  });
}

/// The given profile sections; each must be a JSON object.
std::array<std::optional<json::object>, 4> ParseSections(const json::object& body) {
  std::array<std::optional<json::object>, 4> out;
  for (size_t i = 0; i < kProfileSections.size(); ++i) {
    const json::value* v = body.if_contains(kProfileSections[i]);
    if (!v) continue;
    if (!v->is_object()) throw BbError(400, std::string(kSectionsInvalid));
    out[i] = v->as_object();
  }
  return out;
}

/// visibleByTheUser.email, lower-cased, when present; malformed → 400 (§9.2.1).
std::optional<std::string> SectionEmail(const std::optional<json::object>& the_user) {
  if (!the_user) return std::nullopt;
  const json::value* e = the_user->if_contains("email");
  if (!e) return std::nullopt;
  if (!e->is_string() || !util::IsValidEmail(std::string_view(e->as_string()))) {
    throw BbError(400, std::string(kEmailInvalid));
  }
  return util::ToLower(std::string_view(e->as_string()));
}

/// Keeps `_social` in visibleByRegisteredUsers (BaasBox's social-login slot, §9.2.5).
json::object WithSocial(json::object section, const json::object* previous) {
  if (section.contains("_social")) return section;
  const json::value* old = previous ? previous->if_contains("_social") : nullptr;
  section["_social"] = old ? *old : json::value(json::object{});
  return section;
}

std::optional<std::string> StringField(const json::object& body, std::string_view key) {
  const json::value* v = body.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

const char* kUserColumns =
    "SELECT id, uuid, username, status, signup_at, generated_username, session_gen, password_hash FROM bb_user ";

/// One row selected with kUserColumns.
BbUser ReadUserRow(const store::Cursor& c) {
  BbUser u;
  u.id = c.Int(0);
  u.uuid = c.String(1);
  u.username = c.String(2);
  u.status = c.String(3);
  u.signup_ms = c.Int(4);
  u.generated_username = c.Bool(5);
  u.session_gen = c.Int(6);
  u.password_hash = c.String(7);
  return u;
}

std::optional<BbUser> LoadUser(Tx& tx, std::unique_ptr<store::Cursor> c) {
  if (!c->Next()) return std::nullopt;
  BbUser u = ReadUserRow(*c);
  c.reset();
  auto s = tx.Query("SELECT section, json FROM bb_user_section WHERE user_id = ?", u.id);
  while (s->Next()) {
    std::string name = s->String(0);
    json::value v = json::parse(s->Text(1));
    if (name == "system") {
      if (auto* li = v.as_object().if_contains("login_info"); li && li->is_array()) u.login_info = li->as_array();
    } else if (int i = SectionIndex(name); i >= 0 && v.is_object()) {
      u.sections[i] = v.as_object();
    }
  }
  auto r = tx.Query(
      "SELECT r.name FROM bb_user_role ur JOIN bb_role r ON r.id = ur.role_id WHERE ur.user_id = ? ORDER BY r.name",
      u.id);
  while (r->Next()) u.roles.push_back(r->String(0));
  return u;
}

std::optional<BbUser> LoadByName(Tx& tx, std::string_view username) {
  if (UserService::IsInternal(username)) return std::nullopt;
  std::string ci = util::ToLower(username);
  return LoadUser(tx, tx.Query(std::string(kUserColumns) + "WHERE username_ci = ?", ci));
}

std::optional<BbUser> LoadById(Tx& tx, int64_t id) {
  return LoadUser(tx, tx.Query(std::string(kUserColumns) + "WHERE id = ?", id));
}

void WriteSection(Tx& tx, int64_t user_id, std::string_view section, const json::value& v) {
  std::string text = json::serialize(v);
  tx.Exec("DELETE FROM bb_user_section WHERE user_id = ? AND section = ?", user_id, section);
  tx.Exec("INSERT INTO bb_user_section (user_id, section, json) VALUES (?, ?, ?)", user_id, section, text);
}

/// True when another user than `self` has this e-mail address.
bool EmailTaken(Tx& tx, const std::string& email_ci, int64_t self) {
  return tx.QueryInt("SELECT id FROM bb_user WHERE email_ci = ? AND id <> ?", email_ci, self).has_value();
}

struct RoleRow {
  int64_t id = 0;
  std::string name;
  std::optional<int64_t> parent;
  bool bypass = false, assignable = false, internal = false;
  std::string description;
};

std::optional<RoleRow> LoadRole(Tx& tx, std::string_view name) {
  auto c = tx.Query(
      "SELECT id, name, parent_id, bypass_acl, assignable, internal, description FROM bb_role WHERE name = ?", name);
  if (!c->Next()) return std::nullopt;
  return RoleRow{c->Int(0), c->String(1), c->OptInt(2), c->Bool(3), c->Bool(4), c->Bool(5), c->String(6)};
}

json::object RoleEntry(const RoleRow& r) {
  return json::object{{"name", r.name},
                      {"description", r.description},
                      {"internal", r.internal},
                      {"modifiable", !r.internal},
                      {"assignable", r.assignable}};
}

/// Hidden from the role endpoints (§9.3.1): `anonymous` and the friends_of_* roles.
bool HiddenRole(std::string_view name) { return name == "anonymous" || name.rfind("friends_of_", 0) == 0; }

struct NewUser {
  std::string username, password_hash, uuid, role;
  std::array<std::optional<json::object>, 4> sections;
  std::optional<std::string> email_ci;
};

int64_t InsertUser(Tx& tx, const NewUser& n) {
  int64_t id = *tx.QueryInt(
      "INSERT INTO bb_user (uuid, username, username_ci, password_hash, status, signup_at, generated_username, "
      "email_ci, session_gen) VALUES (?, ?, ?, ?, 'ACTIVE', ?, 0, ?, 0) RETURNING id",
      n.uuid, n.username, util::ToLower(n.username), n.password_hash, NowMs(), n.email_ci);
  for (size_t i = 0; i < kProfileSections.size(); ++i) {
    json::object s = n.sections[i] ? *n.sections[i] : json::object{};
    if (static_cast<int>(i) == kRegistered) s = WithSocial(std::move(s), nullptr);
    WriteSection(tx, id, kProfileSections[i], s);
  }
  WriteSection(tx, id, "system", json::object{{"login_info", json::array{}}});
  tx.Exec("INSERT INTO bb_user_role (user_id, role_id) SELECT ?, id FROM bb_role WHERE name = ?", id, n.role);
  return id;
}

/// Replaces the sections given (`_social` kept) and keeps email_ci in step.
void ReplaceSections(Tx& tx, const BbUser& u, const std::array<std::optional<json::object>, 4>& sections,
                     const std::optional<std::string>& email_ci) {
  for (size_t i = 0; i < kProfileSections.size(); ++i) {
    if (!sections[i]) continue;
    json::object s = *sections[i];
    if (static_cast<int>(i) == kRegistered) s = WithSocial(std::move(s), &u.sections[i]);
    WriteSection(tx, u.id, kProfileSections[i], s);
  }
  if (sections[kTheUser]) tx.Exec("UPDATE bb_user SET email_ci = ? WHERE id = ?", email_ci, u.id);
}

/// signUpDate: `yyyy-MM-dd'T'HH:mm:ss.SSS+0000` (§5.1, §5.2; rendered in UTC).
std::string SignUpDate(int64_t epoch_ms) {
  time_t secs = static_cast<time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+0000", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(epoch_ms % 1000));
}

}  // namespace

bool UserService::IsInternal(std::string_view username) {
  return util::IEquals(username, "internal_admin") || util::IEquals(username, "baasbox");
}

bool UserService::EnsureAdmin(const std::string& password) {
  if (store_.ReadResult([](Tx& tx) { return LoadByName(tx, "admin").has_value(); })) return false;
  NewUser n;
  n.username = "admin";
  n.password_hash = util::HashPassword(password);
  n.uuid = util::NewUuid();
  n.role = "administrator";
  return store_.WriteResult([&](Tx& tx) {
    if (tx.QueryInt("SELECT id FROM bb_user WHERE username_ci = 'admin'")) return false;
    InsertUser(tx, n);
    return true;
  });
}

std::optional<BbUser> UserService::FindByName(std::string_view username) {
  return store_.ReadResult([&](Tx& tx) { return LoadByName(tx, username); });
}

std::optional<BbUser> UserService::FindById(int64_t id) {
  return store_.ReadResult([&](Tx& tx) { return LoadById(tx, id); });
}

Caller UserService::CallerFor(const BbUser& user) {
  Caller c;
  c.user_id = user.id;
  c.username = user.username;
  store_.Read([&](Tx& tx) {
    std::map<int64_t, std::optional<int64_t>> parent;
    std::map<std::string, std::pair<int64_t, bool>> by_name;
    auto r = tx.Query("SELECT id, parent_id, name, bypass_acl FROM bb_role");
    while (r->Next()) {
      parent[r->Int(0)] = r->OptInt(1);
      by_name[r->String(2)] = {r->Int(0), r->Bool(3)};
    }
    std::set<int64_t> held;
    for (const auto& name : user.roles) {
      auto it = by_name.find(name);
      if (it == by_name.end()) continue;
      if (it->second.second) c.bypass_acl = true;
      if (name == "administrator") c.is_admin = true;
      std::optional<int64_t> id = it->second.first;
      for (int depth = 0; id && depth < 64 && held.insert(*id).second; ++depth) id = parent[*id];
    }
    c.role_ids.assign(held.begin(), held.end());
  });
  return c;
}

Caller UserService::AnonymousCaller() {
  Caller c;
  if (auto id = store_.ReadResult([](Tx& tx) { return tx.QueryInt("SELECT id FROM bb_role WHERE name = 'anonymous'"); }))
    c.role_ids.push_back(*id);
  return c;
}

json::object UserService::Profile(const BbUser& u, const Caller& viewer) {
  json::array roles;
  for (const auto& r : u.roles) {
    if (u.roles.size() > 1 && r.rfind("friends_of_", 0) == 0) continue;
    roles.push_back(json::object{{"name", r}, {"isrole", true}});
  }
  json::object out;
  out["user"] = json::object{{"name", u.username}, {"status", u.status}, {"roles", std::move(roles)}};
  out["id"] = u.uuid;
  const bool self = !viewer.anonymous() && viewer.user_id == u.id;
  const bool all = self || viewer.bypass_acl;
  for (size_t i = 0; i < kProfileSections.size(); ++i) {
    bool visible = all || i == 0 || (static_cast<int>(i) == kRegistered && !viewer.anonymous());
    // visibleByFriends: U's followers too; following is out of scope (§12), so nobody else.
    if (visible) out[kProfileSections[i]] = u.sections[i];
  }
  out["signUpDate"] = SignUpDate(u.signup_ms);
  out["generated_username"] = u.generated_username;
  return out;
}

json::value UserService::LinkedProfile(Tx& tx, const Caller& viewer, int64_t user_id) {
  auto u = LoadById(tx, user_id);
  if (!u) return nullptr;
  return Profile(*u, viewer);
}

BbUser UserService::SignUp(const json::object& body) {
  auto username = StringField(body, "username");
  if (!username || username->empty()) throw BbError(400, "The 'username' field is missing");
  auto password = StringField(body, "password");
  if (!password) throw BbError(400, "The 'password' field is missing");
  if (password->empty()) throw BbError(422, "The password field cannot be empty");
  NewUser n;
  n.sections = ParseSections(body);
  n.email_ci = SectionEmail(n.sections[kTheUser]);
  if (!ValidUsername(*username)) throw BbError(400, std::string(kSignUpError));
  n.username = *username;
  n.role = "registered";
  n.uuid = util::NewUuid();
  auto taken = [&](Tx& tx) {
    return tx.QueryInt("SELECT id FROM bb_user WHERE username_ci = ?", util::ToLower(n.username)).has_value() ||
           (n.email_ci && EmailTaken(tx, *n.email_ci, 0));
  };
  // Refuse before paying for the hash; check again inside the write (another sign-up may race).
  if (store_.ReadResult(taken)) throw BbError(400, std::string(kSignUpError));
  n.password_hash = util::HashPassword(*password);
  int64_t id = store_.WriteResult([&](Tx& tx) {
    if (taken(tx)) throw BbError(400, std::string(kSignUpError));
    return InsertUser(tx, n);
  });
  return *FindById(id);
}

std::optional<BbUser> UserService::CheckPassword(std::string_view username, std::string_view password) {
  auto u = FindByName(username);
  if (!u || !u->active() || !util::VerifyPassword(u->password_hash, password)) return std::nullopt;
  return u;
}

void UserService::RecordLoginDevice(int64_t user_id, const json::object& login_data) {
  json::object device;
  if (auto* os = login_data.if_contains("os")) device["os"] = *os;
  const json::value* id = login_data.if_contains("deviceId");
  if (!id) id = login_data.if_contains("pushToken");
  if (id) device["deviceId"] = *id;
  if (device.empty()) return;
  store_.Write([&](Tx& tx) {
    auto u = LoadById(tx, user_id);
    if (!u) return;
    json::array devices;
    for (const auto& d : u->login_info)
      if (!(d.is_object() && id && d.as_object().if_contains("deviceId") &&
            *d.as_object().if_contains("deviceId") == *id))
        devices.push_back(d);
    devices.push_back(device);
    WriteSection(tx, user_id, "system", json::object{{"login_info", std::move(devices)}});
  });
}

void UserService::RemoveDevice(int64_t user_id, std::string_view push_token) {
  store_.Write([&](Tx& tx) {
    auto u = LoadById(tx, user_id);
    if (!u) return;
    json::array devices;
    for (const auto& d : u->login_info) {
      const json::value* id = d.is_object() ? d.as_object().if_contains("deviceId") : nullptr;
      if (!(id && id->is_string() && id->as_string() == push_token)) devices.push_back(d);
    }
    WriteSection(tx, user_id, "system", json::object{{"login_info", std::move(devices)}});
  });
}

BbUser UserService::UpdateOwnProfile(int64_t user_id, const json::object& body) {
  auto sections = ParseSections(body);
  auto email = SectionEmail(sections[kTheUser]);
  store_.Write([&](Tx& tx) {
    auto u = LoadById(tx, user_id);
    if (!u) throw BbError(401, std::string(kSessionGoneMessage), "40101");
    if (email && EmailTaken(tx, *email, u->id))
      throw BbError(400, u->username + ": the email provided is already in use");
    ReplaceSections(tx, *u, sections, email);
  });
  return *FindById(user_id);
}

void UserService::ChangeOwnPassword(int64_t user_id, const json::object& body) {
  auto old_pw = StringField(body, "old");
  if (!old_pw) throw BbError(400, "The 'old' field is missing");
  auto new_pw = StringField(body, "new");
  if (!new_pw) throw BbError(400, "The 'new' field is missing");
  if (new_pw->empty()) throw BbError(422, "The password field cannot be empty");
  auto u = FindById(user_id);
  if (!u || !util::VerifyPassword(u->password_hash, *old_pw))
    throw BbError(400, "The old password does not match with the current one");
  std::string hash = util::HashPassword(*new_pw);
  store_.Write([&](Tx& tx) {
    tx.Exec("UPDATE bb_user SET password_hash = ?, session_gen = session_gen + 1 WHERE id = ?", hash, user_id);
  });
}

void UserService::ChangeOwnUsername(int64_t user_id, const json::object& body) {
  auto name = StringField(body, "username");
  if (!name) throw BbError(400, "'username' field must be a String");
  if (!ValidUsername(*name)) throw BbError(400, "Username not valid");
  store_.Write([&](Tx& tx) {
    if (tx.QueryInt("SELECT id FROM bb_user WHERE username_ci = ? AND id <> ?", util::ToLower(*name), user_id))
      throw BbError(400, "Username not valid");
    tx.Exec("UPDATE bb_user SET username = ?, username_ci = ?, session_gen = session_gen + 1 WHERE id = ?", *name,
            util::ToLower(*name), user_id);
  });
}

void UserService::SetStatus(int64_t user_id, bool active) {
  store_.Write([&](Tx& tx) {
    if (active) {
      tx.Exec("UPDATE bb_user SET status = 'ACTIVE' WHERE id = ?", user_id);
    } else {
      tx.Exec("UPDATE bb_user SET status = 'SUSPENDED', session_gen = session_gen + 1 WHERE id = ?", user_id);
    }
  });
}

void UserService::AdminCreate(const json::object& body) {
  auto username = StringField(body, "username");
  if (!username || username->empty()) throw BbError(400, "The 'username' field is missing");
  auto password = StringField(body, "password");
  if (!password) throw BbError(400, "The 'password' field is missing");
  auto role = StringField(body, "role");
  if (!role) throw BbError(400, "The 'role' field is missing");
  if (password->empty()) throw BbError(422, "The password field cannot be empty");
  auto role_row = store_.ReadResult([&](Tx& tx) { return LoadRole(tx, *role); });
  if (!role_row) throw BbError(400, "Role " + *role + " does not exists");
  if (!role_row->assignable) throw BbError(400, "Role " + *role + " is not assignable");
  NewUser n;
  n.sections = ParseSections(body);
  n.email_ci = SectionEmail(n.sections[kTheUser]);
  if (!ValidUsername(*username)) throw BbError(400, "Username not valid");
  n.username = *username;
  n.role = *role;
  n.uuid = util::NewUuid();
  if (const json::value* id = body.if_contains("id"); id && id->is_string()) {
    std::string_view s = id->as_string();
    if (s.empty() || s.size() > 255 || s.find('/') != std::string_view::npos || s.front() == '#' || s.front() == '.')
      throw BbError(400, "Invalid id");
    n.uuid = std::string(s);
  }
  auto check = [&](Tx& tx) {
    if (tx.QueryInt("SELECT id FROM bb_user WHERE username_ci = ?", util::ToLower(n.username)))
      throw BbError(400, "User " + n.username + " already exists");
    if (n.email_ci && EmailTaken(tx, *n.email_ci, 0))
      throw BbError(400, n.username + ": the email provided is already in use");
    if (tx.QueryInt("SELECT 1 FROM bb_node WHERE uuid = ?", n.uuid) ||
        tx.QueryInt("SELECT 1 FROM bb_user WHERE uuid = ?", n.uuid))
      throw BbError(400, "Provided ID already exists: " + json::serialize(json::value(n.uuid)));
  };
  store_.Read(check);
  n.password_hash = util::HashPassword(*password);
  store_.Write([&](Tx& tx) {
    check(tx);
    InsertUser(tx, n);
  });
}

BbUser UserService::AdminUpdate(std::string_view username, const json::object& body) {
  for (std::string_view s : {kProfileSections[1], kProfileSections[2], kProfileSections[3], kProfileSections[0]})
    if (!body.contains(s)) throw BbError(400, fmt::format("The '{}' field is missing", s));
  auto sections = ParseSections(body);
  auto email = SectionEmail(sections[kTheUser]);
  if (util::IEquals(username, "admin")) throw BbError(400, "User 'admin' cannot change role");
  int64_t id = store_.WriteResult([&](Tx& tx) {
    auto u = LoadByName(tx, username);
    if (!u) throw BbError(400, std::string(username) + " is not a user");
    std::optional<RoleRow> role;
    if (const json::value* r = body.if_contains("role")) {
      std::string name = r->is_string() ? std::string(r->as_string()) : json::serialize(*r);
      role = r->is_string() ? LoadRole(tx, name) : std::nullopt;
      if (!role) throw BbError(400, name + " is not a role");
      if (!role->assignable) throw BbError(400, "Role " + name + " is not assignable");
    }
    if (email && EmailTaken(tx, *email, u->id))
      throw BbError(400, u->username + ": the email provided is already in use");
    ReplaceSections(tx, *u, sections, email);
    if (role) {
      // One assignable role per user; friends_of_* memberships stay.
      tx.Exec("DELETE FROM bb_user_role WHERE user_id = ? AND role_id IN (SELECT id FROM bb_role WHERE assignable = 1)",
              u->id);
      tx.Exec("INSERT INTO bb_user_role (user_id, role_id) VALUES (?, ?)", u->id, role->id);
    }
    return u->id;
  });
  return *FindById(id);
}

int64_t UserService::AdminSetPassword(std::string_view username, const json::object& body) {
  auto password = StringField(body, "password");
  if (!password) throw BbError(400, "The body payload doesn't contain password field");
  auto u = FindByName(username);
  if (!u) throw BbError(404, "Username not found");
  if (password->empty()) throw BbError(422, "The password field cannot be empty");
  std::string hash = util::HashPassword(*password);
  store_.Write([&](Tx& tx) {
    tx.Exec("UPDATE bb_user SET password_hash = ?, session_gen = session_gen + 1 WHERE id = ?", hash, u->id);
  });
  return u->id;
}

int64_t UserService::AdminSetStatus(std::string_view username, bool active) {
  if (IsInternal(username))
    throw BbError(400, active ? "Cannot enable/activate internal users" : "Cannot disable/suspend internal users");
  auto u = FindByName(username);
  if (!u) throw BbError(400, "User " + std::string(username) + " not found");
  SetStatus(u->id, active);
  return u->id;
}

json::array UserService::ListUsers(const Caller& viewer, const Criteria& criteria, bool with_login_info) {
  where::PathTable paths;
  paths.system.clear();
  paths.system["signUpDate"] = where::SystemField{"x", {}, where::Type::kDate};
  paths.hidden = {{"user", "password"}};
  CheckCriteriaSyntax(criteria, paths.hidden);
  std::optional<where::Where> w;
  if (!criteria.where.empty()) w = where::ParseAndBind(criteria.where, criteria.params, NowMs());
  std::vector<BbUser> users = store_.ReadResult([](Tx& tx) {
    // Three statements for the whole list (no query per user).
    std::vector<BbUser> out;
    std::map<int64_t, size_t> index;
    auto c = tx.Query(std::string(kUserColumns) + "ORDER BY id");
    while (c->Next()) {
      BbUser u = ReadUserRow(*c);
      index[u.id] = out.size();
      out.push_back(std::move(u));
    }
    c = tx.Query("SELECT user_id, section, json FROM bb_user_section");
    while (c->Next()) {
      auto it = index.find(c->Int(0));
      if (it == index.end()) continue;
      BbUser& u = out[it->second];
      std::string name = c->String(1);
      json::value v = json::parse(c->Text(2));
      if (name == "system") {
        if (auto* li = v.as_object().if_contains("login_info"); li && li->is_array()) u.login_info = li->as_array();
      } else if (int i = SectionIndex(name); i >= 0 && v.is_object()) {
        u.sections[i] = v.as_object();
      }
    }
    c = tx.Query("SELECT ur.user_id, r.name FROM bb_user_role ur JOIN bb_role r ON r.id = ur.role_id ORDER BY r.name");
    while (c->Next())
      if (auto it = index.find(c->Int(0)); it != index.end()) out[it->second].roles.push_back(c->String(1));
    return out;
  });
  std::vector<CriteriaRow> rows;
  for (const auto& u : users) {
    json::object profile = Profile(u, viewer);
    // The evaluated object: the profile as the viewer sees it, roles as [{name}], and `system`
    // only for the user and administrator/backoffice (§8.6).
    json::object doc = profile;
    json::array role_names;
    for (const auto& r : u.roles) role_names.push_back(json::object{{"name", r}});
    doc["user"].as_object()["roles"] = std::move(role_names);
    doc.erase("signUpDate");
    if (viewer.bypass_acl || (!viewer.anonymous() && viewer.user_id == u.id))
      doc["system"] = json::object{{"signUpDate", SignUpDate(u.signup_ms)}, {"login_info", u.login_info}};
    if (w) {
      where::SystemValues sys{{"signUpDate", where::Value::Date(u.signup_ms)}};
      if (!where::Evaluate(*w, doc, paths, sys)) continue;
    }
    if (with_login_info) profile["system"] = json::object{{"login_info", u.login_info}};
    CriteriaRow r;
    r.system = json::object{{"signUpDate", SignUpDate(u.signup_ms)}};
    r.doc = std::move(doc);
    r.out = std::move(profile);
    rows.push_back(std::move(r));
  }
  if (criteria.count) return json::array{json::object{{"count", static_cast<int64_t>(rows.size())}}};
  return ApplyInMemory(std::move(rows), criteria, kDefaultMaxRecords, paths.hidden);
}

json::array UserService::ListRoles() {
  std::vector<RoleRow> rows = store_.ReadResult([](Tx& tx) {
    std::vector<RoleRow> out;
    auto c = tx.Query("SELECT id, name, parent_id, bypass_acl, assignable, internal, description FROM bb_role");
    while (c->Next())
      out.push_back(RoleRow{c->Int(0), c->String(1), c->OptInt(2), c->Bool(3), c->Bool(4), c->Bool(5), c->String(6)});
    return out;
  });
  std::sort(rows.begin(), rows.end(), [](const RoleRow& a, const RoleRow& b) { return a.name < b.name; });
  json::array out;
  for (const auto& r : rows)
    if (!HiddenRole(r.name)) out.push_back(RoleEntry(r));
  return out;
}

json::object UserService::GetRole(std::string_view name) {
  auto r = store_.ReadResult([&](Tx& tx) { return LoadRole(tx, name); });
  if (!r || HiddenRole(name)) throw BbError(404, "Role " + std::string(name) + " not found");
  return RoleEntry(*r);
}

namespace {
std::optional<std::string> Description(const json::object& body) {
  const json::value* d = body.if_contains("description");
  if (!d) return std::nullopt;
  if (!d->is_string()) throw BbError(400, "The 'description' field must be a string");
  return std::string(d->as_string());
}
}  // namespace

void UserService::CreateRole(std::string_view name, const json::object& body) {
  if (!ValidRoleName(name)) throw BbError(400, "Role name " + std::string(name) + " is not valid");
  std::string description = Description(body).value_or("");
  store_.Write([&](Tx& tx) {
    if (LoadRole(tx, name)) throw BbError(400, "Role " + std::string(name) + " already exists");
    tx.Exec(
        "INSERT INTO bb_role (name, parent_id, bypass_acl, assignable, internal, description) "
        "SELECT ?, id, 0, 1, 0, ? FROM bb_role WHERE name = 'registered'",
        name, description);
  });
}

void UserService::EditRole(std::string_view name, const json::object& body) {
  auto description = Description(body);
  std::optional<std::string> new_name;
  if (const json::value* n = body.if_contains("new_name")) {
    std::string s = n->is_string() ? std::string(n->as_string()) : json::serialize(*n);
    if (!n->is_string() || !ValidRoleName(s)) throw BbError(400, "Role name " + s + " is not valid");
    new_name = s;
  }
  store_.Write([&](Tx& tx) {
    auto r = LoadRole(tx, name);
    if (!r || name.rfind("friends_of_", 0) == 0) throw BbError(404, "Role " + std::string(name) + " does not exists");
    if (r->internal) throw BbError(400, "Role " + std::string(name) + " is not modifiable");
    if (new_name && *new_name != name && LoadRole(tx, *new_name))
      throw BbError(400, "Role " + std::string(name) + " already exists");
    if (description) tx.Exec("UPDATE bb_role SET description = ? WHERE id = ?", *description, r->id);
    if (new_name) tx.Exec("UPDATE bb_role SET name = ? WHERE id = ?", *new_name, r->id);
  });
}

void UserService::DeleteRole(std::string_view name) {
  store_.Write([&](Tx& tx) {
    auto r = LoadRole(tx, name);
    if (!r || name.rfind("friends_of_", 0) == 0) throw BbError(404, "Role " + std::string(name) + " does not exist");
    if (r->internal)
      throw BbError(400, "Role " + std::string(name) + " is not deletable. HINT: maybe you tried to delete an internal role?");
    // Members fall back to `registered`; grants to the role go with it (§9.3.1).
    tx.Exec(
        "INSERT INTO bb_user_role (user_id, role_id) SELECT ur.user_id, reg.id FROM bb_user_role ur, bb_role reg "
        "WHERE ur.role_id = ? AND reg.name = 'registered' AND NOT EXISTS (SELECT 1 FROM bb_user_role x "
        "WHERE x.user_id = ur.user_id AND x.role_id = reg.id)",
        r->id);
    tx.Exec("DELETE FROM bb_user_role WHERE role_id = ?", r->id);
    tx.Exec("DELETE FROM bb_acl WHERE principal_kind = 'R' AND principal_id = ?", r->id);
    tx.Exec("DELETE FROM bb_role WHERE id = ?", r->id);
  });
}

}  // namespace gridbase::baasbox
