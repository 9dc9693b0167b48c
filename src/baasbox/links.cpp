// Links between any two nodes (baasbox.md §5.3, §9.7; storage bb_link, §11.5). Link queries are
// evaluated in memory by where::Evaluate (the reference semantics of §8.7) over the links with
// their readable end nodes, because `in.`/`out.` paths reach into any collection or the users.
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "baasbox/documents_internal.hpp"
#include "baasbox/files.hpp"
#include "util/crypto.hpp"

namespace gridbase::baasbox {

namespace json = boost::json;

namespace doc_impl {

std::optional<Node> FindNode(store::Tx& tx, const std::string& uuid) {
  {
    auto c = tx.Query("SELECT kind, table_id, row_id FROM bb_node WHERE uuid = ?", uuid);
    if (c->Next()) return Node{c->String(0), c->IsNull(1) ? 0 : c->Int(1), c->Int(2)};
  }
  if (auto id = tx.QueryInt("SELECT id FROM bb_user WHERE uuid = ?", uuid)) return Node{"user", 0, *id};
  return std::nullopt;
}

void DeleteLinksOf(store::Tx& tx, const std::string& uuid) {
  std::vector<std::string> ids;
  {
    auto c = tx.Query("SELECT uuid FROM bb_link WHERE out_uuid = ? OR in_uuid = ?", uuid, uuid);
    while (c->Next()) ids.push_back(c->String(0));
  }
  for (const auto& id : ids) tx.Exec("DELETE FROM bb_node WHERE uuid = ?", id);
  tx.Exec("DELETE FROM bb_link WHERE out_uuid = ? OR in_uuid = ?", uuid, uuid);
}

namespace {

struct LinkRow {
  int64_t id = 0;
  std::string uuid, label, out_uuid, in_uuid, author;
  int64_t author_id = 0, created_ms = 0, version = 0;
};

constexpr const char* kLinkSelect =
    "SELECT l.id, l.uuid, l.label, l.out_uuid, l.in_uuid, l.author_id, l.created_at, l.version, bbu.username "
    "FROM bb_link l LEFT JOIN bb_user bbu ON bbu.id = l.author_id";

LinkRow ReadLink(const store::Cursor& c) {
  LinkRow l;
  l.id = c.Int(0);
  l.uuid = c.String(1);
  l.label = c.String(2);
  l.out_uuid = c.String(3);
  l.in_uuid = c.String(4);
  l.author_id = c.Int(5);
  l.created_ms = c.Int(6);
  l.version = c.Int(7);
  l.author = c.IsNull(8) ? "" : c.String(8);
  return l;
}

std::optional<LinkRow> FindLink(store::Tx& tx, const std::string& uuid) {
  auto c = tx.Query(std::string(kLinkSelect) + " WHERE l.uuid = ?", uuid);
  if (!c->Next()) return std::nullopt;
  return ReadLink(*c);
}

/// A node as a link shows it (§5.3): a document without @rid, a user as a profile, a file as
/// its details, or null when missing or unreadable by `caller`.
json::value RenderNode(store::Tx& tx, const Caller& caller, const DocumentOptions& opts, const std::string& uuid) {
  auto node = FindNode(tx, uuid);
  if (!node) return nullptr;
  if (node->kind == "user") {
    if (caller.anonymous()) return nullptr;
    if (opts.render_user) return opts.render_user(tx, caller, node->row_id);
    auto c = tx.Query("SELECT username, uuid FROM bb_user WHERE id = ?", node->row_id);
    if (!c->Next()) return nullptr;
    return json::object{{"user", json::object{{"name", c->String(0)}}}, {"id", c->String(1)}};
  }
  if (node->kind == "file") {
    auto file = ReadableFileJson(tx, caller, uuid);
    if (!file) return nullptr;
    return std::move(*file);
  }
  if (node->kind != "doc") return nullptr;
  auto coll = CollectionOfTable(tx, node->table_id);
  if (!coll) return nullptr;
  auto row = LoadDoc(tx, *coll, node->row_id);
  if (!row || !Allowed(tx, caller, node->table_id, node->row_id, Permission::kRead)) return nullptr;
  return RenderDoc(tx, *row, false, /*with_rid=*/false);
}

json::object RenderLink(store::Tx& tx, const Caller& caller, const DocumentOptions& opts, const LinkRow& l) {
  return json::object{{"@version", l.version},
                      {"@class", "E"},
                      {"label", l.label},
                      {"id", l.uuid},
                      {"_author", l.author},
                      {"_creation_date", FormatBbDate(l.created_ms)},
                      {"out", RenderNode(tx, caller, opts, l.out_uuid)},
                      {"in", RenderNode(tx, caller, opts, l.in_uuid)}};
}

}  // namespace
}  // namespace doc_impl

json::object DocumentService::CreateLink(const Caller& caller, const std::string& source_id, const std::string& label,
                                         const std::string& dest_id) {
  using namespace doc_impl;
  if (caller.anonymous()) throw BbError(401, "Missing both Session Token and Authorization info");
  if (label.empty()) throw BbError(400, "The label cannot be empty");
  return store_.WriteResult([&](store::Tx& tx) {
    if (RenderNode(tx, caller, options_, source_id).is_null() || RenderNode(tx, caller, options_, dest_id).is_null()) {
      throw BbError(400,
                    "Source or Destination record was not found. Hint: do you have the read grant on them? Or ids "
                    "are not valid");
    }
    LinkRow l;
    l.uuid = util::NewUuid();
    l.label = label;
    l.out_uuid = source_id;
    l.in_uuid = dest_id;
    l.author_id = caller.user_id;
    l.author = caller.username;
    l.created_ms = NowMs();
    l.version = 1;
    l.id = *tx.QueryInt(
        "INSERT INTO bb_link (uuid, label, out_uuid, in_uuid, author_id, created_at, version) VALUES (?, ?, ?, ?, ?, ?, "
        "1) RETURNING id",
        l.uuid, l.label, l.out_uuid, l.in_uuid, l.author_id, l.created_ms);
    tx.Exec("INSERT INTO bb_node (uuid, kind, table_id, row_id) VALUES (?, 'link', NULL, ?)", l.uuid, l.id);
    return RenderLink(tx, caller, options_, *FindLink(tx, l.uuid));
  });
}

json::object DocumentService::GetLink(const Caller& caller, const std::string& id) {
  using namespace doc_impl;
  return store_.ReadResult([&](store::Tx& tx) {
    auto l = FindLink(tx, id);
    if (!l) throw BbError(404, "The link " + id + " was not found");
    return RenderLink(tx, caller, options_, *l);
  });
}

void DocumentService::DeleteLink(const Caller& caller, const std::string& id) {
  using namespace doc_impl;
  store_.Write([&](store::Tx& tx) {
    auto l = FindLink(tx, id);
    if (!l) throw BbError(404, "The link " + id + " was not found");
    bool allowed = caller.bypass_acl || (!caller.anonymous() && l->author_id == caller.user_id) ||
                   (options_.links_open_delete && !caller.anonymous());
    if (!allowed) {
      auto src = FindNode(tx, l->out_uuid);
      if (src && (src->kind == "doc" || src->kind == "file")) {
        allowed = Allowed(tx, caller, src->table_id, src->row_id, Permission::kRead) &&
                  Allowed(tx, caller, src->table_id, src->row_id, Permission::kUpdate);
      }
    }
    if (!allowed) throw BbError(403, "You have not the right to delete the link " + id);
    tx.Exec("DELETE FROM bb_link WHERE id = ?", l->id);
    tx.Exec("DELETE FROM bb_node WHERE uuid = ?", l->uuid);
  });
}

json::array DocumentService::ListLinks(const Caller& caller, const Criteria& criteria) {
  using namespace doc_impl;
  // §8.6 link paths: label (a key of the evaluated object), in.*, out.* (the rendered nodes;
  // an unreadable node is missing) and the system names.
  where::PathTable paths;
  paths.system["id"] = where::SystemField{"x", {}, where::Type::kString};
  paths.system["_author"] = where::SystemField{"x", {}, where::Type::kString};
  paths.system["_creation_date"] = where::SystemField{"x", {}, where::Type::kDate};
  paths.system["@class"] = where::SystemField{"x", {}, where::Type::kString};
  paths.system["@version"] = where::SystemField{"x", {}, where::Type::kNumber};
  for (const auto& hidden : where::PathTable::DocumentHidden()) {  // inside the end nodes too
    for (const char* end : {"in", "out"}) {
      std::vector<std::string> path{end};
      path.insert(path.end(), hidden.begin(), hidden.end());
      paths.hidden.push_back(std::move(path));
    }
  }
  CheckCriteriaSyntax(criteria, paths.hidden);
  std::optional<where::Where> w;
  if (!criteria.where.empty()) w = where::ParseAndBind(criteria.where, criteria.params, NowMs());
  return store_.ReadResult([&](store::Tx& tx) {
    std::vector<LinkRow> links;
    {
      auto c = tx.Query(std::string(kLinkSelect) + " ORDER BY l.id");
      while (c->Next()) links.push_back(ReadLink(*c));
    }
    std::vector<CriteriaRow> rows;
    for (const auto& l : links) {
      json::object rendered = RenderLink(tx, caller, options_, l);
      json::object doc{{"label", l.label}};
      if (!rendered["out"].is_null()) doc["out"] = rendered["out"];
      if (!rendered["in"].is_null()) doc["in"] = rendered["in"];
      if (w) {
        where::SystemValues sys{{"id", where::Value::String(l.uuid)},
                                {"_author", where::Value::String(l.author)},
                                {"_creation_date", where::Value::Date(l.created_ms)},
                                {"@class", where::Value::String("E")},
                                {"@version", where::Value::Integer(l.version)}};
        if (!where::Evaluate(*w, doc, paths, sys)) continue;
      }
      CriteriaRow r;
      r.system = json::object{{"id", l.uuid},
                              {"_author", l.author},
                              {"_creation_date", FormatBbDate(l.created_ms)},
                              {"@class", "E"},
                              {"@version", l.version}};
      r.doc = std::move(doc);
      r.out = std::move(rendered);
      rows.push_back(std::move(r));
    }
    if (criteria.count) return json::array{json::object{{"count", static_cast<int64_t>(rows.size())}}};
    return ApplyInMemory(std::move(rows), criteria, options_.max_records, paths.hidden);
  });
}

}  // namespace gridbase::baasbox
