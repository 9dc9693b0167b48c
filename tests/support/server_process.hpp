#pragma once
// Starts the real gridbase binary on a free loopback port with a throw-away data dir.
#include <optional>
#include <string>
#include <vector>

#include "support/http_client.hpp"

namespace gbtest {

/// A free TCP port on 127.0.0.1 (bound then released).
int FreePort();

class ServerProcess {
 public:
  explicit ServerProcess(std::vector<std::string> extra_args = {});
  ~ServerProcess();

  /// Starts the server and waits until /api/_health/ answers 200.
  void Start();
  /// SIGTERM and wait; returns the exit status (or -signal).
  int Stop() {
    Terminate();
    return Wait();
  }
  /// Sends SIGTERM without waiting.
  void Terminate();
  /// Waits for the process to exit; returns the exit status (or -signal).
  int Wait();
  /// SIGKILL and wait.
  void Kill();
  bool running() const { return pid_ > 0; }

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& data_dir() const { return data_dir_; }
  /// The server's database for RunSql: its SQLite file, or its PostgreSQL URL when the suite
  /// runs against PostgreSQL.
  std::string db_file() const { return database_url_.empty() ? data_dir_ + "/data/gridbase.db" : database_url_; }
  /// The PostgreSQL database of this server (empty on SQLite). Several servers started with
  /// `--database-url <this>` form one instance.
  const std::string& database_url() const { return database_url_; }
  /// The CLI flags that address this server's store (`--data-dir`, plus `--database-url` on
  /// PostgreSQL), for commands such as create-user run next to it.
  std::vector<std::string> StoreArgs() const {
    std::vector<std::string> out = {"--data-dir", data_dir_ + "/data"};
    if (!database_url_.empty()) {
      out.push_back("--database-url");
      out.push_back(database_url_);
    }
    return out;
  }
  std::string log() const;

 private:
  std::vector<std::string> extra_args_;
  std::string data_dir_;
  std::string database_url_;
  bool owns_database_ = false;
  bool explicit_store_ = false;  // --database-url given by the test
  std::string log_path_;
  int port_ = 0;
  int pid_ = -1;
};

/// Whether this test process runs against PostgreSQL (GRIDBASE_TEST_STORE=postgresql; the
/// cluster's admin URL is in GRIDBASE_TEST_PG_URL).
bool UsingPostgres();

/// Runs SQL against a server's database (ServerProcess::db_file()): an SQLite file through the
/// sqlite3 shell (safe while the server runs: WAL, busy timeout), or a PostgreSQL URL through
/// psql; rows print as `a|b` lines either way. Returns the output, or nullopt on failure.
std::optional<std::string> RunSql(const std::string& db_file, const std::string& sql);

/// `args` followed by `more`.
inline std::vector<std::string> WithArgs(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

/// Runs the gridbase binary with `args`; returns its exit code; stdout+stderr in `output`.
int RunCli(const std::vector<std::string>& args, std::string* output);

/// A signed-up account and its tokens.
struct Account {
  int64_t id = 0;
  std::string email;
  std::string access;
  std::string refresh;
  std::string auth() const { return "Authorization: JWT " + access; }
};

/// Registers an account (with authenticate=true) and returns it; fails the test otherwise.
Account SignUp(HttpClient& client, const std::string& name, const std::string& email,
               const std::string& password = "password123");

/// A unique e-mail address for this process.
std::string UniqueEmail(const std::string& prefix = "user");

}  // namespace gbtest
