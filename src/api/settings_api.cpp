// Instance settings, login options and health checks (misc.md §2–§4).
#include "api/errors.hpp"
#include "api/routes.hpp"
#include "services/serializers.hpp"
#include "util/validate.hpp"

namespace gridbase::api {

namespace json = boost::json;

namespace {

void GetSettings(Context& ctx) { ctx.SendJson(200, SettingsJson(ctx.services.settings.Get())); }

void UpdateSettings(Context& ctx) {
  Validator v(ctx.Json());
  json::object patch;
  for (const char* key : {"allow_new_signups", "allow_signups_via_workspace_invitations",
                          "allow_reset_password", "allow_global_workspace_creation",
                          "track_workspace_usage", "show_baserow_help_request",
                          "verify_import_signature"}) {
    if (auto b = v.Bool(key, false)) patch[key] = *b;
  }
  if (auto d = v.Int("account_deletion_grace_delay", false, 0, 32767))
    patch["account_deletion_grace_delay"] = *d;
  if (const auto* ev = v.Raw("email_verification")) {
    if (ev->is_null()) {
      v.Fail("email_verification", "'null' is not a valid choice.", "invalid_choice");
    } else if (auto c = v.Choice("email_verification", {"no_verification", "recommended", "enforced"})) {
      patch["email_verification"] = *c;
    }
  }
  if (const auto* logo = v.Raw("co_branding_logo"); logo && !logo->is_null()) {
    if (logo->is_object() && logo->as_object().contains("name")) {
      // This server stores no user files yet, so no name can refer to one.
      v.Fail("co_branding_logo", "The provided user file does not exist.", "invalid");
    } else {
      v.Fail("co_branding_logo", "The value must be an object containing the file name.", "invalid");
    }
  }
  v.Check();
  ctx.SendJson(200, SettingsJson(ctx.services.settings.Update(ctx.actor(), patch)));
}

void InstanceId(Context& ctx) {
  ctx.SendJson(200, json::object{{"instance_id", ctx.services.settings.InstanceId()}});
}

void LoginOptions(Context& ctx) {
  ctx.SendJson(200, json::object{{"password", json::object{{"type", "password"}}}});
}

void Health(Context& ctx) {
  bool ok = ctx.services.store.Ping();
  ctx.res.status = ok ? 200 : 503;
  ctx.res.content_type = "text/html; charset=utf-8";
  ctx.res.body = ok ? "OK" : "Database unavailable";
}

void HealthFull(Context& ctx) {
  bool ok = ctx.services.store.Ping();
  ctx.SendJson(200, json::object{{"passing", ok},
                                 {"checks", json::object{{"DatabaseBackend",
                                                          ok ? "working" : "unavailable: no answer"}}},
                                 {"celery_queue_size", 0},
                                 {"celery_export_queue_size", 0}});
}

}  // namespace

void RegisterSettingsRoutes(ApiRouter& r) {
  r.Add("GET", "/api/settings/", {AuthMode::kPublic, GetSettings});
  r.Add("PATCH", "/api/settings/update/", {AuthMode::kStaff, UpdateSettings});
  r.Add("GET", "/api/settings/instance-id/", {AuthMode::kStaff, InstanceId});
  r.Add("GET", "/api/auth-provider/login-options/", {AuthMode::kPublic, LoginOptions});
  r.Add("GET", "/api/_health/", {AuthMode::kNone, Health});
  r.Add("GET", "/_health/", {AuthMode::kNone, Health});
  r.Add("GET", "/api/_health/full/", {AuthMode::kStaff, HealthFull});
}

}  // namespace gridbase::api
