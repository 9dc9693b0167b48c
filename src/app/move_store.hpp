#pragma once
// `gridbase move-store`: copies a whole instance (users, workspaces, tables and their rows,
// tokens, webhooks, the event outbox and its consumers' positions, the secret key) from one
// database into another, empty one — typically SQLite → PostgreSQL — then verifies row counts
// and checksums of every table.
#include <cstddef>
#include <string>

namespace gridbase::app {

struct MoveStoreOptions {
  /// Database URLs: sqlite:///abs/path.db, sqlite:relative.db, postgresql://…
  std::string from;
  std::string to;
  /// The source server's data dir: where its secret_key file is (SQLite), and the database
  /// (DIR/gridbase.db) when `from` is empty.
  std::string from_data_dir;
  /// The target server's data dir (SQLite target): where the secret key is written, and the
  /// database (DIR/gridbase.db) when `to` is empty.
  std::string to_data_dir;
  /// The key the source server signs with, when it is not in a secret_key file (it was given
  /// with --secret-key / GRIDBASE_SECRET_KEY).
  std::string secret_key;
  /// Rows per read batch and multi-row INSERT.
  size_t batch_rows = 500;
};

/// Runs the move: progress on stderr, the verification summary on stdout. Returns 0 when
/// every table was copied and verified, 1 when the target is not empty (nothing written) or
/// a table differs after the copy. Throws ConfigError on bad usage (exit code 2) and
/// std::runtime_error on failures (exit code 1).
int MoveStore(const MoveStoreOptions& options);

}  // namespace gridbase::app
