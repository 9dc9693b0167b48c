// Unit tests for store/: migrations, transactions, rollback, cursors — on SQLite, and on
// PostgreSQL when GRIDBASE_TEST_PG_URL names a cluster (`make test` starts one).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "store/store.hpp"

namespace gridbase::store {
namespace {

std::string PgAdminUrl() {
  const char* url = std::getenv("GRIDBASE_TEST_PG_URL");
  return url ? url : "";
}

bool Psql(const std::string& url, const std::string& sql) {
  std::string cmd = "psql -X -q '" + url + "' -c '" + sql + "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

/// A fresh PostgreSQL database on the test cluster, dropped at the end.
class PgDatabase {
 public:
  PgDatabase() {
    static std::atomic<int> n{0};
    name_ = "gbu_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
    admin_ = PgAdminUrl();
    if (!Psql(admin_, "CREATE DATABASE " + name_)) throw std::runtime_error("cannot create " + name_);
    url_ = admin_.substr(0, admin_.rfind('/') + 1) + name_;
  }
  ~PgDatabase() { Psql(admin_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
  const std::string& url() const { return url_; }

 private:
  std::string admin_, name_, url_;
};

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gridbase-store-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    if (GetParam() == "postgresql") {
      if (PgAdminUrl().empty()) GTEST_SKIP() << "GRIDBASE_TEST_PG_URL is not set (make test sets it)";
      pg_ = std::make_unique<PgDatabase>();
      store_ = OpenPostgresStore(pg_->url(), 2);
    } else {
      store_ = OpenSqliteStore(dir_ + "/t.db", 2);
    }
  }
  void TearDown() override {
    if (store_) store_->Close();
    store_.reset();
    pg_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<PgDatabase> pg_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Stores, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST_P(StoreTest, MigrationsApplyOnceAndAreRecorded) {
  EXPECT_EQ(Migrate(*store_), LatestMigrationVersion());
  EXPECT_EQ(Migrate(*store_), 0);
  auto n = store_->ReadResult(
      [](Tx& tx) { return *tx.QueryInt("SELECT COUNT(*) FROM gridbase_migrations"); });
  EXPECT_EQ(n, LatestMigrationVersion());
}

TEST_P(StoreTest, WriteCommitsAndRollsBackOnThrow) {
  store_->Write([](Tx& tx) { tx.Exec("CREATE TABLE t (id " + std::string(tx.dialect().AutoIdPrimaryKey()) + ", v TEXT)"); });
  store_->Write([](Tx& tx) { tx.Exec("INSERT INTO t (v) VALUES (?)", "kept"); });
  EXPECT_THROW(store_->Write([](Tx& tx) {
    tx.Exec("INSERT INTO t (v) VALUES (?)", "dropped");
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  auto values = store_->ReadResult([](Tx& tx) {
    std::vector<std::string> out;
    auto c = tx.Query("SELECT v FROM t ORDER BY id");
    while (c->Next()) out.push_back(c->String(0));
    return out;
  });
  EXPECT_EQ(values, std::vector<std::string>{"kept"});
}

TEST_P(StoreTest, ParametersBindEveryTypeAndNulls) {
  store_->Write([](Tx& tx) {
    tx.Exec("CREATE TABLE t (i INTEGER, r REAL, s TEXT, n TEXT)");
    std::optional<int64_t> none;
    tx.Exec("INSERT INTO t VALUES (?, ?, ?, ?)", 42, 2.5, std::string("it's"), none);
  });
  store_->Read([](Tx& tx) {
    auto c = tx.Query("SELECT i, r, s, n FROM t WHERE s = ?", "it's");
    ASSERT_TRUE(c->Next());
    EXPECT_EQ(c->Int(0), 42);
    EXPECT_DOUBLE_EQ(c->Real(1), 2.5);
    EXPECT_EQ(c->Text(2), "it's");
    EXPECT_TRUE(c->IsNull(3));
    EXPECT_FALSE(c->Next());
  });
}

TEST_P(StoreTest, ConstraintViolationsAreTyped) {
  store_->Write([](Tx& tx) { tx.Exec("CREATE TABLE u (e TEXT UNIQUE)"); });
  store_->Write([](Tx& tx) { tx.Exec("INSERT INTO u VALUES ('a')"); });
  try {
    store_->Write([](Tx& tx) { tx.Exec("INSERT INTO u VALUES ('a')"); });
    FAIL() << "expected a constraint error";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreErrorKind::kConstraint);
  }
}

TEST_P(StoreTest, NestedQueriesOfTheSameStatementWork) {
  store_->Write([](Tx& tx) {
    tx.Exec("CREATE TABLE t (id " + std::string(tx.dialect().AutoIdPrimaryKey()) + ", v INTEGER)");
    for (int i = 0; i < 3; ++i) tx.Exec("INSERT INTO t (v) VALUES (?)", i);
  });
  store_->Read([](Tx& tx) {
    int pairs = 0;
    auto outer = tx.Query("SELECT id FROM t WHERE id > ?", 0);
    while (outer->Next()) {
      auto inner = tx.Query("SELECT id FROM t WHERE id > ?", 0);
      while (inner->Next()) ++pairs;
    }
    EXPECT_EQ(pairs, 9);
  });
  EXPECT_TRUE(store_->Ping());
}

}  // namespace
}  // namespace gridbase::store

namespace gridbase::store {
namespace {

TEST_P(StoreTest, SqlFunctionsForDatesAndWords) {
  Migrate(*store_);  // PostgreSQL's functions come with the migrations
  store_->Read([](Tx& tx) {
    EXPECT_EQ(tx.QueryText("SELECT gb_local_datetime(?, ?)", "2020-06-17T23:30:00.000000", "").value_or("null"),
              "2020-06-17T23:30:00.000000");
    EXPECT_EQ(tx.QueryText("SELECT gb_local_datetime(?, ?)", "2020-06-17T23:30:00.000000", "Europe/Amsterdam")
                  .value_or("null"),
              "2020-06-18T01:30:00.000000");
    EXPECT_EQ(tx.QueryText("SELECT gb_local_datetime(?, ?)", int64_t{1592436600000000}, "").value_or("null"),
              "2020-06-17T23:30:00.000000");
    EXPECT_FALSE(tx.QueryText("SELECT gb_local_datetime(CAST(NULL AS TEXT), '')").has_value());
    EXPECT_EQ(tx.QueryText("SELECT gb_format_date(?, ?, ?, ?, ?)", "2020-06-17T23:30:00.000000", "", "ISO", 1, "24")
                  .value_or("null"),
              "2020-06-17 23:30");
    EXPECT_EQ(tx.QueryText("SELECT gb_format_date(?, ?, ?, ?, ?)", "2020-06-17T23:30:00.000000", "Europe/Amsterdam",
                           "EU", 1, "12")
                  .value_or("null"),
              "18/06/2020 01:30 AM");
    EXPECT_EQ(tx.QueryText("SELECT gb_format_date(?, ?, ?, ?, ?)", "2020-06-17", "", "US", 0, "24").value_or("null"),
              "06/17/2020");
    EXPECT_EQ(tx.QueryInt("SELECT gb_contains_word('Hello, brave world', 'BRAVE')"), 1);
    EXPECT_EQ(tx.QueryInt("SELECT gb_contains_word('bravest', 'brave')"), 0);
    EXPECT_EQ(tx.QueryInt("SELECT gb_contains_word(?, ?)", "a (b) c", "(b)"), 1);
  });
}

TEST(PostgresDialectTest, TranslatesPortableSql) {
  EXPECT_EQ(TranslateToPostgres("SELECT a FROM t WHERE b = ? AND c LIKE ? ESCAPE '\\' LIMIT ?"),
            "SELECT a FROM t WHERE b = $1 AND c ILIKE $2 ESCAPE '\\' LIMIT $3");
  // Literals, quoted identifiers and dollar-quoted bodies are left alone.
  EXPECT_EQ(TranslateToPostgres("SELECT '?', \"INTEGER\", $f$ LIKE ? $f$, ?"), "SELECT '?', \"INTEGER\", $f$ LIKE ? $f$, $1");
  EXPECT_EQ(TranslateToPostgres("SELECT 'it''s ?', ?"), "SELECT 'it''s ?', $1");
  EXPECT_EQ(TranslateToPostgres("CREATE TABLE x (a INTEGER NOT NULL, b REAL, c TEXT)"),
            "CREATE TABLE x (a BIGINT NOT NULL, b DOUBLE PRECISION, c TEXT)");
  EXPECT_EQ(TranslateToPostgres("SELECT CAST(t.field_1 AS REAL), t.real FROM x t ORDER BY t.field_2 COLLATE NOCASE"),
            "SELECT CAST(t.field_1 AS NUMERIC), t.real FROM x t ORDER BY t.field_2 COLLATE \"gb_nocase\"");
  EXPECT_EQ(TranslateToPostgres("SELECT group_concat(v, ',') FROM json_each(c) je"),
            "SELECT string_agg(v, ',') FROM gb_json_each(c) je");
  EXPECT_EQ(TranslateToPostgres("SELECT likely, nocase FROM t -- a ? comment\nWHERE x = ?"),
            "SELECT likely, nocase FROM t -- a ? comment\nWHERE x = $1");
}

// Two stores (two processes' worth) over one PostgreSQL database: writes are serialised by
// the shared lock, so read-modify-write never loses an update, and a commit with events on
// one store wakes the other's commit listener.
TEST(PostgresSharedTest, WritesAreSerialisedAndCommitsAreAnnounced) {
  if (PgAdminUrl().empty()) GTEST_SKIP() << "GRIDBASE_TEST_PG_URL is not set (make test sets it)";
  PgDatabase db;
  auto a = OpenPostgresStore(db.url(), 1);
  auto b = OpenPostgresStore(db.url(), 1);
  a->Write([](Tx& tx) {
    tx.Exec("CREATE TABLE counter (n INTEGER NOT NULL)");
    tx.Exec("INSERT INTO counter VALUES (0)");
  });
  std::atomic<int> woken{0};
  b->SetCommitListener([&] { ++woken; });
  auto bump = [](Store& s) {
    for (int i = 0; i < 50; ++i) {
      s.Write([](Tx& tx) {
        int64_t n = *tx.QueryInt("SELECT n FROM counter");
        tx.Exec("UPDATE counter SET n = ?", n + 1);
      });
    }
  };
  std::thread t1([&] { bump(*a); }), t2([&] { bump(*b); });
  t1.join();
  t2.join();
  EXPECT_EQ(a->ReadResult([](Tx& tx) { return *tx.QueryInt("SELECT n FROM counter"); }), 100);
  int before = woken.load();
  a->Write([](Tx& tx) {
    tx.Exec("UPDATE counter SET n = n + 1");
    tx.events_recorded = true;
  });
  for (int i = 0; i < 100 && woken.load() == before; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_GT(woken.load(), before);
  a->Close();
  b->Close();
}

}  // namespace
}  // namespace gridbase::store
