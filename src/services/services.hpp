#pragma once
// The service bundle the API layer calls; owned and wired by app/.
#include "services/applications.hpp"
#include "services/auth.hpp"
#include "services/fields.hpp"
#include "services/rows.hpp"
#include "services/settings.hpp"
#include "services/tables.hpp"
#include "services/tokens.hpp"
#include "services/users.hpp"
#include "services/workspaces.hpp"

namespace gridbase::services {

struct Services {
  Services(store::Store& s, AuthConfig auth_config)
      : store(s), auth(s, auth_config), users(s), workspaces(s), applications(s), settings(s),
        tables(s), fields(s), rows(s), tokens(s, auth_config.secret_key) {}

  store::Store& store;
  AuthService auth;
  UserService users;
  WorkspaceService workspaces;
  ApplicationService applications;
  SettingsService settings;
  TableService tables;
  FieldService fields;
  RowService rows;
  TokenService tokens;
};

}  // namespace gridbase::services
