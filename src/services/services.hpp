#pragma once
// The service bundle the API layer calls; owned and wired by app/.
#include "services/applications.hpp"
#include "services/auth.hpp"
#include "services/fields.hpp"
#include "services/invitations.hpp"
#include "services/mailer.hpp"
#include "services/rows.hpp"
#include "services/settings.hpp"
#include "services/tables.hpp"
#include "services/tokens.hpp"
#include "services/users.hpp"
#include "services/views.hpp"
#include "services/webhooks.hpp"
#include "services/workspaces.hpp"

namespace gridbase::services {

struct Services {
  Services(store::Store& s, AuthConfig auth_config, MailConfig mail_config, std::string frontend_url,
           int64_t index_min_rows = kAutoIndexMinRows, WebhookConfig webhook_config = {})
      : store(s), mailer(std::move(mail_config)), auth(s, auth_config), users(s), workspaces(s), applications(s),
        settings(s), tables(s), fields(s), index_advisor(s, index_min_rows), rows(s, index_advisor), tokens(s, auth_config.secret_key),
        invitations(s, auth_config.secret_key, mailer, std::move(frontend_url)), webhooks(s, webhook_config),
        views(s, rows) {}

  store::Store& store;
  Mailer mailer;
  AuthService auth;
  UserService users;
  WorkspaceService workspaces;
  ApplicationService applications;
  SettingsService settings;
  TableService tables;
  FieldService fields;
  IndexAdvisor index_advisor;
  RowService rows;
  TokenService tokens;
  InvitationService invitations;
  WebhookService webhooks;
  ViewService views;
};

}  // namespace gridbase::services
