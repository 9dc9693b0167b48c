#include "store/ddl.hpp"

namespace gridbase::store {

std::string TableName(int64_t table_id) { return "tbl_" + std::to_string(table_id); }
std::string ColumnName(int64_t field_id) { return "field_" + std::to_string(field_id); }

void CreateUserTable(Tx& tx, int64_t table_id) {
  std::string t = TableName(table_id);
  tx.Exec("CREATE TABLE " + t + " (id " + std::string(tx.dialect().AutoIdPrimaryKey()) +
          ", ord REAL NOT NULL, created_on INTEGER NOT NULL, updated_on INTEGER NOT NULL, "
          "trashed INTEGER NOT NULL DEFAULT 0)");
  tx.Exec("CREATE INDEX " + t + "_ord ON " + t + " (ord, id) WHERE trashed = 0");
}

void AddColumn(Tx& tx, int64_t table_id, const std::string& column, std::string_view column_type,
               std::string_view default_sql) {
  std::string sql = "ALTER TABLE " + TableName(table_id) + " ADD COLUMN " + column + " " + std::string(column_type);
  if (!default_sql.empty()) sql += " DEFAULT " + std::string(default_sql);
  tx.Exec(sql);
}

void DropColumn(Tx& tx, int64_t table_id, const std::string& column) {
  tx.Exec("ALTER TABLE " + TableName(table_id) + " DROP COLUMN " + column);
}

void RenameColumn(Tx& tx, int64_t table_id, const std::string& from, const std::string& to) {
  tx.Exec("ALTER TABLE " + TableName(table_id) + " RENAME COLUMN " + from + " TO " + to);
}

void SetColumnIndex(Tx& tx, int64_t table_id, int64_t field_id, bool on) {
  std::string name = TableName(table_id) + "_" + ColumnName(field_id) + "_idx";
  if (on) {
    tx.Exec("CREATE INDEX IF NOT EXISTS " + name + " ON " + TableName(table_id) + " (" + ColumnName(field_id) + ")");
  } else {
    tx.Exec("DROP INDEX IF EXISTS " + name);
  }
}

void CreateAutoIndex(Tx& tx, int64_t table_id, int64_t field_id, const std::string& key_expr) {
  tx.Exec("CREATE INDEX IF NOT EXISTS " + TableName(table_id) + "_" + ColumnName(field_id) + "_auto ON " +
          TableName(table_id) + " (" + key_expr + std::string(tx.dialect().IndexNullsFirst()) +
          ", ord, id) WHERE trashed = 0");
  // PostgreSQL: without statistics of the key expression the planner guesses that a third of
  // the rows match any range and scans the table; extended statistics on the expression, then
  // ANALYZE, let it see how selective a filter is.
  if (tx.dialect().postgres()) {
    tx.Exec("CREATE STATISTICS IF NOT EXISTS " + TableName(table_id) + "_" + ColumnName(field_id) + "_st ON (" +
            key_expr + ") FROM " + TableName(table_id));
    tx.Exec("ANALYZE " + TableName(table_id));
  }
}

void DropAutoIndex(Tx& tx, int64_t table_id, int64_t field_id) {
  tx.Exec("DROP INDEX IF EXISTS " + TableName(table_id) + "_" + ColumnName(field_id) + "_auto");
  if (tx.dialect().postgres()) {
    tx.Exec("DROP STATISTICS IF EXISTS " + TableName(table_id) + "_" + ColumnName(field_id) + "_st");
  }
}

void SetUniqueIndex(Tx& tx, int64_t table_id, int64_t field_id, bool on, const std::string& non_empty_sql) {
  std::string name = TableName(table_id) + "_" + ColumnName(field_id) + "_uniq";
  if (on) {
    tx.Exec("CREATE UNIQUE INDEX IF NOT EXISTS " + name + " ON " + TableName(table_id) + " (" +
            ColumnName(field_id) + ") WHERE trashed = 0 AND " + non_empty_sql);
  } else {
    tx.Exec("DROP INDEX IF EXISTS " + name);
  }
}

}  // namespace gridbase::store
