#pragma once
// Database tokens (tokens.md): 32-character random keys bound to a user and a workspace,
// with create/read/update/delete grants on the whole workspace, databases or tables.
// Keys are stored as an HMAC-SHA256 lookup digest plus a copy encrypted with a key derived
// from the server's secret key (libsodium secretbox): the database file alone reveals no
// usable key, yet the API can return the key as Baserow does.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "services/models.hpp"
#include "store/store.hpp"

namespace gridbase::services {

enum class TokenCheck { kOk, kUnknown, kUserInactive };

class TokenService {
 public:
  TokenService(store::Store& store, std::string secret_key);

  boost::json::array List(const Actor& actor);
  boost::json::object Create(const Actor& actor, const boost::json::value& body);
  boost::json::object Get(const Actor& actor, int64_t token_id);
  boost::json::object Update(const Actor& actor, int64_t token_id, const boost::json::value& body);
  void Delete(const Actor& actor, int64_t token_id);

  /// Resolves `Authorization: Token <key>` into the token's user and grants.
  TokenCheck Authenticate(std::string_view key, User* user, TokenActor* token);

  /// Tables the token may use with any operation (GET database/tables/all-tables/).
  boost::json::array AllTables(const Actor& actor);

 private:
  std::string Lookup(std::string_view key) const;
  std::string Seal(std::string_view key) const;
  std::optional<std::string> Open(std::string_view sealed) const;
  boost::json::object TokenJson(store::Tx& tx, int64_t token_id);

  store::Store& store_;
  std::string lookup_key_;
  std::string box_key_;
};

/// Whether a token actor's grants allow `operation` (create/read/update/delete) on a table.
bool TokenAllows(const TokenActor& token, std::string_view operation, int64_t database_id, int64_t table_id);

}  // namespace gridbase::services
