#pragma once
// Pieces shared by collections.cpp, documents.cpp, acl.cpp and links.cpp (not for docapi/).
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "baasbox/common.hpp"
#include "baasbox/documents.hpp"
#include "baasbox/where.hpp"
#include "store/store.hpp"
#include "types/field_type.hpp"

namespace gridbase::baasbox::doc_impl {

namespace json = boost::json;

int64_t NowMs();

struct Collection {
  int64_t id = 0;
  std::string name;
  int64_t table_id = 0;
  std::optional<int64_t> doc_field_id;
  int64_t created_at = 0;
};

/// 403 «User {u} is not an administrator» unless the caller holds `administrator`.
void RequireAdmin(const Caller& caller);

/// Exact-spelling lookup (§6.1).
std::optional<Collection> FindCollection(store::Tx& tx, const std::string& name);
std::optional<Collection> CollectionOfTable(store::Tx& tx, int64_t table_id);

/// A stored document.
struct DocRow {
  int64_t table_id = 0;
  int64_t row_id = 0;
  std::string uuid;
  int64_t version = 0;
  int64_t author_id = 0;
  std::string author;
  int64_t created_ms = 0;
  json::object doc;
  std::string collection;
};

/// Columns read by ReadDocRow, over `DocFrom(table)`.
inline constexpr const char* kDocColumns =
    "t.id, t.bb_uuid, t.bb_version, t.bb_author_id, bbu.username, t.bb_created_at, t.bb_doc";
std::string DocFrom(int64_t table_id);
/// Rows that are documents: not trashed on the Baserow side, written by this service.
inline constexpr const char* kIsDocument = "t.trashed = 0 AND t.bb_uuid IS NOT NULL";
DocRow ReadDocRow(const store::Cursor& c, const Collection& coll);
std::optional<DocRow> LoadDoc(store::Tx& tx, const Collection& coll, int64_t row_id);

/// §5.1: @rid, @version, @class, user keys, id, _creation_date, _author; with `with_acl` no
/// @rid and the three _allow lists. `with_rid` false for link nodes (§5.3).
json::object RenderDoc(store::Tx& tx, const DocRow& d, bool with_acl, bool with_rid = true);
/// The system field values of a row (CriteriaRow::system) and their where-paths (§8.6).
json::object SystemJson(const DocRow& d);
where::PathTable DocumentPaths(const Collection& coll);

// --- projections (projections.cpp) ----------------------------------------------------------

/// The collection's projections as where-paths: key → "t.bbp_<id>" (PathTable::projected).
void AddProjectedPaths(store::Tx& tx, const Collection& coll, where::PathTable& paths);
/// Recomputes the projection columns of document row `row_id` from its bb_doc.
void RefreshProjections(store::Tx& tx, const Collection& coll, int64_t row_id);

// --- ACL (acl.cpp) ---------------------------------------------------------------------------

/// SQL condition over row expression `row_sql` of table `table_id` true when `caller` holds one
/// of `perms` ("AR", "AU", "AD"); empty when the caller bypasses the ACL.
std::string AclCondition(const Caller& caller, int64_t table_id, std::string_view row_sql, std::string_view perms,
                         where::SqlParams& params);
bool Allowed(store::Tx& tx, const Caller& caller, int64_t table_id, int64_t row_id, Permission p);
/// How many documents of collection table `table_id` `caller` may read, from the counters of
/// store/doc_counts.hpp: the document count when the caller bypasses the ACL; else the count of
/// its one principal holding grants there (0 when none does); with several, the largest one's
/// count plus the documents only the others' grant rows add. nullopt when the counters cannot
/// tell (every holder holds two grants on some document): scan then.
std::optional<int64_t> CountedReadable(store::Tx& tx, const Caller& caller, int64_t table_id);
char PermChar(Permission p);
void AddGrant(store::Tx& tx, int64_t table_id, int64_t row_id, char perm, char kind, int64_t principal);

/// Grants from the ACL keys of a body (§9.6.3) (UserKeys drops the keys from the document). nullopt when none of the
/// three keys is present (or `force`). Throws 400 «ACL fields are not valid: {detail}».
struct AclGrant {
  char perm;
  char kind;
  int64_t principal;
};
std::optional<std::vector<AclGrant>> TakeAclKeys(store::Tx& tx, const json::object& body, bool force);
/// Clears the four sets, gives the author full access back, applies `grants` (§9.6.3).
void ReplaceAclRows(store::Tx& tx, int64_t table_id, int64_t row_id, int64_t author_id,
                    const std::vector<AclGrant>& grants);

// --- nodes and links -------------------------------------------------------------------------

struct Node {
  std::string kind;  // "doc", "link", "user"
  int64_t table_id = 0;
  int64_t row_id = 0;
};
/// A node id: bb_node, else a bb_user uuid (user nodes).
std::optional<Node> FindNode(store::Tx& tx, const std::string& uuid);
/// Removes every link touching node `uuid` (and their node ids).
void DeleteLinksOf(store::Tx& tx, const std::string& uuid);

/// The routes that address one document: each words its errors its own way (§9.5, §9.6.1).
enum class Route { kGet, kReplace, kDelete, kGrant, kPartGet, kPartUpdate };
struct Located {
  Collection coll;
  DocRow row;
};
/// Finds collection `collection` and document `id` (an id or a RID) readable by `caller`, or
/// throws the route's 400/404 (§6.3, §9.5.4–§9.5.9, §9.6.1).
Located Locate(store::Tx& tx, const Caller& caller, const std::string& collection, const std::string& id,
               Route route);
/// Writes a new bb_doc (and its Baserow mirror), advances @version, records rows_updated.
void StoreDoc(store::Tx& tx, const Located& at, const json::object& doc);
/// Advances @version only (grants).
void BumpVersion(store::Tx& tx, const Located& at);

/// Parses a JSON request body; empty → 400 «The body payload cannot be empty…», malformed or
/// not an object → 400 «JSON not valid…».
json::object ParseBodyObject(std::string_view body);
inline constexpr const char* kJsonNotValid =
    "JSON not valid. HINT: check if it is not just a JSON collection ([..]), a single element "
    "({\"element\"}) or you are trying to pass a @version:null field";

}  // namespace gridbase::baasbox::doc_impl
