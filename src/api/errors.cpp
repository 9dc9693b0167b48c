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
      {"ERROR_GROUP_INVITATION_DOES_NOT_EXIST", {404, "The requested group invitation does not exist."}},
      {"ERROR_GROUP_INVITATION_EMAIL_MISMATCH", {400, "Your email address does not match with the invitation."}},
      // Applications and tables
      {"ERROR_APPLICATION_DOES_NOT_EXIST", {404, "The requested application does not exist."}},
      {"ERROR_APPLICATION_NOT_IN_GROUP", {400, "The application does not belong to the group."}},
      {"ERROR_APPLICATION_TYPE_DOES_NOT_EXIST", {400, "The application type does not exist."}},
      {"ERROR_TABLE_DOES_NOT_EXIST", {404, "The requested table does not exist."}},
      {"ERROR_TABLE_NOT_IN_DATABASE", {400, "The table does not belong to the database."}},
      {"ERROR_INVALID_INITIAL_TABLE_DATA",
       {400, "The provided table data must at least contain one row and one column."}},
      {"ERROR_INITIAL_SYNC_TABLE_DATA_LIMIT_EXCEEDED", {400, ""}},
      {"ERROR_INITIAL_TABLE_DATA_HAS_DUPLICATE_NAMES",
       {400, "Field names must be unique in Baserow per table however the initial table data provided "
             "contains duplicate field names, please make them unique and try again."}},
      {"ERROR_CANNOT_DELETE_ALREADY_DELETED_ITEM", {400, "This item has already been deleted."}},
      {"ERROR_DATABASE_DEADLOCK",
       {409, "The requested resource is already being updated or used by another operation, please try "
             "again after other concurrent operations have finished."}},
      // Fields
      {"ERROR_FIELD_DOES_NOT_EXIST", {404, "The requested field does not exist."}},
      {"ERROR_RESERVED_BASEROW_FIELD_NAME",
       {400, "The field names id,order are reserved and cannot and cannot be used for a user created "
             "field, please choose different field name."}},
      {"ERROR_INVALID_BASEROW_FIELD_NAME", {400, "Fields must not be blank or only consist of whitespace."}},
      {"ERROR_MAX_FIELD_NAME_LENGTH_EXCEEDED", {400, "You cannot set a field name longer than 255 characters."}},
      {"ERROR_MAX_FIELD_COUNT_EXCEEDED", {400, ""}},
      {"ERROR_FIELD_WITH_SAME_NAME_ALREADY_EXISTS",
       {400, "You cannot have two fields with the same name in the same table, please choose a unique "
             "name for each field."}},
      {"ERROR_CANNOT_DELETE_PRIMARY_FIELD", {400, ""}},
      {"ERROR_INCOMPATIBLE_PRIMARY_FIELD_TYPE", {400, "The field type is not compatible with the primary field."}},
      {"ERROR_FIELD_IS_ALREADY_PRIMARY", {400, "The provided field is already the primary field."}},
      {"ERROR_TABLE_HAS_NO_PRIMARY_FIELD", {400, "The provided table does not have a primary field."}},
      {"ERROR_FIELD_NOT_IN_TABLE", {400, "The provided field does not belong in the related table."}},
      {"ERROR_INCOMPATIBLE_FIELD_TYPE_FOR_UNIQUE_VALUES",
       {400, "The requested field type is not compatible with generating unique values."}},
      {"ERROR_DATE_FORCE_TIMEZONE_OFFSET_ERROR",
       {400, "The field date should already exists and date_include_time  must be set to True on the field "
             "to convert values with the utc_offset provided in date_force_timezone_offset."}},
      {"ERROR_SELECT_OPTION_DOES_NOT_BELONG_TO_FIELD",
       {400, "The provided select option does not belong to the field."}},
      {"ERROR_DB_INDEX_NOT_SUPPORTED", {400, "The field type does not support database indexes."}},
      {"ERROR_FIELD_CONSTRAINT", {400, "The field constraint cannot be applied to the existing data."}},
      {"ERROR_INVALID_FIELD_CONSTRAINT", {400, "The field constraint is not supported by this field type."}},
      {"ERROR_FIELD_CONSTRAINT_DOES_NOT_SUPPORT_DEFAULT_VALUE",
       {400, "The field constraint does not support a default value on the field."}},
      {"ERROR_FIELD_DATA_CONSTRAINT", {400, "The provided value violates a field constraint of the table."}},
      {"ERROR_VIEW_DOES_NOT_EXIST", {404, "The requested view does not exist."}},
      // Views
      {"ERROR_GRID_DOES_NOT_EXIST", {404, "The requested grid view does not exist."}},
      {"ERROR_VIEW_NOT_IN_TABLE", {400, "The view does not belong to the table."}},
      {"ERROR_VIEW_FILTER_DOES_NOT_EXIST", {404, "The view filter does not exist."}},
      {"ERROR_VIEW_FILTER_NOT_SUPPORTED", {400, "Filtering is not supported for the view type."}},
      {"ERROR_VIEW_FILTER_GROUP_DOES_NOT_EXIST", {404, "The view filter group does not exist."}},
      {"ERROR_VIEW_SORT_DOES_NOT_EXIST", {404, "The view sort does not exist."}},
      {"ERROR_VIEW_SORT_NOT_SUPPORTED", {400, "Sorting is not supported for the view type."}},
      {"ERROR_VIEW_SORT_FIELD_ALREADY_EXISTS", {400, "A sort with the field already exists in the view."}},
      {"ERROR_VIEW_SORT_FIELD_NOT_SUPPORTED", {400, "The field does not support view sorting on the given type."}},
      {"ERROR_VIEW_GROUP_BY_DOES_NOT_EXIST", {404, "The view group by does not exist."}},
      {"ERROR_VIEW_GROUP_BY_NOT_SUPPORTED", {400, "Grouping is not supported for the view type."}},
      {"ERROR_VIEW_GROUP_BY_FIELD_ALREADY_EXISTS", {400, "A group by for the field already exists in the view."}},
      {"ERROR_VIEW_GROUP_BY_FIELD_NOT_SUPPORTED", {400, "The field does not support view grouping."}},
      {"ERROR_UNRELATED_FIELD", {400, "The field is not related to the provided view."}},
      {"ERROR_AGGREGATION_TYPE_DOES_NOT_EXIST", {400, "The specified aggregation type does not exist."}},
      {"ERROR_AGGREGATION_DOES_NOT_SUPPORTED_FIELD", {400, "The aggregation type does not support the given field."}},
      {"ERROR_VIEW_OWNERSHIP_TYPE_DOES_NOT_EXIST", {404, "The view ownership type does not exist."}},
      // Database tokens
      {"ERROR_TOKEN_DOES_NOT_EXIST", {404, "The token does not exist."}},
      {"ERROR_NO_PERMISSION_TO_TABLE", {401, "The token does not have permissions to the table."}},
      {"ERROR_CANNOT_INCLUDE_ROW_METADATA", {400, "The token cannot include row metadata."}},
      {"ERROR_DATABASE_DOES_NOT_BELONG_TO_GROUP", {400, "The provided database does not belong to the related group."}},
      {"ERROR_TABLE_DOES_NOT_BELONG_TO_GROUP", {400, "The provided table does not belong to the related group."}},
      // Rows, filters, sorting
      {"ERROR_ROW_DOES_NOT_EXIST", {404, "The requested rows do not exist."}},
      {"ERROR_ROW_IDS_NOT_UNIQUE", {400, "The provided row ids are not unique."}},
      {"ERROR_ORDER_BY_FIELD_NOT_FOUND", {400, "The field was not found in the table."}},
      {"ERROR_ORDER_BY_FIELD_NOT_POSSIBLE", {400, "It is not possible to order by the field."}},
      {"ERROR_FILTER_FIELD_NOT_FOUND", {400, "The field was not found in the table."}},
      {"ERROR_VIEW_FILTER_TYPE_DOES_NOT_EXIST", {400, "The view filter type doesn't exist."}},
      {"ERROR_VIEW_FILTER_TYPE_UNSUPPORTED_FIELD", {400, "The filter is not compatible with the field type."}},
      {"ERROR_FILTERS_PARAM_VALIDATION_ERROR", {400, ""}},
      // Table webhooks
      {"ERROR_TABLE_WEBHOOK_DOES_NOT_EXIST", {404, "The requested table webhook does not exist."}},
      {"ERROR_TABLE_WEBHOOK_MAX_LIMIT_EXCEEDED",
       {400, "The maximally allowed webhooks per table has been exceeded. You can create a maximum of 20 "
             "webhooks."}},
      {"ERROR_TABLE_WEBHOOK_EVENT_CONFIG_FIELD_NOT_IN_TABLE",
       {400, "The provided event config field does not belong to the table."}},
      {"ERROR_TABLE_WEBHOOK_EVENT_CONFIG_VIEW_NOT_IN_TABLE",
       {400, "The provided event config view does not belong to the table."}},
      // Event replay (gridbase)
      {"ERROR_EVENTS_EXPIRED", {400, ""}},
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
