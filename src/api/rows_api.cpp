// Rows of a table (rows.md).
#include <boost/json/array.hpp>
#include <fmt/format.h>

#include <algorithm>

#include "api/errors.hpp"
#include "api/routes.hpp"
#include "util/error.hpp"
#include "util/json_writer.hpp"
#include "util/strings.hpp"

namespace gridbase::api {

namespace json = boost::json;

namespace {


/// The request URL with `page` replaced (or removed when 0).
std::string PageUrl(Context& ctx, int64_t page) {
  return ctx.UrlWithQuery({{"page", page > 0 ? std::optional<std::string>(std::to_string(page)) : std::nullopt}});
}

services::RowWrite WriteOptions(Context& ctx) {
  services::RowWrite opts;
  opts.user_field_names = ctx.QueryFlag("user_field_names");
  opts.include_metadata = ctx.QueryFlag("include_metadata");
  return opts;
}

void ListRows(Context& ctx) {
  services::RowListQuery q;
  if (auto raw = ctx.Query("page")) {
    auto n = CoerceInt(json::value(json::string(*raw)));
    q.page = n && *n >= 1 ? *n : 1;
  }
  if (auto raw = ctx.Query("size")) {
    auto n = CoerceInt(json::value(json::string(*raw)));
    q.size = n && *n >= 1 ? *n : 100;
    if (q.size > services::kRowPageSizeLimit) throw Error("ERROR_PAGE_SIZE_LIMIT");
  }
  q.search = ctx.Query("search").value_or("");
  if (auto mode = ctx.Query("search_mode")) {
    // Full-text mode falls back to compat when no full-text index is available (filters.md §6).
    if (*mode != "compat" && *mode != "full-text-with-count") {
      QueryInvalid("search_mode", fmt::format("\"{}\" is not a valid choice.", *mode), "invalid_choice");
    }
    q.full_text = *mode == "full-text-with-count";
  }
  q.view_id = IntQuery(ctx, "view_id");
  q.order_by = ctx.Query("order_by");
  if (q.order_by && q.order_by->empty()) q.order_by.reset();
  q.filters_json = ctx.Query("filters");
  q.params = ctx.QueryParams();
  q.include = ctx.Query("include");
  q.exclude = ctx.Query("exclude");
  q.user_field_names = ctx.QueryFlag("user_field_names");
  auto page = ctx.services.rows.List(ctx.actor(), ctx.IntParam("table_id"), q);
  std::string body = "{\"count\":" + std::to_string(page.count) + ",\"next\":";
  if (q.page * q.size < page.count) util::AppendJsonString(body, PageUrl(ctx, q.page + 1));
  else body += "null";
  body += ",\"previous\":";
  if (q.page <= 1) body += "null";
  else util::AppendJsonString(body, PageUrl(ctx, q.page == 2 ? 0 : q.page - 1));
  body += ",\"results\":" + page.results + "}";
  ctx.res.status = 200;
  ctx.res.body = std::move(body);
}

void SendRaw(Context& ctx, std::string body) {
  ctx.res.status = 200;
  ctx.res.body = std::move(body);
}

void GetRow(Context& ctx) {
  bool metadata = ctx.Query("include").value_or("") == "metadata";
  if (metadata && ctx.token) throw Error("ERROR_CANNOT_INCLUDE_ROW_METADATA");
  std::string row = ctx.services.rows.Get(ctx.actor(), ctx.IntParam("table_id"), ctx.IntParam("row_id"),
                                          ctx.QueryFlag("user_field_names"));
  // Row metadata (comment counts and the like) belongs to premium features: always empty.
  if (metadata) row = row.substr(0, row.size() - 1) + ",\"metadata\":{}}";
  SendRaw(ctx, std::move(row));
}

void CreateRow(Context& ctx) {
  auto before = IntQuery(ctx, "before");
  SendRaw(ctx, ctx.services.rows.Create(ctx.actor(), ctx.IntParam("table_id"), ctx.Json(), before, WriteOptions(ctx)));
}

void UpdateRow(Context& ctx) {
  SendRaw(ctx, ctx.services.rows.Update(ctx.actor(), ctx.IntParam("table_id"), ctx.IntParam("row_id"), ctx.Json(),
                                        WriteOptions(ctx)));
}

void DeleteRow(Context& ctx) {
  ctx.services.rows.Delete(ctx.actor(), ctx.IntParam("table_id"), ctx.IntParam("row_id"));
  ctx.SendNoContent();
}

void MoveRow(Context& ctx) {
  auto before = IntQuery(ctx, "before_id");
  SendRaw(ctx, ctx.services.rows.Move(ctx.actor(), ctx.IntParam("table_id"), ctx.IntParam("row_id"), before,
                                      ctx.QueryFlag("user_field_names")));
}

void BatchCreate(Context& ctx) {
  auto before = IntQuery(ctx, "before");
  SendRaw(ctx, ctx.services.rows.BatchCreate(ctx.actor(), ctx.IntParam("table_id"), ctx.Json(), before,
                                             WriteOptions(ctx)));
}

void BatchUpdate(Context& ctx) {
  SendRaw(ctx, ctx.services.rows.BatchUpdate(ctx.actor(), ctx.IntParam("table_id"), ctx.Json(), WriteOptions(ctx)));
}

void BatchDelete(Context& ctx) {
  ctx.services.rows.BatchDelete(ctx.actor(), ctx.IntParam("table_id"), ctx.Json());
  ctx.SendNoContent();
}

void AdjacentRow(Context& ctx) {
  auto row = ctx.services.rows.Adjacent(ctx.actor(), ctx.IntParam("table_id"), ctx.IntParam("row_id"),
                                        ctx.QueryFlag("previous"), ctx.Query("search").value_or(""),
                                        ctx.QueryFlag("user_field_names"), IntQuery(ctx, "view_id"));
  if (!row) return ctx.SendNoContent();
  SendRaw(ctx, std::move(*row));
}

void RowNames(Context& ctx) {
  std::vector<std::pair<int64_t, std::vector<int64_t>>> tables;
  for (const auto& [key, value] : ctx.QueryParams()) {
    if (key.rfind("table__", 0) != 0) {
      QueryInvalid(key, "Only table Id prefixed by \"table__\" are allowed as parameter.", "invalid_parameter");
    }
    auto table_id = CoerceInt(json::value(json::string(key.substr(7))));
    if (!table_id) QueryInvalid(key, "Failed to parse table id.", "invalid_table_id");
    std::vector<int64_t> ids;
    for (auto part : util::Split(value, ',')) {
      auto id = CoerceInt(json::value(json::string(util::Trim(part))));
      if (!id) QueryInvalid(key, "Failed to parse row ids.", "invalid_row_ids");
      ids.push_back(*id);
    }
    tables.emplace_back(*table_id, std::move(ids));
  }
  SendRaw(ctx, ctx.services.rows.Names(ctx.actor(), tables));
}

}  // namespace

void RegisterRowRoutes(ApiRouter& r) {
  r.Add("GET", "/api/database/rows/table/{table_id}/", {AuthMode::kJwtOrToken, ListRows});
  r.Add("POST", "/api/database/rows/table/{table_id}/", {AuthMode::kJwtOrToken, CreateRow});
  r.Add("POST", "/api/database/rows/table/{table_id}/batch/", {AuthMode::kJwtOrToken, BatchCreate});
  r.Add("PATCH", "/api/database/rows/table/{table_id}/batch/", {AuthMode::kJwtOrToken, BatchUpdate});
  r.Add("POST", "/api/database/rows/table/{table_id}/batch-delete/", {AuthMode::kJwtOrToken, BatchDelete});
  r.Add("GET", "/api/database/rows/table/{table_id}/{row_id}/", {AuthMode::kJwtOrToken, GetRow});
  r.Add("PATCH", "/api/database/rows/table/{table_id}/{row_id}/", {AuthMode::kJwtOrToken, UpdateRow});
  r.Add("DELETE", "/api/database/rows/table/{table_id}/{row_id}/", {AuthMode::kJwtOrToken, DeleteRow});
  r.Add("PATCH", "/api/database/rows/table/{table_id}/{row_id}/move/", {AuthMode::kJwtOrToken, MoveRow});
  r.Add("GET", "/api/database/rows/table/{table_id}/{row_id}/adjacent/", {AuthMode::kJwt, AdjacentRow});
  r.Add("GET", "/api/database/rows/names/", {AuthMode::kJwtOrToken, RowNames});
}

}  // namespace gridbase::api
