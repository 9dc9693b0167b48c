// Event replay (beyond Baserow): GET /api/database/events/table/{table_id}/?after=<id>
// lists the realtime messages of a table after a cursor, so a client that was disconnected
// catches up without reloading. Same permission as listing the table's rows.
#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include "api/routes.hpp"
#include "events/bus.hpp"
#include "services/schema.hpp"
#include "util/error.hpp"
#include "util/time.hpp"

namespace gridbase::api {

namespace json = boost::json;

namespace {

constexpr int64_t kDefaultLimit = 100;
constexpr int64_t kMaxLimit = 1000;


int64_t BoundedIntQuery(Context& ctx, std::string_view name, int64_t fallback, int64_t min, int64_t max) {
  auto raw = ctx.Query(name);
  if (!raw) return fallback;
  auto n = CoerceInt(json::value(json::string(*raw)));
  if (!n) QueryInvalid(name, "A valid integer is required.", "invalid");
  if (*n < min) QueryInvalid(name, fmt::format("Ensure this value is greater than or equal to {}.", min), "min_value");
  if (*n > max) QueryInvalid(name, fmt::format("Ensure this value is less than or equal to {}.", max), "max_value");
  return *n;
}

void TableEvents(Context& ctx) {
  int64_t table_id = ctx.IntParam("table_id");
  int64_t after = BoundedIntQuery(ctx, "after", 0, 0, INT64_MAX);
  int64_t limit = BoundedIntQuery(ctx, "limit", kDefaultLimit, 1, kMaxLimit);
  auto actor = ctx.actor();
  std::vector<events::StoredEvent> found;
  int64_t pruned = 0;
  ctx.services.store.Read([&](store::Tx& tx) {
    services::LoadSchemaFor(tx, actor, table_id, "database.table.list_rows");
    pruned = events::PrunedUpTo(tx);
    if (after >= pruned) found = events::ReadEvents(tx, after, limit + 1, table_id);
  });
  if (after < pruned) {
    throw Error("ERROR_EVENTS_EXPIRED",
                fmt::format("Events up to {} are no longer kept. Reload the table, then replay after the "
                            "last_event_id of a new request with after={}.",
                            pruned, pruned));
  }
  bool has_more = static_cast<int64_t>(found.size()) > limit;
  if (has_more) found.pop_back();
  json::array list;
  for (const auto& e : found) {
    list.push_back(json::object{{"id", e.id},
                                {"event_id", e.uuid},
                                {"type", e.type},
                                {"created_on", util::FormatIsoMicros(e.created_on)},
                                {"message", json::parse(*e.message)}});
  }
  int64_t last = found.empty() ? after : found.back().id;
  ctx.SendJson(200, json::object{{"events", std::move(list)}, {"has_more", has_more}, {"last_event_id", last}});
}

}  // namespace

void RegisterEventRoutes(ApiRouter& r) {
  r.Add("GET", "/api/database/events/table/{table_id}/", {AuthMode::kJwtOrToken, TableEvents});
}

}  // namespace gridbase::api
