// Collections (baasbox.md §6.1, §9.4, §5.4): each a Baserow table tbl_<id> in the "BaasBox"
// database (see documents.hpp for the storage decision). DDL is built from numeric ids only.
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <regex>

#include "baasbox/documents_internal.hpp"
#include "services/fields.hpp"
#include "services/outbox.hpp"
#include "services/schema.hpp"
#include "services/views.hpp"
#include "store/ddl.hpp"
#include "store/doc_counts.hpp"
#include "util/time.hpp"
#include "util/validate.hpp"

namespace gridbase::baasbox {

namespace doc_impl {

void RequireAdmin(const Caller& caller) {
  if (!caller.is_admin) throw BbError(403, "User " + caller.username + " is not an administrator");
}

namespace {

constexpr const char* kDatabaseSetting = "baasbox.database_id";

bool ValidCollectionName(const std::string& name) {
  static const std::regex kName("^[A-Za-z-][A-Za-z0-9_-]*$");
  if (name.empty() || name.size() > 100 || !std::regex_match(name, kName)) return false;
  std::string head = name.substr(0, 4);
  for (auto& c : head) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return head != "_BB_";
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// The Baserow database holding the collection tables, created on first use.
int64_t BaasBoxDatabase(store::Tx& tx) {
  if (auto v = tx.QueryText("SELECT value FROM instance_settings WHERE key = ?", kDatabaseSetting)) {
    int64_t id = std::stoll(*v);
    if (tx.QueryInt("SELECT a.id FROM applications a JOIN workspaces w ON w.id = a.workspace_id "
                    "WHERE a.id = ? AND a.trashed = 0 AND w.trashed = 0",
                    id)) {
      return id;
    }
  }
  int64_t now = util::NowMicros();
  int64_t ws = *tx.QueryInt("INSERT INTO workspaces (name, created_on) VALUES (?, ?) RETURNING id", "BaasBox", now);
  std::vector<int64_t> staff;
  {
    auto c = tx.Query("SELECT id FROM users WHERE is_staff = 1 AND is_active = 1 ORDER BY id");
    while (c->Next()) staff.push_back(c->Int(0));
  }
  for (int64_t user : staff) {
    int64_t position =
        tx.QueryInt("SELECT COALESCE(MAX(position), 0) + 1 FROM workspace_users WHERE user_id = ?", user).value_or(1);
    tx.Exec("INSERT INTO workspace_users (workspace_id, user_id, permissions, position, created_on) "
            "VALUES (?, ?, 'ADMIN', ?, ?)",
            ws, user, position, now);
  }
  int64_t db = *tx.QueryInt(
      "INSERT INTO applications (workspace_id, type, name, position, created_on) VALUES (?, 'database', ?, 1, ?) "
      "RETURNING id",
      ws, "BaasBox", now);
  tx.Exec("DELETE FROM instance_settings WHERE key = ?", kDatabaseSetting);
  tx.Exec("INSERT INTO instance_settings (key, value) VALUES (?, ?)", kDatabaseSetting, std::to_string(db));
  return db;
}

/// The table of a new collection: Baserow's columns, the bb_* columns and the raw-JSON field.
std::pair<int64_t, int64_t> CreateCollectionTable(store::Tx& tx, const std::string& name) {
  int64_t database_id = BaasBoxDatabase(tx);
  int64_t position =
      tx.QueryInt("SELECT COALESCE(MAX(position), 0) + 1 FROM database_tables WHERE database_id = ?", database_id)
          .value_or(1);
  int64_t table_id = *tx.QueryInt(
      "INSERT INTO database_tables (database_id, name, position, created_on) VALUES (?, ?, ?, ?) RETURNING id",
      database_id, name, position, util::NowMicros());
  store::CreateUserTable(tx, table_id);
  AddDocumentColumns(tx, table_id);
  store::RebuildDocCounts(tx, table_id);  // its counters, at zero
  services::ViewService::CreateDefaultView(tx, table_id, std::nullopt);
  auto schema = services::LoadSchema(tx, table_id);
  types::Field spec;
  spec.name = "Document";
  spec.type = "long_text";
  spec.primary = true;
  {
    json::value empty = json::object{};
    util::Validator v(empty);
    types::FindFieldType(spec.type)->ParseProps(v, nullptr, spec);
  }
  types::Field field = services::FieldService::CreateInTx(tx, schema, spec);
  return {table_id, field.id};
}

}  // namespace

std::optional<Collection> ReadCollection(store::Cursor& c) {
  if (!c.Next()) return std::nullopt;
  return Collection{c.Int(0), c.String(1), c.Int(2), c.OptInt(3), c.Int(4)};
}

std::optional<Collection> FindCollection(store::Tx& tx, const std::string& name) {
  auto c = tx.Query("SELECT id, name, table_id, doc_field_id, created_at FROM bb_collection WHERE name = ?", name);
  return ReadCollection(*c);
}

std::optional<Collection> CollectionOfTable(store::Tx& tx, int64_t table_id) {
  auto c = tx.Query("SELECT id, name, table_id, doc_field_id, created_at FROM bb_collection WHERE table_id = ?",
                    table_id);
  return ReadCollection(*c);
}

}  // namespace doc_impl

namespace json = boost::json;

void DocumentService::CreateCollection(const Caller& caller, const std::string& name) {
  using namespace doc_impl;
  RequireAdmin(caller);
  if (!ValidCollectionName(name)) throw BbError(400, "The collection name " + name + " is invalid");
  store_.Write([&](store::Tx& tx) {
    if (tx.QueryInt("SELECT id FROM bb_collection WHERE name_ci = ?", Lower(name))) {
      throw BbError(400, "Collection " + name + " already exists");
    }
    auto [table_id, field_id] = CreateCollectionTable(tx, name);
    tx.Exec("INSERT INTO bb_collection (name, name_ci, table_id, doc_field_id, created_at) VALUES (?, ?, ?, ?, ?)",
            name, Lower(name), table_id, field_id, NowMs());
    // The Baserow UI learns about the new table as from a table creation (realtime.md §5.2).
    auto schema = services::LoadSchema(tx, table_id);
    services::OutboxEvent e;
    e.type = "table_created";
    e.workspace_id = schema.workspace_id;
    e.table_id = table_id;
    e.recipients = services::WorkspaceMemberIds(tx, schema.workspace_id);
    e.message = json::serialize(json::object{{"type", "table_created"}, {"table", services::TableObjectJson(schema)}});
    services::RecordEvent(tx, services::Actor{}, e);
  });
}

void DocumentService::DropCollection(const Caller& caller, const std::string& name) {
  using namespace doc_impl;
  RequireAdmin(caller);
  store_.Write([&](store::Tx& tx) {
    auto coll = FindCollection(tx, name);
    if (!coll) throw BbError(404, "The Collection " + name + " does not exist");
    // Links touching the collection's documents, their node ids, the documents' ids and grants.
    std::vector<std::string> link_ids;
    {
      auto c = tx.Query("SELECT l.uuid FROM bb_link l WHERE l.out_uuid IN (SELECT uuid FROM bb_node WHERE kind = "
                        "'doc' AND table_id = ?) OR l.in_uuid IN (SELECT uuid FROM bb_node WHERE kind = 'doc' AND "
                        "table_id = ?)",
                        coll->table_id, coll->table_id);
      while (c->Next()) link_ids.push_back(c->String(0));
    }
    for (const auto& l : link_ids) {
      tx.Exec("DELETE FROM bb_link WHERE uuid = ?", l);
      tx.Exec("DELETE FROM bb_node WHERE uuid = ?", l);
    }
    tx.Exec("DELETE FROM bb_node WHERE kind = 'doc' AND table_id = ?", coll->table_id);
    tx.Exec("DELETE FROM bb_acl WHERE table_id = ?", coll->table_id);
    tx.Exec("DELETE FROM bb_doc_count WHERE table_id = ?", coll->table_id);
    tx.Exec("DELETE FROM bb_collection WHERE id = ?", coll->id);
    // The Baserow table goes like a trashed-then-emptied table: metadata, then the data.
    auto schema = services::LoadSchema(tx, coll->table_id);
    tx.Exec("DELETE FROM database_tables WHERE id = ?", coll->table_id);
    tx.Exec("DROP TABLE " + store::TableName(coll->table_id));
    services::OutboxEvent e;
    e.type = "table_deleted";
    e.workspace_id = schema.workspace_id;
    e.table_id = coll->table_id;
    e.recipients = services::WorkspaceMemberIds(tx, schema.workspace_id);
    e.message = json::serialize(json::object{
        {"type", "table_deleted"}, {"database_id", schema.database_id}, {"table_id", coll->table_id}});
    services::RecordEvent(tx, services::Actor{}, e);
  });
}

json::array DocumentService::ListCollections(const Caller& caller, const Criteria& criteria) {
  using namespace doc_impl;
  RequireAdmin(caller);
  // Paths of §8.6 for collections: name and _creation_date (system fields; nothing else).
  where::PathTable paths;
  paths.system["name"] = where::SystemField{"x", {}, where::Type::kString};
  paths.system["_creation_date"] = where::SystemField{"x", {}, where::Type::kDate};
  CheckCriteriaSyntax(criteria, paths.hidden);
  std::optional<where::Where> w;
  if (!criteria.where.empty()) w = where::ParseAndBind(criteria.where, criteria.params, NowMs());
  return store_.ReadResult([&](store::Tx& tx) {
    std::vector<CriteriaRow> rows;
    std::vector<Collection> colls;
    {
      auto c = tx.Query("SELECT id, name, table_id, doc_field_id, created_at FROM bb_collection ORDER BY id");
      while (auto coll = ReadCollection(*c)) colls.push_back(*coll);
    }
    for (const auto& coll : colls) {
      if (w) {
        where::SystemValues sys{{"name", where::Value::String(coll.name)},
                                {"_creation_date", where::Value::Date(coll.created_at)}};
        if (!where::Evaluate(*w, json::object{}, paths, sys)) continue;
      }
      const std::string t = store::TableName(coll.table_id);
      auto c = tx.Query("SELECT COUNT(*), COALESCE(SUM(LENGTH(t.bb_doc)), 0) FROM " + t + " t WHERE " +
                        std::string(kIsDocument));
      c->Next();
      CriteriaRow r;
      r.system = {{"name", coll.name}, {"_creation_date", FormatBbDate(coll.created_at)}};
      r.out = json::object{{"name", coll.name}, {"records", c->Int(0)}, {"size", c->Int(1)}};
      rows.push_back(std::move(r));
    }
    if (criteria.count) return json::array{json::object{{"count", static_cast<int64_t>(rows.size())}}};
    return ApplyInMemory(std::move(rows), criteria, options_.max_records, paths.hidden);
  });
}

void AddDocumentColumns(store::Tx& tx, int64_t table_id) {
  store::AddColumn(tx, table_id, "bb_uuid", "TEXT", "");
  store::AddColumn(tx, table_id, "bb_version", "INTEGER", "1");
  store::AddColumn(tx, table_id, "bb_author_id", "INTEGER", "");
  store::AddColumn(tx, table_id, "bb_created_at", "INTEGER", "");
  store::AddColumn(tx, table_id, "bb_doc", "TEXT", "");
  const std::string t = store::TableName(table_id);
  tx.Exec("CREATE UNIQUE INDEX " + t + "_bb_uuid ON " + t + " (bb_uuid)");
  store::InstallDocCountTriggers(tx, table_id);
}

bool IsDocumentColumn(std::string_view column) {
  return column == "bb_uuid" || column == "bb_version" || column == "bb_author_id" || column == "bb_created_at" ||
         column == "bb_doc";
}

}  // namespace gridbase::baasbox
