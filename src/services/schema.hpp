#pragma once
// Loading user-table metadata (tables, fields, select options) inside a transaction, with
// the visibility rules shared by the table, field and row services.
#include <boost/json/object.hpp>

#include "services/models.hpp"
#include "store/store.hpp"
#include "types/schema.hpp"

namespace gridbase::services {

struct DatabaseRef {
  int64_t id = 0;
  int64_t workspace_id = 0;
};

/// A database application that is visible (not trashed, workspace not trashed), else
/// ERROR_APPLICATION_DOES_NOT_EXIST.
DatabaseRef RequireDatabase(store::Tx& tx, int64_t database_id);

/// A visible table's schema with its non-trashed fields (primary first, then order, id),
/// else ERROR_TABLE_DOES_NOT_EXIST.
types::TableSchema LoadSchema(store::Tx& tx, int64_t table_id);

/// The table of a visible, non-trashed field, else ERROR_FIELD_DOES_NOT_EXIST.
int64_t TableOfField(store::Tx& tx, int64_t field_id);

/// Loads, checks membership of the actor in the table's workspace for `operation`.
types::TableSchema LoadSchemaFor(store::Tx& tx, const Actor& actor, int64_t table_id,
                                 std::string_view operation);

/// The database-token layer of the authorisation (tokens.md §2.2, §4.2): throws
/// ERROR_NO_PERMISSION_TO_TABLE unless the token's grants allow `operation` on the table.
void CheckTokenTablePermission(const TokenActor& token, const types::TableSchema& schema,
                               std::string_view operation);

/// The field object of the API (fields.md §2).
boost::json::object FieldJson(const types::Field& f, const types::TableSchema& schema);
/// The table object (applications-tables.md §3.1).
boost::json::object TableObjectJson(const types::TableSchema& schema);

}  // namespace gridbase::services
