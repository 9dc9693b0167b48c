// Projections (baasbox.md §11.4, "JSON + projections"): an admin declares a top-level document
// key of a collection; its string and number values are then kept in two indexed columns of the
// collection's table, and the `where` compiler compares against those columns instead of the
// JSON (where.hpp PathTable::projected). The column values are computed by the engine from
// bb_doc with the very expressions the compiler uses for the key (where::ProjectionValues), so
// results never depend on whether a projection exists. DDL is built from numeric ids only; the
// key only ever reaches SQL as a bound parameter.
#include <fmt/format.h>

#include <regex>

#include "baasbox/documents_internal.hpp"
#include "store/ddl.hpp"

namespace gridbase::baasbox {

namespace json = boost::json;

namespace doc_impl {

namespace proj_impl {

/// At most this many projections per collection (each is two columns and two indexes).
constexpr int64_t kMaxProjections = 32;

struct Projection {
  int64_t id = 0;
  std::string key;
  int64_t created_at = 0;
};

std::vector<Projection> Load(store::Tx& tx, int64_t collection_id) {
  std::vector<Projection> out;
  auto c = tx.Query("SELECT id, key, created_at FROM bb_projection WHERE collection_id = ? ORDER BY id", collection_id);
  while (c->Next()) out.push_back(Projection{c->Int(0), c->String(1), c->Int(2)});
  return out;
}

std::string Prefix(int64_t id) { return fmt::format("bbp_{}", id); }

/// `UPDATE tbl SET bbp_<id>_s = …, bbp_<id>_n = … WHERE <cond>` for `projections`.
void Fill(store::Tx& tx, int64_t table_id, const std::vector<Projection>& projections, const std::string& cond,
          where::SqlParams cond_params) {
  if (projections.empty()) return;
  std::string sets;
  where::SqlParams params;
  for (const auto& p : projections) {
    auto v = where::ProjectionValues(tx.dialect(), "bb_doc", p.key);
    if (!sets.empty()) sets += ", ";
    sets += Prefix(p.id) + "_s = " + v.string.text + ", " + Prefix(p.id) + "_n = " + v.number.text;
    params.insert(params.end(), v.string.params.begin(), v.string.params.end());
    params.insert(params.end(), v.number.params.begin(), v.number.params.end());
  }
  params.insert(params.end(), cond_params.begin(), cond_params.end());
  auto bound = types::BindValues(params);
  tx.ExecV("UPDATE " + store::TableName(table_id) + " SET " + sets + " WHERE " + cond, bound);
}

json::object Render(const Projection& p) {
  return json::object{{"key", p.key}, {"_creation_date", FormatBbDate(p.created_at)}};
}

Collection Require(store::Tx& tx, const std::string& collection) {
  auto coll = FindCollection(tx, collection);
  if (!coll) throw BbError(404, "The Collection " + collection + " does not exist");
  return *coll;
}

}  // namespace proj_impl

void AddProjectedPaths(store::Tx& tx, const Collection& coll, where::PathTable& paths) {
  auto projections = proj_impl::Load(tx, coll.id);
  if (projections.empty()) return;
  // Which columns hold any value: one probe of each partial index, in the query's snapshot.
  const std::string t = store::TableName(coll.table_id);
  std::string sql = "SELECT ";
  for (size_t i = 0; i < projections.size(); ++i) {
    for (const char* suffix : {"_s", "_n"}) {
      const std::string col = proj_impl::Prefix(projections[i].id) + suffix;
      if (sql.size() > 7) sql += ", ";
      sql += "(SELECT COUNT(*) FROM (SELECT 1 FROM " + t + " WHERE " + col + " IS NOT NULL LIMIT 1) x)";
    }
  }
  auto c = tx.Query(sql);
  c->Next();
  for (size_t i = 0; i < projections.size(); ++i) {
    where::PathTable::Projected p;
    p.prefix = "t." + proj_impl::Prefix(projections[i].id);
    p.strings = c->Int(static_cast<int>(2 * i)) > 0;
    p.numbers = c->Int(static_cast<int>(2 * i + 1)) > 0;
    paths.projected[projections[i].key] = std::move(p);
  }
}

void RefreshProjections(store::Tx& tx, const Collection& coll, int64_t row_id) {
  proj_impl::Fill(tx, coll.table_id, proj_impl::Load(tx, coll.id), "id = ?", {types::CellValue(row_id)});
}

}  // namespace doc_impl

json::array DocumentService::ListProjections(const Caller& caller, const std::string& collection) {
  using namespace doc_impl;
  RequireAdmin(caller);
  return store_.ReadResult([&](store::Tx& tx) {
    auto coll = proj_impl::Require(tx, collection);
    json::array out;
    for (const auto& p : proj_impl::Load(tx, coll.id)) out.push_back(proj_impl::Render(p));
    return out;
  });
}

json::object DocumentService::CreateProjection(const Caller& caller, const std::string& collection,
                                               const std::string& key) {
  using namespace doc_impl;
  RequireAdmin(caller);
  // A key the `where` language can name as a plain path (§8.4), not a system or ACL field (§8.6).
  static const std::regex kKey("^[A-Za-z_][A-Za-z0-9_]{0,63}$");
  bool valid = std::regex_match(key, kKey) && key != "id" && key != "_author" && key != "_creation_date";
  for (const auto& h : where::PathTable::DocumentHidden())
    if (h.size() == 1 && h[0] == key) valid = false;
  if (!valid) {
    throw BbError(400, "The projection key " + key +
                           " is invalid: use a top-level document key of at most 64 letters, digits or _ "
                           "(not id, _author, _creation_date or an ACL field)");
  }
  return store_.WriteResult([&](store::Tx& tx) {
    auto coll = proj_impl::Require(tx, collection);
    auto existing = proj_impl::Load(tx, coll.id);
    for (const auto& p : existing)
      if (p.key == key) throw BbError(400, "Projection " + key + " already exists");
    if (static_cast<int64_t>(existing.size()) >= proj_impl::kMaxProjections) {
      throw BbError(400, fmt::format("A collection has at most {} projections", proj_impl::kMaxProjections));
    }
    proj_impl::Projection p;
    p.key = key;
    p.created_at = NowMs();
    p.id = *tx.QueryInt("INSERT INTO bb_projection (collection_id, key, created_at) VALUES (?, ?, ?) RETURNING id",
                        coll.id, key, p.created_at);
    AddProjectionColumns(tx, coll.table_id, p.id);
    proj_impl::Fill(tx, coll.table_id, {p}, "bb_uuid IS NOT NULL", {});
    return proj_impl::Render(p);
  });
}

void DocumentService::DropProjection(const Caller& caller, const std::string& collection, const std::string& key) {
  using namespace doc_impl;
  RequireAdmin(caller);
  store_.Write([&](store::Tx& tx) {
    auto coll = proj_impl::Require(tx, collection);
    for (const auto& p : proj_impl::Load(tx, coll.id)) {
      if (p.key != key) continue;
      const std::string t = store::TableName(coll.table_id), prefix = proj_impl::Prefix(p.id);
      for (const char* suffix : {"_s", "_n"}) {
        tx.Exec("DROP INDEX " + t + "_" + prefix + suffix);
        store::DropColumn(tx, coll.table_id, prefix + suffix);
      }
      tx.Exec("DELETE FROM bb_projection WHERE id = ?", p.id);
      return;
    }
    throw BbError(404, "The projection " + key + " does not exist");
  });
}

void AddProjectionColumns(store::Tx& tx, int64_t table_id, int64_t projection_id) {
  const bool pg = tx.dialect().postgres();
  const std::string t = store::TableName(table_id), prefix = doc_impl::proj_impl::Prefix(projection_id);
  // Strings compare by code point (COLLATE "C" on PostgreSQL, as the compiler's comparisons);
  // numbers keep SQLite's integer/real storage classes (no affinity) and PostgreSQL's exact
  // NUMERIC, as json_extract / ::numeric give them.
  store::AddColumn(tx, table_id, prefix + "_s", pg ? "TEXT COLLATE \"C\"" : "TEXT", "");
  store::AddColumn(tx, table_id, prefix + "_n", pg ? "NUMERIC" : "", "");
  // Partial (a key holds strings or numbers, rarely both: the other column is mostly NULL, and
  // a full index would tell the planner one value covers every row); equal values in @rid
  // order (SQLite appends the rowid).
  for (const char* suffix : {"_s", "_n"}) {
    const std::string col = prefix + suffix;
    tx.Exec("CREATE INDEX " + t + "_" + col + " ON " + t + " (" + col + (pg ? ", id)" : ")") + " WHERE " + col +
            " IS NOT NULL");
  }
}

std::optional<int64_t> ProjectionColumnId(std::string_view column) {
  static const std::regex kColumn("^bbp_([0-9]{1,18})_[sn]$");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(column.begin(), column.end(), m, kColumn)) return std::nullopt;
  return std::stoll(m[1].str());
}

bool IsDocumentIndex(std::string_view table, std::string_view index) {
  if (index.substr(0, table.size()) != table || index.size() <= table.size() || index[table.size()] != '_') return false;
  std::string_view rest = index.substr(table.size() + 1);
  return rest == "bb_uuid" || ProjectionColumnId(rest).has_value();
}

}  // namespace gridbase::baasbox
