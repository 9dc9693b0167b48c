#include "services/applications.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <map>

#include "services/outbox.hpp"
#include "services/permissions.hpp"
#include "services/serializers.hpp"
#include "services/tables.hpp"
#include "services/workspaces.hpp"
#include "util/crypto.hpp"
#include "util/error.hpp"
#include "util/time.hpp"

namespace gridbase::services {

namespace {

constexpr const char* kAppSelect =
    "SELECT a.id, a.name, a.position, a.type, w.id, w.name, w.created_on, a.created_on "
    "FROM applications a JOIN workspaces w ON w.id = a.workspace_id ";

Application ReadApp(const store::Cursor& c) {
  Application a;
  a.id = c.Int(0);
  a.name = c.String(1);
  a.order = c.Int(2);
  a.type = c.String(3);
  a.workspace = Workspace{c.Int(4), c.String(5), c.Int(6)};
  a.created_on = c.Int(7);
  return a;
}

/// Fills `tables` of every application with one query.
void AttachTables(store::Tx& tx, std::vector<Application>& apps, std::optional<int64_t> workspace_id,
                  int64_t user_id) {
  if (apps.empty()) return;
  std::map<int64_t, Application*> by_id;
  for (auto& a : apps) by_id[a.id] = &a;
  std::unique_ptr<store::Cursor> c;
  const char* base =
      "SELECT t.id, t.name, t.position, t.database_id FROM database_tables t "
      "JOIN applications a ON a.id = t.database_id ";
  if (apps.size() == 1) {
    c = tx.Query(std::string(base) + "WHERE t.database_id = ? AND t.trashed = 0 ORDER BY t.position, t.id",
                 apps.front().id);
  } else if (workspace_id) {
    c = tx.Query(std::string(base) +
                     "WHERE a.workspace_id = ? AND t.trashed = 0 AND a.trashed = 0 "
                     "ORDER BY t.position, t.id",
                 *workspace_id);
  } else {
    c = tx.Query(std::string(base) +
                     "JOIN workspace_users wu ON wu.workspace_id = a.workspace_id "
                     "WHERE wu.user_id = ? AND t.trashed = 0 AND a.trashed = 0 "
                     "ORDER BY t.position, t.id",
                 user_id);
  }
  while (c->Next()) {
    auto it = by_id.find(c->Int(3));
    if (it == by_id.end()) continue;
    it->second->tables.push_back(TableRef{c->Int(0), c->String(1), c->Int(2), c->Int(3)});
  }
}

/// The visible application or ERROR_APPLICATION_DOES_NOT_EXIST.
Application RequireApp(store::Tx& tx, int64_t application_id) {
  auto c = tx.Query(std::string(kAppSelect) + "WHERE a.id = ? AND a.trashed = 0 AND w.trashed = 0",
                    application_id);
  if (!c->Next()) throw Error("ERROR_APPLICATION_DOES_NOT_EXIST");
  return ReadApp(*c);
}

Application LoadFull(store::Tx& tx, const Actor& actor, int64_t application_id) {
  std::vector<Application> one{RequireApp(tx, application_id)};
  AttachTables(tx, one, std::nullopt, actor.user_id);
  return std::move(one.front());
}

}  // namespace

bool IsKnownApplicationType(std::string_view type) { return type == "database"; }

std::vector<int64_t> PartialReorder(const std::vector<int64_t>& current,
                                    const std::vector<int64_t>& requested) {
  std::vector<int64_t> pending = current;
  std::vector<int64_t> wanted = requested;
  std::vector<int64_t> result;
  while (!pending.empty()) {
    bool taken = false;
    for (size_t i = 0; i < pending.size(); ++i) {
      int64_t x = pending[i];
      bool in_wanted = std::find(wanted.begin(), wanted.end(), x) != wanted.end();
      if (!in_wanted || (!wanted.empty() && wanted.front() == x)) {
        if (in_wanted) wanted.erase(wanted.begin());
        result.push_back(x);
        pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
        taken = true;
        break;
      }
    }
    if (!taken) {  // duplicates in `requested` cannot be honoured; keep the rest in place
      result.insert(result.end(), pending.begin(), pending.end());
      break;
    }
  }
  return result;
}

int64_t ApplicationService::CreateInTx(store::Tx& tx, int64_t workspace_id, const std::string& type,
                                       const std::string& name) {
  int64_t position = tx.QueryInt("SELECT COALESCE(MAX(position), 0) + 1 FROM applications "
                                 "WHERE workspace_id = ? AND trashed = 0",
                                 workspace_id)
                         .value_or(1);
  return *tx.QueryInt(
      "INSERT INTO applications (workspace_id, type, name, position, created_on) "
      "VALUES (?, ?, ?, ?, ?) RETURNING id",
      workspace_id, type, name, position, util::NowMicros());
}

/// An application message to every member of its workspace (realtime.md §5.1).
void RecordApplicationEvent(store::Tx& tx, const Actor& actor, int64_t workspace_id, const char* type,
                            boost::json::object body) {
  boost::json::object message{{"type", type}};
  for (auto& [k, v] : body) message[k] = std::move(v);
  OutboxEvent e;
  e.type = type;
  e.workspace_id = workspace_id;
  e.recipients = WorkspaceMemberIds(tx, workspace_id);
  e.message = boost::json::serialize(message);
  RecordEvent(tx, actor, e);
}

std::vector<Application> ApplicationService::ListAll(const Actor& actor) {
  return store_.ReadResult([&](store::Tx& tx) {
    std::vector<Application> out;
    auto c = tx.Query(std::string(kAppSelect) +
                          "JOIN workspace_users wu ON wu.workspace_id = w.id "
                          "WHERE wu.user_id = ? AND a.trashed = 0 AND w.trashed = 0 "
                          "ORDER BY w.id, a.position, a.id",
                      actor.user_id);
    while (c->Next()) out.push_back(ReadApp(*c));
    AttachTables(tx, out, std::nullopt, actor.user_id);
    return out;
  });
}

std::vector<Application> ApplicationService::ListWorkspace(const Actor& actor, int64_t workspace_id) {
  return store_.ReadResult([&](store::Tx& tx) {
    WorkspaceService::Require(tx, workspace_id);
    CheckWorkspacePermission(tx, actor, workspace_id, "workspace.list_applications");
    std::vector<Application> out;
    auto c = tx.Query(std::string(kAppSelect) +
                          "WHERE w.id = ? AND a.trashed = 0 ORDER BY a.position, a.id",
                      workspace_id);
    while (c->Next()) out.push_back(ReadApp(*c));
    AttachTables(tx, out, workspace_id, actor.user_id);
    return out;
  });
}

Application ApplicationService::Create(const Actor& actor, int64_t workspace_id,
                                       const std::string& type, const std::string& name, bool init_with_data) {
  return store_.WriteResult([&](store::Tx& tx) {
    WorkspaceService::Require(tx, workspace_id);
    CheckWorkspacePermission(tx, actor, workspace_id, "workspace.create_application");
    int64_t id = CreateInTx(tx, workspace_id, type, name);
    if (init_with_data) TableService::CreateInTx(tx, id, "Table", std::nullopt, false);
    auto app = LoadFull(tx, actor, id);
    RecordApplicationEvent(tx, actor, workspace_id, "application_created", {{"application", ApplicationJson(app)}});
    return app;
  });
}

Application ApplicationService::Get(const Actor& actor, int64_t application_id) {
  return store_.ReadResult([&](store::Tx& tx) {
    auto app = RequireApp(tx, application_id);
    CheckWorkspacePermission(tx, actor, app.workspace.id, "application.read");
    return LoadFull(tx, actor, application_id);
  });
}

void ApplicationService::RequireVisible(int64_t application_id) {
  store_.Read([&](store::Tx& tx) { RequireApp(tx, application_id); });
}

Application ApplicationService::Update(const Actor& actor, int64_t application_id,
                                       const std::optional<std::string>& name) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto app = RequireApp(tx, application_id);
    CheckWorkspacePermission(tx, actor, app.workspace.id, "application.update");
    if (name) tx.Exec("UPDATE applications SET name = ? WHERE id = ?", *name, application_id);
    auto updated = LoadFull(tx, actor, application_id);
    RecordApplicationEvent(tx, actor, app.workspace.id, "application_updated",
                           {{"application_id", application_id}, {"application", ApplicationJson(updated)}});
    return updated;
  });
}

void ApplicationService::Delete(const Actor& actor, int64_t application_id) {
  store_.Write([&](store::Tx& tx) {
    auto app = RequireApp(tx, application_id);
    CheckWorkspacePermission(tx, actor, app.workspace.id, "application.delete");
    tx.Exec("UPDATE applications SET trashed = 1 WHERE id = ?", application_id);
    RecordApplicationEvent(tx, actor, app.workspace.id, "application_deleted", {{"application_id", application_id}});
  });
}

void ApplicationService::Order(const Actor& actor, int64_t workspace_id,
                               const std::vector<int64_t>& ids) {
  store_.Write([&](store::Tx& tx) {
    WorkspaceService::Require(tx, workspace_id);
    CheckWorkspacePermission(tx, actor, workspace_id, "workspace.order_applications");
    std::vector<int64_t> current;
    auto c = tx.Query("SELECT id FROM applications WHERE workspace_id = ? AND trashed = 0 "
                      "ORDER BY position, id",
                      workspace_id);
    while (c->Next()) current.push_back(c->Int(0));
    c.reset();
    for (int64_t id : ids) {
      if (std::find(current.begin(), current.end(), id) == current.end()) {
        throw Error("ERROR_APPLICATION_NOT_IN_GROUP",
                    "The application id " + std::to_string(id) + " does not belong to the group.");
      }
    }
    auto ordered = PartialReorder(current, ids);
    boost::json::array hashed;
    for (size_t i = 0; i < ordered.size(); ++i) {
      tx.Exec("UPDATE applications SET position = ? WHERE id = ?", static_cast<int64_t>(i + 1),
              ordered[i]);
      hashed.push_back(boost::json::string(util::Sha256Hex(std::to_string(ordered[i]))));
    }
    RecordApplicationEvent(tx, actor, workspace_id, "applications_reordered",
                           {{"workspace_id", workspace_id}, {"order", std::move(hashed)}});
  });
}

}  // namespace gridbase::services
