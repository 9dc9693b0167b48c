// Documents (baasbox.md §5.1, §6.2, §6.3, §7, §9.5): create, get by id or RID, full replace with
// @version locking, single-field read/update, delete, count and criteria listing. Storage and
// events: see documents.hpp.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <regex>

#include "baasbox/documents_internal.hpp"
#include "services/fulltext.hpp"
#include "services/rows.hpp"
#include "services/schema.hpp"
#include "store/ddl.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace gridbase::baasbox {

namespace json = boost::json;

std::string FormatBbDate(int64_t epoch_ms) {
  int64_t secs = epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000;
  int64_t ms = epoch_ms - secs * 1000;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+0000", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

DocumentService::DocumentService(store::Store& store, DocumentOptions options)
    : store_(store), options_(std::move(options)) {}

namespace doc_impl {

int64_t NowMs() { return util::NowMicros() / 1000; }

std::string DocFrom(int64_t table_id) {
  return store::TableName(table_id) + " t LEFT JOIN bb_user bbu ON bbu.id = t.bb_author_id";
}

DocRow ReadDocRow(const store::Cursor& c, const Collection& coll) {
  DocRow d;
  d.table_id = coll.table_id;
  d.collection = coll.name;
  d.row_id = c.Int(0);
  d.uuid = c.String(1);
  d.version = c.Int(2);
  d.author_id = c.IsNull(3) ? 0 : c.Int(3);
  d.author = c.IsNull(4) ? "" : c.String(4);
  d.created_ms = c.IsNull(5) ? 0 : c.Int(5);
  json::value v = json::parse(c.Text(6));
  if (v.is_object()) d.doc = std::move(v.get_object());
  return d;
}

std::optional<DocRow> LoadDoc(store::Tx& tx, const Collection& coll, int64_t row_id) {
  auto c = tx.Query(std::string("SELECT ") + kDocColumns + " FROM " + DocFrom(coll.table_id) + " WHERE t.id = ? AND " +
                        kIsDocument,
                    row_id);
  if (!c->Next()) return std::nullopt;
  return ReadDocRow(*c, coll);
}

namespace {

json::array AclList(store::Tx& tx, const DocRow& d, char perm) {
  json::array out;
  auto c = tx.Query(
      "SELECT a.principal_kind, COALESCE(u.username, r.name) FROM bb_acl a "
      "LEFT JOIN bb_user u ON a.principal_kind = 'U' AND u.id = a.principal_id "
      "LEFT JOIN bb_role r ON a.principal_kind = 'R' AND r.id = a.principal_id "
      "WHERE a.table_id = ? AND a.row_id = ? AND a.perm = ? ORDER BY a.principal_kind DESC, a.principal_id",
      d.table_id, d.row_id, std::string(1, perm));
  while (c->Next()) {
    if (c->IsNull(1)) continue;
    json::object o{{"name", c->String(1)}};
    if (c->Text(0) == "R") o["isrole"] = true;
    out.push_back(std::move(o));
  }
  return out;
}

std::optional<std::pair<int64_t, int64_t>> ParseRid(std::string_view s) {
  static const std::regex kRid("^#([0-9]{1,18}):([0-9]{1,18})$");
  std::string str(s);
  std::smatch m;
  if (!std::regex_match(str, m, kRid)) return std::nullopt;
  return std::make_pair(std::stoll(m[1].str()), std::stoll(m[2].str()));
}

std::string BadRidMessage(const std::string& rid) {
  return rid + " is not a RecordId in form of string. Format must be: <cluster-id>:<cluster-position>";
}

std::string NotFoundMessage(Route route, const std::string& id) {
  switch (route) {
    case Route::kGet:
    case Route::kPartGet: return id + " not found";
    case Route::kReplace:
    case Route::kPartUpdate: return "Document " + id + " not found";
    case Route::kDelete:
    case Route::kGrant: return "id " + id + " not found";
  }
  return id + " not found";
}

std::string OtherCollectionMessage(Route route, const std::string& id, const std::string& c) {
  switch (route) {
    case Route::kGet:
    case Route::kPartGet: return "Document " + id + " is not a " + c + " document";
    case Route::kReplace:
    case Route::kPartUpdate: return id + " is not a valid belongs to " + c;
    case Route::kDelete: return "The document " + id + " does no belong to the collection " + c;
    case Route::kGrant: return id + " does not belong to the " + c + " collection";
  }
  return id;
}

/// Whether the Baserow field mirroring bb_doc is still there (the admin may trash it).
std::optional<int64_t> MirrorField(store::Tx& tx, const Collection& coll) {
  if (!coll.doc_field_id) return std::nullopt;
  if (!tx.QueryInt("SELECT id FROM fields WHERE id = ? AND table_id = ? AND trashed = 0 AND type = 'long_text'",
                   *coll.doc_field_id, coll.table_id)) {
    return std::nullopt;
  }
  return coll.doc_field_id;
}

bool IsPrivateKey(std::string_view k) {
  return k == "id" || k == "_author" || k == "_creation_date" || k == "_links" || k == "_audit" || k == "_allow" ||
         k == "_allowRead" || k == "_allowUpdate" || k == "_allowDelete" || k == "_node";
}

/// The user keys of a create/replace body (§9.5.1): `@…`, system and ACL keys dropped, order kept.
json::object UserKeys(const json::object& body) {
  json::object out;
  for (const auto& [k, v] : body) {
    if (!k.empty() && k[0] == '@') continue;
    if (IsPrivateKey(k)) continue;
    out[k] = v;
  }
  return out;
}

bool UuidTaken(store::Tx& tx, const std::string& id) {
  return tx.QueryInt("SELECT 1 FROM bb_node WHERE uuid = ?", id) || tx.QueryInt("SELECT 1 FROM bb_user WHERE uuid = ?", id);
}

bool ValidClientId(const std::string& id) {
  return !id.empty() && id.size() <= 255 && id.find('/') == std::string::npos && id[0] != '#' && id[0] != '.';
}

struct Part {
  std::string key;
  std::optional<int64_t> index;
};

std::vector<Part> ParseParts(const std::vector<std::string>& parts) {
  static const std::regex kPart(R"(^\.([A-Za-z0-9_-]+)(\[([0-9]{1,9})\])?$)");
  std::vector<Part> out;
  for (size_t i = 0; i < parts.size(); ++i) {
    std::smatch m;
    const std::string& p = parts[i];
    if (!std::regex_match(p, m, kPart)) {
      throw BbError(400, fmt::format("Part {} at position {} is not valid:Unrecognized Part Type.HINT: did you put a "
                                     ". before any field?",
                                     p, i + 1));
    }
    Part part{m[1].str(), std::nullopt};
    if (m[3].matched) part.index = std::stoll(m[3].str());
    if (IsPrivateKey(part.key)) {
      throw BbError(400, fmt::format("Part {} at position {} is not valid:This field is private and can't be modified",
                                     p, i + 1));
    }
    out.push_back(std::move(part));
  }
  if (out.empty()) throw BbError(400, "Part  at position 1 is not valid:Unrecognized Part Type.HINT: did you put a . before any field?");
  return out;
}

/// The value at `part` inside `v`, or null.
json::value* Step(json::value& v, const Part& part) {
  if (!v.is_object()) return nullptr;
  auto* f = v.get_object().if_contains(part.key);
  if (!f || !part.index) return f;
  if (!f->is_array() || static_cast<size_t>(*part.index) >= f->get_array().size()) return nullptr;
  return &f->get_array()[static_cast<size_t>(*part.index)];
}

/// Keeps the table's full-text and substring search indexes current, as row writes do (the
/// marked rows are checked exactly by searches until the index advisor flushes them).
void Reindex(store::Tx& tx, const types::TableSchema& schema, int64_t row_id) {
  services::IndexRows(tx, schema, {row_id});
  services::IndexRowsForSearch(tx, schema, {row_id});
}

}  // namespace

json::object SystemJson(const DocRow& d) {
  return json::object{{"id", d.uuid},
                      {"_author", d.author},
                      {"_creation_date", FormatBbDate(d.created_ms)},
                      {"@rid", fmt::format("#{}:{}", d.table_id, d.row_id)},
                      {"@version", d.version},
                      {"@class", d.collection}};
}

json::object RenderDoc(store::Tx& tx, const DocRow& d, bool with_acl, bool with_rid) {
  json::object o;
  if (with_rid && !with_acl) o["@rid"] = fmt::format("#{}:{}", d.table_id, d.row_id);
  o["@version"] = d.version;
  o["@class"] = d.collection;
  for (const auto& [k, v] : d.doc) o[k] = v;
  o["id"] = d.uuid;
  o["_creation_date"] = FormatBbDate(d.created_ms);
  o["_author"] = d.author;
  if (with_acl) {
    o["_allowRead"] = AclList(tx, d, 'R');
    o["_allowUpdate"] = AclList(tx, d, 'U');
    o["_allowDelete"] = AclList(tx, d, 'D');
  }
  return o;
}

where::PathTable DocumentPaths(const Collection& coll) {
  where::PathTable p;
  p.system["id"] = where::SystemField{"t.bb_uuid", {}, where::Type::kString};
  p.system["_author"] =
      where::SystemField{"(SELECT bbu2.username FROM bb_user bbu2 WHERE bbu2.id = t.bb_author_id)", {}, where::Type::kString};
  p.system["_creation_date"] = where::SystemField{"t.bb_created_at", {}, where::Type::kDate};
  p.system["@version"] = where::SystemField{"t.bb_version", {}, where::Type::kNumber};
  p.system["@class"] = where::SystemField{"?", {coll.name}, where::Type::kString};
  p.system["@rid"] = where::SystemField{fmt::format("'#{}:' || t.id", coll.table_id), {}, where::Type::kString};
  return p;
}

json::object ParseBodyObject(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    throw BbError(400, "The body payload cannot be empty. Hint: put in the request header Content-Type: application/json");
  }
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) throw BbError(400, kJsonNotValid);
  return std::move(v.get_object());
}

Located Locate(store::Tx& tx, const Caller& caller, const std::string& collection, const std::string& id, Route route) {
  auto coll = FindCollection(tx, collection);
  if (!coll) {
    throw BbError(404, route == Route::kGrant ? "collection " + collection + " not found"
                                              : collection + " is not a valid collection name");
  }
  const std::string not_found = NotFoundMessage(route, id);
  int64_t table_id = 0, row_id = 0;
  bool rid_route = route != Route::kPartGet && route != Route::kPartUpdate;
  if (rid_route && !id.empty() && id[0] == '#') {
    auto rid = ParseRid(id);
    if (!rid) throw BbError(400, route == Route::kReplace ? id + " is not a document" : BadRidMessage(id));
    std::tie(table_id, row_id) = *rid;
  } else {
    auto node = FindNode(tx, id);
    if (!node || node->kind != "doc") throw BbError(404, not_found);
    table_id = node->table_id;
    row_id = node->row_id;
  }
  if (table_id != coll->table_id) {
    auto other = CollectionOfTable(tx, table_id);
    if (other && LoadDoc(tx, *other, row_id)) {
      throw BbError(route == Route::kGrant ? 400 : 404, OtherCollectionMessage(route, id, collection));
    }
    throw BbError(404, not_found);
  }
  auto row = LoadDoc(tx, *coll, row_id);
  if (!row) throw BbError(404, not_found);
  if (!Allowed(tx, caller, table_id, row_id, Permission::kRead)) {
    throw BbError(404, route == Route::kGrant ? "document " + id + " not found. Hint: has the user the correct rights on it?"
                                              : not_found);
  }
  return Located{*coll, std::move(*row)};
}

void StoreDoc(store::Tx& tx, const Located& at, const json::object& doc) {
  auto schema = services::LoadSchema(tx, at.coll.table_id);
  std::string before = services::row_impl::RowsArray(tx, schema, {at.row.row_id});
  std::string text = json::serialize(doc);
  auto mirror = MirrorField(tx, at.coll);
  const std::string t = store::TableName(at.coll.table_id);
  if (mirror) {
    tx.Exec("UPDATE " + t + " SET bb_doc = ?, " + store::ColumnName(*mirror) +
                " = ?, bb_version = bb_version + 1, updated_on = ? WHERE id = ?",
            text, text, util::NowMicros(), at.row.row_id);
  } else {
    tx.Exec("UPDATE " + t + " SET bb_doc = ?, bb_version = bb_version + 1, updated_on = ? WHERE id = ?", text,
            util::NowMicros(), at.row.row_id);
  }
  RefreshProjections(tx, at.coll, at.row.row_id);
  Reindex(tx, schema, at.row.row_id);
  std::string after = services::row_impl::RowsArray(tx, schema, {at.row.row_id});
  std::vector<int64_t> fields;
  if (mirror) fields.push_back(*mirror);
  services::row_impl::RecordRowsUpdated(tx, services::Actor{}, schema, before, after, fields);
}

void BumpVersion(store::Tx& tx, const Located& at) {
  tx.Exec("UPDATE " + store::TableName(at.coll.table_id) + " SET bb_version = bb_version + 1 WHERE id = ?",
          at.row.row_id);
}

}  // namespace doc_impl

json::object DocumentService::Create(const Caller& caller, const std::string& collection, std::string_view body) {
  using namespace doc_impl;
  if (caller.anonymous()) throw BbError(401, "Missing both Session Token and Authorization info");
  json::object parsed = ParseBodyObject(body);
  if (const auto* v = parsed.if_contains("@version")) {
    if (v->is_null()) throw BbError(400, kJsonNotValid);
    if (!(v->is_number() && v->to_number<double>() == 0)) {
      throw BbError(400, "Are you trying to create a document with a @version field?");
    }
  }
  std::optional<std::string> client_id;
  if (const auto* v = parsed.if_contains("id"); v && v->is_string()) {
    client_id = std::string(v->get_string());
    if (!ValidClientId(*client_id)) throw BbError(400, "Invalid id");
  }
  return store_.WriteResult([&](store::Tx& tx) {
    auto coll = FindCollection(tx, collection);
    if (!coll) throw BbError(404, collection + " is not a valid collection name");
    auto grants = TakeAclKeys(tx, parsed, false);
    std::string uuid;
    if (client_id) {
      if (UuidTaken(tx, *client_id)) {
        throw BbError(400, "Provided ID already exists: " + json::serialize(json::value(*client_id)));
      }
      uuid = *client_id;
    } else {
      uuid = util::NewUuid();
    }
    std::string text = json::serialize(UserKeys(parsed));
    const std::string t = store::TableName(coll->table_id);
    double ord = static_cast<double>(
        tx.QueryInt("SELECT CAST(COALESCE(MAX(ord), 0) AS INTEGER) + 1 FROM " + t).value_or(1));
    int64_t now = util::NowMicros();
    auto mirror = MirrorField(tx, *coll);
    std::string cols = "ord, created_on, updated_on, bb_uuid, bb_version, bb_author_id, bb_created_at, bb_doc";
    std::string vals = "?, ?, ?, ?, 1, ?, ?, ?";
    if (mirror) {
      cols += ", " + store::ColumnName(*mirror);
      vals += ", ?";
    }
    const std::string sql = "INSERT INTO " + t + " (" + cols + ") VALUES (" + vals + ") RETURNING id";
    int64_t row_id = mirror ? *tx.QueryInt(sql, ord, now, now, uuid, caller.user_id, now / 1000, text, text)
                            : *tx.QueryInt(sql, ord, now, now, uuid, caller.user_id, now / 1000, text);
    tx.Exec("INSERT INTO bb_node (uuid, kind, table_id, row_id) VALUES (?, 'doc', ?, ?)", uuid, coll->table_id, row_id);
    ReplaceAclRows(tx, coll->table_id, row_id, caller.user_id, grants ? *grants : std::vector<AclGrant>{});
    tx.Exec("UPDATE database_tables SET row_count = row_count + 1 WHERE id = ?", coll->table_id);
    RefreshProjections(tx, *coll, row_id);
    auto schema = services::LoadSchema(tx, coll->table_id);
    Reindex(tx, schema, row_id);
    services::row_impl::RecordRowsCreated(tx, services::Actor{}, schema,
                                          services::row_impl::RowsArray(tx, schema, {row_id}), std::nullopt);
    return RenderDoc(tx, *LoadDoc(tx, *coll, row_id), false);
  });
}

json::object DocumentService::Get(const Caller& caller, const std::string& collection, const std::string& id,
                                  bool with_acl) {
  using namespace doc_impl;
  return store_.ReadResult([&](store::Tx& tx) {
    Located at = Locate(tx, caller, collection, id, Route::kGet);
    return RenderDoc(tx, at.row, with_acl);
  });
}

json::object DocumentService::GetByRid(const Caller& caller, const std::string& rid, bool with_acl) {
  using namespace doc_impl;
  auto parsed = ParseRid(rid);
  if (!parsed) throw BbError(400, BadRidMessage(rid));
  return store_.ReadResult([&](store::Tx& tx) {
    auto coll = CollectionOfTable(tx, parsed->first);
    std::optional<DocRow> row;
    if (coll) row = LoadDoc(tx, *coll, parsed->second);
    if (!row || !Allowed(tx, caller, row->table_id, row->row_id, Permission::kRead)) {
      throw BbError(404, rid + " unknown");
    }
    return RenderDoc(tx, *row, with_acl);
  });
}

json::object DocumentService::Replace(const Caller& caller, const std::string& collection, const std::string& id,
                                      std::string_view body) {
  using namespace doc_impl;
  json::object parsed = ParseBodyObject(body);
  std::optional<int64_t> sent_version;
  if (const auto* v = parsed.if_contains("@version")) {
    if (v->is_null()) throw BbError(400, kJsonNotValid);
    if (v->is_int64()) sent_version = v->get_int64();
    else if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) sent_version = static_cast<int64_t>(v->get_uint64());
    else throw BbError(400, "@version field must be an Integer");
  }
  return store_.WriteResult([&](store::Tx& tx) {
    Located at = Locate(tx, caller, collection, id, Route::kReplace);
    if (!Allowed(tx, caller, at.coll.table_id, at.row.row_id, Permission::kUpdate)) {
      throw BbError(403, "You have not the right to modify " + id);
    }
    if (sent_version && *sent_version != 0 && *sent_version != at.row.version) {
      throw BbError(400,
                    fmt::format("You are attempting to update an older version of the document. Your document "
                                "version is {}, the stored document has version {}",
                                *sent_version, at.row.version),
                    "40001");
    }
    auto grants = TakeAclKeys(tx, parsed, false);
    StoreDoc(tx, at, UserKeys(parsed));
    if (grants) ReplaceAclRows(tx, at.coll.table_id, at.row.row_id, at.row.author_id, *grants);
    return RenderDoc(tx, *LoadDoc(tx, at.coll, at.row.row_id), false);
  });
}

void DocumentService::Delete(const Caller& caller, const std::string& collection, const std::string& id) {
  using namespace doc_impl;
  store_.Write([&](store::Tx& tx) {
    Located at = Locate(tx, caller, collection, id, Route::kDelete);
    if (!Allowed(tx, caller, at.coll.table_id, at.row.row_id, Permission::kDelete)) {
      throw BbError(403, "You have not the right to delete " + id);
    }
    auto schema = services::LoadSchema(tx, at.coll.table_id);
    std::string before = services::row_impl::RowsArray(tx, schema, {at.row.row_id});
    tx.Exec("DELETE FROM " + store::TableName(at.coll.table_id) + " WHERE id = ?", at.row.row_id);
    tx.Exec("DELETE FROM bb_acl WHERE table_id = ? AND row_id = ?", at.coll.table_id, at.row.row_id);
    tx.Exec("DELETE FROM bb_node WHERE uuid = ?", at.row.uuid);
    DeleteLinksOf(tx, at.row.uuid);
    tx.Exec("UPDATE database_tables SET row_count = row_count - 1 WHERE id = ?", at.coll.table_id);
    services::IndexRowsForSearch(tx, schema, {at.row.row_id});  // leaves the substring index
    services::row_impl::RecordRowsDeleted(tx, services::Actor{}, schema, {at.row.row_id}, before);
  });
}

json::object DocumentService::GetPart(const Caller& caller, const std::string& collection, const std::string& id,
                                      const std::vector<std::string>& parts) {
  using namespace doc_impl;
  auto steps = ParseParts(parts);
  return store_.ReadResult([&](store::Tx& tx) {
    Located at = Locate(tx, caller, collection, id, Route::kPartGet);
    json::value root = std::move(at.row.doc);
    json::value* cur = &root;
    for (const auto& s : steps) {
      cur = Step(*cur, s);
      if (!cur) throw BbError(404, id + " not found");
    }
    return json::object{{"result", *cur}};
  });
}

json::object DocumentService::UpdatePart(const Caller& caller, const std::string& collection, const std::string& id,
                                         const std::vector<std::string>& parts, std::string_view body) {
  using namespace doc_impl;
  auto steps = ParseParts(parts);
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) throw BbError(400, "The body must be an JSON object");
  const auto* data = parsed.get_object().if_contains("data");
  if (!data) {
    throw BbError(400, "The body payload must have a data field. Hint: modify your content to have a \"data\" field");
  }
  return store_.WriteResult([&](store::Tx& tx) {
    Located at = Locate(tx, caller, collection, id, Route::kPartUpdate);
    if (!Allowed(tx, caller, at.coll.table_id, at.row.row_id, Permission::kUpdate)) {
      throw BbError(403, "You have not the right to modify the document " + id);
    }
    json::value root = at.row.doc;
    json::value* cur = &root;
    std::string path;
    for (size_t i = 0; i + 1 < steps.size(); ++i) {
      path += parts[i];
      cur = Step(*cur, steps[i]);
      if (!cur) throw BbError(404, path);
    }
    path += parts.back();
    const Part& last = steps.back();
    if (!cur->is_object()) throw BbError(404, path);
    auto& parent = cur->get_object();
    if (!last.index) {
      parent[last.key] = *data;
    } else {
      auto* target = parent.if_contains(last.key);
      if (!target || !target->is_array()) throw BbError(400, path + " is not an array");
      auto& arr = target->get_array();
      if (static_cast<size_t>(*last.index) >= arr.size()) arr.push_back(*data);
      else arr[static_cast<size_t>(*last.index)] = *data;
    }
    StoreDoc(tx, at, root.get_object());
    return RenderDoc(tx, *LoadDoc(tx, at.coll, at.row.row_id), false);
  });
}

namespace doc_impl {
namespace {

/// The WHERE condition of a criteria query over a collection: documents, the user's expression,
/// and the caller's read ACL, ANDed at the top level (§8.10 point 7: the user's expression is
/// parenthesised, so it cannot escape the ACL).
std::string ListCondition(const Caller& caller, const Collection& coll, const std::optional<where::Sql>& user,
                          where::SqlParams& params) {
  // The user's expression before the ACL: SQLite tests the terms in this order, so the cheap
  // (often indexed) column tests run first and the ACL probe only on rows that match.
  std::string cond = kIsDocument;
  if (user) {
    cond += " AND (" + user->text + ")";
    params.insert(params.end(), user->params.begin(), user->params.end());
  }
  std::string acl = AclCondition(caller, coll.table_id, "t.id", "AR", params);
  if (!acl.empty()) cond += " AND " + acl;
  return cond;
}

std::optional<where::Sql> CompileWhere(const Criteria& c, const where::PathTable& paths, const store::Dialect& d) {
  if (c.where.empty()) return std::nullopt;
  auto bound = where::ParseAndBind(c.where, c.params, NowMs());
  return where::Compile(bound, d, paths);
}

}  // namespace
}  // namespace doc_impl

json::array DocumentService::List(const Caller& caller, const std::string& collection, const Criteria& criteria) {
  using namespace doc_impl;
  return store_.ReadResult([&](store::Tx& tx) {
    auto coll = FindCollection(tx, collection);
    if (!coll) throw BbError(404, collection + " is not a valid collection name");
    auto paths = DocumentPaths(*coll);
    AddProjectedPaths(tx, *coll, paths);
    CheckCriteriaSyntax(criteria, paths.hidden);
    auto user = CompileWhere(criteria, paths, tx.dialect());
    if (criteria.count && !user) {
      if (auto n = CountedReadable(tx, caller, coll->table_id)) return json::array{json::object{{"count", *n}}};
    }
    where::SqlParams params;
    std::string cond = ListCondition(caller, *coll, user, params);
    if (criteria.count) {
      auto bound = types::BindValues(params);
      auto c = tx.QueryV("SELECT COUNT(*) FROM " + store::TableName(coll->table_id) + " t WHERE " + cond, bound);
      c->Next();
      return json::array{json::object{{"count", c->Int(0)}}};
    }
    Paging paging = PagingOf(criteria, options_.max_records);
    std::string sql = std::string("SELECT ") + kDocColumns + " FROM " + DocFrom(coll->table_id) + " WHERE " + cond +
                      " ORDER BY ";
    // orderBy over plain keys sorts in SQL (then pages there too); the rest in memory.
    auto order = SqlOrder(criteria, paths.hidden);
    if (order) {
      auto o = where::CompileOrder(*order, tx.dialect(), paths);
      if (!o.text.empty()) sql += o.text + ", ";
      params.insert(params.end(), o.params.begin(), o.params.end());
    }
    sql += "t.id";
    bool in_memory = !order && NeedsInMemory(criteria);
    if (!in_memory) sql += SqlPaging(paging, options_.max_records, tx.dialect().postgres(), params);
    auto bound = types::BindValues(params);
    auto c = tx.QueryV(sql, bound);
    std::vector<DocRow> docs;
    while (c->Next()) docs.push_back(ReadDocRow(*c, *coll));
    if (!in_memory) {
      CheckResultCap(docs.size(), options_.max_records);
      json::array out;
      for (const auto& d : docs) out.push_back(RenderDoc(tx, d, criteria.with_acl));
      return out;
    }
    std::vector<CriteriaRow> rows;
    for (auto& d : docs) {
      CriteriaRow r;
      r.system = SystemJson(d);
      r.out = RenderDoc(tx, d, criteria.with_acl);
      r.doc = std::move(d.doc);
      rows.push_back(std::move(r));
    }
    return ApplyInMemory(std::move(rows), criteria, options_.max_records, paths.hidden);
  });
}

json::object DocumentService::Count(const Caller& caller, const std::string& collection, const Criteria& criteria) {
  using namespace doc_impl;
  return store_.ReadResult([&](store::Tx& tx) {
    auto coll = FindCollection(tx, collection);
    if (!coll) throw BbError(404, collection + " is not a valid collection name");
    auto paths = DocumentPaths(*coll);
    AddProjectedPaths(tx, *coll, paths);
    auto user = CompileWhere(criteria, paths, tx.dialect());
    // Without a `where`, the trigger-maintained counters answer when they can (doc_counts.hpp).
    if (!user) {
      if (auto n = CountedReadable(tx, caller, coll->table_id)) return json::object{{"count", *n}};
    }
    where::SqlParams params;
    std::string cond = ListCondition(caller, *coll, user, params);
    auto bound = types::BindValues(params);
    auto c = tx.QueryV("SELECT COUNT(*) FROM " + store::TableName(coll->table_id) + " t WHERE " + cond, bound);
    c->Next();
    return json::object{{"count", c->Int(0)}};
  });
}

}  // namespace gridbase::baasbox
