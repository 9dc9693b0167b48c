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
  /// The server's SQLite database file.
  std::string db_file() const { return data_dir_ + "/data/gridbase.db"; }
  std::string log() const;

 private:
  std::vector<std::string> extra_args_;
  std::string data_dir_;
  std::string log_path_;
  int port_ = 0;
  int pid_ = -1;
};

/// Runs SQL against an SQLite file with the sqlite3 shell (safe while the server runs: WAL,
/// busy timeout); returns its output, or nullopt when the shell failed.
std::optional<std::string> RunSql(const std::string& db_file, const std::string& sql);

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
