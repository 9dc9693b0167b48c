#include "services/tokens.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <sodium.h>

#include "services/auth.hpp"
#include "services/outbox.hpp"
#include "services/permissions.hpp"
#include "services/workspaces.hpp"
#include "util/crypto.hpp"
#include "util/error.hpp"
#include "util/time.hpp"
#include "util/validate.hpp"

namespace gridbase::services {

namespace json = boost::json;

namespace token_impl {

const char* const kOperations[] = {"create", "read", "update", "delete"};

json::array ErrorList(std::string_view message, std::string_view code) {
  return json::array{json::object{{"error", message}, {"code", code}}};
}

/// Parsed permissions of a request: per operation either "all", or database/table ids.
struct ParsedPermissions {
  std::vector<TokenGrant> grants;
};

/// Validates tokens.md §2.3; records the error on `v` and returns nullopt when invalid.
std::optional<ParsedPermissions> ParsePermissions(store::Tx& tx, const json::value& raw, util::Validator& v) {
  const char* kValueMessage =
      "The value must either be a bool, or a list containing database or table ids like "
      "[[\"database\", 1], [\"table\", 1]].";
  if (!raw.is_object() || raw.as_object().size() != 4) {
    v.SetError("permissions", ErrorList("Only create, read, update and delete keys are allowed.", "invalid_key"));
    return std::nullopt;
  }
  const auto& obj = raw.as_object();
  for (const char* op : kOperations) {
    if (!obj.contains(op)) {
      v.SetError("permissions", ErrorList("Only create, read, update and delete keys are allowed.", "invalid_key"));
      return std::nullopt;
    }
  }
  ParsedPermissions out;
  for (const char* op : kOperations) {
    const auto& value = obj.at(op);
    if (value.is_bool()) {
      if (value.as_bool()) out.grants.push_back(TokenGrant{op, "workspace", 0});
      continue;
    }
    if (!value.is_array()) {
      v.SetError("permissions", ErrorList(kValueMessage, "invalid_value"));
      return std::nullopt;
    }
    for (const auto& item : value.as_array()) {
      if (!item.is_array() || item.as_array().size() != 2 || !item.as_array()[0].is_string() ||
          !(item.as_array()[1].is_int64() || item.as_array()[1].is_uint64())) {
        v.SetError("permissions", ErrorList(kValueMessage, "invalid_value"));
        return std::nullopt;
      }
      std::string kind(item.as_array()[0].as_string());
      int64_t id = item.as_array()[1].to_number<int64_t>();
      if (kind != "database" && kind != "table") {
        v.SetError("permissions", ErrorList("The instance type can only be a database or table.", "invalid_instance_type"));
        return std::nullopt;
      }
      if (kind == "table" && !tx.QueryInt("SELECT id FROM database_tables WHERE id = ?", id)) {
        v.SetError("permissions", ErrorList(fmt::format("The table id {} is not valid.", id), "invalid_table_id"));
        return std::nullopt;
      }
      if (kind == "database" && !tx.QueryInt("SELECT id FROM applications WHERE id = ? AND type = 'database'", id)) {
        v.SetError("permissions",
                   ErrorList(fmt::format("The database id {} is not valid.", id), "invalid_database_id"));
        return std::nullopt;
      }
      out.grants.push_back(TokenGrant{op, kind, id});
    }
  }
  return out;
}

std::vector<TokenGrant> LoadGrants(store::Tx& tx, int64_t token_id) {
  std::vector<TokenGrant> grants;
  auto c = tx.Query("SELECT operation, scope, scope_id FROM database_token_grants WHERE token_id = ?", token_id);
  while (c->Next()) grants.push_back(TokenGrant{c->String(0), c->String(1), c->Int(2)});
  return grants;
}

void SaveGrants(store::Tx& tx, int64_t token_id, const std::vector<TokenGrant>& grants) {
  tx.Exec("DELETE FROM database_token_grants WHERE token_id = ?", token_id);
  for (const auto& g : grants) {
    tx.Exec("INSERT INTO database_token_grants (token_id, operation, scope, scope_id) VALUES (?, ?, ?, ?)", token_id,
            g.operation, g.scope, g.scope_id);
  }
}

struct TokenRow {
  int64_t id = 0;
  int64_t user_id = 0;
  int64_t workspace_id = 0;
};

/// The caller's token, else ERROR_TOKEN_DOES_NOT_EXIST; membership checked after.
TokenRow RequireOwnToken(store::Tx& tx, const Actor& actor, int64_t token_id) {
  auto c = tx.Query("SELECT id, user_id, workspace_id FROM database_tokens WHERE id = ? AND user_id = ?", token_id,
                    actor.user_id);
  if (!c->Next()) throw Error("ERROR_TOKEN_DOES_NOT_EXIST", "The token does not exist.");
  TokenRow row{c->Int(0), c->Int(1), c->Int(2)};
  c.reset();
  if (!FindMembership(tx, actor.user_id, row.workspace_id)) throw Error("ERROR_USER_NOT_IN_GROUP");
  return row;
}

}  // namespace token_impl

using namespace token_impl;

bool TokenAllows(const TokenActor& token, std::string_view operation, int64_t database_id, int64_t table_id) {
  for (const auto& g : token.grants) {
    if (g.operation != operation) continue;
    if (g.scope == "workspace") return true;
    if (g.scope == "database" && g.scope_id == database_id) return true;
    if (g.scope == "table" && g.scope_id == table_id) return true;
  }
  return false;
}

TokenService::TokenService(store::Store& store, std::string secret_key) : store_(store) {
  lookup_key_ = util::HmacSha256(secret_key, "gridbase database token lookup");
  box_key_ = util::HmacSha256(secret_key, "gridbase database token encryption");
}

std::string TokenService::Lookup(std::string_view key) const {
  return util::Base64UrlEncode(util::HmacSha256(lookup_key_, key));
}

std::string TokenService::Seal(std::string_view key) const {
  std::string nonce = util::RandomBytes(crypto_secretbox_NONCEBYTES);
  std::string cipher(key.size() + crypto_secretbox_MACBYTES, '\0');
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(cipher.data()),
                        reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                        reinterpret_cast<const unsigned char*>(nonce.data()),
                        reinterpret_cast<const unsigned char*>(box_key_.data()));
  return util::Base64UrlEncode(nonce + cipher);
}

std::optional<std::string> TokenService::Open(std::string_view sealed) const {
  auto raw = util::Base64UrlDecode(sealed);
  if (!raw || raw->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return std::nullopt;
  std::string nonce = raw->substr(0, crypto_secretbox_NONCEBYTES);
  std::string cipher = raw->substr(crypto_secretbox_NONCEBYTES);
  std::string plain(cipher.size() - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 reinterpret_cast<const unsigned char*>(cipher.data()), cipher.size(),
                                 reinterpret_cast<const unsigned char*>(nonce.data()),
                                 reinterpret_cast<const unsigned char*>(box_key_.data())) != 0) {
    return std::nullopt;
  }
  return plain;
}

json::object TokenService::TokenJson(store::Tx& tx, int64_t token_id) {
  auto c = tx.Query("SELECT id, name, workspace_id, key_sealed FROM database_tokens WHERE id = ?", token_id);
  c->Next();
  json::object out{{"id", c->Int(0)}, {"name", c->String(1)}, {"workspace", c->Int(2)}};
  out["key"] = Open(c->Text(3)).value_or("");
  c.reset();
  auto grants = LoadGrants(tx, token_id);
  json::object permissions;
  for (const char* op : kOperations) {
    bool all = false;
    json::array scoped;
    for (const auto& g : grants) {
      if (g.operation != op) continue;
      if (g.scope == "workspace") {
        all = true;
        continue;
      }
      // Grants of trashed items are hidden while they are in the trash; a table inside a
      // trashed database stays listed (pitfalls.md 27).
      bool visible = g.scope == "table"
                         ? tx.QueryInt("SELECT id FROM database_tables WHERE id = ? AND trashed = 0", g.scope_id)
                               .has_value()
                         : tx.QueryInt("SELECT id FROM applications WHERE id = ? AND trashed = 0", g.scope_id).has_value();
      if (visible) scoped.push_back(json::array{json::string(g.scope), g.scope_id});
    }
    if (all) permissions[op] = true;
    else if (scoped.empty()) permissions[op] = false;
    else permissions[op] = std::move(scoped);
  }
  out["permissions"] = std::move(permissions);
  return out;
}

json::array TokenService::List(const Actor& actor) {
  return store_.ReadResult([&](store::Tx& tx) {
    std::vector<int64_t> ids;
    {
      auto c = tx.Query("SELECT id FROM database_tokens WHERE user_id = ? ORDER BY id", actor.user_id);
      while (c->Next()) ids.push_back(c->Int(0));
    }
    json::array out;
    for (int64_t id : ids) out.push_back(TokenJson(tx, id));
    return out;
  });
}

json::object TokenService::Create(const Actor& actor, const json::value& body) {
  util::Validator v(body);
  util::StringRule name_rule;
  name_rule.max_length = 100;
  auto name = v.String("name", name_rule);
  auto workspace = v.Int("workspace");
  return store_.WriteResult([&](store::Tx& tx) {
    if (workspace && !tx.QueryInt("SELECT id FROM workspaces WHERE id = ? AND trashed = 0", *workspace)) {
      v.Fail("workspace", fmt::format("Invalid pk \"{}\" - object does not exist.", *workspace), "does_not_exist");
    }
    v.Check();
    CheckWorkspacePermission(tx, actor, *workspace, "workspace.create_token");
    std::string key;
    do {
      key = util::RandomAlphanumeric(32);
    } while (tx.QueryInt("SELECT id FROM database_tokens WHERE key_lookup = ?", Lookup(key)));
    int64_t id = *tx.QueryInt(
        "INSERT INTO database_tokens (user_id, workspace_id, name, key_lookup, key_sealed, created_on) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        actor.user_id, *workspace, *name, Lookup(key), Seal(key), util::NowMicros());
    std::vector<TokenGrant> all;
    for (const char* op : kOperations) all.push_back(TokenGrant{op, "workspace", 0});
    SaveGrants(tx, id, all);
    return TokenJson(tx, id);
  });
}

json::object TokenService::Get(const Actor& actor, int64_t token_id) {
  return store_.ReadResult([&](store::Tx& tx) {
    RequireOwnToken(tx, actor, token_id);
    return TokenJson(tx, token_id);
  });
}

/// Tells realtime to re-check (or, when the key is gone, close) the token's connections.
void RecordTokenChanged(store::Tx& tx, const Actor& actor, int64_t token_id, bool gone) {
  OutboxEvent e;
  e.type = kTokenChangedEvent;
  e.message = json::serialize(json::object{{"type", kTokenChangedEvent}, {"token_id", token_id}, {"gone", gone}});
  e.exclude_sender = false;
  RecordEvent(tx, actor, e);
}

json::object TokenService::Update(const Actor& actor, int64_t token_id, const json::value& body) {
  return store_.WriteResult([&](store::Tx& tx) {
    util::Validator v(body);
    util::StringRule name_rule;
    name_rule.required = false;
    name_rule.max_length = 100;
    auto name = v.String("name", name_rule);
    std::optional<ParsedPermissions> permissions;
    if (const auto* raw = v.Raw("permissions")) permissions = ParsePermissions(tx, *raw, v);
    bool rotate = v.Bool("rotate_key", false).value_or(false);
    v.Check();
    auto token = RequireOwnToken(tx, actor, token_id);
    if (name) tx.Exec("UPDATE database_tokens SET name = ? WHERE id = ?", *name, token_id);
    if (permissions) {
      for (const auto& g : permissions->grants) {
        if (g.scope == "database" &&
            tx.QueryInt("SELECT workspace_id FROM applications WHERE id = ?", g.scope_id) != token.workspace_id) {
          throw Error("ERROR_DATABASE_DOES_NOT_BELONG_TO_GROUP");
        }
        if (g.scope == "table" &&
            tx.QueryInt("SELECT a.workspace_id FROM database_tables t JOIN applications a ON a.id = t.database_id "
                        "WHERE t.id = ?",
                        g.scope_id) != token.workspace_id) {
          throw Error("ERROR_TABLE_DOES_NOT_BELONG_TO_GROUP");
        }
      }
      SaveGrants(tx, token_id, permissions->grants);
    }
    if (rotate) {
      std::string key;
      do {
        key = util::RandomAlphanumeric(32);
      } while (tx.QueryInt("SELECT id FROM database_tokens WHERE key_lookup = ?", Lookup(key)));
      tx.Exec("UPDATE database_tokens SET key_lookup = ?, key_sealed = ? WHERE id = ?", Lookup(key), Seal(key),
              token_id);
    }
    if (permissions || rotate) RecordTokenChanged(tx, actor, token_id, rotate);
    return TokenJson(tx, token_id);
  });
}

void TokenService::Delete(const Actor& actor, int64_t token_id) {
  store_.Write([&](store::Tx& tx) {
    RequireOwnToken(tx, actor, token_id);
    tx.Exec("DELETE FROM database_tokens WHERE id = ?", token_id);
    RecordTokenChanged(tx, actor, token_id, /*gone=*/true);
  });
}

TokenCheck TokenService::Authenticate(std::string_view key, User* user, TokenActor* token) {
  return store_.ReadResult([&](store::Tx& tx) {
    auto c = tx.Query("SELECT id, user_id, workspace_id FROM database_tokens WHERE key_lookup = ?", Lookup(key));
    if (!c->Next()) return TokenCheck::kUnknown;
    token->id = c->Int(0);
    int64_t user_id = c->Int(1);
    token->workspace_id = c->Int(2);
    c.reset();
    auto u = LoadUser(tx, user_id);
    if (!u) return TokenCheck::kUnknown;
    if (!u->is_active) return TokenCheck::kUserInactive;
    token->grants = LoadGrants(tx, token->id);
    *user = std::move(*u);
    return TokenCheck::kOk;
  });
}

json::array TokenService::AllTables(const Actor& actor) {
  return store_.ReadResult([&](store::Tx& tx) {
    json::array out;
    const auto& token = *actor.token;
    if (!FindMembership(tx, actor.user_id, token.workspace_id)) return out;
    auto c = tx.Query(
        "SELECT t.id, t.name, t.position, t.database_id FROM database_tables t "
        "JOIN applications a ON a.id = t.database_id JOIN workspaces w ON w.id = a.workspace_id "
        "WHERE a.workspace_id = ? AND t.trashed = 0 AND a.trashed = 0 AND w.trashed = 0 ORDER BY t.position, t.id",
        token.workspace_id);
    while (c->Next()) {
      int64_t table = c->Int(0), database = c->Int(3);
      bool any = false;
      for (const char* op : kOperations) any = any || TokenAllows(token, op, database, table);
      if (!any) continue;
      out.push_back(json::object{{"id", table}, {"name", c->String(1)}, {"order", c->Int(2)}, {"database_id", database}});
    }
    return out;
  });
}

}  // namespace gridbase::services
