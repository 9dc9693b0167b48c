#pragma once
// The BaasBox document services (baasbox.md §5–§7, §9.4–§9.7): collections, documents, grants
// and links. No HTTP here: the docapi/ layer parses requests, calls these functions with the
// authenticated Caller and wraps the boost::json answers in the envelope (§4). Failures are
// BbError (status, the spec's «message», bb_code) or CriteriaError (400, §7.6).
//
// Storage (§11.4 option C; projections: see ListProjections below):
// * Every collection is a real Baserow table tbl_<id> registered in `database_tables` and mapped
//   by `bb_collection(name, name_ci, table_id)`. Besides Baserow's id/ord/created_on/updated_on/
//   trashed it holds bb_uuid (unique), bb_version, bb_author_id (bb_user.id), bb_created_at (UTC
//   ms) and bb_doc: the user keys as JSON *text*, so the user's key order survives (§11.5).
//   RID = `#<table id>:<row id>`; `@version` starts at 1.
// * Baserow side: the table has one field, the primary long_text field "Document", holding the
//   same JSON text as bb_doc (written by every document write; bb_doc stays the source of
//   truth, edits made through Baserow are not read back — §11.4 "v1 read-only"). A dedicated
//   read-only raw-JSON field type is not implemented; long_text is what the Baserow UI already
//   renders. Rows created through the Baserow API (bb_uuid NULL) and trashed rows are not
//   documents.
// * Where the tables live: one workspace "BaasBox" with one database "BaasBox", created with the
//   first collection (its id kept in instance_settings under `baasbox.database_id`; recreated if
//   it was deleted). Every active Baserow staff user at that moment becomes an ADMIN member, so
//   the collections show up in the Baserow UI; others can be invited as for any workspace.
// * Document writes emit the table's rows_created / rows_updated / rows_deleted through the
//   same outbox functions as row writes (services/rows.cpp), so webhooks and realtime see them.
// * Global ids in bb_node(uuid, kind 'doc'|'link', table_id, row_id); user nodes are bb_user
//   rows (looked up by bb_user.uuid). Grants in bb_acl (perm A/R/U/D, principal U/R); links in
//   bb_link. Deleting a document or a collection removes its grants, node ids and every link
//   touching it.
// Every operation runs in one store transaction: a refused request changes nothing.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "baasbox/common.hpp"
#include "baasbox/criteria.hpp"
#include "store/store.hpp"

namespace gridbase::baasbox {

/// A grant's action (§9.6.1): read → R, update → U, delete → D, all → A.
enum class Permission { kRead, kUpdate, kDelete, kAll };

struct DocumentOptions {
  /// `baasbox.query.max_records` (§7.2); 0 = unlimited.
  int64_t max_records = kDefaultMaxRecords;
  /// `baasbox.links.open_delete` (§9.7.4): any authenticated user may delete any link.
  bool links_open_delete = false;
  /// Renders a user node inside a link (§5.3: a user node renders as a profile, §5.2). Set by
  /// the app to the users service; the default gives {"user": {"name": …}, "id": …}.
  std::function<boost::json::value(store::Tx&, const Caller&, int64_t user_id)> render_user;
};

class DocumentService {
 public:
  explicit DocumentService(store::Store& store, DocumentOptions options = {});

  // --- collections (§9.4; ADMIN — the caller's is_admin is checked here too) --------------------

  /// POST /admin/collection/{name} → data "". 400 «The collection name {name} is invalid» (§6.1),
  /// 400 «Collection {name} already exists» (case-insensitive), 403 «User {u} is not an
  /// administrator».
  void CreateCollection(const Caller& caller, const std::string& name);
  /// DELETE /admin/collection/{name} → data "". 404 «The Collection {name} does not exist».
  void DropCollection(const Caller& caller, const std::string& name);
  /// GET /admin/collection → [{"name","records","size"}] (§5.4), criteria over `name` and
  /// `_creation_date` (where, orderBy, paging, count).
  boost::json::array ListCollections(const Caller& caller, const Criteria& criteria);

  // --- projections (§11.4; a gridbase extension, ADMIN) -----------------------------------------
  // A projection makes `where` comparisons on one top-level key read indexed columns instead of
  // the JSON (same results). Columns bbp_<id>_s (the key's string values) and bbp_<id>_n (its
  // numbers), filled by every document write and back-filled on creation.

  /// GET /admin/collection/{c}/projection → [{"key", "_creation_date"}] in creation order.
  boost::json::array ListProjections(const Caller& caller, const std::string& collection);
  /// POST /admin/collection/{c}/projection/{key} → {"key", "_creation_date"}. 400 «The
  /// projection key {key} is invalid…», 400 «Projection {key} already exists», 400 at the limit.
  boost::json::object CreateProjection(const Caller& caller, const std::string& collection, const std::string& key);
  /// DELETE /admin/collection/{c}/projection/{key}. 404 «The projection {key} does not exist».
  void DropProjection(const Caller& caller, const std::string& collection, const std::string& key);

  // --- documents (§9.5) ------------------------------------------------------------------------
  // `id` is a document id or a RID `#<cluster>:<position>` (already URL-decoded).

  /// POST /document/{c}: `body` is the raw request body (§9.5.1). Returns the document (§5.1).
  boost::json::object Create(const Caller& caller, const std::string& collection, std::string_view body);
  /// GET /document/{c}/{id} (§9.5.4).
  boost::json::object Get(const Caller& caller, const std::string& collection, const std::string& id,
                          bool with_acl = false);
  /// GET /document/%23{rid} (§9.5.5): 404 «{rid} unknown».
  boost::json::object GetByRid(const Caller& caller, const std::string& rid, bool with_acl = false);
  /// PUT /document/{c}/{id} (§9.5.6): full replace, @version check (400 +bb 40001).
  boost::json::object Replace(const Caller& caller, const std::string& collection, const std::string& id,
                              std::string_view body);
  /// DELETE /document/{c}/{id} (§9.5.7) → data "".
  void Delete(const Caller& caller, const std::string& collection, const std::string& id);
  /// GET /document/{c}/{id}/.{f}[…] (§9.5.8): `parts` are the path segments (".tags[0]", …).
  /// Returns {"result": value}.
  boost::json::object GetPart(const Caller& caller, const std::string& collection, const std::string& id,
                              const std::vector<std::string>& parts);
  /// PUT /document/{c}/{id}/.{f}[…] (§9.5.9): `body` raw, {"data": …}. Returns the document.
  boost::json::object UpdatePart(const Caller& caller, const std::string& collection, const std::string& id,
                                 const std::vector<std::string>& parts, std::string_view body);
  /// GET /document/{c} (§9.5.2, §7): an array of documents or projections, or [{"count": N}].
  boost::json::array List(const Caller& caller, const std::string& collection, const Criteria& criteria);
  /// GET /document/{c}/count (§9.5.3): {"count": N}; uses where/params only.
  boost::json::object Count(const Caller& caller, const std::string& collection, const Criteria& criteria);

  // --- grants (§9.6) ---------------------------------------------------------------------------

  /// PUT (grant=true) / DELETE …/{action}/user/{u} or …/role/{r} (§9.6.1) → data "".
  /// `action` as in the URL (case-insensitive). 400 «{action} is not a valid action».
  void SetGrant(const Caller& caller, const std::string& collection, const std::string& id,
                const std::string& action, bool to_role, const std::string& name, bool grant);
  /// PUT /document/{c}/{id}/acl (§9.6.4): `body` raw ACL object. Returns the document.
  boost::json::object ReplaceAcl(const Caller& caller, const std::string& collection, const std::string& id,
                                 std::string_view body, bool with_acl = false);

  // --- links (§9.7) ----------------------------------------------------------------------------

  /// POST /link/{sourceId}/{label}/{destId} (§9.7.1). Returns the link (§5.3).
  boost::json::object CreateLink(const Caller& caller, const std::string& source_id, const std::string& label,
                                 const std::string& dest_id);
  /// GET /link/{id} (§9.7.2): 404 «The link {id} was not found».
  boost::json::object GetLink(const Caller& caller, const std::string& id);
  /// DELETE /link/{id} (§9.7.4) → data "". 403 «You have not the right to delete the link {id}».
  void DeleteLink(const Caller& caller, const std::string& id);
  /// GET /link (§9.7.3): criteria over link paths (§8.6: label, id, _author, _creation_date,
  /// @class, in.*, out.*; an unreadable node is missing).
  boost::json::array ListLinks(const Caller& caller, const Criteria& criteria);

  const DocumentOptions& options() const { return options_; }

 private:
  store::Store& store_;
  DocumentOptions options_;
};

/// The columns a collection's table has besides Baserow's (bb_uuid, bb_version, bb_author_id,
/// bb_created_at, bb_doc), the unique index on bb_uuid and the document-counter triggers
/// (store/doc_counts.hpp); used by collection creation and by move-store when it recreates such
/// a table.
void AddDocumentColumns(store::Tx& tx, int64_t table_id);
/// Whether `column` is one of those columns.
bool IsDocumentColumn(std::string_view column);
/// Projection `projection_id`'s two columns and their indexes on table `table_id`.
void AddProjectionColumns(store::Tx& tx, int64_t table_id, int64_t projection_id);
/// The projection id of a column `bbp_<id>_s` / `bbp_<id>_n`, else nullopt.
std::optional<int64_t> ProjectionColumnId(std::string_view column);
/// Whether `index` (of table `table`) is one AddDocumentColumns or AddProjectionColumns makes.
bool IsDocumentIndex(std::string_view table, std::string_view index);

/// `_creation_date` rendering of §5.1 in UTC: yyyy-MM-dd'T'HH:mm:ss.SSS+0000.
std::string FormatBbDate(int64_t epoch_ms);

}  // namespace gridbase::baasbox
