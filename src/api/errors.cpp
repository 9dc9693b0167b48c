#include "api/errors.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <unordered_map>

namespace gridbase::api {

namespace json = boost::json;

namespace {

const std::unordered_map<std::string_view, CatalogueEntry>& Catalogue() {
  static const std::unordered_map<std::string_view, CatalogueEntry> kCatalogue = {
      // Generic
      {"ERROR_REQUEST_BODY_VALIDATION", {400, ""}},
      {"ERROR_QUERY_PARAMETER_VALIDATION", {400, ""}},
      {"ERROR_GROUP_DOES_NOT_EXIST", {404, "The requested group does not exist."}},
      {"ERROR_USER_NOT_IN_GROUP", {400, ""}},
      {"ERROR_USER_INVALID_GROUP_PERMISSIONS", {400, "You need permissions."}},
      {"PERMISSION_DENIED", {401, "You don't have the required permission to execute this operation."}},
      {"ERROR_FEATURE_DISABLED", {403, "This feature is disabled."}},
      {"ERROR_HOSTNAME_IS_NOT_ALLOWED", {400, "Only the hostname of the web frontend is allowed."}},
      {"BAD_TOKEN_SIGNATURE", {400, ""}},
      {"EXPIRED_TOKEN_SIGNATURE", {400, ""}},
      {"ERROR_INVALID_SORT_DIRECTION",
       {400, "Attributes to sort by must be prefixed with one of '-' or '+'."}},
      {"ERROR_INVALID_SORT_ATTRIBUTE", {400, "Invalid attribute name provided to sort by."}},
      {"ERROR_PAGE_SIZE_LIMIT", {400, "The page size is limited to 200."}},
      {"URL_NOT_FOUND", {404, ""}},
      {"URL_TRAILING_SLASH_MISSING", {404, ""}},
      // Users and authentication
      {"ERROR_EMAIL_ALREADY_EXISTS", {400, ""}},
      {"ERROR_USER_NOT_FOUND", {400, ""}},
      {"ERROR_INVALID_OLD_PASSWORD", {400, ""}},
      {"ERROR_USER_IS_LAST_ADMIN", {400, ""}},
      {"ERROR_DISABLED_SIGNUP", {400, ""}},
      {"ERROR_DISABLED_RESET_PASSWORD", {400, ""}},
      {"ERROR_REFRESH_TOKEN_ALREADY_BLACKLISTED",
       {400, "The provided refresh token is already blacklisted."}},
      {"ERROR_INVALID_CREDENTIALS", {401, "No active account found with the given credentials."}},
      {"ERROR_INVALID_ACCESS_TOKEN", {401, "Access token is expired or invalid."}},
      {"ERROR_INVALID_REFRESH_TOKEN", {401, "Refresh token is expired or invalid."}},
      {"ERROR_DEACTIVATED_USER", {401, "User account has been disabled."}},
      {"ERROR_AUTH_PROVIDER_DISABLED", {401, "Authentication provider is disabled."}},
      // Workspaces and members
      {"ERROR_GROUP_USER_IS_LAST_ADMIN",
       {400, "The related user is the last admin in the group. They must delete the group or "
             "give someone else admin permissions."}},
      {"ERROR_GROUP_USER_DOES_NOT_EXIST", {404, "The requested group user does not exist."}},
      {"ERROR_GROUP_USER_ALREADY_EXISTS", {400, "The user is already a member of the group."}},
      {"ERROR_CANNOT_DELETE_YOURSELF_FROM_GROUP",
       {400, "You cannot delete yourself from the group. Use the leave group endpoint for that."}},
      {"ERROR_LAST_ADMIN_OF_GROUP", {400, "You can't remove the last admin of a workspace."}},
      // Applications and tables
      {"ERROR_APPLICATION_DOES_NOT_EXIST", {404, "The requested application does not exist."}},
      {"ERROR_APPLICATION_NOT_IN_GROUP", {400, "The application does not belong to the group."}},
      {"ERROR_APPLICATION_TYPE_DOES_NOT_EXIST", {400, "The application type does not exist."}},
      {"ERROR_TABLE_DOES_NOT_EXIST", {404, "The requested table does not exist."}},
  };
  return kCatalogue;
}

}  // namespace

HttpError HttpError::Detail(int status, std::string_view detail, std::vector<http::Header> headers) {
  return HttpError(status, json::object{{"detail", detail}}, std::move(headers));
}

const CatalogueEntry* FindErrorCode(std::string_view code) {
  const auto& c = Catalogue();
  auto it = c.find(code);
  return it == c.end() ? nullptr : &it->second;
}

void WriteError(const Error& error, http::Response& res) {
  const CatalogueEntry* entry = FindErrorCode(error.code());
  if (!entry) {
    spdlog::error("error code {} is missing from the catalogue", error.code());
    res.status = 500;
    res.body = R"({"detail":"Internal server error."})";
    return;
  }
  json::object body;
  body["error"] = error.code();
  body["detail"] = error.has_detail() ? error.detail() : json::value(json::string(entry->detail));
  res.status = entry->status;
  res.body = json::serialize(body);
}

void WriteHttpError(const HttpError& error, http::Response& res) {
  res.status = error.status();
  res.body = json::serialize(error.body());
  for (const auto& h : error.headers()) res.set_header(h.name, h.value);
}

}  // namespace gridbase::api
