// `gridbase move-store`: a whole instance from one database into another, empty one.
//
// The source is read in ONE read transaction (a consistent snapshot); the target is written in
// transactions of a few thousand rows (tables are paged by id, so a table of millions of rows
// never sits in memory). Metadata tables are copied in foreign-key order, column by column by
// name (no column lists here: whatever the migrations created is copied); user tables
// (tbl_<id>) are recreated through the DDL functions and the field types, then their rows are
// copied and their indexes recreated. The search side tables are not copied: their state in
// database_tables is reset and they are rebuilt on use. Id sequences are moved past every id
// the source ever gave out. Finally every table is checksummed on both sides.
#include "app/move_store.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <vector>

#include "app/config.hpp"
#include "baasbox/documents.hpp"
#include "store/ddl.hpp"
#include "store/doc_counts.hpp"
#include "store/store.hpp"
#include "types/field_type.hpp"
#include "util/crypto.hpp"
#include "util/strings.hpp"

namespace gridbase::app {

namespace move_store_impl {

namespace fs = std::filesystem;
using store::Cursor;
using store::Store;
using store::Tx;

/// The metadata tables of the latest migration, in an order that satisfies every foreign key
/// (referenced tables first). gridbase_migrations is filled by Migrate on the target.
constexpr const char* kMetaTables[] = {
    "users",
    "instance_settings",
    "blacklisted_tokens",
    "workspaces",
    "workspace_users",
    "applications",
    "database_tables",
    "fields",
    "select_options",
    "database_tokens",
    "database_token_grants",
    "workspace_invitations",
    "events",
    "event_consumers",
    "webhooks",
    "webhook_events",
    "webhook_headers",
    "webhook_calls",
    "webhook_deliveries",
    "gridbase_secrets",
    "views",
    "view_filter_groups",
    "view_filters",
    "view_sorts",
    "view_group_bys",
    "view_field_options",
    "bb_user",
    "bb_user_section",
    "bb_role",
    "bb_user_role",
    "bb_collection",
    "bb_node",
    "bb_acl",
    "bb_link",
    "bb_file",
    "bb_file_content",
    "bb_projection",
};

/// Rows per transaction on the target (several INSERT batches).
constexpr size_t kBatchesPerTransaction = 10;

class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// --- endpoints ------------------------------------------------------------------------

struct Endpoint {
  bool postgres = false;
  std::string url;   // PostgreSQL URL
  std::string path;  // SQLite file
  std::string shown;
};

/// The URL with its password (user:password@ and password=…) hidden.
std::string Redacted(const std::string& url) {
  std::string out = url;
  auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    auto at = out.find('@', scheme + 3);
    auto slash = out.find('/', scheme + 3);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      auto colon = out.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (size_t pos = out.find("password="); pos != std::string::npos; pos = out.find("password=", pos + 1)) {
    size_t end = out.find_first_of("& ", pos);
    if (end == std::string::npos) end = out.size();
    out.replace(pos + 9, end - pos - 9, "***");
  }
  return out;
}

Endpoint ParseEndpoint(const std::string& flag, const std::string& url, const std::string& data_dir) {
  Endpoint e;
  if (url.empty()) {
    if (data_dir.empty()) throw ConfigError(flag + " or " + flag + "-data-dir is required");
    e.path = (fs::path(data_dir) / "gridbase.db").string();
  } else if (store::IsPostgresUrl(url)) {
    if (!data_dir.empty()) {
      throw ConfigError(flag +
                        "-data-dir: only for SQLite databases (PostgreSQL keeps the secret key in the database)");
    }
    e.postgres = true;
    e.url = url;
    e.shown = Redacted(url);
    return e;
  } else if (url.rfind("sqlite:///", 0) == 0) {
    e.path = url.substr(9);  // keeps the leading '/'
  } else if (url.rfind("sqlite://", 0) == 0) {
    e.path = url.substr(9);
  } else if (url.rfind("sqlite:", 0) == 0) {
    e.path = url.substr(7);
  } else {
    throw ConfigError(flag + ": unsupported URL " + Redacted(url) +
                      " (expected sqlite:///abs/path.db, sqlite:relative.db or postgresql://user@host:port/database)");
  }
  if (e.path.empty()) throw ConfigError(flag + ": the URL names no file");
  e.shown = "sqlite:" + e.path;
  return e;
}

/// Where the SQLite endpoint's server keeps its secret_key file.
fs::path SecretFile(const Endpoint& e, const std::string& data_dir) {
  if (!data_dir.empty()) return fs::path(data_dir) / "secret_key";
  return fs::absolute(fs::path(e.path)).parent_path() / "secret_key";
}

std::unique_ptr<Store> Open(const Endpoint& e, const std::string& flag) {
  try {
    if (e.postgres) return store::OpenPostgresStore(e.url, 1);
    return store::OpenSqliteStore(e.path, 1);
  } catch (const std::exception& ex) {
    throw ConfigError(flag + ": cannot open " + e.shown + ": " + ex.what());
  }
}

// --- catalog ----------------------------------------------------------------------------

enum class Kind { kInt, kReal, kText };

Kind KindOfDeclared(std::string_view declared) {
  std::string up(declared);
  for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (up.find("INT") != std::string::npos) return Kind::kInt;
  if (up.find("REAL") != std::string::npos || up.find("DOUB") != std::string::npos ||
      up.find("FLOA") != std::string::npos) {
    return Kind::kReal;
  }
  return Kind::kText;
}

struct Column {
  std::string name;
  std::string declared;  // the engine's declared type (SQLite: as written; PostgreSQL: data_type)
  bool not_null = false;
  std::optional<std::string> default_sql;
  Kind kind = Kind::kText;
};

std::vector<std::string> ListTables(Tx& tx) {
  std::vector<std::string> out;
  auto c = tx.dialect().postgres()
               ? tx.Query(
                     "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                     "AND table_type = 'BASE TABLE' ORDER BY table_name")
               : tx.Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  while (c->Next()) out.push_back(c->String(0));
  return out;
}

std::vector<Column> ListColumns(Tx& tx, const std::string& table) {
  std::vector<Column> out;
  if (tx.dialect().postgres()) {
    auto c = tx.Query(
        "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
        table);
    while (c->Next()) {
      Column col;
      col.name = c->String(0);
      col.declared = c->String(1);
      col.not_null = c->Text(2) == "NO";
      if (!c->IsNull(3)) col.default_sql = c->String(3);
      col.kind = KindOfDeclared(col.declared);
      out.push_back(std::move(col));
    }
  } else {
    auto c = tx.Query("SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info(?) ORDER BY cid", table);
    while (c->Next()) {
      Column col;
      col.name = c->String(0);
      col.declared = c->String(1);
      col.not_null = c->Int(2) != 0;
      if (!c->IsNull(3)) col.default_sql = c->String(3);
      col.kind = KindOfDeclared(col.declared);
      out.push_back(std::move(col));
    }
  }
  return out;
}

/// The table's own indexes (not those behind PRIMARY KEY / UNIQUE constraints).
std::set<std::string> ListIndexes(Tx& tx, const std::string& table) {
  std::set<std::string> out;
  auto c =
      tx.dialect().postgres()
          ? tx.Query("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?", table)
          : tx.Query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", table);
  while (c->Next()) {
    std::string name = c->String(0);
    if (name.size() > 5 && name.compare(name.size() - 5, 5, "_pkey") == 0) continue;
    out.insert(std::move(name));
  }
  return out;
}

std::string Quote(const std::string& ident) {
  std::string out = "\"";
  for (char c : ident) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

int64_t CountRows(Tx& tx, const std::string& table) { return tx.QueryInt("SELECT COUNT(*) FROM " + table).value_or(0); }

const std::regex& UserTableRe() {
  static const std::regex re("^tbl_([0-9]+)$");
  return re;
}
/// Search side tables (SQLite FTS5 tables and their shadow tables, the dirty-row lists;
/// PostgreSQL's tsvector table): rebuilt on use, never copied.
const std::regex& SearchTableRe() {
  static const std::regex re("^tbl_[0-9]+_(fts|tri|tri_dirty)(_[a-z]+)?$");
  return re;
}
/// Indexes of user tables that are recreated by their field: tbl_<t>_field_<f>_<kind>.
const std::regex& FieldIndexRe() {
  static const std::regex re("^tbl_[0-9]+_field_([0-9]+)_(idx|auto|uniq|trgm)$");
  return re;
}

// --- values and checksums -------------------------------------------------------------

struct Cell {
  bool null = true;
  int64_t i = 0;
  double d = 0;
  std::string s;
};

void ReadCell(const Cursor& c, int col, Kind kind, Cell& out) {
  out.null = c.IsNull(col);
  if (out.null) return;
  switch (kind) {
    case Kind::kInt:
      out.i = c.Int(col);
      break;
    case Kind::kReal:
      out.d = c.Real(col);
      break;
    case Kind::kText:
      out.s.assign(c.Text(col));
      break;
  }
}

/// A canonical text of one value: the same on both engines for the same value.
void AppendCanonical(std::string& out, const Cell& cell, Kind kind) {
  if (cell.null) {
    out += "N;";
    return;
  }
  switch (kind) {
    case Kind::kInt:
      out += 'i';
      out += std::to_string(cell.i);
      break;
    case Kind::kReal: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", cell.d);
      out += 'r';
      out += buf;
      break;
    }
    case Kind::kText:
      out += 't';
      out += std::to_string(cell.s.size());
      out += ':';
      out += cell.s;
      break;
  }
  out += ';';
}

/// An order-independent digest of a multiset of rows: the sums (mod 2^64) of the two halves
/// of the first 128 bits of each row's SHA-256, and the row count. Text keys sort differently
/// on the two engines; the sum does not care.
struct Digest {
  int64_t rows = 0;
  uint64_t a = 0, b = 0;
  void Add(const std::string& canonical) {
    std::string hex = util::Sha256Hex(canonical);
    a += std::stoull(hex.substr(0, 16), nullptr, 16);
    b += std::stoull(hex.substr(16, 16), nullptr, 16);
    ++rows;
  }
  std::string Hex() const { return fmt::format("{:016x}{:016x}", a, b); }
  bool operator==(const Digest& o) const { return rows == o.rows && a == o.a && b == o.b; }
};

// --- plan -------------------------------------------------------------------------------

struct FieldInfo {
  types::Field field;
  bool trashed = false;
  const types::FieldType* type = nullptr;
};

struct TablePlan {
  std::string name;             // SQL name
  std::string label;            // shown
  std::vector<Column> columns;  // source columns: copied and checksummed in this order
  int id_col = -1;              // index of `id` in columns; -1: copied whole
  /// Columns written with a fixed integer instead of the source's value (and checksummed so).
  std::map<std::string, int64_t> forced;
  int64_t source_rows = 0;
  int64_t user_table_id = 0;            // tbl_<id>; 0 for metadata tables
  bool baasbox = false;                 // a BaasBox collection's table (bb_* columns)
  std::set<int64_t> projections;        // its projection columns bbp_<id>_s/_n, by projection id
  std::map<int64_t, FieldInfo> fields;  // user tables: the fields with a column, by id
  std::set<std::string> indexes;        // user tables: the source's indexes to recreate

  // Filled while moving.
  int64_t copied = 0;
  int64_t max_id = 0;
  std::optional<int64_t> source_sequence;  // the largest id the source ever gave out
  Digest source_digest, target_digest;
  std::set<std::string> target_indexes;
  std::vector<std::string> notes;
};

std::string SafeLabel(std::string_view s) {
  std::string out;
  for (unsigned char c : s) out += c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c);
  if (out.size() > 40) out = out.substr(0, 37) + "...";
  return out;
}

std::string SelectList(const TablePlan& t) {
  std::string out;
  for (const auto& c : t.columns) {
    if (!out.empty()) out += ", ";
    out += Quote(c.name);
  }
  return out;
}

/// Reads the row at the cursor into `cells` (appending), applying forced values.
void ReadRow(const Cursor& c, const TablePlan& t, std::vector<Cell>& cells, bool apply_forced) {
  for (size_t i = 0; i < t.columns.size(); ++i) {
    Cell cell;
    ReadCell(c, static_cast<int>(i), t.columns[i].kind, cell);
    if (apply_forced && !t.forced.empty()) {
      auto it = t.forced.find(t.columns[i].name);
      if (it != t.forced.end()) cell = Cell{false, it->second, 0, {}};
    }
    cells.push_back(std::move(cell));
  }
}

/// Visits every row of `t` in `tx` (paged by id where there is one), one callback per row.
void ForEachRow(Tx& tx, const TablePlan& t, size_t page, const std::function<void(const Cursor&)>& fn) {
  std::string select = "SELECT " + SelectList(t) + " FROM " + t.name;
  if (t.id_col < 0) {
    auto c = tx.Query(select);
    while (c->Next()) fn(*c);
    return;
  }
  int64_t after = INT64_MIN;
  while (true) {
    auto c = tx.Query(select + " WHERE id > ? ORDER BY id LIMIT ?", after, static_cast<int64_t>(page));
    size_t n = 0;
    while (c->Next()) {
      fn(*c);
      after = c->Int(t.id_col);
      ++n;
    }
    if (n < page) return;
  }
}

Digest Checksum(Tx& tx, const TablePlan& t, bool apply_forced, const std::function<void(int64_t)>& on_rows = {}) {
  Digest d;
  std::vector<Cell> cells;
  std::string canonical;
  ForEachRow(tx, t, 5000, [&](const Cursor& c) {
    cells.clear();
    ReadRow(c, t, cells, apply_forced);
    canonical.clear();
    for (size_t i = 0; i < cells.size(); ++i) AppendCanonical(canonical, cells[i], t.columns[i].kind);
    d.Add(canonical);
    if (on_rows && d.rows % 1000 == 0) on_rows(d.rows);
  });
  return d;
}

// --- progress ---------------------------------------------------------------------------

class Progress {
 public:
  Progress() : tty_(::isatty(STDERR_FILENO) == 1) {}

  void Begin(const std::string& label, int64_t total, std::string unit = "rows") {
    label_ = label;
    unit_ = std::move(unit);
    total_ = total;
    started_ = std::chrono::steady_clock::now();
    last_draw_ = {};
    Update(0);
  }
  void Update(int64_t done) {
    if (!tty_) return;
    auto now = std::chrono::steady_clock::now();
    if (done != 0 && done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    std::cerr << "\r" << Line(done) << "\x1b[K" << std::flush;
  }
  void End(int64_t done) {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    std::string line = Line(done) + fmt::format("  {:.1f} s", s);
    if (tty_)
      std::cerr << "\r" << line << "\x1b[K\n" << std::flush;
    else
      std::cerr << line << "\n" << std::flush;
  }

 private:
  std::string Line(int64_t done) const {
    constexpr int kWidth = 24;
    int filled = total_ > 0 ? static_cast<int>(std::min<int64_t>(kWidth, done * kWidth / total_)) : kWidth;
    int pct = total_ > 0 ? static_cast<int>(std::min<int64_t>(100, done * 100 / total_)) : 100;
    return fmt::format("  {:<44} [{}{}] {:>3}% {:>10} / {} {}", label_, std::string(filled, '#'),
                       std::string(kWidth - filled, '.'), pct, done, total_, unit_);
  }

  bool tty_;
  std::string label_, unit_;
  int64_t total_ = 0;
  std::chrono::steady_clock::time_point started_, last_draw_;
};

// --- copying ----------------------------------------------------------------------------

/// Writes rows of one table. PostgreSQL: one statement per batch that unnests one array
/// parameter per column (a small statement, prepared once per table: a multi-row VALUES
/// statement would hold megabytes in the server per prepared statement, and the PostgreSQL
/// backend keeps its prepared statements for the life of the connection). SQLite: a prepared
/// single-row INSERT per row (in process, that is as fast as batching).
class Inserter {
 public:
  Inserter(const TablePlan& t, bool postgres) : t_(t), postgres_(postgres) {
    sql_ = "INSERT INTO " + t.name + " (" + SelectList(t) + ") ";
    if (postgres_) {
      sql_ += "SELECT * FROM unnest(";
      for (size_t i = 0; i < t.columns.size(); ++i) {
        if (i) sql_ += ", ";
        const Kind k = t.columns[i].kind;
        sql_ += k == Kind::kInt    ? "CAST(? AS bigint[])"
                : k == Kind::kReal ? "CAST(? AS float8[])"
                                   : "CAST(? AS text[])";
      }
      sql_ += ")";
    } else {
      sql_ += "VALUES (";
      for (size_t i = 0; i < t.columns.size(); ++i) sql_ += i ? ", ?" : "?";
      sql_ += ")";
    }
  }

  /// Inserts the rows in `cells` (row-major).
  void Insert(Tx& dst, const std::vector<Cell>& cells) {
    const size_t width = t_.columns.size();
    const size_t rows = width ? cells.size() / width : 0;
    if (rows == 0) return;
    params_.clear();
    if (postgres_) {
      arrays_.assign(width, std::string());
      for (size_t c = 0; c < width; ++c) {
        std::string& a = arrays_[c];
        a += '{';
        for (size_t r = 0; r < rows; ++r) {
          const Cell& cell = cells[r * width + c];
          if (!cell.null && t_.columns[c].kind == Kind::kText && cell.s.find('\0') != std::string::npos) {
            throw Failure(fmt::format("{}.{}: a value holds a NUL character, which PostgreSQL text cannot store",
                                      t_.name, t_.columns[c].name));
          }
          if (r) a += ',';
          AppendElement(a, cell, t_.columns[c].kind);
        }
        a += '}';
        params_.emplace_back(std::string_view(a));
      }
      dst.ExecV(sql_, params_);
      return;
    }
    for (size_t r = 0; r < rows; ++r) {
      params_.clear();
      for (size_t c = 0; c < width; ++c) {
        const Cell& cell = cells[r * width + c];
        if (cell.null) {
          params_.emplace_back(std::monostate{});
          continue;
        }
        switch (t_.columns[c].kind) {
          case Kind::kInt:
            params_.emplace_back(cell.i);
            break;
          case Kind::kReal:
            params_.emplace_back(cell.d);
            break;
          case Kind::kText:
            params_.emplace_back(std::string_view(cell.s));
            break;
        }
      }
      dst.ExecV(sql_, params_);
    }
  }

 private:
  /// One element of a PostgreSQL array literal.
  static void AppendElement(std::string& out, const Cell& cell, Kind kind) {
    if (cell.null) {
      out += "NULL";
      return;
    }
    switch (kind) {
      case Kind::kInt:
        out += std::to_string(cell.i);
        break;
      case Kind::kReal: {
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof buf, cell.d);  // shortest text that reads back exactly
        out.append(buf, r.ptr);
        break;
      }
      case Kind::kText:
        out += '"';
        for (char ch : cell.s) {
          if (ch == '"' || ch == '\\') out += '\\';
          out += ch;
        }
        out += '"';
        break;
    }
  }

  const TablePlan& t_;
  const bool postgres_;
  std::string sql_;
  std::vector<std::string> arrays_;
  std::vector<store::Value> params_;
};

void CopyRows(Tx& src, Store& target, TablePlan& t, size_t batch, Progress& progress) {
  Inserter inserter(t, target.dialect().postgres());
  std::string select = "SELECT " + SelectList(t) + " FROM " + t.name;
  std::vector<Cell> cells;
  progress.Begin(t.label, t.source_rows);
  if (t.id_col < 0) {
    // A small keyed table (or one without a key): one transaction, streamed in batches.
    int64_t copied = 0;
    target.Write([&](Tx& dst) {
      copied = 0;
      cells.clear();
      auto c = src.Query(select);
      while (c->Next()) {
        ReadRow(*c, t, cells, true);
        if (cells.size() >= batch * t.columns.size()) {
          inserter.Insert(dst, cells);
          copied += static_cast<int64_t>(cells.size() / t.columns.size());
          cells.clear();
          progress.Update(copied);
        }
      }
      inserter.Insert(dst, cells);
      copied += static_cast<int64_t>(cells.size() / std::max<size_t>(1, t.columns.size()));
      cells.clear();
    });
    t.copied = copied;
    progress.End(t.copied);
    return;
  }
  int64_t after = INT64_MIN;
  bool done = false;
  while (!done) {
    int64_t new_after = after, copied = 0;
    // The body may run again (the PostgreSQL store retries a transaction that failed to
    // serialise): it starts over from `after` every time.
    target.Write([&](Tx& dst) {
      new_after = after;
      copied = 0;
      done = false;
      for (size_t k = 0; k < kBatchesPerTransaction && !done; ++k) {
        cells.clear();
        size_t n = 0;
        {
          auto c = src.Query(select + " WHERE id > ? ORDER BY id LIMIT ?", new_after, static_cast<int64_t>(batch));
          while (c->Next()) {
            ReadRow(*c, t, cells, true);
            new_after = c->Int(t.id_col);
            ++n;
          }
        }
        if (n > 0) inserter.Insert(dst, cells);
        copied += static_cast<int64_t>(n);
        if (n < batch) done = true;
        progress.Update(t.copied + copied);
      }
    });
    after = new_after;
    t.copied += copied;
    if (t.copied > 0) t.max_id = after;
  }
  progress.End(t.copied);
}

/// The largest id the source ever handed out for `table` (its sequence), if it knows one.
std::optional<int64_t> SourceSequence(Tx& src, const std::string& table) {
  if (src.dialect().postgres()) {
    return src.QueryInt("SELECT pg_sequence_last_value(CAST(pg_get_serial_sequence(?, 'id') AS regclass))", table);
  }
  return src.QueryInt("SELECT seq FROM sqlite_sequence WHERE name = ?", table);
}

/// Makes the next id of `table` on the target `last_used + 1`.
void SetSequence(Tx& dst, const std::string& table, int64_t last_used) {
  if (dst.dialect().postgres()) {
    if (last_used >= 1) {
      dst.QueryInt("SELECT setval(pg_get_serial_sequence(?, 'id'), ?, true)", table, last_used);
    } else {
      dst.QueryInt("SELECT setval(pg_get_serial_sequence(?, 'id'), 1, false)", table);
    }
    return;
  }
  if (last_used < 1) return;
  if (dst.Exec("UPDATE sqlite_sequence SET seq = ? WHERE name = ?", last_used, table) == 0) {
    dst.Exec("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", table, last_used);
  }
}

// --- user tables ------------------------------------------------------------------------

/// Loads the fields of a user table that own a column in the source.
void LoadFields(Tx& src, TablePlan& t) {
  auto c =
      src.Query("SELECT id, name, type, db_index, unique_with_empty, props, trashed FROM fields WHERE table_id = ?",
                t.user_table_id);
  while (c->Next()) {
    FieldInfo info;
    info.field.id = c->Int(0);
    info.field.table_id = t.user_table_id;
    info.field.name = c->String(1);
    info.field.type = c->String(2);
    info.field.db_index = c->Bool(3);
    info.field.unique_with_empty = c->Bool(4);
    boost::system::error_code ec;
    auto props = boost::json::parse(c->Text(5), ec);
    if (!ec && props.is_object()) info.field.props = std::move(props.as_object());
    info.trashed = c->Bool(6);
    info.type = types::FindFieldType(info.field.type);
    t.fields.emplace(info.field.id, std::move(info));
  }
}

/// The column type and default of a column on the target: the field type's, or (for a type
/// this build does not know, or one whose column has another kind in the source) the
/// source's own declaration in gridbase's portable spelling.
std::pair<std::string, std::string> TargetColumnType(const TablePlan& t, const Column& col, int64_t field_id,
                                                     std::vector<std::string>& notes) {
  auto it = t.fields.find(field_id);
  if (it != t.fields.end() && it->second.type && !it->second.type->column_type().empty() &&
      KindOfDeclared(it->second.type->column_type()) == col.kind) {
    return {std::string(it->second.type->column_type()), std::string(it->second.type->column_default())};
  }
  std::string type = col.kind == Kind::kInt ? "INTEGER" : col.kind == Kind::kReal ? "REAL" : "TEXT";
  std::string def;
  if (col.default_sql) {
    def = *col.default_sql;
    auto cast = def.find("::");  // PostgreSQL spells '' as ''::text
    if (cast != std::string::npos) def = def.substr(0, cast);
  }
  if (col.not_null) {
    type += " NOT NULL";
    if (def.empty()) def = col.kind == Kind::kText ? "''" : "0";
  }
  notes.push_back("column " + col.name + " recreated from the source's declaration (" + col.declared + ")");
  return {type, def};
}

void CreateUserTable(Tx& dst, const TablePlan& t, std::vector<std::string>& notes) {
  static const std::set<std::string> kBase = {"id", "ord", "created_on", "updated_on", "trashed"};
  store::CreateUserTable(dst, t.user_table_id);
  if (t.baasbox) baasbox::AddDocumentColumns(dst, t.user_table_id);
  for (int64_t p : t.projections) baasbox::AddProjectionColumns(dst, t.user_table_id, p);
  for (const auto& col : t.columns) {
    if (kBase.count(col.name) || baasbox::IsDocumentColumn(col.name) || baasbox::ProjectionColumnId(col.name)) continue;
    int64_t field_id = std::stoll(col.name.substr(6));  // checked "field_<id>" when planning
    auto [type, def] = TargetColumnType(t, col, field_id, notes);
    store::AddColumn(dst, t.user_table_id, col.name, type, def);
  }
}

void CreateUserIndexes(Tx& dst, const TablePlan& t, std::vector<std::string>& notes) {
  const std::string ord = t.name + "_ord";
  for (const auto& name : t.indexes) {
    if (name == ord || (t.baasbox && baasbox::IsDocumentIndex(t.name, name))) continue;  // made with the table
    std::smatch m;
    if (!std::regex_match(name, m, FieldIndexRe())) continue;  // refused when planning
    int64_t field_id = std::stoll(m[1].str());
    std::string kind = m[2].str();
    if (kind == "trgm") continue;  // PostgreSQL's substring search index: rebuilt on use
    if (kind == "idx") {
      store::SetColumnIndex(dst, t.user_table_id, field_id, true);
      continue;
    }
    auto it = t.fields.find(field_id);
    if (it == t.fields.end() || !it->second.type) {
      notes.push_back("index " + name + " not recreated: its field or field type is unknown");
      continue;
    }
    const FieldInfo& f = it->second;
    if (kind == "uniq") {
      store::SetUniqueIndex(dst, t.user_table_id, field_id, true, f.type->NonEmptySql(f.field.column()));
    } else {
      auto expr = f.type->IndexExpr(f.field);
      if (!expr) {
        notes.push_back("index " + name + " not recreated: the field type has no index expression");
        continue;
      }
      store::CreateAutoIndex(dst, t.user_table_id, field_id, *expr);
    }
  }
}

/// The indexes that verification compares: the search indexes are rebuilt on use.
std::set<std::string> ComparableIndexes(const std::set<std::string>& all) {
  std::set<std::string> out;
  for (const auto& name : all) {
    if (name.size() > 5 && name.compare(name.size() - 5, 5, "_trgm") == 0) continue;
    out.insert(name);
  }
  return out;
}

// --- the move ---------------------------------------------------------------------------

struct TargetState {
  int64_t users = 0, workspaces = 0, tables = 0, user_tables = 0;
  std::optional<int64_t> version;
  bool empty() const { return users == 0 && workspaces == 0 && tables == 0 && user_tables == 0; }
};

TargetState InspectTarget(Tx& tx) {
  TargetState s;
  std::set<std::string> tables;
  for (auto& name : ListTables(tx)) tables.insert(std::move(name));
  if (tables.count("users")) s.users = CountRows(tx, "users");
  if (tables.count("workspaces")) s.workspaces = CountRows(tx, "workspaces");
  if (tables.count("database_tables")) s.tables = CountRows(tx, "database_tables");
  for (const auto& name : tables) {
    if (std::regex_match(name, UserTableRe())) ++s.user_tables;
  }
  if (tables.count("gridbase_migrations")) s.version = tx.QueryInt("SELECT MAX(version) FROM gridbase_migrations");
  return s;
}

/// Refuses unless the source holds a gridbase instance at this build's migration version.
void CheckSource(Tx& src, const Endpoint& from) {
  auto tables = ListTables(src);
  if (std::find(tables.begin(), tables.end(), "gridbase_migrations") == tables.end()) {
    throw Failure("the source " + from.shown + " holds no gridbase instance (no gridbase_migrations table)");
  }
  int64_t version = src.QueryInt("SELECT MAX(version) FROM gridbase_migrations").value_or(0);
  int64_t latest = store::LatestMigrationVersion();
  if (version < latest) {
    throw Failure(fmt::format(
        "the source is at migration {} and this gridbase at {}: stop its server and run `gridbase migrate "
        "--database-url <the source>` (or start the new version on it once) first; move-store never changes the "
        "source",
        version, latest));
  }
  if (version > latest) {
    throw Failure(
        fmt::format("the source is at migration {}, newer than this gridbase ({}): use the gridbase "
                    "version that wrote it",
                    version, latest));
  }
}

/// Lists what to copy. Every table of the source must be known: a table this code does not
/// know (a migration added it and move-store was not taught) fails the move.
std::vector<TablePlan> Plan(Tx& src, std::vector<std::string>& warnings) {
  std::set<std::string> known(std::begin(kMetaTables), std::end(kMetaTables));
  std::map<int64_t, std::string> user_tables;  // tbl_<id> present in the source
  for (const auto& name : ListTables(src)) {
    std::smatch m;
    // bb_doc_count: the target's triggers count the copied rows, then it is rebuilt (below).
    if (known.count(name) || name == "gridbase_migrations" || name == "bb_doc_count" ||
        name.rfind("sqlite_", 0) == 0) {
      continue;
    }
    if (std::regex_match(name, SearchTableRe())) continue;
    if (std::regex_match(name, m, UserTableRe())) {
      user_tables.emplace(std::stoll(m[1].str()), name);
      continue;
    }
    throw Failure("the source has a table move-store does not know: " + name +
                  " (this gridbase cannot copy it; nothing was written)");
  }
  std::vector<TablePlan> plans;
  for (const char* name : kMetaTables) {
    TablePlan t;
    t.name = name;
    t.label = name;
    t.columns = ListColumns(src, name);
    if (t.columns.empty()) throw Failure(std::string("the source has no table ") + name);
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (t.columns[i].name == "id") t.id_col = static_cast<int>(i);
    }
    if (t.name == "database_tables") {
      // The search indexes are not copied: they are rebuilt on use.
      for (const char* col : {"fts_ready", "trigram_state", "trigram_upto"}) t.forced[col] = 0;
    }
    t.source_rows = CountRows(src, t.name);
    plans.push_back(std::move(t));
  }
  std::set<int64_t> listed;
  {
    auto c = src.Query("SELECT id, name FROM database_tables ORDER BY id");
    while (c->Next()) {
      int64_t id = c->Int(0);
      listed.insert(id);
      auto it = user_tables.find(id);
      if (it == user_tables.end()) {
        warnings.push_back(fmt::format("table {} ({}) has no tbl_{} in the source: only its metadata is copied", id,
                                       SafeLabel(c->Text(1)), id));
        continue;
      }
      TablePlan t;
      t.name = it->second;
      t.label = t.name + " (" + SafeLabel(c->Text(1)) + ")";
      t.user_table_id = id;
      plans.push_back(std::move(t));
    }
  }
  for (const auto& [id, name] : user_tables) {
    if (!listed.count(id)) warnings.push_back(name + " belongs to no table of the instance: not copied");
  }
  static const std::set<std::string> kBase = {"id", "ord", "created_on", "updated_on", "trashed"};
  static const std::regex field_re("^field_[0-9]+$");
  for (auto& t : plans) {
    if (!t.user_table_id) continue;
    t.columns = ListColumns(src, t.name);
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const auto& col = t.columns[i];
      if (col.name == "id") t.id_col = static_cast<int>(i);
      if (baasbox::IsDocumentColumn(col.name)) {
        t.baasbox = true;  // a BaasBox collection: its bb_* columns are recreated as a set
      } else if (auto p = baasbox::ProjectionColumnId(col.name)) {
        t.baasbox = true;
        t.projections.insert(*p);
      } else if (!kBase.count(col.name) && !std::regex_match(col.name, field_re)) {
        throw Failure("the source's " + t.name + " has a column move-store does not know: " + col.name);
      }
    }
    if (t.id_col < 0) throw Failure("the source's " + t.name + " has no id column");
    LoadFields(src, t);
    for (const auto& name : ListIndexes(src, t.name)) {
      if (name == t.name + "_ord" || std::regex_match(name, FieldIndexRe()) ||
          (t.baasbox && baasbox::IsDocumentIndex(t.name, name))) {
        t.indexes.insert(name);
      } else {
        warnings.push_back("index " + name + " of " + t.name + " is not gridbase's: not recreated");
      }
    }
    t.source_rows = CountRows(src, t.name);
  }
  return plans;
}

/// The migrated target has every column of the source's metadata tables.
void CheckTargetColumns(Tx& dst, const std::vector<TablePlan>& plans) {
  for (const auto& t : plans) {
    if (t.user_table_id) continue;
    auto target_columns = ListColumns(dst, t.name);
    for (const auto& col : t.columns) {
      bool found = std::any_of(target_columns.begin(), target_columns.end(),
                               [&](const Column& c) { return c.name == col.name; });
      if (!found) throw Failure("the target's table " + t.name + " has no column " + col.name);
    }
  }
}

/// SQLite stores any value in any column; the copy reads each column as its declared kind.
/// Refuses values of another storage class, which would change on the way.
void CheckStorageClasses(Tx& src, const TablePlan& t) {
  if (src.dialect().postgres() || t.columns.empty()) return;
  std::string sql = "SELECT ";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const auto& col = t.columns[i];
    if (i) sql += ", ";
    const char* allowed = col.kind == Kind::kInt    ? "'integer', 'null'"
                          : col.kind == Kind::kReal ? "'real', 'integer', 'null'"
                                                    : "'text', 'null'";
    sql += "COALESCE(SUM(typeof(" + Quote(col.name) + ") NOT IN (" + allowed + ")), 0)";
  }
  sql += " FROM " + t.name;
  auto c = src.Query(sql);
  if (!c->Next()) return;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (int64_t bad = c->Int(static_cast<int>(i)); bad > 0) {
      throw Failure(
          fmt::format("{}.{} (declared {}) holds {} value(s) of another type; they cannot be copied "
                      "unchanged (nothing was written)",
                      t.name, t.columns[i].name, t.columns[i].declared, bad));
    }
  }
}

std::optional<std::string> ReadSecretFile(const fs::path& path) {
  std::ifstream in(path);
  std::string key;
  if (!in || !std::getline(in, key)) return std::nullopt;
  auto trimmed = util::Trim(key);
  if (trimmed.empty()) return std::nullopt;
  return std::string(trimmed);
}

}  // namespace move_store_impl

int MoveStore(const MoveStoreOptions& options) {
  using namespace move_store_impl;
  util::InitCrypto();
  if (options.batch_rows == 0) throw ConfigError("--batch-rows must be at least 1");
  Endpoint from = ParseEndpoint("--from", options.from, options.from_data_dir);
  Endpoint to = ParseEndpoint("--to", options.to, options.to_data_dir);
  if (!from.postgres) {
    std::error_code ec;
    if (!fs::is_regular_file(from.path, ec)) throw ConfigError("--from: no SQLite database at " + from.path);
  }
  if (from.postgres == to.postgres) {
    bool same = from.postgres ? from.url == to.url : [&] {
      std::error_code ec;
      return fs::exists(to.path, ec) && fs::equivalent(from.path, to.path, ec);
    }();
    if (same) throw ConfigError("--from and --to name the same database");
  }

  std::cerr << "move-store: " << from.shown << " -> " << to.shown << "\n"
            << "  (stop every gridbase server on both databases first: writes made during the move are not copied)\n";
  auto source = Open(from, "--from");
  // Refused before the target is even opened (opening an SQLite target creates its file).
  try {
    source->Read([&](Tx& src) { CheckSource(src, from); });
  } catch (const Failure& e) {
    throw Failure(std::string("move-store: ") + e.what());
  }
  if (!to.postgres) {
    std::error_code ec;
    auto parent = fs::absolute(fs::path(to.path)).parent_path();
    fs::create_directories(parent, ec);
    if (!fs::is_directory(parent, ec)) throw ConfigError("--to: cannot create the directory " + parent.string());
  }
  auto target = Open(to, "--to");

  // The source's secret key (SQLite keeps it in the data dir; PostgreSQL in gridbase_secrets,
  // which is copied like any table).
  std::optional<std::string> secret;
  std::string secret_origin;
  if (!options.secret_key.empty()) {
    secret = options.secret_key;
    secret_origin = "--secret-key";
  } else if (!from.postgres) {
    fs::path file = SecretFile(from, options.from_data_dir);
    secret = ReadSecretFile(file);
    secret_origin = file.string();
    if (!secret) secret_origin = "(none: no secret key in " + file.string() + ")";
  }

  bool refused = false;
  bool target_written = false;
  std::vector<TablePlan> plans;
  std::vector<std::string> warnings;
  int64_t total_rows = 0;
  double copy_seconds = 0;
  try {
    Progress progress;
    // One snapshot of the source for the checks, the copy and the source side of verification.
    source->Read([&](Tx& src) {
      // 1. Both ends are fit: the source is an instance at this build's version whose tables
      //    move-store knows; the target holds no instance. Nothing is written before.
      CheckSource(src, from);
      plans = Plan(src, warnings);
      for (const auto& t : plans) {
        CheckStorageClasses(src, t);
        total_rows += t.source_rows;
      }
      TargetState before = target->ReadResult([](Tx& tx) { return InspectTarget(tx); });
      if (before.version && *before.version > store::LatestMigrationVersion()) {
        std::cerr << "gridbase: move-store: the target is at a migration newer than this gridbase; refusing to "
                     "touch it\n";
        refused = true;
        return;
      }
      if (!before.empty()) {
        std::cerr << fmt::format(
            "gridbase: move-store: the target {} is not empty ({} user(s), {} workspace(s), {} table(s), {} user "
            "table(s)); refusing to overwrite it, nothing was written. Move into a new, empty database.\n",
            to.shown, before.users, before.workspaces, before.tables, before.user_tables);
        refused = true;
        return;
      }

      // 2. The target's schema; leftovers of a server that ran on the empty target (its secret
      //    key, consumer positions…) make way for the source's.
      int applied = store::Migrate(*target);
      if (applied > 0) std::cerr << "  target: applied " << applied << " migration(s)\n";
      int64_t cleared = target->WriteResult([&](Tx& dst) {
        if (!InspectTarget(dst).empty()) throw Failure("the target stopped being empty while move-store prepared it");
        int64_t n = 0;
        for (auto it = std::rbegin(kMetaTables); it != std::rend(kMetaTables); ++it) {
          n += dst.Exec(std::string("DELETE FROM ") + *it);
        }
        return n;
      });
      if (cleared > 0) {
        std::cerr << "  target: cleared " << cleared
                  << " leftover row(s) of a server that ran on it (secret key, settings, consumer positions)\n";
      }
      target->Read([&](Tx& probe) { CheckTargetColumns(probe, plans); });
      for (const auto& w : warnings) std::cerr << "  warning: " << w << "\n";

      // 3. The copy.
      std::cerr << fmt::format("copying {} table(s), {} row(s)\n", plans.size(), total_rows);
      auto started = std::chrono::steady_clock::now();
      target_written = true;
      for (auto& t : plans) {
        if (t.user_table_id) {
          target->Write([&](Tx& dst) {
            std::vector<std::string> notes;
            CreateUserTable(dst, t, notes);
            t.notes = std::move(notes);
          });
        }
        CopyRows(src, *target, t, options.batch_rows, progress);
        if (t.user_table_id && !t.indexes.empty()) {
          target->Write([&](Tx& dst) {
            std::vector<std::string> notes;
            CreateUserIndexes(dst, t, notes);
            t.notes.insert(t.notes.end(), notes.begin(), notes.end());
          });
        }
        for (const auto& n : t.notes) std::cerr << "    note: " << t.name << ": " << n << "\n";
        if (t.id_col >= 0) t.source_sequence = SourceSequence(src, t.name);
      }
      // Ids continue after the largest id the source ever gave out (deleted rows' ids are not reused).
      target->Write([&](Tx& dst) {
        for (const auto& t : plans) {
          if (t.id_col < 0) continue;
          SetSequence(dst, t.name, std::max(t.max_id, t.source_sequence.value_or(0)));
        }
      });
      // The BaasBox document counters, recomputed from what was copied.
      target->Write([&](Tx& dst) {
        dst.Exec("DELETE FROM bb_doc_count");
        for (const auto& t : plans) {
          if (t.baasbox) store::RebuildDocCounts(dst, t.user_table_id);
        }
      });
      copy_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::cerr << fmt::format("copied {} row(s) in {:.1f} s ({:.0f} rows/s)\n", total_rows, copy_seconds,
                               copy_seconds > 0 ? static_cast<double>(total_rows) / copy_seconds : 0.0);

      if (to.postgres) {
        // Planner statistics now rather than when autovacuum gets round to the new tables.
        target->Write([&](Tx& dst) { dst.Exec("ANALYZE"); });
      }

      // 4. Verification: counts, checksums, the user tables' indexes.
      std::cerr << "verifying (row counts and checksums on both sides)\n";
      auto verify_started = std::chrono::steady_clock::now();
      for (auto& t : plans) {
        progress.Begin(t.label, 2 * t.source_rows, "rows checked (source + target)");
        t.source_digest = Checksum(src, t, /*apply_forced=*/true, [&](int64_t n) { progress.Update(n); });
        target->Read([&](Tx& dst) {
          int64_t base = t.source_digest.rows;
          t.target_digest = Checksum(dst, t, /*apply_forced=*/false, [&](int64_t n) { progress.Update(base + n); });
          if (t.user_table_id) t.target_indexes = ListIndexes(dst, t.name);
        });
        progress.End(t.source_digest.rows + t.target_digest.rows);
      }
      std::cerr << fmt::format(
          "verified in {:.1f} s\n",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - verify_started).count());
    });
    if (refused) {
      source->Close();
      target->Close();
      return 1;
    }

    // 5. The secret key, after the tables (gridbase_secrets is verified as the source has it).
    std::string secret_note;
    if (secret) {
      if (to.postgres) {
        target->Write([&](Tx& dst) {
          if (dst.Exec("UPDATE gridbase_secrets SET value = ? WHERE name = 'secret_key'", *secret) == 0) {
            dst.Exec("INSERT INTO gridbase_secrets (name, value) VALUES ('secret_key', ?)", *secret);
          }
        });
        secret_note = "secret key: copied from " + secret_origin +
                      " into the target's gridbase_secrets: sessions, JWTs and database tokens stay valid";
      }
    } else if (from.postgres) {
      secret = target->ReadResult(
          [](Tx& dst) { return dst.QueryText("SELECT value FROM gridbase_secrets WHERE name = 'secret_key'"); });
      secret_origin = "the source's gridbase_secrets";
    }
    if (secret && !to.postgres) {
      fs::path file = SecretFile(to, options.to_data_dir);
      std::error_code ec;
      fs::create_directories(file.parent_path(), ec);
      {
        std::ofstream out(file, std::ios::trunc);
        if (!out) throw Failure("cannot write the secret key to " + file.string());
        out << *secret << "\n";
      }
      ::chmod(file.c_str(), 0600);
      secret_note = "secret key: copied from " + secret_origin + " to " + file.string() +
                    ": sessions, JWTs and database tokens stay valid when the target server's --data-dir is " +
                    file.parent_path().string();
    }
    if (!secret) {
      secret_note = "secret key: " + secret_origin +
                    "; if the source server ran with --secret-key/GRIDBASE_SECRET_KEY, run the target server with the "
                    "same key (or pass it to move-store with --secret-key), else sessions and database tokens stop "
                    "working";
    }

    // 6. Summary.
    std::cout << fmt::format("{:<44} {:>12} {:>12}  {:<32}  {}\n", "table", "source rows", "target rows", "checksum",
                             "result");
    int bad = 0;
    for (const auto& t : plans) {
      std::string result = "ok";
      if (t.source_digest.rows != t.target_digest.rows || t.source_rows != t.source_digest.rows) {
        result = "MISMATCH (row count)";
      } else if (!(t.source_digest == t.target_digest)) {
        result = "MISMATCH (checksum)";
      } else if (t.user_table_id && ComparableIndexes(t.indexes) != ComparableIndexes(t.target_indexes)) {
        result = "MISMATCH (indexes)";
      }
      if (result != "ok") ++bad;
      std::cout << fmt::format("{:<44} {:>12} {:>12}  {:<32}  {}\n", t.label, t.source_digest.rows,
                               t.target_digest.rows, t.target_digest.Hex(), result);
    }
    std::cout << std::flush;
    std::cerr << secret_note << "\n";
    source->Close();
    target->Close();
    if (bad > 0) {
      std::cout << fmt::format("move-store: {} of {} table(s) differ between source and target\n", bad, plans.size());
      std::cerr << "gridbase: move-store: verification failed; drop the target and move again (with every server "
                   "stopped)\n";
      return 1;
    }
    std::cout << fmt::format(
        "move-store: verified {} table(s), {} row(s): row counts and checksums match ({:.0f} rows/s)\n", plans.size(),
        total_rows, copy_seconds > 0 ? static_cast<double>(total_rows) / copy_seconds : 0.0);
    return 0;
  } catch (const std::exception& e) {
    std::string msg = std::string("move-store: ") + e.what();
    if (target_written) {
      msg +=
          "\nthe target now holds a partial copy: drop it (PostgreSQL: DROP DATABASE and CREATE DATABASE; "
          "SQLite: delete the file) before moving again";
    }
    throw Failure(msg);
  }
}

}  // namespace gridbase::app
