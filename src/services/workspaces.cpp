#include "services/workspaces.hpp"

#include <boost/json/serialize.hpp>
#include <set>

#include "services/applications.hpp"
#include "services/auth.hpp"
#include "services/outbox.hpp"
#include "services/serializers.hpp"
#include "services/permissions.hpp"
#include "services/tables.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace gridbase::services {

namespace json = boost::json;

namespace {

constexpr const char* kMemberSelect =
    "SELECT wu.id, wu.workspace_id, wu.user_id, u.first_name, u.email, wu.permissions, "
    "wu.created_on, u.to_be_deleted FROM workspace_users wu JOIN users u ON u.id = wu.user_id ";

Member ReadMember(const store::Cursor& c) {
  Member m;
  m.id = c.Int(0);
  m.workspace_id = c.Int(1);
  m.user_id = c.Int(2);
  m.name = c.String(3);
  m.email = c.String(4);
  m.permissions = c.String(5);
  m.created_on = c.Int(6);
  m.to_be_deleted = c.Bool(7);
  return m;
}

/// Admins that still count: members with ADMIN whose account is not pending deletion.
int64_t CountActiveAdmins(store::Tx& tx, int64_t workspace_id) {
  return tx
      .QueryInt(
          "SELECT COUNT(*) FROM workspace_users wu JOIN users u ON u.id = wu.user_id "
          "WHERE wu.workspace_id = ? AND wu.permissions = 'ADMIN' AND u.to_be_deleted = 0",
          workspace_id)
      .value_or(0);
}

std::optional<Member> FindMember(store::Tx& tx, int64_t member_id) {
  auto c = tx.Query(std::string(kMemberSelect) +
                        "JOIN workspaces w ON w.id = wu.workspace_id WHERE wu.id = ? AND w.trashed = 0",
                    member_id);
  if (!c->Next()) return std::nullopt;
  return ReadMember(*c);
}

/// A workspace message for `recipients` (realtime.md §5.1).
void RecordWorkspaceEvent(store::Tx& tx, const Actor& actor, int64_t workspace_id, const char* type,
                          json::object body, std::vector<int64_t> recipients) {
  json::object message{{"type", type}};
  for (auto& [k, v] : body) message[k] = std::move(v);
  OutboxEvent e;
  e.type = type;
  e.workspace_id = workspace_id;
  e.recipients = std::move(recipients);
  e.message = json::serialize(message);
  RecordEvent(tx, actor, e);
}

/// group_user_deleted to the members and the removed user; realtime also drops the removed
/// user's table subscriptions in that workspace.
void RecordMemberRemoved(store::Tx& tx, const Actor& actor, const Member& m) {
  auto recipients = WorkspaceMemberIds(tx, m.workspace_id);
  if (std::find(recipients.begin(), recipients.end(), m.user_id) == recipients.end()) recipients.push_back(m.user_id);
  RecordWorkspaceEvent(tx, actor, m.workspace_id, "group_user_deleted",
                       {{"id", m.id}, {"workspace_id", m.workspace_id}, {"workspace_user", MemberJson(m)}},
                       std::move(recipients));
}

}  // namespace

Workspace WorkspaceService::Require(store::Tx& tx, int64_t workspace_id) {
  auto c = tx.Query("SELECT id, name, created_on FROM workspaces WHERE id = ? AND trashed = 0",
                    workspace_id);
  if (!c->Next()) throw Error("ERROR_GROUP_DOES_NOT_EXIST");
  return Workspace{c->Int(0), c->String(1), c->Int(2)};
}

std::vector<Member> WorkspaceService::LoadMembers(store::Tx& tx, int64_t workspace_id) {
  std::vector<Member> out;
  auto c = tx.Query(std::string(kMemberSelect) + "WHERE wu.workspace_id = ? ORDER BY wu.id",
                    workspace_id);
  while (c->Next()) out.push_back(ReadMember(*c));
  return out;
}

WorkspaceWithMembers WorkspaceService::LoadWithMembers(store::Tx& tx, int64_t user_id,
                                                       int64_t workspace_id) {
  WorkspaceWithMembers out;
  out.workspace = Require(tx, workspace_id);
  auto c = tx.Query("SELECT position, permissions FROM workspace_users WHERE workspace_id = ? AND user_id = ?",
                    workspace_id, user_id);
  if (c->Next()) {
    out.order = c->Int(0);
    out.permissions = c->String(1);
  }
  out.users = LoadMembers(tx, workspace_id);
  return out;
}

int64_t WorkspaceService::CreateInTx(store::Tx& tx, int64_t user_id, const std::string& name) {
  int64_t now = util::NowMicros();
  int64_t id = *tx.QueryInt("INSERT INTO workspaces (name, created_on) VALUES (?, ?) RETURNING id",
                            name, now);
  int64_t position =
      tx.QueryInt("SELECT COALESCE(MAX(position), 0) + 1 FROM workspace_users WHERE user_id = ?",
                  user_id)
          .value_or(1);
  tx.Exec("INSERT INTO workspace_users (workspace_id, user_id, permissions, position, created_on) "
          "VALUES (?, ?, 'ADMIN', ?, ?)",
          id, user_id, position, now);
  return id;
}

std::vector<WorkspaceWithMembers> WorkspaceService::List(const Actor& actor) {
  return store_.ReadResult([&](store::Tx& tx) {
    std::vector<WorkspaceWithMembers> out;
    auto c = tx.Query(
        "SELECT w.id, w.name, w.created_on, wu.position, wu.permissions FROM workspace_users wu "
        "JOIN workspaces w ON w.id = wu.workspace_id WHERE wu.user_id = ? AND w.trashed = 0 "
        "ORDER BY wu.position, w.id",
        actor.user_id);
    while (c->Next()) {
      WorkspaceWithMembers w;
      w.workspace = Workspace{c->Int(0), c->String(1), c->Int(2)};
      w.order = c->Int(3);
      w.permissions = c->String(4);
      out.push_back(std::move(w));
    }
    for (auto& w : out) w.users = LoadMembers(tx, w.workspace.id);
    return out;
  });
}

WorkspaceWithMembers WorkspaceService::Create(const Actor& actor, const std::string& name) {
  return store_.WriteResult([&](store::Tx& tx) {
    CheckCanCreateWorkspace(tx, actor);
    int64_t id = CreateInTx(tx, actor.user_id, name);
    auto out = LoadWithMembers(tx, actor.user_id, id);
    RecordWorkspaceEvent(tx, actor, id, "group_created", {{"workspace", WorkspaceJson(out.workspace)}},
                         {actor.user_id});
    return out;
  });
}

WorkspaceWithMembers WorkspaceService::CreateInitial(const Actor& actor) {
  return store_.WriteResult([&](store::Tx& tx) {
    CheckCanCreateWorkspace(tx, actor);
    auto user = LoadUser(tx, actor.user_id);
    if (!user) throw Error("ERROR_USER_NOT_FOUND");
    int64_t id = CreateInTx(tx, actor.user_id, user->first_name + "'s workspace");
    int64_t db = ApplicationService::CreateInTx(tx, id, "database", user->first_name + "'s company");
    TableService::FillExampleDatabase(tx, db);
    return LoadWithMembers(tx, actor.user_id, id);
  });
}

Workspace WorkspaceService::Update(const Actor& actor, int64_t workspace_id, const std::string& name) {
  return store_.WriteResult([&](store::Tx& tx) {
    Require(tx, workspace_id);
    CheckWorkspacePermission(tx, actor, workspace_id, "workspace.update");
    tx.Exec("UPDATE workspaces SET name = ? WHERE id = ?", name, workspace_id);
    auto w = Require(tx, workspace_id);
    RecordWorkspaceEvent(tx, actor, workspace_id, "group_updated",
                         {{"workspace_id", workspace_id}, {"workspace", WorkspaceJson(w)}},
                         WorkspaceMemberIds(tx, workspace_id));
    return w;
  });
}

void WorkspaceService::Delete(const Actor& actor, int64_t workspace_id) {
  store_.Write([&](store::Tx& tx) {
    Require(tx, workspace_id);
    CheckWorkspacePermission(tx, actor, workspace_id, "workspace.delete");
    tx.Exec("UPDATE workspaces SET trashed = 1 WHERE id = ?", workspace_id);
    RecordWorkspaceEvent(tx, actor, workspace_id, "group_deleted", {{"workspace_id", workspace_id}},
                         WorkspaceMemberIds(tx, workspace_id));
  });
}

void WorkspaceService::Order(const Actor& actor, const std::vector<int64_t>& workspace_ids) {
  store_.Write([&](store::Tx& tx) {
    for (size_t i = 0; i < workspace_ids.size(); ++i) {
      tx.Exec("UPDATE workspace_users SET position = ? WHERE user_id = ? AND workspace_id = ?",
              static_cast<int64_t>(i + 1), actor.user_id, workspace_ids[i]);
    }
    json::array ids;
    for (int64_t id : workspace_ids) ids.push_back(id);
    RecordWorkspaceEvent(tx, actor, 0, "groups_reordered", {{"workspace_ids", std::move(ids)}}, {actor.user_id});
  });
}

void WorkspaceService::Leave(const Actor& actor, int64_t workspace_id) {
  store_.Write([&](store::Tx& tx) {
    Require(tx, workspace_id);
    auto m = CheckWorkspacePermission(tx, actor, workspace_id, "workspace.leave");
    if (m.is_admin() && CountActiveAdmins(tx, workspace_id) <= 1) {
      throw Error("ERROR_GROUP_USER_IS_LAST_ADMIN");
    }
    auto member = FindMember(tx, m.id);
    tx.Exec("DELETE FROM workspace_users WHERE id = ?", m.id);
    if (member) RecordMemberRemoved(tx, actor, *member);
  });
}

std::vector<Member> WorkspaceService::ListMembers(const Actor& actor, int64_t workspace_id,
                                                  const MemberQuery& q) {
  // Sort grammar first: it is a property of the request, like body validation.
  std::string order_by;
  std::set<std::string> seen;
  if (!q.sorts.empty()) {
    for (auto item : util::Split(q.sorts, ',')) {
      if (item.empty() || (item[0] != '+' && item[0] != '-')) throw Error("ERROR_INVALID_SORT_DIRECTION");
      std::string attr(item.substr(1));
      std::string column;
      if (item.size() <= 2) throw Error("ERROR_INVALID_SORT_ATTRIBUTE");
      if (attr == "name") column = "u.email";
      else if (attr == "email") column = "u.email";
      else if (attr == "role_uid") column = "wu.permissions";
      else throw Error("ERROR_INVALID_SORT_ATTRIBUTE");
      if (!seen.insert(attr).second) throw Error("ERROR_INVALID_SORT_ATTRIBUTE");
      order_by += column + (item[0] == '-' ? " DESC, " : " ASC, ");
    }
  }
  order_by += "wu.id ASC";
  return store_.ReadResult([&](store::Tx& tx) {
    Require(tx, workspace_id);
    CheckWorkspacePermission(tx, actor, workspace_id, "workspace.list_workspace_users");
    std::vector<Member> out;
    std::string pattern = "%" + util::ToLower(q.search) + "%";
    auto c = tx.Query(std::string(kMemberSelect) +
                          "WHERE wu.workspace_id = ? AND (? = '' OR lower(u.email) LIKE ?) ORDER BY " +
                          order_by,
                      workspace_id, q.search, pattern);
    while (c->Next()) out.push_back(ReadMember(*c));
    return out;
  });
}

Member WorkspaceService::UpdateMember(const Actor& actor, int64_t member_id,
                                      const std::string& permissions) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto m = FindMember(tx, member_id);
    if (!m) throw Error("ERROR_GROUP_USER_DOES_NOT_EXIST");
    CheckWorkspacePermission(tx, actor, m->workspace_id, "workspace_user.update");
    if (m->permissions == "ADMIN" && permissions != "ADMIN" &&
        CountActiveAdmins(tx, m->workspace_id) <= 1) {
      throw Error("ERROR_LAST_ADMIN_OF_GROUP");
    }
    tx.Exec("UPDATE workspace_users SET permissions = ? WHERE id = ?", permissions, member_id);
    auto updated = *FindMember(tx, member_id);
    RecordWorkspaceEvent(tx, actor, updated.workspace_id, "group_user_updated",
                         {{"id", updated.id}, {"workspace_id", updated.workspace_id},
                          {"workspace_user", MemberJson(updated)}},
                         WorkspaceMemberIds(tx, updated.workspace_id));
    return updated;
  });
}

void WorkspaceService::DeleteMember(const Actor& actor, int64_t member_id) {
  store_.Write([&](store::Tx& tx) {
    auto m = FindMember(tx, member_id);
    if (!m) throw Error("ERROR_GROUP_USER_DOES_NOT_EXIST");
    CheckWorkspacePermission(tx, actor, m->workspace_id, "workspace_user.delete");
    if (m->user_id == actor.user_id) throw Error("ERROR_CANNOT_DELETE_YOURSELF_FROM_GROUP");
    tx.Exec("DELETE FROM workspace_users WHERE id = ?", member_id);
    RecordMemberRemoved(tx, actor, *m);
  });
}

}  // namespace gridbase::services
