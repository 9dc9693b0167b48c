// Document counters of the BaasBox collections: see doc_counts.hpp. The SQL is built from
// numeric table ids only; SQLite gets plain triggers, PostgreSQL plpgsql trigger functions.
//
// Order of trigger effects: SQLite runs a row trigger right after each row's change, and the
// PostgreSQL bb_acl trigger is a BEFORE trigger (it sees the rows the same statement changed
// before, not the current one), so the "does this principal hold the other read-capable grant
// on this document" probe gives the same answer on both, row by row.
#include "store/doc_counts.hpp"

#include <fmt/format.h>

#include <string>

#include "store/ddl.hpp"

namespace gridbase::store {

namespace doc_counts_impl {

std::string IsDoc(const char* row) {
  return fmt::format("({0}.trashed = 0 AND {0}.bb_uuid IS NOT NULL)", row);
}

/// The number of the principal's other read-capable grants on the same document (0 or 1).
std::string OtherGrant(const char* row) {
  return fmt::format(
      "(SELECT COUNT(*) FROM bb_acl o WHERE o.table_id = {0}.table_id AND o.row_id = {0}.row_id AND "
      "o.principal_kind = {0}.principal_kind AND o.principal_id = {0}.principal_id AND o.perm IN ('A', 'R') AND "
      "o.perm <> {0}.perm)",
      row);
}

void SqliteAclTriggers(Tx& tx) {
  tx.Exec(fmt::format(R"(CREATE TRIGGER bb_acl_count_ins AFTER INSERT ON bb_acl
      WHEN NEW.table_id <> 0 AND NEW.perm IN ('A', 'R')
      BEGIN
        INSERT INTO bb_doc_count (table_id, principal_kind, principal_id, n, dup)
        VALUES (NEW.table_id, NEW.principal_kind, NEW.principal_id, NEW.live, {0})
        ON CONFLICT (table_id, principal_kind, principal_id) DO UPDATE SET n = n + excluded.n, dup = dup + excluded.dup;
      END)",
                      OtherGrant("NEW")));
  tx.Exec(fmt::format(R"(CREATE TRIGGER bb_acl_count_del AFTER DELETE ON bb_acl
      WHEN OLD.table_id <> 0 AND OLD.perm IN ('A', 'R')
      BEGIN
        UPDATE bb_doc_count SET n = n - OLD.live, dup = dup - {0}
        WHERE table_id = OLD.table_id AND principal_kind = OLD.principal_kind AND principal_id = OLD.principal_id;
      END)",
                      OtherGrant("OLD")));
  tx.Exec(R"(CREATE TRIGGER bb_acl_count_live AFTER UPDATE OF live ON bb_acl
      WHEN NEW.table_id <> 0 AND NEW.perm IN ('A', 'R') AND NEW.live <> OLD.live
      BEGIN
        UPDATE bb_doc_count SET n = n + NEW.live - OLD.live
        WHERE table_id = NEW.table_id AND principal_kind = NEW.principal_kind AND principal_id = NEW.principal_id;
      END)");
  tx.Exec(R"(CREATE TRIGGER bb_acl_count_rekey BEFORE UPDATE OF table_id, row_id, perm, principal_kind, principal_id
      ON bb_acl
      BEGIN
        SELECT RAISE(ABORT, 'bb_acl rows are deleted and inserted, never re-keyed');
      END)");
}

void PostgresAclTriggers(Tx& tx) {
  tx.Exec(fmt::format(R"(CREATE OR REPLACE FUNCTION gb_bb_acl_count() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
  d bigint;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF (NEW.table_id, NEW.row_id, NEW.perm, NEW.principal_kind, NEW.principal_id) IS DISTINCT FROM
       (OLD.table_id, OLD.row_id, OLD.perm, OLD.principal_kind, OLD.principal_id) THEN
      RAISE EXCEPTION 'bb_acl rows are deleted and inserted, never re-keyed';
    END IF;
    IF NEW.table_id <> 0 AND NEW.perm IN ('A', 'R') AND NEW.live <> OLD.live THEN
      UPDATE bb_doc_count SET n = n + NEW.live - OLD.live
      WHERE table_id = NEW.table_id AND principal_kind = NEW.principal_kind AND principal_id = NEW.principal_id;
    END IF;
    RETURN NEW;
  ELSIF TG_OP = 'INSERT' THEN
    IF NEW.table_id <> 0 AND NEW.perm IN ('A', 'R') THEN
      d := {0};
      INSERT INTO bb_doc_count (table_id, principal_kind, principal_id, n, dup)
      VALUES (NEW.table_id, NEW.principal_kind, NEW.principal_id, NEW.live, d)
      ON CONFLICT (table_id, principal_kind, principal_id)
      DO UPDATE SET n = bb_doc_count.n + excluded.n, dup = bb_doc_count.dup + excluded.dup;
    END IF;
    RETURN NEW;
  END IF;
  IF OLD.table_id <> 0 AND OLD.perm IN ('A', 'R') THEN
    d := {1};
    UPDATE bb_doc_count SET n = n - OLD.live, dup = dup - d
    WHERE table_id = OLD.table_id AND principal_kind = OLD.principal_kind AND principal_id = OLD.principal_id;
  END IF;
  RETURN OLD;
END
$body$)",
                      OtherGrant("NEW"), OtherGrant("OLD")));
  tx.Exec("CREATE TRIGGER bb_acl_count BEFORE INSERT OR UPDATE OR DELETE ON bb_acl FOR EACH ROW "
          "EXECUTE FUNCTION gb_bb_acl_count()");
  // One function for every collection table; the table id is the trigger's argument.
  tx.Exec(fmt::format(R"(CREATE OR REPLACE FUNCTION gb_bb_doc_count() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
  t bigint := TG_ARGV[0]::bigint;
  was boolean := false;
  now_doc boolean := false;
  rid bigint;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    was := {0};
    rid := OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    now_doc := {1};
    rid := NEW.id;
  END IF;
  IF was <> now_doc THEN
    INSERT INTO bb_doc_count (table_id, principal_kind, principal_id, n, dup)
    VALUES (t, '*', 0, CASE WHEN now_doc THEN 1 ELSE -1 END, 0)
    ON CONFLICT (table_id, principal_kind, principal_id) DO UPDATE SET n = bb_doc_count.n + excluded.n;
    UPDATE bb_acl SET live = CASE WHEN now_doc THEN 1 ELSE 0 END
    WHERE table_id = t AND row_id = rid AND live <> CASE WHEN now_doc THEN 1 ELSE 0 END;
  END IF;
  RETURN NULL;
END
$body$)",
                      IsDoc("OLD"), IsDoc("NEW")));
}

}  // namespace doc_counts_impl

void CreateDocCountSchema(Tx& tx) {
  using namespace doc_counts_impl;
  tx.Exec(R"(CREATE TABLE bb_doc_count (
      table_id INTEGER NOT NULL,
      principal_kind TEXT NOT NULL,
      principal_id INTEGER NOT NULL,
      n INTEGER NOT NULL DEFAULT 0,
      dup INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (table_id, principal_kind, principal_id)))");
  tx.Exec("ALTER TABLE bb_acl ADD COLUMN live INTEGER NOT NULL DEFAULT 1");
  if (tx.dialect().postgres()) {
    PostgresAclTriggers(tx);
  } else {
    SqliteAclTriggers(tx);
  }
}

void InstallDocCountTriggers(Tx& tx, int64_t table_id) {
  using namespace doc_counts_impl;
  const std::string t = TableName(table_id);
  if (tx.dialect().postgres()) {
    tx.Exec(fmt::format("CREATE TRIGGER {0}_bb_count AFTER INSERT OR DELETE OR UPDATE OF trashed, bb_uuid ON {0} "
                        "FOR EACH ROW EXECUTE FUNCTION gb_bb_doc_count('{1}')",
                        t, table_id));
    return;
  }
  tx.Exec(fmt::format(R"(CREATE TRIGGER {0}_bb_count_ins AFTER INSERT ON {0}
      WHEN {2}
      BEGIN
        INSERT INTO bb_doc_count (table_id, principal_kind, principal_id, n, dup) VALUES ({1}, '*', 0, 1, 0)
        ON CONFLICT (table_id, principal_kind, principal_id) DO UPDATE SET n = n + 1;
        UPDATE bb_acl SET live = 1 WHERE table_id = {1} AND row_id = NEW.id AND live = 0;
      END)",
                      t, table_id, IsDoc("NEW")));
  tx.Exec(fmt::format(R"(CREATE TRIGGER {0}_bb_count_del AFTER DELETE ON {0}
      WHEN {2}
      BEGIN
        UPDATE bb_doc_count SET n = n - 1 WHERE table_id = {1} AND principal_kind = '*' AND principal_id = 0;
        UPDATE bb_acl SET live = 0 WHERE table_id = {1} AND row_id = OLD.id AND live = 1;
      END)",
                      t, table_id, IsDoc("OLD")));
  tx.Exec(fmt::format(R"(CREATE TRIGGER {0}_bb_count_upd AFTER UPDATE OF trashed, bb_uuid ON {0}
      WHEN {2} <> {3}
      BEGIN
        INSERT INTO bb_doc_count (table_id, principal_kind, principal_id, n, dup)
        VALUES ({1}, '*', 0, CASE WHEN {3} THEN 1 ELSE -1 END, 0)
        ON CONFLICT (table_id, principal_kind, principal_id) DO UPDATE SET n = n + excluded.n;
        UPDATE bb_acl SET live = CASE WHEN {3} THEN 1 ELSE 0 END WHERE table_id = {1} AND row_id = NEW.id;
      END)",
                      t, table_id, IsDoc("OLD"), IsDoc("NEW")));
}

void RebuildDocCounts(Tx& tx, int64_t table_id) {
  using namespace doc_counts_impl;
  const std::string t = TableName(table_id);
  // live first (its trigger touches the counters, which are then recomputed).
  tx.Exec("UPDATE bb_acl SET live = CASE WHEN EXISTS (SELECT 1 FROM " + t + " r WHERE r.id = bb_acl.row_id AND " +
              IsDoc("r") + ") THEN 1 ELSE 0 END WHERE table_id = ?",
          table_id);
  tx.Exec("DELETE FROM bb_doc_count WHERE table_id = ?", table_id);
  tx.Exec("INSERT INTO bb_doc_count (table_id, principal_kind, principal_id, n, dup) SELECT CAST(? AS INTEGER), '*', 0, COUNT(*), 0 "
          "FROM " + t + " r WHERE " + IsDoc("r"),
          table_id);
  tx.Exec(
      "INSERT INTO bb_doc_count (table_id, principal_kind, principal_id, n, dup) "
      "SELECT a.table_id, a.principal_kind, a.principal_id, SUM(a.live), SUM(CASE WHEN a.perm = 'R' AND EXISTS "
      "(SELECT 1 FROM bb_acl b WHERE b.table_id = a.table_id AND b.row_id = a.row_id AND b.perm = 'A' AND "
      "b.principal_kind = a.principal_kind AND b.principal_id = a.principal_id) THEN 1 ELSE 0 END) "
      "FROM bb_acl a WHERE a.table_id = ? AND a.perm IN ('A', 'R') GROUP BY a.table_id, a.principal_kind, "
      "a.principal_id",
      table_id);
}

}  // namespace gridbase::store
