// Unit tests for store/: migrations, transactions, rollback, cursors.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/store.hpp"

namespace gridbase::store {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gridbase-store-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    store_ = OpenSqliteStore(dir_ + "/t.db", 2);
  }
  void TearDown() override {
    store_->Close();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, MigrationsApplyOnceAndAreRecorded) {
  EXPECT_EQ(Migrate(*store_), LatestMigrationVersion());
  EXPECT_EQ(Migrate(*store_), 0);
  auto n = store_->ReadResult(
      [](Tx& tx) { return *tx.QueryInt("SELECT COUNT(*) FROM gridbase_migrations"); });
  EXPECT_EQ(n, LatestMigrationVersion());
}

TEST_F(StoreTest, WriteCommitsAndRollsBackOnThrow) {
  store_->Write([](Tx& tx) { tx.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"); });
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

TEST_F(StoreTest, ParametersBindEveryTypeAndNulls) {
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

TEST_F(StoreTest, ConstraintViolationsAreTyped) {
  store_->Write([](Tx& tx) { tx.Exec("CREATE TABLE u (e TEXT UNIQUE)"); });
  store_->Write([](Tx& tx) { tx.Exec("INSERT INTO u VALUES ('a')"); });
  try {
    store_->Write([](Tx& tx) { tx.Exec("INSERT INTO u VALUES ('a')"); });
    FAIL() << "expected a constraint error";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreErrorKind::kConstraint);
  }
}

TEST_F(StoreTest, NestedQueriesOfTheSameStatementWork) {
  store_->Write([](Tx& tx) {
    tx.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    for (int i = 0; i < 3; ++i) tx.Exec("INSERT INTO t DEFAULT VALUES");
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

TEST_F(StoreTest, SqlFunctionsForDatesAndWords) {
  store_->Read([](Tx& tx) {
    EXPECT_EQ(tx.QueryText("SELECT gb_local_datetime(?, ?)", "2020-06-17T23:30:00.000000", "").value_or("null"),
              "2020-06-17T23:30:00.000000");
    EXPECT_EQ(tx.QueryText("SELECT gb_local_datetime(?, ?)", "2020-06-17T23:30:00.000000", "Europe/Amsterdam")
                  .value_or("null"),
              "2020-06-18T01:30:00.000000");
    EXPECT_EQ(tx.QueryText("SELECT gb_local_datetime(?, ?)", int64_t{1592436600000000}, "").value_or("null"),
              "2020-06-17T23:30:00.000000");
    EXPECT_FALSE(tx.QueryText("SELECT gb_local_datetime(NULL, '')").has_value());
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
  });
}

}  // namespace
}  // namespace gridbase::store
