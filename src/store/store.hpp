#pragma once
// The Store interface: transactions, parameterised statements and cursors. Services speak
// only to this interface; the SQLite backend (and later PostgreSQL) implement it. SQL text is
// written with `?` placeholders; a backend rewrites them for its dialect.
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace gridbase::store {

/// A bound parameter. Strings are borrowed for the duration of the call only.
using Value = std::variant<std::monostate, int64_t, double, std::string_view>;

template <class T>
Value ToValue(const T& v) {
  if constexpr (std::is_same_v<T, std::nullptr_t>) {
    return std::monostate{};
  } else if constexpr (std::is_same_v<T, bool>) {
    return static_cast<int64_t>(v ? 1 : 0);
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<int64_t>(v);
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<double>(v);
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    return std::string_view(v);
  } else {
    // std::optional<U>
    if (!v.has_value()) return std::monostate{};
    return ToValue(*v);
  }
}

/// Kinds of store failure a service may want to tell apart.
/// kTimeout: a statement ran past the transaction's time limit (Tx::LimitTime) and was stopped.
enum class StoreErrorKind { kConstraint, kBusy, kTimeout, kOther };

class StoreError : public std::runtime_error {
 public:
  StoreError(StoreErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  StoreErrorKind kind() const { return kind_; }

 private:
  StoreErrorKind kind_;
};

/// A forward-only result. Column indexes are 0-based, in SELECT order.
class Cursor {
 public:
  virtual ~Cursor() = default;
  virtual bool Next() = 0;
  virtual bool IsNull(int col) const = 0;
  virtual int64_t Int(int col) const = 0;
  virtual double Real(int col) const = 0;
  virtual std::string_view Text(int col) const = 0;
  /// Number of result columns and their names (for generic copies such as move-store).
  virtual int ColumnCount() const = 0;
  virtual std::string ColumnName(int col) const = 0;
  bool Bool(int col) const { return Int(col) != 0; }
  std::string String(int col) const { return std::string(Text(col)); }
  std::optional<int64_t> OptInt(int col) const {
    return IsNull(col) ? std::nullopt : std::optional<int64_t>(Int(col));
  }
};

/// Differences between SQL engines, asked by migrations and query builders.
class Dialect {
 public:
  virtual ~Dialect() = default;
  virtual std::string_view name() const = 0;
  /// Column definition of an auto-incrementing 64-bit primary key that never reuses ids.
  virtual std::string_view AutoIdPrimaryKey() const = 0;
  /// Suffix of an index key whose NULLs must sort first (SQLite's order, which every ORDER
  /// BY of gridbase spells out as `ASC NULLS FIRST` / `DESC NULLS LAST`).
  virtual std::string_view IndexNullsFirst() const = 0;
  bool postgres() const { return name() == "postgresql"; }
};

/// A transaction. Every statement is parameterised: values never enter SQL text.
class Tx {
 public:
  virtual ~Tx() = default;
  /// Set by whoever appends to the event outbox; the store then tells its commit listener.
  bool events_recorded = false;
  virtual const Dialect& dialect() const = 0;

  /// Runs a statement and returns the number of changed rows.
  virtual int64_t ExecV(std::string_view sql, std::span<const Value> params) = 0;
  virtual std::unique_ptr<Cursor> QueryV(std::string_view sql, std::span<const Value> params) = 0;
  /// Stops the rest of this transaction's SQL once it has run `limit` (SQLite: all statements
  /// together, from now; PostgreSQL: each statement): the statement then throws
  /// StoreError(kTimeout). For read transactions answering client-shaped queries.
  virtual void LimitTime(std::chrono::milliseconds limit) = 0;

  template <class... A>
  int64_t Exec(std::string_view sql, const A&... args) {
    std::array<Value, sizeof...(A)> v{ToValue(args)...};
    return ExecV(sql, v);
  }
  template <class... A>
  std::unique_ptr<Cursor> Query(std::string_view sql, const A&... args) {
    std::array<Value, sizeof...(A)> v{ToValue(args)...};
    return QueryV(sql, v);
  }
  /// First column of the first row as an integer, if there is a row and it is not NULL.
  template <class... A>
  std::optional<int64_t> QueryInt(std::string_view sql, const A&... args) {
    auto c = Query(sql, args...);
    if (!c->Next() || c->IsNull(0)) return std::nullopt;
    return c->Int(0);
  }
  template <class... A>
  std::optional<std::string> QueryText(std::string_view sql, const A&... args) {
    auto c = Query(sql, args...);
    if (!c->Next() || c->IsNull(0)) return std::nullopt;
    return c->String(0);
  }
};

class Store {
 public:
  virtual ~Store() = default;
  virtual const Dialect& dialect() const = 0;
  /// Runs `fn` in a read transaction (a consistent snapshot; concurrent with other readers).
  virtual void Read(const std::function<void(Tx&)>& fn) = 0;
  /// Runs `fn` in the one write transaction at a time; commits when `fn` returns, rolls back
  /// when it throws. A commit that returned is durable against a crash of the process.
  virtual void Write(const std::function<void(Tx&)>& fn) = 0;
  /// True when the store answers a trivial query.
  virtual bool Ping() = 0;
  /// Closes every connection (checkpointing what the backend needs). Idempotent.
  virtual void Close() = 0;

  /// Called after every committed write transaction that recorded events (from the writing
  /// thread, outside the transaction). Set once, before serving.
  void SetCommitListener(std::function<void()> fn) { commit_listener_ = std::move(fn); }

  template <class F>
  auto ReadResult(F&& fn) -> decltype(fn(std::declval<Tx&>())) {
    std::optional<decltype(fn(std::declval<Tx&>()))> out;
    Read([&](Tx& tx) { out.emplace(fn(tx)); });
    return std::move(*out);
  }
  template <class F>
  auto WriteResult(F&& fn) -> decltype(fn(std::declval<Tx&>())) {
    std::optional<decltype(fn(std::declval<Tx&>()))> out;
    Write([&](Tx& tx) { out.emplace(fn(tx)); });
    return std::move(*out);
  }

 protected:
  void NotifyCommitted() const {
    if (commit_listener_) commit_listener_();
  }

 private:
  std::function<void()> commit_listener_;
};

/// `inner` seen through a time limit: its read transactions run under Tx::LimitTime(limit) (none
/// when limit is 0); writes pass through unchanged. The inner store's owner closes it.
class TimeLimitedStore final : public Store {
 public:
  TimeLimitedStore(Store& inner, std::chrono::milliseconds limit) : inner_(inner), limit_(limit) {}
  const Dialect& dialect() const override { return inner_.dialect(); }
  void Read(const std::function<void(Tx&)>& fn) override {
    inner_.Read([&](Tx& tx) {
      if (limit_.count() > 0) tx.LimitTime(limit_);
      fn(tx);
    });
  }
  void Write(const std::function<void(Tx&)>& fn) override { inner_.Write(fn); }
  bool Ping() override { return inner_.Ping(); }
  void Close() override {}

 private:
  Store& inner_;
  std::chrono::milliseconds limit_;
};

/// Opens (creating if needed) an SQLite database in WAL mode with `readers` reader
/// connections and one writer connection.
std::unique_ptr<Store> OpenSqliteStore(const std::string& path, int readers);

/// Opens a PostgreSQL database (libpq connection URL) with `readers` reader connections and
/// one writer connection. Writes from every process on that database are serialised by one
/// transaction-level advisory lock, so they behave like SQLite's single writer; a commit that
/// recorded events sends NOTIFY, and notifications from other processes reach the commit
/// listener too.
std::unique_ptr<Store> OpenPostgresStore(const std::string& url, int readers);

/// A statement in gridbase's portable SQL as the PostgreSQL backend sends it (exposed for tests).
std::string TranslateToPostgres(std::string_view sql);

/// Whether `url` names a PostgreSQL database (postgresql:// or postgres://).
bool IsPostgresUrl(std::string_view url);

/// Applies every migration not yet recorded; returns how many were applied.
int Migrate(Store& store);
/// The newest migration version this binary knows.
int LatestMigrationVersion();

}  // namespace gridbase::store
