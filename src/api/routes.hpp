#pragma once
// One registration function per Baserow area; app/ calls them all in one place.
#include "api/context.hpp"

namespace gridbase::api {

/// Every route of the API, in one place (app/ calls this; the authorisation matrix test
/// walks the same table).
void RegisterAllRoutes(ApiRouter& router);

void RegisterUserRoutes(ApiRouter& router);
void RegisterWorkspaceRoutes(ApiRouter& router);
void RegisterApplicationRoutes(ApiRouter& router);
void RegisterSettingsRoutes(ApiRouter& router);  // settings, login options, health
void RegisterTableRoutes(ApiRouter& router);
void RegisterFieldRoutes(ApiRouter& router);
void RegisterRowRoutes(ApiRouter& router);
void RegisterTokenRoutes(ApiRouter& router);
void RegisterInvitationRoutes(ApiRouter& router);
void RegisterWebhookRoutes(ApiRouter& router);
void RegisterEventRoutes(ApiRouter& router);  // event replay (gridbase)
void RegisterViewRoutes(ApiRouter& router);
void RegisterJobRoutes(ApiRouter& router);

/// The session payload of token-auth and sign-up (auth.md §2.4).
boost::json::object SessionPayload(Context& ctx, const services::User& user);
/// {"user", "permissions", "user_notifications"} (token-verify, and the tail of the others).
boost::json::object UserDataPayload(Context& ctx, const services::User& user);

}  // namespace gridbase::api
