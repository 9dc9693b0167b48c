// Views (views.md): CRUD, order, duplicate, filters, filter groups, sorts, group-bys,
// decorations (read), field options, the grid rows endpoint and its aggregations; and the
// jobs list (gridbase runs no background jobs, so a user's list is empty). JWT only.
#include <boost/json/array.hpp>
#include <fmt/format.h>

#include "api/errors.hpp"
#include "api/routes.hpp"
#include "util/error.hpp"
#include "util/json_writer.hpp"
#include "util/strings.hpp"

namespace gridbase::api {

namespace json = boost::json;

namespace {

services::ViewIncludes Includes(Context& ctx) { return services::ViewIncludes::Parse(ctx.Query("include")); }


void ListViews(Context& ctx) {
  auto type = ctx.Query("type");
  if (type && !services::FindViewType(*type)) {
    QueryInvalid("type", fmt::format("\"{}\" is not a valid choice.", *type), "invalid_choice");
  }
  ctx.SendJson(200, ctx.services.views.List(ctx.actor(), ctx.IntParam("table_id"), type, IntQuery(ctx, "limit"),
                                            Includes(ctx)));
}

void CreateView(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.Create(ctx.actor(), ctx.IntParam("table_id"), ctx.Json(), Includes(ctx)));
}

void OrderViews(Context& ctx) {
  ctx.services.views.Order(ctx.actor(), ctx.IntParam("table_id"), ctx.Json());
  ctx.SendNoContent();
}

void GetView(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.Get(ctx.actor(), ctx.IntParam("view_id"), Includes(ctx)));
}

void UpdateView(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.Update(ctx.actor(), ctx.IntParam("view_id"), ctx.Json(), Includes(ctx)));
}

void DeleteView(Context& ctx) {
  ctx.services.views.Delete(ctx.actor(), ctx.IntParam("view_id"));
  ctx.SendNoContent();
}

void DuplicateView(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.Duplicate(ctx.actor(), ctx.IntParam("view_id")));
}

void ListFilters(Context& ctx) { ctx.SendJson(200, ctx.services.views.ListFilters(ctx.actor(), ctx.IntParam("view_id"))); }
void CreateFilter(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.CreateFilter(ctx.actor(), ctx.IntParam("view_id"), ctx.Json()));
}
void GetFilter(Context& ctx) { ctx.SendJson(200, ctx.services.views.GetFilter(ctx.actor(), ctx.IntParam("view_filter_id"))); }
void UpdateFilter(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.UpdateFilter(ctx.actor(), ctx.IntParam("view_filter_id"), ctx.Json()));
}
void DeleteFilter(Context& ctx) {
  ctx.services.views.DeleteFilter(ctx.actor(), ctx.IntParam("view_filter_id"));
  ctx.SendNoContent();
}

void CreateFilterGroup(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.CreateFilterGroup(ctx.actor(), ctx.IntParam("view_id"), ctx.Json()));
}
void GetFilterGroup(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.GetFilterGroup(ctx.actor(), ctx.IntParam("view_filter_group_id")));
}
void UpdateFilterGroup(Context& ctx) {
  ctx.SendJson(200,
               ctx.services.views.UpdateFilterGroup(ctx.actor(), ctx.IntParam("view_filter_group_id"), ctx.Json()));
}
void DeleteFilterGroup(Context& ctx) {
  ctx.services.views.DeleteFilterGroup(ctx.actor(), ctx.IntParam("view_filter_group_id"));
  ctx.SendNoContent();
}

void ListSorts(Context& ctx) { ctx.SendJson(200, ctx.services.views.ListSorts(ctx.actor(), ctx.IntParam("view_id"))); }
void CreateSort(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.CreateSort(ctx.actor(), ctx.IntParam("view_id"), ctx.Json()));
}
void GetSort(Context& ctx) { ctx.SendJson(200, ctx.services.views.GetSort(ctx.actor(), ctx.IntParam("view_sort_id"))); }
void UpdateSort(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.UpdateSort(ctx.actor(), ctx.IntParam("view_sort_id"), ctx.Json()));
}
void DeleteSort(Context& ctx) {
  ctx.services.views.DeleteSort(ctx.actor(), ctx.IntParam("view_sort_id"));
  ctx.SendNoContent();
}

void ListGroupBys(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.ListGroupBys(ctx.actor(), ctx.IntParam("view_id")));
}
void CreateGroupBy(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.CreateGroupBy(ctx.actor(), ctx.IntParam("view_id"), ctx.Json()));
}
void GetGroupBy(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.GetGroupBy(ctx.actor(), ctx.IntParam("view_group_by_id")));
}
void UpdateGroupBy(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.UpdateGroupBy(ctx.actor(), ctx.IntParam("view_group_by_id"), ctx.Json()));
}
void DeleteGroupBy(Context& ctx) {
  ctx.services.views.DeleteGroupBy(ctx.actor(), ctx.IntParam("view_group_by_id"));
  ctx.SendNoContent();
}

void ListDecorations(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.ListDecorations(ctx.actor(), ctx.IntParam("view_id")));
}

void GetFieldOptions(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.FieldOptions(ctx.actor(), ctx.IntParam("view_id")));
}
void UpdateFieldOptions(Context& ctx) {
  ctx.SendJson(200, ctx.services.views.UpdateFieldOptions(ctx.actor(), ctx.IntParam("view_id"), ctx.Json()));
}

/// search, search_mode and the ad-hoc filters shared by the grid endpoints.
void ReadSearchAndFilters(Context& ctx, services::RowListQuery& q) {
  q.search = ctx.Query("search").value_or("");
  if (auto mode = ctx.Query("search_mode")) {
    if (*mode != "compat" && *mode != "full-text-with-count") {
      QueryInvalid("search_mode", fmt::format("\"{}\" is not a valid choice.", *mode), "invalid_choice");
    }
    q.full_text = *mode == "full-text-with-count";
  }
  q.filters_json = ctx.Query("filters");
  q.params = ctx.QueryParams();
}

/// Non-negative integer query value, or `fallback` when absent or invalid (DRF paginators).
int64_t PagingInt(Context& ctx, std::string_view name, int64_t fallback, bool positive) {
  auto raw = ctx.Query(name);
  if (!raw) return fallback;
  auto n = CoerceInt(json::value(json::string(*raw)));
  if (!n || *n < 0 || (positive && *n == 0)) return fallback;
  return *n;
}

void GridRows(Context& ctx) {
  services::GridQuery q;
  q.count_only = ctx.QueryFlag("count");
  q.rows.exclude_count = ctx.QueryFlag("exclude_count");
  bool limit_offset = ctx.Query("limit").has_value();
  if (limit_offset) {
    q.rows.limit = PagingInt(ctx, "limit", 100, true);
    q.rows.offset = PagingInt(ctx, "offset", 0, false);
  } else {
    q.rows.page = PagingInt(ctx, "page", 1, true);
    q.rows.size = PagingInt(ctx, "size", 100, true);
  }
  ReadSearchAndFilters(ctx, q.rows);
  q.rows.order_by = ctx.Query("order_by");
  if (q.rows.order_by && q.rows.order_by->empty()) q.rows.order_by.reset();
  q.rows.include = ctx.Query("include_fields");
  q.rows.exclude = ctx.Query("exclude_fields");
  const std::string include = ctx.Query("include").value_or("");
  for (auto part : util::Split(include, ',')) {
    std::string item(util::Trim(part));
    if (item == "field_options") q.include_field_options = true;
    else if (item == "row_metadata") q.include_row_metadata = true;
  }
  auto page = ctx.services.views.GridRows(ctx.actor(), ctx.IntParam("view_id"), q);
  std::string body = "{";
  if (q.count_only) {
    body += "\"count\":" + std::to_string(page.rows.count) + "}";
    ctx.res.status = 200;
    ctx.res.body = std::move(body);
    return;
  }
  if (page.rows.counted) {
    const int64_t count = page.rows.count;
    body += "\"count\":" + std::to_string(count) + ",\"next\":";
    if (limit_offset) {
      int64_t limit = *q.rows.limit, offset = q.rows.offset;
      if (offset + limit < count) {
        util::AppendJsonString(body, ctx.UrlWithQuery({{"limit", std::to_string(limit)},
                                                       {"offset", std::to_string(offset + limit)}}));
      } else {
        body += "null";
      }
      body += ",\"previous\":";
      if (offset <= 0) {
        body += "null";
      } else if (offset - limit <= 0) {
        util::AppendJsonString(body, ctx.UrlWithQuery({{"limit", std::to_string(limit)}, {"offset", std::nullopt}}));
      } else {
        util::AppendJsonString(body, ctx.UrlWithQuery({{"limit", std::to_string(limit)},
                                                       {"offset", std::to_string(offset - limit)}}));
      }
    } else {
      if (q.rows.page * q.rows.size < count) {
        util::AppendJsonString(body, ctx.UrlWithQuery({{"page", std::to_string(q.rows.page + 1)}}));
      } else {
        body += "null";
      }
      body += ",\"previous\":";
      if (q.rows.page <= 1) {
        body += "null";
      } else if (q.rows.page == 2) {
        util::AppendJsonString(body, ctx.UrlWithQuery({{"page", std::nullopt}}));
      } else {
        util::AppendJsonString(body, ctx.UrlWithQuery({{"page", std::to_string(q.rows.page - 1)}}));
      }
    }
    body += ",";
  }
  body += "\"results\":" + page.rows.results;
  if (!page.field_options.empty()) body += ",\"field_options\":" + page.field_options;
  // Row metadata (comment counts and the like) belongs to premium features: always empty.
  if (q.include_row_metadata) body += ",\"row_metadata\":{}";
  if (!page.group_by_metadata.empty()) body += ",\"group_by_metadata\":" + page.group_by_metadata;
  body += "}";
  ctx.res.status = 200;
  ctx.res.body = std::move(body);
}

void GridRowsByIds(Context& ctx) {
  ctx.res.status = 200;
  ctx.res.body = ctx.services.views.GridRowsByIds(ctx.actor(), ctx.IntParam("view_id"), ctx.Json());
}

bool IncludesTotal(Context& ctx) {
  const std::string include = ctx.Query("include").value_or("");
  for (auto part : util::Split(include, ','))
    if (util::Trim(part) == "total") return true;
  return false;
}

void GridAggregations(Context& ctx) {
  services::RowListQuery q;
  ReadSearchAndFilters(ctx, q);
  ctx.res.status = 200;
  ctx.res.body = ctx.services.views.Aggregations(ctx.actor(), ctx.IntParam("view_id"), q, IncludesTotal(ctx));
}

void GridAggregation(Context& ctx) {
  std::string type = ctx.Query("type").value_or("");
  ctx.res.status = 200;
  ctx.res.body = ctx.services.views.Aggregation(ctx.actor(), ctx.IntParam("view_id"), ctx.IntParam("field_id"), type,
                                                IncludesTotal(ctx));
}

// Jobs (jobs-trash-undo.md §1.4): no job type runs on gridbase, so every user's list is empty;
// the parameters are still validated as Baserow does.
void ListJobs(Context& ctx) {
  static const std::vector<std::string> kStates = {"pending", "finished", "failed", "cancelled"};
  if (auto states = ctx.Query("states")) {
    for (auto part : util::Split(*states, ',')) {
      std::string state(part);  // views into *states, alive for the loop
      if (!state.empty() && state[0] == '!') state = state.substr(1);
      if (std::find(kStates.begin(), kStates.end(), state) == kStates.end()) {
        QueryInvalid("states",
                     fmt::format("State {} is not a valid state. Valid states are: pending, finished, failed, "
                                 "cancelled.",
                                 state),
                     "invalid");
      }
    }
  }
  if (auto ids = ctx.Query("job_ids")) {
    for (auto part : util::Split(*ids, ',')) {
      if (!CoerceInt(json::value(json::string(std::string(part))))) {
        QueryInvalid("job_ids", fmt::format("Job id {} is not a valid integer.", part), "invalid");
      }
    }
  }
  ctx.SendJson(200, json::object{{"jobs", json::array{}}});
}

}  // namespace

void RegisterViewRoutes(ApiRouter& r) {
  r.Add("GET", "/api/database/views/table/{table_id}/", {AuthMode::kJwt, ListViews});
  r.Add("POST", "/api/database/views/table/{table_id}/", {AuthMode::kJwt, CreateView});
  r.Add("POST", "/api/database/views/table/{table_id}/order/", {AuthMode::kJwt, OrderViews});
  r.Add("GET", "/api/database/views/{view_id}/", {AuthMode::kJwt, GetView});
  r.Add("PATCH", "/api/database/views/{view_id}/", {AuthMode::kJwt, UpdateView});
  r.Add("DELETE", "/api/database/views/{view_id}/", {AuthMode::kJwt, DeleteView});
  r.Add("POST", "/api/database/views/{view_id}/duplicate/", {AuthMode::kJwt, DuplicateView});
  r.Add("GET", "/api/database/views/{view_id}/filters/", {AuthMode::kJwt, ListFilters});
  r.Add("POST", "/api/database/views/{view_id}/filters/", {AuthMode::kJwt, CreateFilter});
  r.Add("GET", "/api/database/views/filter/{view_filter_id}/", {AuthMode::kJwt, GetFilter});
  r.Add("PATCH", "/api/database/views/filter/{view_filter_id}/", {AuthMode::kJwt, UpdateFilter});
  r.Add("DELETE", "/api/database/views/filter/{view_filter_id}/", {AuthMode::kJwt, DeleteFilter});
  r.Add("POST", "/api/database/views/{view_id}/filter-groups/", {AuthMode::kJwt, CreateFilterGroup});
  r.Add("GET", "/api/database/views/filter-group/{view_filter_group_id}/", {AuthMode::kJwt, GetFilterGroup});
  r.Add("PATCH", "/api/database/views/filter-group/{view_filter_group_id}/", {AuthMode::kJwt, UpdateFilterGroup});
  r.Add("DELETE", "/api/database/views/filter-group/{view_filter_group_id}/", {AuthMode::kJwt, DeleteFilterGroup});
  r.Add("GET", "/api/database/views/{view_id}/sortings/", {AuthMode::kJwt, ListSorts});
  r.Add("POST", "/api/database/views/{view_id}/sortings/", {AuthMode::kJwt, CreateSort});
  r.Add("GET", "/api/database/views/sort/{view_sort_id}/", {AuthMode::kJwt, GetSort});
  r.Add("PATCH", "/api/database/views/sort/{view_sort_id}/", {AuthMode::kJwt, UpdateSort});
  r.Add("DELETE", "/api/database/views/sort/{view_sort_id}/", {AuthMode::kJwt, DeleteSort});
  r.Add("GET", "/api/database/views/{view_id}/group_bys/", {AuthMode::kJwt, ListGroupBys});
  r.Add("POST", "/api/database/views/{view_id}/group_bys/", {AuthMode::kJwt, CreateGroupBy});
  r.Add("GET", "/api/database/views/group_by/{view_group_by_id}/", {AuthMode::kJwt, GetGroupBy});
  r.Add("PATCH", "/api/database/views/group_by/{view_group_by_id}/", {AuthMode::kJwt, UpdateGroupBy});
  r.Add("DELETE", "/api/database/views/group_by/{view_group_by_id}/", {AuthMode::kJwt, DeleteGroupBy});
  r.Add("GET", "/api/database/views/{view_id}/decorations/", {AuthMode::kJwt, ListDecorations});
  r.Add("GET", "/api/database/views/{view_id}/field-options/", {AuthMode::kJwt, GetFieldOptions});
  r.Add("PATCH", "/api/database/views/{view_id}/field-options/", {AuthMode::kJwt, UpdateFieldOptions});
  r.Add("GET", "/api/database/views/grid/{view_id}/", {AuthMode::kJwt, GridRows});
  r.Add("POST", "/api/database/views/grid/{view_id}/", {AuthMode::kJwt, GridRowsByIds});
  r.Add("GET", "/api/database/views/grid/{view_id}/aggregations/", {AuthMode::kJwt, GridAggregations});
  r.Add("GET", "/api/database/views/grid/{view_id}/aggregation/{field_id}/", {AuthMode::kJwt, GridAggregation});
}

void RegisterJobRoutes(ApiRouter& r) {
  r.Add("GET", "/api/jobs/", {AuthMode::kJwt, ListJobs});
}

}  // namespace gridbase::api
