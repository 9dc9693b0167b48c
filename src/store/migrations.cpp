// Versioned schema migrations. Each migration runs in its own write transaction and is
// recorded in gridbase_migrations; a migration never changes once released.
#include <fmt/format.h>

#include <vector>

#include "store/doc_counts.hpp"
#include "store/pg_functions.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"
#include "store/store.hpp"

namespace gridbase::store {

namespace {

struct Migration {
  int version;
  const char* name;
  void (*apply)(Tx& tx);
};

void V1Core(Tx& tx) {
  const auto pk = tx.dialect().AutoIdPrimaryKey();
  tx.Exec(fmt::format(R"(CREATE TABLE users (
      id {pk},
      email TEXT NOT NULL UNIQUE,
      first_name TEXT NOT NULL,
      password_hash TEXT NOT NULL,
      is_staff INTEGER NOT NULL DEFAULT 0,
      is_active INTEGER NOT NULL DEFAULT 1,
      language TEXT NOT NULL DEFAULT 'en',
      email_notification_frequency TEXT NOT NULL DEFAULT 'instant',
      email_verified INTEGER NOT NULL DEFAULT 0,
      completed_onboarding INTEGER NOT NULL DEFAULT 0,
      completed_guided_tours TEXT NOT NULL DEFAULT '[]',
      to_be_deleted INTEGER NOT NULL DEFAULT 0,
      last_password_change INTEGER,
      last_login INTEGER,
      date_joined INTEGER NOT NULL))",
                      fmt::arg("pk", pk)));
  tx.Exec(R"(CREATE TABLE blacklisted_tokens (
      token_hash TEXT PRIMARY KEY,
      user_id INTEGER,
      expires_at INTEGER NOT NULL))");
  tx.Exec(R"(CREATE TABLE instance_settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL))");
  tx.Exec(fmt::format(R"(CREATE TABLE workspaces (
      id {pk},
      name TEXT NOT NULL,
      created_on INTEGER NOT NULL,
      trashed INTEGER NOT NULL DEFAULT 0))",
                      fmt::arg("pk", pk)));
  tx.Exec(fmt::format(R"(CREATE TABLE workspace_users (
      id {pk},
      workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      permissions TEXT NOT NULL,
      position INTEGER NOT NULL,
      created_on INTEGER NOT NULL,
      UNIQUE (workspace_id, user_id)))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX workspace_users_user ON workspace_users (user_id)");
  tx.Exec(fmt::format(R"(CREATE TABLE applications (
      id {pk},
      workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      type TEXT NOT NULL,
      name TEXT NOT NULL,
      position INTEGER NOT NULL,
      created_on INTEGER NOT NULL,
      trashed INTEGER NOT NULL DEFAULT 0))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX applications_workspace ON applications (workspace_id, position, id)");
  tx.Exec(fmt::format(R"(CREATE TABLE database_tables (
      id {pk},
      database_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      position INTEGER NOT NULL,
      created_on INTEGER NOT NULL,
      trashed INTEGER NOT NULL DEFAULT 0))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX database_tables_database ON database_tables (database_id, position, id)");
}

void V2Fields(Tx& tx) {
  const auto pk = tx.dialect().AutoIdPrimaryKey();
  tx.Exec(fmt::format(R"(CREATE TABLE fields (
      id {pk},
      table_id INTEGER NOT NULL REFERENCES database_tables(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      type TEXT NOT NULL,
      position INTEGER NOT NULL,
      is_primary INTEGER NOT NULL DEFAULT 0,
      description TEXT,
      db_index INTEGER NOT NULL DEFAULT 0,
      unique_with_empty INTEGER NOT NULL DEFAULT 0,
      props TEXT NOT NULL DEFAULT '{{}}',
      trashed INTEGER NOT NULL DEFAULT 0,
      created_on INTEGER NOT NULL))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX fields_table ON fields (table_id, position, id)");
  tx.Exec(fmt::format(R"(CREATE TABLE select_options (
      id {pk},
      field_id INTEGER NOT NULL REFERENCES fields(id) ON DELETE CASCADE,
      value TEXT NOT NULL,
      color TEXT NOT NULL,
      position INTEGER NOT NULL))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX select_options_field ON select_options (field_id, position, id)");
  tx.Exec("ALTER TABLE database_tables ADD COLUMN row_count INTEGER NOT NULL DEFAULT 0");
}

void V3FullText(Tx& tx) {
  tx.Exec("ALTER TABLE database_tables ADD COLUMN fts_ready INTEGER NOT NULL DEFAULT 0");
}

void V4Tokens(Tx& tx) {
  const auto pk = tx.dialect().AutoIdPrimaryKey();
  tx.Exec(fmt::format(R"(CREATE TABLE database_tokens (
      id {pk},
      user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      key_lookup TEXT NOT NULL UNIQUE,
      key_sealed TEXT NOT NULL,
      created_on INTEGER NOT NULL))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX database_tokens_user ON database_tokens (user_id, id)");
  tx.Exec(R"(CREATE TABLE database_token_grants (
      token_id INTEGER NOT NULL REFERENCES database_tokens(id) ON DELETE CASCADE,
      operation TEXT NOT NULL,
      scope TEXT NOT NULL,
      scope_id INTEGER NOT NULL))");
  tx.Exec("CREATE INDEX database_token_grants_token ON database_token_grants (token_id)");
}

void V5Invitations(Tx& tx) {
  const auto pk = tx.dialect().AutoIdPrimaryKey();
  tx.Exec(fmt::format(R"(CREATE TABLE workspace_invitations (
      id {pk},
      workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      invited_by INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      email TEXT NOT NULL,
      permissions TEXT NOT NULL,
      message TEXT NOT NULL,
      created_on INTEGER NOT NULL))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX workspace_invitations_workspace ON workspace_invitations (workspace_id, email)");
  tx.Exec("CREATE INDEX workspace_invitations_email ON workspace_invitations (email)");
}

void V6SearchIndex(Tx& tx) {
  tx.Exec("ALTER TABLE database_tables ADD COLUMN trigram_state INTEGER NOT NULL DEFAULT 0");
  tx.Exec("ALTER TABLE database_tables ADD COLUMN trigram_upto INTEGER NOT NULL DEFAULT 0");
}

void V7Events(Tx& tx) {
  const auto pk = tx.dialect().AutoIdPrimaryKey();
  // The transactional outbox: one row per domain event, written in the transaction of the
  // change. `message` is the realtime message (field_<id> keys); `extra` what other consumers
  // need besides it (e.g. field names for webhooks); `recipients` the user ids of events sent
  // to users rather than to a table page.
  tx.Exec(fmt::format(R"(CREATE TABLE events (
      id {pk},
      uuid TEXT NOT NULL,
      created_on INTEGER NOT NULL,
      type TEXT NOT NULL,
      workspace_id INTEGER,
      table_id INTEGER,
      recipients TEXT,
      exclude_ws TEXT,
      webhooks INTEGER NOT NULL DEFAULT 1,
      message TEXT NOT NULL,
      extra TEXT))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX events_table ON events (table_id, id)");
  // Where each durable consumer of the outbox has got to.
  tx.Exec(R"(CREATE TABLE event_consumers (
      name TEXT PRIMARY KEY,
      position INTEGER NOT NULL))");
  tx.Exec(fmt::format(R"(CREATE TABLE webhooks (
      id {pk},
      table_id INTEGER NOT NULL REFERENCES database_tables(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      url TEXT NOT NULL,
      request_method TEXT NOT NULL,
      include_all_events INTEGER NOT NULL,
      use_user_field_names INTEGER NOT NULL,
      active INTEGER NOT NULL,
      failed_triggers INTEGER NOT NULL,
      created_on INTEGER NOT NULL,
      updated_on INTEGER NOT NULL))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX webhooks_table ON webhooks (table_id, id)");
  tx.Exec(fmt::format(R"(CREATE TABLE webhook_events (
      id {pk},
      webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
      event_type TEXT NOT NULL,
      fields TEXT NOT NULL DEFAULT '[]',
      views TEXT NOT NULL DEFAULT '[]'))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX webhook_events_webhook ON webhook_events (webhook_id, id)");
  tx.Exec(fmt::format(R"(CREATE TABLE webhook_headers (
      id {pk},
      webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      value TEXT NOT NULL))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX webhook_headers_webhook ON webhook_headers (webhook_id, id)");
  tx.Exec(fmt::format(R"(CREATE TABLE webhook_calls (
      id {pk},
      webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
      event_id TEXT NOT NULL,
      event_type TEXT NOT NULL,
      called_time INTEGER NOT NULL,
      called_url TEXT NOT NULL,
      request TEXT NOT NULL,
      response TEXT NOT NULL,
      response_status INTEGER,
      error TEXT))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX webhook_calls_webhook ON webhook_calls (webhook_id, called_time)");
  // Calls still to make: the head of each webhook's queue is attempted when due.
  tx.Exec(fmt::format(R"(CREATE TABLE webhook_deliveries (
      id {pk},
      webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
      event_id TEXT NOT NULL,
      event_type TEXT NOT NULL,
      payload TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt INTEGER NOT NULL,
      call_id INTEGER))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id)");
}

void V8SearchIndexColumns(Tx& tx) {
  // The substring search index now has one column per field: older ones are rebuilt on use.
  std::vector<int64_t> tables;
  {
    auto c = tx.Query("SELECT id FROM database_tables WHERE trigram_state <> 0");
    while (c->Next()) tables.push_back(c->Int(0));
  }
  for (int64_t id : tables) {
    tx.Exec("DROP TABLE IF EXISTS tbl_" + std::to_string(id) + "_tri");
    tx.Exec("DROP TABLE IF EXISTS tbl_" + std::to_string(id) + "_tri_dirty");
  }
  tx.Exec("UPDATE database_tables SET trigram_state = 0, trigram_upto = 0");
}

void V9Scaleout(Tx& tx) {
  // Webhook deliveries are claimed for the duration of a call, so that of several processes
  // over one database exactly one makes each call; an expired claim is taken over.
  tx.Exec("ALTER TABLE webhook_deliveries ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0");
  // Secrets every process of an instance shares (the JWT signing key on PostgreSQL, where
  // several processes serve one instance; SQLite keeps it in the data dir's secret_key file).
  tx.Exec("CREATE TABLE gridbase_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
  if (!tx.dialect().postgres()) return;
  // PostgreSQL: trigram indexes for substring search, a case-insensitive collation for text
  // sorts (SQLite's NOCASE), and the SQL functions the SQLite backend registers in C++.
  tx.Exec("CREATE EXTENSION IF NOT EXISTS pg_trgm");
  tx.Exec("CREATE COLLATION IF NOT EXISTS gb_nocase (provider = icu, locale = 'und-u-ks-level2')");
  for (const auto& statement : PostgresFunctionStatements()) tx.Exec(statement);
}

void V10Views(Tx& tx) {
  const auto pk = tx.dialect().AutoIdPrimaryKey();
  // Views of a table. Type-specific properties (grid: row_identifier_type, row_height_size)
  // live in `props` as JSON, so a new view type needs no migration.
  tx.Exec(fmt::format(R"(CREATE TABLE views (
      id {pk},
      table_id INTEGER NOT NULL REFERENCES database_tables(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      ord INTEGER NOT NULL,
      type TEXT NOT NULL,
      filter_type TEXT NOT NULL DEFAULT 'AND',
      filters_disabled INTEGER NOT NULL DEFAULT 0,
      public INTEGER NOT NULL DEFAULT 0,
      slug TEXT NOT NULL UNIQUE,
      password_hash TEXT,
      show_logo INTEGER NOT NULL DEFAULT 1,
      allow_public_export INTEGER NOT NULL DEFAULT 0,
      ownership_type TEXT NOT NULL DEFAULT 'collaborative',
      owned_by_id INTEGER,
      props TEXT NOT NULL DEFAULT '{{}}',
      trashed INTEGER NOT NULL DEFAULT 0,
      created_on INTEGER NOT NULL))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX views_table ON views (table_id, ord, id)");
  tx.Exec(fmt::format(R"(CREATE TABLE view_filter_groups (
      id {pk},
      view_id INTEGER NOT NULL REFERENCES views(id) ON DELETE CASCADE,
      filter_type TEXT NOT NULL DEFAULT 'AND',
      parent_group_id INTEGER REFERENCES view_filter_groups(id) ON DELETE CASCADE))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX view_filter_groups_view ON view_filter_groups (view_id, id)");
  tx.Exec(fmt::format(R"(CREATE TABLE view_filters (
      id {pk},
      view_id INTEGER NOT NULL REFERENCES views(id) ON DELETE CASCADE,
      field_id INTEGER NOT NULL REFERENCES fields(id) ON DELETE CASCADE,
      type TEXT NOT NULL,
      value TEXT NOT NULL DEFAULT '',
      group_id INTEGER REFERENCES view_filter_groups(id) ON DELETE CASCADE))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX view_filters_view ON view_filters (view_id, id)");
  tx.Exec("CREATE INDEX view_filters_field ON view_filters (field_id)");
  tx.Exec(fmt::format(R"(CREATE TABLE view_sorts (
      id {pk},
      view_id INTEGER NOT NULL REFERENCES views(id) ON DELETE CASCADE,
      field_id INTEGER NOT NULL REFERENCES fields(id) ON DELETE CASCADE,
      descending INTEGER NOT NULL DEFAULT 0,
      type TEXT NOT NULL DEFAULT 'default'))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX view_sorts_view ON view_sorts (view_id, id)");
  tx.Exec("CREATE INDEX view_sorts_field ON view_sorts (field_id)");
  tx.Exec(fmt::format(R"(CREATE TABLE view_group_bys (
      id {pk},
      view_id INTEGER NOT NULL REFERENCES views(id) ON DELETE CASCADE,
      field_id INTEGER NOT NULL REFERENCES fields(id) ON DELETE CASCADE,
      descending INTEGER NOT NULL DEFAULT 0,
      width INTEGER NOT NULL DEFAULT 200,
      type TEXT NOT NULL DEFAULT 'default'))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX view_group_bys_view ON view_group_bys (view_id, id)");
  tx.Exec("CREATE INDEX view_group_bys_field ON view_group_bys (field_id)");
  // Per-field options of a view, as the view type's JSON object (grid: width, hidden, order,
  // aggregation_type, aggregation_raw_type); missing rows mean the type's defaults.
  tx.Exec(R"(CREATE TABLE view_field_options (
      view_id INTEGER NOT NULL REFERENCES views(id) ON DELETE CASCADE,
      field_id INTEGER NOT NULL REFERENCES fields(id) ON DELETE CASCADE,
      options TEXT NOT NULL,
      PRIMARY KEY (view_id, field_id)))");
  tx.Exec("CREATE INDEX view_field_options_field ON view_field_options (field_id)");
  // Every existing table gets the default grid view a new table gets.
  std::vector<int64_t> tables;
  {
    auto c = tx.Query("SELECT id FROM database_tables ORDER BY id");
    while (c->Next()) tables.push_back(c->Int(0));
  }
  for (int64_t table_id : tables) {
    tx.Exec("INSERT INTO views (table_id, name, ord, type, slug, props, created_on) VALUES (?, 'Grid', 1, 'grid', ?, "
            "?, ?)",
            table_id, util::Base64UrlEncode(util::RandomBytes(32)),
            std::string(R"({"row_identifier_type":"id","row_height_size":"small"})"),
            util::NowMicros());
  }
}

void V11BaasBoxUsers(Tx& tx) {
  const auto pk = tx.dialect().AutoIdPrimaryKey();
  // BaasBox users are a realm of their own (baasbox.md §11.5): usernames without e-mail,
  // BaasBox roles, four profile sections. Sessions are held in memory (§3).
  tx.Exec(fmt::format(R"(CREATE TABLE bb_user (
      id {pk},
      uuid TEXT NOT NULL UNIQUE,
      username TEXT NOT NULL,
      username_ci TEXT NOT NULL UNIQUE,
      password_hash TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'ACTIVE',
      signup_at INTEGER NOT NULL,
      generated_username INTEGER NOT NULL DEFAULT 0,
      email_ci TEXT,
      session_gen INTEGER NOT NULL DEFAULT 0))",
                      fmt::arg("pk", pk)));
  // signup_at is in milliseconds (signUpDate renders .SSS). email_ci mirrors the lower-cased
  // visibleByTheUser.email (unique among users, checked by the service). session_gen grows on
  // password/username change and suspension: a session made under an older generation is dead
  // in every process over the database, not only in the one that revoked it (§3).
  tx.Exec("CREATE INDEX bb_user_email ON bb_user (email_ci)");
  tx.Exec(R"(CREATE TABLE bb_user_section (
      user_id INTEGER NOT NULL REFERENCES bb_user(id) ON DELETE CASCADE,
      section TEXT NOT NULL,
      json TEXT NOT NULL,
      PRIMARY KEY (user_id, section)))");
  tx.Exec(fmt::format(R"(CREATE TABLE bb_role (
      id {pk},
      name TEXT NOT NULL UNIQUE,
      parent_id INTEGER REFERENCES bb_role(id),
      bypass_acl INTEGER NOT NULL DEFAULT 0,
      assignable INTEGER NOT NULL DEFAULT 1,
      internal INTEGER NOT NULL DEFAULT 0,
      description TEXT NOT NULL DEFAULT ''))",
                      fmt::arg("pk", pk)));
  tx.Exec(R"(CREATE TABLE bb_user_role (
      user_id INTEGER NOT NULL REFERENCES bb_user(id) ON DELETE CASCADE,
      role_id INTEGER NOT NULL REFERENCES bb_role(id) ON DELETE CASCADE,
      PRIMARY KEY (user_id, role_id)))");
  tx.Exec("CREATE INDEX bb_user_role_role ON bb_user_role (role_id, user_id)");
  // Built-in roles (§2.4): registered inherits anonymous; administrator and backoffice inherit
  // nothing and bypass record ACLs. Custom roles get parent = registered.
  tx.Exec("INSERT INTO bb_role (name, parent_id, bypass_acl, assignable, internal, description) "
          "VALUES ('anonymous', NULL, 0, 0, 1, 'Role assigned to the anonymous user')");
  tx.Exec("INSERT INTO bb_role (name, parent_id, bypass_acl, assignable, internal, description) "
          "SELECT 'registered', id, 0, 1, 1, 'Role assigned to registered users' FROM bb_role WHERE name = 'anonymous'");
  tx.Exec("INSERT INTO bb_role (name, parent_id, bypass_acl, assignable, internal, description) "
          "VALUES ('administrator', NULL, 1, 1, 1, 'Administrators: full access, may use /admin')");
  tx.Exec("INSERT INTO bb_role (name, parent_id, bypass_acl, assignable, internal, description) "
          "VALUES ('backoffice', NULL, 1, 1, 1, 'Back-office users: read and write every record')");
}

void V12BaasBoxDocuments(Tx& tx) {
  const auto pk = tx.dialect().AutoIdPrimaryKey();
  // Collections are real user tables (tbl_<id>, baasbox.md §11.4 option C); this registry maps
  // a collection name to its table and the Baserow field mirroring the raw JSON (doc_field_id).
  tx.Exec(fmt::format(R"(CREATE TABLE bb_collection (
      id {pk},
      name TEXT NOT NULL,
      name_ci TEXT NOT NULL UNIQUE,
      table_id INTEGER NOT NULL REFERENCES database_tables(id) ON DELETE CASCADE,
      doc_field_id INTEGER,
      created_at INTEGER NOT NULL))",
                      fmt::arg("pk", pk)));
  // Global node ids: documents, files, users and links (§11.5).
  tx.Exec(R"(CREATE TABLE bb_node (
      uuid TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      table_id INTEGER,
      row_id INTEGER NOT NULL))");
  tx.Exec("CREATE INDEX bb_node_row ON bb_node (kind, table_id, row_id)");
  // Per-record ACL: perm A(ll)/R/U/D, principal U(ser)/R(ole).
  tx.Exec(R"(CREATE TABLE bb_acl (
      table_id INTEGER NOT NULL,
      row_id INTEGER NOT NULL,
      perm TEXT NOT NULL,
      principal_kind TEXT NOT NULL,
      principal_id INTEGER NOT NULL,
      PRIMARY KEY (table_id, row_id, perm, principal_kind, principal_id)))");
  tx.Exec("CREATE INDEX bb_acl_principal ON bb_acl (principal_kind, principal_id, perm, table_id, row_id)");
  tx.Exec(fmt::format(R"(CREATE TABLE bb_link (
      id {pk},
      uuid TEXT NOT NULL UNIQUE,
      label TEXT NOT NULL,
      out_uuid TEXT NOT NULL,
      in_uuid TEXT NOT NULL,
      author_id INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      version INTEGER NOT NULL DEFAULT 1))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX bb_link_label ON bb_link (label)");
  tx.Exec("CREATE INDEX bb_link_out ON bb_link (out_uuid)");
  tx.Exec("CREATE INDEX bb_link_in ON bb_link (in_uuid)");
  tx.Exec("CREATE INDEX bb_link_author ON bb_link (author_id)");
}

void V13BaasBoxFiles(Tx& tx) {
  const auto pk = tx.dialect().AutoIdPrimaryKey();
  // Files (baasbox.md §9.8): metadata and the JSON shown/queried (bb_doc) here; node ids in
  // bb_node (kind 'file'), grants in bb_acl under table id 0.
  tx.Exec(fmt::format(R"(CREATE TABLE bb_file (
      id {pk},
      uuid TEXT NOT NULL UNIQUE,
      author_id INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      version INTEGER NOT NULL DEFAULT 1,
      file_name TEXT NOT NULL,
      content_type TEXT NOT NULL,
      content_length INTEGER NOT NULL,
      bb_doc TEXT NOT NULL))",
                      fmt::arg("pk", pk)));
  tx.Exec("CREATE INDEX bb_file_author ON bb_file (author_id)");
  // The bytes, base64url text, apart so that listing never reads them.
  tx.Exec(R"(CREATE TABLE bb_file_content (
      file_id INTEGER PRIMARY KEY REFERENCES bb_file(id) ON DELETE CASCADE,
      data TEXT NOT NULL))");
}

void V14BaasBoxProjections(Tx& tx) {
  const auto pk = tx.dialect().AutoIdPrimaryKey();
  // Declared projections of a collection (baasbox.md §11.4): columns bbp_<id>_s/_n of its table.
  tx.Exec(fmt::format(R"(CREATE TABLE bb_projection (
      id {pk},
      collection_id INTEGER NOT NULL REFERENCES bb_collection(id) ON DELETE CASCADE,
      key TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      UNIQUE (collection_id, key)))",
                      fmt::arg("pk", pk)));
  // PostgreSQL: the collation of the `where` language's toLowerCase()/toUpperCase() (Unicode
  // simple case mapping, as SQLite's registered gb_lower/gb_upper).
  if (tx.dialect().postgres()) tx.Exec("CREATE COLLATION IF NOT EXISTS gb_case (provider = libc, locale = 'C.UTF-8')");
}

void V15BaasBoxDocCounts(Tx& tx) {
  // Trigger-maintained document counters (store/doc_counts.hpp), filled for the collections
  // that exist.
  CreateDocCountSchema(tx);
  std::vector<int64_t> tables;
  {
    auto c = tx.Query("SELECT table_id FROM bb_collection ORDER BY table_id");
    while (c->Next()) tables.push_back(c->Int(0));
  }
  for (int64_t t : tables) {
    InstallDocCountTriggers(tx, t);
    RebuildDocCounts(tx, t);
  }
}

const std::vector<Migration>& All() {
  static const std::vector<Migration> kAll = {
      {1, "core: users, tokens, settings, workspaces, applications, tables", &V1Core},
      {2, "fields and select options; table row counts", &V2Fields},
      {3, "full-text index state per table", &V3FullText},
      {4, "database tokens and their grants", &V4Tokens},
      {5, "workspace invitations", &V5Invitations},
      {6, "substring search index state per table", &V6SearchIndex},
      {7, "event outbox and table webhooks", &V7Events},
      {8, "substring search index with a column per field", &V8SearchIndexColumns},
      {9, "webhook delivery claims; PostgreSQL extension, collation and functions", &V9Scaleout},
      {10, "views: filters, filter groups, sorts, group-bys, field options", &V10Views},
      {11, "BaasBox users and roles", &V11BaasBoxUsers},
      {12, "BaasBox collections, node ids, grants and links", &V12BaasBoxDocuments},
      {13, "BaasBox files", &V13BaasBoxFiles},
      {14, "BaasBox projections; case mapping collation", &V14BaasBoxProjections},
      {15, "BaasBox document counters", &V15BaasBoxDocCounts},
  };
  return kAll;
}

}  // namespace

int LatestMigrationVersion() { return All().back().version; }

int Migrate(Store& store) {
  store.Write([](Tx& tx) {
    tx.Exec(R"(CREATE TABLE IF NOT EXISTS gridbase_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at INTEGER NOT NULL))");
  });
  int applied = 0;
  for (const auto& m : All()) {
    store.Write([&](Tx& tx) {
      if (tx.QueryInt("SELECT version FROM gridbase_migrations WHERE version = ?", m.version)) {
        return;
      }
      m.apply(tx);
      tx.Exec("INSERT INTO gridbase_migrations (version, name, applied_at) VALUES (?, ?, ?)",
              m.version, m.name, static_cast<int64_t>(time(nullptr)));
      ++applied;
    });
  }
  return applied;
}

}  // namespace gridbase::store
