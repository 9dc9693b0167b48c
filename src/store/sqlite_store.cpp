#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/store.hpp"
#include "util/strings.hpp"
#include "util/dates.hpp"
#include "util/geo.hpp"

namespace gridbase::store {

namespace {

/// gb_local_datetime(value, tz): a stored date-time text or microseconds integer, as the
/// local date-time text ("YYYY-MM-DDTHH:MM:SS.ffffff") in time zone `tz` ('' = UTC).
void LocalDateTimeFn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (argc != 2 || sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  int64_t micros;
  if (sqlite3_value_type(argv[0]) == SQLITE_INTEGER) {
    micros = sqlite3_value_int64(argv[0]);
  } else {
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    auto parsed = util::ParseStoredDateTime(text ? text : "");
    if (!parsed) return sqlite3_result_null(ctx);
    micros = *parsed;
  }
  const auto* tz_text = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
  std::string_view tz = tz_text ? tz_text : "";
  auto date = util::LocalDate(micros, tz);
  int64_t sod = util::LocalSecondsOfDay(micros, tz);
  int64_t frac = ((micros % 1000000) + 1000000) % 1000000;
  int64_t local = (util::DaysFromCivil(date) * 86400 + sod) * 1000000 + frac;
  std::string out = util::StoredDateTime(local);
  sqlite3_result_text(ctx, out.c_str(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
}

/// gb_format_date(value, tz, date_format, include_time, time_format): a date cell (date text,
/// stored date-time text or microseconds) as Baserow's text conversion prints it.
void FormatDateFn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (argc != 5 || sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  auto text_arg = [&](int i) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(argv[i]));
    return std::string(p ? p : "");
  };
  std::string tz = text_arg(1), date_format = text_arg(2), time_format = text_arg(4);
  bool include_time = sqlite3_value_int(argv[3]) != 0;
  std::string out;
  if (sqlite3_value_type(argv[0]) == SQLITE_INTEGER) {
    int64_t micros = sqlite3_value_int64(argv[0]);
    out = util::FormatDateDisplay(util::LocalDate(micros, tz),
                                  include_time ? std::optional<int64_t>(util::LocalSecondsOfDay(micros, tz)) : std::nullopt,
                                  date_format, time_format);
  } else {
    std::string value = text_arg(0);
    if (value.size() == 10) {
      auto d = util::ParseIsoDate(value);
      if (!d) return sqlite3_result_null(ctx);
      out = util::FormatDateDisplay(*d, std::nullopt, date_format, time_format);
    } else {
      auto micros = util::ParseStoredDateTime(value);
      if (!micros) return sqlite3_result_null(ctx);
      out = util::FormatDateDisplay(util::LocalDate(*micros, tz),
                                    include_time ? std::optional<int64_t>(util::LocalSecondsOfDay(*micros, tz))
                                                 : std::nullopt,
                                    date_format, time_format);
    }
  }
  sqlite3_result_text(ctx, out.c_str(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
}

/// gb_lower(text) / gb_upper(text): Unicode simple case mapping (util::Utf8CaseMap); NULL and
/// non-text values give NULL.
template <bool kUpper>
void CaseMapFn(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) != SQLITE_TEXT) {
    sqlite3_result_null(ctx);
    return;
  }
  auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  std::string out = util::Utf8CaseMap(std::string_view(text, static_cast<size_t>(sqlite3_value_bytes(argv[0]))), kUpper);
  sqlite3_result_text(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
}

/// gb_distance(lat1, lon1, lat2, lon2): the BaasBox where/fields distance() (util::HaversineKm,
/// degrees in, km out); NULL unless all four arguments are numbers (INTEGER or REAL).
void DistanceFn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  double v[4];
  for (int i = 0; i < 4; ++i) {
    int type = i < argc ? sqlite3_value_type(argv[i]) : SQLITE_NULL;
    if (type != SQLITE_INTEGER && type != SQLITE_FLOAT) return sqlite3_result_null(ctx);
    // An INTEGER becomes the nearest double, as the evaluator's static_cast<double>.
    v[i] = type == SQLITE_INTEGER ? static_cast<double>(sqlite3_value_int64(argv[i])) : sqlite3_value_double(argv[i]);
  }
  sqlite3_result_double(ctx, util::HaversineKm(v[0], v[1], v[2], v[3]));
}

/// gb_contains_word(text, word): case-insensitive whole-word match (PostgreSQL's \m…\M).
void ContainsWordFn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (argc != 2 || sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_int(ctx, 0);
  auto lower = [](const unsigned char* p) {
    std::string s = p ? reinterpret_cast<const char*>(p) : "";
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::string text = lower(sqlite3_value_text(argv[0]));
  std::string word = lower(sqlite3_value_text(argv[1]));
  if (word.empty()) return sqlite3_result_int(ctx, 0);
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80); };
  for (size_t pos = text.find(word); pos != std::string::npos; pos = text.find(word, pos + 1)) {
    bool left = pos == 0 || !is_word(text[pos - 1]);
    size_t end = pos + word.size();
    bool right = end >= text.size() || !is_word(text[end]);
    if (left && right) return sqlite3_result_int(ctx, 1);
  }
  sqlite3_result_int(ctx, 0);
}

class SqliteDialect final : public Dialect {
 public:
  std::string_view name() const override { return "sqlite"; }
  std::string_view AutoIdPrimaryKey() const override {
    return "INTEGER PRIMARY KEY AUTOINCREMENT";
  }
  std::string_view IndexNullsFirst() const override { return ""; }
};

const SqliteDialect kSqliteDialect;

[[noreturn]] void ThrowSqlite(sqlite3* db, int rc, std::string_view what) {
  StoreErrorKind kind = StoreErrorKind::kOther;
  int primary = rc & 0xFF;
  if (primary == SQLITE_CONSTRAINT) kind = StoreErrorKind::kConstraint;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) kind = StoreErrorKind::kBusy;
  if (primary == SQLITE_INTERRUPT) kind = StoreErrorKind::kTimeout;
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  throw StoreError(kind, msg);
}

/// One SQLite connection with its prepared-statement cache.
class Connection {
 public:
  Connection(const std::string& path, bool writer) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (writer) flags |= SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close_v2(db_);
      db_ = nullptr;
      throw StoreError(StoreErrorKind::kOther, "cannot open " + path + ": " + msg);
    }
    sqlite3_busy_timeout(db_, 5000);
    sqlite3_create_function_v2(db_, "gb_local_datetime", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                               &LocalDateTimeFn, nullptr, nullptr, nullptr);
    sqlite3_create_function_v2(db_, "gb_format_date", 5, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, &FormatDateFn,
                               nullptr, nullptr, nullptr);
    sqlite3_create_function_v2(db_, "gb_contains_word", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                               &ContainsWordFn, nullptr, nullptr, nullptr);
    sqlite3_create_function_v2(db_, "gb_lower", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, &CaseMapFn<false>,
                               nullptr, nullptr, nullptr);
    sqlite3_create_function_v2(db_, "gb_upper", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, &CaseMapFn<true>,
                               nullptr, nullptr, nullptr);
    sqlite3_create_function_v2(db_, "gb_distance", 4, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, &DistanceFn,
                               nullptr, nullptr, nullptr);
    ExecRaw("PRAGMA foreign_keys=ON");
    ExecRaw("PRAGMA cache_size=-16000");
    if (writer) {
      ExecRaw("PRAGMA journal_mode=WAL");
      // NORMAL in WAL mode: a committed transaction survives a crash of the process (the
      // WAL append is written before COMMIT returns); only an OS crash may lose the last ones.
      ExecRaw("PRAGMA synchronous=NORMAL");
    }
  }
  ~Connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    if (db_) sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() { return db_; }

  void ExecRaw(const char* sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      StoreErrorKind kind = (rc & 0xFF) == SQLITE_BUSY ? StoreErrorKind::kBusy : StoreErrorKind::kOther;
      throw StoreError(kind, std::string(sql) + ": " + msg);
    }
  }

  /// A cached statement, or a fresh one when the cached one is still in use by a cursor.
  sqlite3_stmt* Prepare(std::string_view sql, bool* owned) {
    auto it = cache_.find(std::string(sql));
    if (it != cache_.end() && !sqlite3_stmt_busy(it->second)) {
      *owned = false;
      return it->second;
    }
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) ThrowSqlite(db_, rc, "prepare");
    if (it == cache_.end()) {
      cache_.emplace(std::string(sql), stmt);
      *owned = false;
    } else {
      *owned = true;
    }
    return stmt;
  }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

void Bind(sqlite3* db, sqlite3_stmt* stmt, std::span<const Value> params) {
  for (size_t i = 0; i < params.size(); ++i) {
    int idx = static_cast<int>(i + 1);
    int rc = std::visit(
        [&](const auto& v) -> int {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            return sqlite3_bind_null(stmt, idx);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            return sqlite3_bind_int64(stmt, idx, v);
          } else if constexpr (std::is_same_v<T, double>) {
            return sqlite3_bind_double(stmt, idx, v);
          } else {
            return sqlite3_bind_text(stmt, idx, v.data(), static_cast<int>(v.size()),
                                     SQLITE_TRANSIENT);
          }
        },
        params[i]);
    if (rc != SQLITE_OK) ThrowSqlite(db, rc, "bind");
  }
}

class SqliteCursor final : public Cursor {
 public:
  SqliteCursor(sqlite3* db, sqlite3_stmt* stmt, bool owned) : db_(db), stmt_(stmt), owned_(owned) {}
  ~SqliteCursor() override {
    if (owned_) {
      sqlite3_finalize(stmt_);
    } else {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }
  bool Next() override {
    if (done_) return false;
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    done_ = true;
    if (rc == SQLITE_DONE) return false;
    ThrowSqlite(db_, rc, "step");
  }
  bool IsNull(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t Int(int col) const override { return sqlite3_column_int64(stmt_, col); }
  double Real(int col) const override { return sqlite3_column_double(stmt_, col); }
  std::string_view Text(int col) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    if (!p) return {};
    return std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  int ColumnCount() const override { return sqlite3_column_count(stmt_); }
  std::string ColumnName(int col) const override {
    const char* n = sqlite3_column_name(stmt_, col);
    return n ? n : "";
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool owned_;
  bool done_ = false;
};

class SqliteTx final : public Tx {
 public:
  explicit SqliteTx(Connection& conn) : conn_(conn) {}
  ~SqliteTx() override {
    if (limited_) sqlite3_progress_handler(conn_.db(), 0, nullptr, nullptr);  // COMMIT/ROLLBACK run unlimited
  }
  SqliteTx(const SqliteTx&) = delete;
  SqliteTx& operator=(const SqliteTx&) = delete;

  void LimitTime(std::chrono::milliseconds limit) override {
    deadline_ = std::chrono::steady_clock::now() + limit;
    limited_ = true;
    // Asked every ~10,000 virtual-machine steps (well under a millisecond); non-zero interrupts.
    sqlite3_progress_handler(conn_.db(), 10000, &SqliteTx::Progress, this);
  }
  const Dialect& dialect() const override { return kSqliteDialect; }

  int64_t ExecV(std::string_view sql, std::span<const Value> params) override {
    bool owned = false;
    sqlite3_stmt* stmt = conn_.Prepare(sql, &owned);
    SqliteCursor cursor(conn_.db(), stmt, owned);
    Bind(conn_.db(), stmt, params);
    while (cursor.Next()) {
    }
    return sqlite3_changes64(conn_.db());
  }

  std::unique_ptr<Cursor> QueryV(std::string_view sql, std::span<const Value> params) override {
    bool owned = false;
    sqlite3_stmt* stmt = conn_.Prepare(sql, &owned);
    auto cursor = std::make_unique<SqliteCursor>(conn_.db(), stmt, owned);
    Bind(conn_.db(), stmt, params);
    return cursor;
  }

 private:
  static int Progress(void* self) {
    return std::chrono::steady_clock::now() > static_cast<SqliteTx*>(self)->deadline_ ? 1 : 0;
  }

  Connection& conn_;
  bool limited_ = false;
  std::chrono::steady_clock::time_point deadline_;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::string& path, int readers) : path_(path) {
    writer_ = std::make_unique<Connection>(path, /*writer=*/true);
    for (int i = 0; i < std::max(1, readers); ++i) {
      readers_.push_back(std::make_unique<Connection>(path, /*writer=*/false));
      free_.push_back(readers_.back().get());
    }
    // Checkpoints (copying the WAL into the database file, with its fsyncs) run on their own
    // connection and thread, never inside a writer's COMMIT: SQLite's automatic checkpoint
    // would stall every write behind them. A passive checkpoint never blocks the writer.
    checkpointer_ = std::make_unique<Connection>(path, /*writer=*/false);
    // Readers keep a larger page cache: list and search queries of big tables re-read the
    // same pages, and each miss is a pread (a syscall that is expensive on this VM).
    for (auto& r : readers_) r->ExecRaw("PRAGMA cache_size=-40000");
    writer_->ExecRaw("PRAGMA wal_autocheckpoint=0");
    // A WAL that grew during a burst is cut back to 64 MiB once a checkpoint has emptied it.
    writer_->ExecRaw("PRAGMA journal_size_limit=67108864");
    sqlite3_wal_hook(writer_->db(), &SqliteStore::WalHook, this);
    checkpoint_thread_ = std::thread([this] { CheckpointLoop(); });
  }
  ~SqliteStore() override { Close(); }

  const Dialect& dialect() const override { return kSqliteDialect; }

  void Read(const std::function<void(Tx&)>& fn) override {
    Connection* conn = Acquire();
    struct Release {
      SqliteStore* self;
      Connection* conn;
      ~Release() { self->Give(conn); }
    } release{this, conn};
    conn->ExecRaw("BEGIN");
    try {
      SqliteTx tx(*conn);
      fn(tx);
    } catch (...) {
      RollbackQuietly(*conn);
      throw;
    }
    conn->ExecRaw("COMMIT");
  }

  void Write(const std::function<void(Tx&)>& fn) override {
    std::lock_guard lock(writer_mu_);
    if (!writer_) throw StoreError(StoreErrorKind::kOther, "store is closed");
    writer_->ExecRaw("BEGIN IMMEDIATE");
    bool events = false;
    try {
      SqliteTx tx(*writer_);
      fn(tx);
      writer_->ExecRaw("COMMIT");
      events = tx.events_recorded;
    } catch (...) {
      RollbackQuietly(*writer_);
      throw;
    }
    if (events) NotifyCommitted();
  }

  bool Ping() override {
    try {
      bool ok = false;
      Read([&](Tx& tx) { ok = tx.QueryInt("SELECT 1").value_or(0) == 1; });
      return ok;
    } catch (const std::exception&) {
      return false;
    }
  }

  void Close() override {
    {
      std::lock_guard lock(checkpoint_mu_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_all();
    if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
    checkpointer_.reset();
    {
      std::unique_lock lock(pool_mu_);
      closed_ = true;
      pool_cv_.wait(lock, [&] { return free_.size() == readers_.size(); });
      free_.clear();
      readers_.clear();
    }
    std::lock_guard lock(writer_mu_);
    if (writer_) {
      try {
        writer_->ExecRaw("PRAGMA wal_checkpoint(TRUNCATE)");
      } catch (const std::exception&) {
      }
      writer_.reset();
    }
  }

 private:
  static constexpr int kCheckpointPages = 1000;  // SQLite's default auto-checkpoint size
  static constexpr int kWalRestartPages = 16000;  // ~64 MiB of 4 KiB pages

  static int WalHook(void* self, sqlite3*, const char*, int pages) {
    if (pages >= kCheckpointPages) {
      auto* store = static_cast<SqliteStore*>(self);
      {
        std::lock_guard lock(store->checkpoint_mu_);
        store->checkpoint_due_ = true;
      }
      store->checkpoint_cv_.notify_one();
    }
    return SQLITE_OK;
  }

  void CheckpointLoop() {
    while (true) {
      {
        std::unique_lock lock(checkpoint_mu_);
        // Also once a second, so a WAL left behind by a burst is copied back while idle.
        checkpoint_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return checkpoint_due_ || checkpoint_stop_; });
        if (checkpoint_stop_) return;
        checkpoint_due_ = false;
      }
      int log = 0, done = 0;
      int rc = sqlite3_wal_checkpoint_v2(checkpointer_->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
      if (rc == SQLITE_OK && log >= kWalRestartPages) {
        // Under sustained writes a passive checkpoint never lets the log start over: wait
        // briefly for readers and writers so the next write begins a fresh, truncated WAL.
        rc = sqlite3_wal_checkpoint_v2(checkpointer_->db(), nullptr, SQLITE_CHECKPOINT_RESTART, &log, &done);
      }
      if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
        spdlog::warn("sqlite checkpoint failed: {}", sqlite3_errmsg(checkpointer_->db()));
      }
    }
  }

  static void RollbackQuietly(Connection& conn) {
    if (!sqlite3_get_autocommit(conn.db())) {
      try {
        conn.ExecRaw("ROLLBACK");
      } catch (const std::exception&) {
      }
    }
  }

  Connection* Acquire() {
    std::unique_lock lock(pool_mu_);
    pool_cv_.wait(lock, [&] { return closed_ || !free_.empty(); });
    if (closed_) throw StoreError(StoreErrorKind::kOther, "store is closed");
    Connection* c = free_.back();
    free_.pop_back();
    return c;
  }
  void Give(Connection* c) {
    {
      std::lock_guard lock(pool_mu_);
      free_.push_back(c);
    }
    pool_cv_.notify_all();
  }

  std::string path_;
  std::mutex writer_mu_;
  std::unique_ptr<Connection> writer_;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> free_;
  bool closed_ = false;
  std::unique_ptr<Connection> checkpointer_;
  std::thread checkpoint_thread_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_due_ = false;
  bool checkpoint_stop_ = false;
};

}  // namespace

std::unique_ptr<Store> OpenSqliteStore(const std::string& path, int readers) {
  return std::make_unique<SqliteStore>(path, readers);
}

}  // namespace gridbase::store
