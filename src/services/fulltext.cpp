#include "services/fulltext.hpp"

#include <algorithm>
#include <cctype>

#include "query/query.hpp"
#include "services/schema.hpp"
#include "util/strings.hpp"

namespace gridbase::services {

namespace fulltext_impl {

constexpr const char* kCellSeparator = " gbcellsep ";
constexpr int kEngineTrigramIndexes = 3;  // trigram_state: PostgreSQL's pg_trgm column indexes

std::string FtsTable(int64_t table_id) { return "tbl_" + std::to_string(table_id) + "_fts"; }

/// Fields whose text is indexed (every type but password).
std::vector<const types::Field*> IndexedFields(const types::TableSchema& s) {
  std::vector<const types::Field*> out;
  for (const auto& f : s.fields)
    if (f.type != "password") out.push_back(&f);
  return out;
}

/// SELECT t.id, <the fields' cells>, t.trashed FROM the table.
std::string SelectDocs(const types::TableSchema& s, const std::vector<const types::Field*>& fields) {
  std::string sql = "SELECT t.id";
  for (const auto* f : fields) sql += ", " + types::FindFieldType(f->type)->SelectExpr(*f);
  return sql + ", t.trashed FROM " + s.sql_table() + " t";
}

std::string Document(const store::Cursor& c, const std::vector<const types::Field*>& fields,
                     std::string_view separator = kCellSeparator) {
  std::string doc;
  for (size_t i = 0; i < fields.size(); ++i) {
    auto text = types::FindFieldType(fields[i]->type)->CellText(c, static_cast<int>(i + 1), *fields[i]);
    doc += separator;
    if (text) doc += *text;
  }
  return doc;
}

std::string TriTable(int64_t table_id) { return "tbl_" + std::to_string(table_id) + "_tri"; }

/// The fields compat search looks at (filters.md §6.1): not boolean, duration or password.
/// With cells separated by newlines, "the document contains the term" is then exactly
/// "some searchable cell contains it".
std::vector<const types::Field*> CompatFields(const types::TableSchema& s) {
  std::vector<const types::Field*> out;
  for (const auto& f : s.fields)
    if (f.type != "password" && f.type != "boolean" && f.type != "duration") out.push_back(&f);
  return out;
}

/// The search index's column of a field: one per compat-searchable field, so a phrase never
/// spans two cells and a `contains` filter can ask one column.
std::string TriColumn(int64_t field_id) { return "c" + std::to_string(field_id); }

/// Writes one row's cells (from a SelectDocs cursor) into the search index.
void WriteTriRow(store::Tx& tx, const std::string& tri, const store::Cursor& c,
                 const std::vector<const types::Field*>& fields) {
  int64_t id = c.Int(0);
  std::string sql = "INSERT INTO " + tri + " (rowid";
  for (const auto* f : fields) sql += ", " + TriColumn(f->id);
  sql += ") VALUES (?";
  std::vector<std::string> cells;
  cells.reserve(fields.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    sql += ", ?";
    cells.push_back(types::FindFieldType(fields[i]->type)->CellText(c, static_cast<int>(i + 1), *fields[i]).value_or(""));
  }
  sql += ")";
  std::vector<store::Value> values;
  values.reserve(cells.size() + 1);
  values.emplace_back(id);
  for (const auto& cell : cells) values.emplace_back(std::string_view(cell));
  tx.Exec("DELETE FROM " + tri + " WHERE rowid = ?", id);
  tx.ExecV(sql, values);
}

/// Baserow's query escaping: punctuation and '_' become spaces (a '-' survives inside or
/// before numbers), words form one phrase whose last word is a prefix.
std::vector<std::string> FtsWords(std::string_view search) {
  std::string cleaned;
  for (size_t i = 0; i < search.size(); ++i) {
    auto c = static_cast<unsigned char>(search[i]);
    bool keep = std::isalnum(c) || c >= 0x80 || std::isspace(c);
    if (c == '-' && i + 1 < search.size() && std::isdigit(static_cast<unsigned char>(search[i + 1]))) keep = true;
    cleaned += keep ? static_cast<char>(c) : ' ';
  }
  std::vector<std::string> words;
  for (auto word : util::Split(cleaned, ' ')) {
    word = util::Trim(word);
    if (!word.empty()) words.emplace_back(word);
  }
  return words;
}

/// The same phrase for PostgreSQL's to_tsquery: adjacent quoted lexemes, the last a prefix.
std::optional<std::string> TsQuery(std::string_view search) {
  auto words = FtsWords(search);
  if (words.empty()) return std::nullopt;
  std::string q;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i) q += " <-> ";
    q += '\'';
    for (char c : words[i]) {
      if (c == '\'' || c == '\\') q += c;
      q += c;
    }
    q += '\'';
  }
  return q + ":*";
}

/// The full-text document table of a PostgreSQL store: one tsvector per row, GIN-indexed.
void WriteTsDoc(store::Tx& tx, const std::string& fts, int64_t id, const std::string& doc) {
  tx.Exec("INSERT INTO " + fts + " (id, doc) VALUES (?, to_tsvector('simple', ?)) "
          "ON CONFLICT (id) DO UPDATE SET doc = excluded.doc", id, doc);
}

std::optional<std::string> FtsQuery(std::string_view search) {
  std::string cleaned;
  for (size_t i = 0; i < search.size(); ++i) {
    auto c = static_cast<unsigned char>(search[i]);
    bool keep = std::isalnum(c) || c >= 0x80 || std::isspace(c);
    if (c == '-' && i + 1 < search.size() && std::isdigit(static_cast<unsigned char>(search[i + 1]))) keep = true;
    cleaned += keep ? static_cast<char>(c) : ' ';
  }
  std::string phrase;
  for (auto word : util::Split(cleaned, ' ')) {
    word = util::Trim(word);
    if (word.empty()) continue;
    if (!phrase.empty()) phrase += ' ';
    phrase += std::string(word);
  }
  if (phrase.empty()) return std::nullopt;
  std::string quoted = "\"";
  for (char c : phrase) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\" *";
}

}  // namespace fulltext_impl

using namespace fulltext_impl;

void BuildFullText(store::Tx& tx, types::TableSchema& schema) {
  std::string fts = FtsTable(schema.id);
  bool pg = tx.dialect().postgres();
  tx.Exec("DROP TABLE IF EXISTS " + fts);
  if (pg) {
    tx.Exec("CREATE TABLE " + fts + " (id BIGINT PRIMARY KEY, doc tsvector NOT NULL)");
    tx.Exec("CREATE INDEX " + fts + "_doc ON " + fts + " USING gin (doc)");
  } else {
    tx.Exec("CREATE VIRTUAL TABLE " + fts + " USING fts5(doc, tokenize = 'unicode61 remove_diacritics 0')");
  }
  auto fields = IndexedFields(schema);
  std::vector<std::pair<int64_t, std::string>> docs;
  {
    auto c = tx.Query(SelectDocs(schema, fields));
    while (c->Next()) docs.emplace_back(c->Int(0), Document(*c, fields));
  }
  for (const auto& [id, doc] : docs) {
    if (pg) {
      WriteTsDoc(tx, fts, id, doc);
    } else {
      tx.Exec("INSERT INTO " + fts + " (rowid, doc) VALUES (?, ?)", id, doc);
    }
  }
  tx.Exec("UPDATE database_tables SET fts_ready = 1 WHERE id = ?", schema.id);
  schema.fts_ready = true;
}

void DropFullText(store::Tx& tx, int64_t table_id) {
  tx.Exec("DROP TABLE IF EXISTS " + FtsTable(table_id));
  tx.Exec("UPDATE database_tables SET fts_ready = 0 WHERE id = ?", table_id);
}

void IndexRows(store::Tx& tx, const types::TableSchema& schema, const std::vector<int64_t>& row_ids) {
  if (!schema.fts_ready || row_ids.empty()) return;
  std::string fts = FtsTable(schema.id);
  auto fields = IndexedFields(schema);
  std::string sql = SelectDocs(schema, fields) + " WHERE t.id = ?";
  for (int64_t id : row_ids) {
    std::string doc;
    {
      auto c = tx.Query(sql, id);
      if (!c->Next()) continue;
      doc = Document(*c, fields);
    }
    if (tx.dialect().postgres()) {
      WriteTsDoc(tx, fts, id, doc);
    } else {
      tx.Exec("DELETE FROM " + fts + " WHERE rowid = ?", id);
      tx.Exec("INSERT INTO " + fts + " (rowid, doc) VALUES (?, ?)", id, doc);
    }
  }
}

bool BuildSearchIndexChunk(store::Tx& tx, int64_t table_id, int64_t chunk) {
  auto schema = LoadSchema(tx, table_id);
  std::string tri = TriTable(table_id);
  if (schema.trigram_state == 2 || schema.trigram_state == kEngineTrigramIndexes) return true;
  auto fields = CompatFields(schema);
  if (tx.dialect().postgres()) {
    // PostgreSQL answers ILIKE '%term%' from pg_trgm GIN indexes on the columns themselves:
    // one per text-like column, kept current by PostgreSQL. Searches keep their exact SQL.
    for (const auto* f : fields) {
      if (types::FindFieldType(f->type)->column_type() != "TEXT") continue;
      tx.Exec("CREATE INDEX IF NOT EXISTS " + schema.sql_table() + "_" + f->column() + "_trgm ON " +
              schema.sql_table() + " USING gin (" + f->column() + " gin_trgm_ops)");
    }
    tx.Exec("UPDATE database_tables SET trigram_state = ? WHERE id = ?", kEngineTrigramIndexes, table_id);
    return true;
  }
  if (schema.trigram_state == 0) {
    std::string columns;
    for (const auto* f : fields) columns += TriColumn(f->id) + ", ";
    tx.Exec("DROP TABLE IF EXISTS " + tri);
    tx.Exec("CREATE VIRTUAL TABLE " + tri + " USING fts5(" + columns + "tokenize = 'trigram')");
    tx.Exec("DROP TABLE IF EXISTS " + SearchDirtyTable(table_id));
    tx.Exec("CREATE TABLE " + SearchDirtyTable(table_id) + " (id INTEGER PRIMARY KEY)");
    tx.Exec("UPDATE database_tables SET trigram_state = 1, trigram_upto = 0 WHERE id = ?", table_id);
    schema.trigram_upto = 0;
  }
  int64_t count = 0, last = 0;
  {
    auto c = tx.Query(SelectDocs(schema, fields) + " WHERE t.id > ? ORDER BY t.id LIMIT ?", schema.trigram_upto, chunk);
    int trashed_col = static_cast<int>(fields.size()) + 1;
    while (c->Next()) {
      // The index holds live rows only, so it can count matches on its own.
      if (!c->Bool(trashed_col)) WriteTriRow(tx, tri, *c, fields);
      last = c->Int(0);
      ++count;
    }
  }
  if (count < chunk) {
    tx.Exec("UPDATE database_tables SET trigram_state = 2 WHERE id = ?", table_id);
    return true;
  }
  tx.Exec("UPDATE database_tables SET trigram_upto = ? WHERE id = ?", last, table_id);
  return false;
}

std::string SearchDirtyTable(int64_t table_id) { return "tbl_" + std::to_string(table_id) + "_tri_dirty"; }

void DropSearchIndex(store::Tx& tx, int64_t table_id) {
  tx.Exec("DROP TABLE IF EXISTS " + TriTable(table_id));
  tx.Exec("DROP TABLE IF EXISTS " + SearchDirtyTable(table_id));
  tx.Exec("UPDATE database_tables SET trigram_state = 0, trigram_upto = 0 WHERE id = ?", table_id);
}

bool IndexRowsForSearch(store::Tx& tx, const types::TableSchema& schema, const std::vector<int64_t>& row_ids) {
  if (schema.trigram_state == 0 || schema.trigram_state == kEngineTrigramIndexes || row_ids.empty()) return false;
  bool marked = false;
  std::string dirty = SearchDirtyTable(schema.id);
  for (int64_t id : row_ids) {
    if (schema.trigram_state == 1 && id > schema.trigram_upto) continue;  // the builder will get it
    tx.Exec("INSERT OR IGNORE INTO " + dirty + " (id) VALUES (?)", id);
    marked = true;
  }
  return marked;
}

bool FlushSearchIndex(store::Tx& tx, int64_t table_id, int64_t limit) {
  auto schema = LoadSchema(tx, table_id);
  if (schema.trigram_state == 0 || schema.trigram_state == kEngineTrigramIndexes) return false;
  std::string tri = TriTable(table_id), dirty = SearchDirtyTable(table_id);
  std::vector<int64_t> ids;
  {
    auto c = tx.Query("SELECT id FROM " + dirty + " ORDER BY id LIMIT ?", limit + 1);
    while (c->Next()) ids.push_back(c->Int(0));
  }
  bool more = static_cast<int64_t>(ids.size()) > limit;
  if (more) ids.pop_back();
  auto fields = CompatFields(schema);
  std::string sql = SelectDocs(schema, fields) + " WHERE t.id = ?";
  int trashed_col = static_cast<int>(fields.size()) + 1;
  for (int64_t id : ids) {
    auto c = tx.Query(sql, id);
    if (c->Next() && !c->Bool(trashed_col)) {
      WriteTriRow(tx, tri, *c, fields);
    } else {
      tx.Exec("DELETE FROM " + tri + " WHERE rowid = ?", id);  // trashed or gone
    }
  }
  for (int64_t id : ids) tx.Exec("DELETE FROM " + dirty + " WHERE id = ?", id);
  return more;
}

std::optional<std::string> SearchCandidates(const types::TableSchema& schema, std::string_view term,
                                            bool include_id_rule, types::SqlParams& params, const types::Field* only) {
  std::string t(util::Trim(term));
  if (schema.trigram_state != 2 || t.size() < 3 || t.find('\n') != std::string::npos) return std::nullopt;
  if (only) {
    auto fields = CompatFields(schema);
    if (std::find(fields.begin(), fields.end(), only) == fields.end()) only = nullptr;
  }
  bool ascii = std::all_of(t.begin(), t.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  std::string tri = TriTable(schema.id);
  std::string sql = "t.id IN (SELECT rowid FROM " + tri + " WHERE ";
  if (ascii) {
    // A quoted phrase of the trigram tokenizer matches exactly the documents holding the term
    // as a substring, ASCII case folded like LIKE, straight from the index (no document
    // reads): an order of magnitude faster than LIKE on the same table.
    std::string phrase = "\"";
    for (char c : t) phrase += c == '"' ? std::string("\"\"") : std::string(1, c);
    phrase += '"';
    if (only) phrase = TriColumn(only->id) + " : " + phrase;
    sql += tri + " MATCH " + types::Param(params, phrase);
  } else {
    // The tokenizer folds non-ASCII case, LIKE does not: LIKE keeps results identical to the
    // scan. FTS5 serves LIKE from its index only without an ESCAPE clause, so terms holding
    // LIKE wildcards fall back to the scan.
    if (!only || t.find_first_of("%_\\") != std::string::npos) return std::nullopt;
    sql += TriColumn(only->id) + " LIKE " + types::Param(params, "%" + t + "%");
  }
  if (include_id_rule && t[0] != '0' && t.size() <= 18 && t.find_first_not_of("0123456789") == std::string::npos) {
    sql += " UNION SELECT ";
    sql += types::Param(params, static_cast<int64_t>(std::stoll(t)));
  }
  return sql + ")";
}

std::optional<std::string> SearchCountSql(const types::TableSchema& schema, std::string_view term,
                                          types::SqlParams& params) {
  // Valid because the index holds live rows only (trashed rows are marked and removed at the
  // next flush; until then the dirty-row part below counts them exactly).
  std::string t(util::Trim(term));
  if (schema.trigram_state != 2 || t.size() < 3 || t.find('\n') != std::string::npos) return std::nullopt;
  if (!std::all_of(t.begin(), t.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    return std::nullopt;
  }
  if (t[0] != '0' && t.size() <= 18 && t.find_first_not_of("0123456789") == std::string::npos) {
    return std::nullopt;  // the row-id rule would need a union
  }
  std::string phrase = "\"";
  for (char c : t) phrase += c == '"' ? std::string("\"\"") : std::string(1, c);
  phrase += '"';
  std::string tri = TriTable(schema.id), dirty = SearchDirtyTable(schema.id);
  // Indexed rows not written since the last flush, plus the written ones checked exactly.
  // (One Param per statement: the order of evaluation inside a `+` chain is unspecified.)
  std::string sql = "SELECT (SELECT COUNT(*) FROM " + tri + " WHERE " + tri + " MATCH ";
  sql += types::Param(params, phrase);
  sql += " AND rowid NOT IN (SELECT id FROM " + dirty + ")) + (SELECT COUNT(*) FROM " + schema.sql_table() +
         " t WHERE t.trashed = 0 AND t.id IN (SELECT id FROM " + dirty + ") AND ";
  sql += query::CompileSearch(t, schema, params);
  sql += ")";
  return sql;
}

std::string FullTextSql(std::string_view search, const types::TableSchema& schema, types::SqlParams& params) {
  std::string s(util::Trim(search));
  if (s.empty()) return types::kSqlTrue;
  std::vector<std::string> parts;
  if (s.size() <= 18 && s[0] != '0' && s.find_first_not_of("0123456789") == std::string::npos) {
    parts.push_back("t.id = " + types::Param(params, static_cast<int64_t>(std::stoll(s))));
  }
  if (schema.engine_postgres) {
    if (auto q = TsQuery(s)) {
      parts.push_back("t.id IN (SELECT id FROM " + FtsTable(schema.id) + " WHERE doc @@ to_tsquery('simple', " +
                      types::Param(params, *q) + "))");
    }
  } else if (auto q = FtsQuery(s)) {
    std::string fts = FtsTable(schema.id);
    parts.push_back("t.id IN (SELECT rowid FROM " + fts + " WHERE " + fts + " MATCH " + types::Param(params, *q) + ")");
  }
  if (parts.empty()) return types::kSqlFalse;
  return parts.size() == 1 ? parts[0] : "(" + parts[0] + " OR " + parts[1] + ")";
}

}  // namespace gridbase::services
