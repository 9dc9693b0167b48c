#include "services/webhooks.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "services/permissions.hpp"
#include "services/schema.hpp"
#include "services/webhook_client.hpp"
#include "types/field_type.hpp"
#include "util/crypto.hpp"
#include "util/error.hpp"
#include "util/json_writer.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/validate.hpp"

namespace gridbase::services {

namespace json = boost::json;

namespace webhook_crud {

/// BASEROW_WEBHOOKS_URL_CHECK_TIMEOUT_SECS (§7.2).
constexpr std::chrono::milliseconds kUrlCheckTimeout{10000};
constexpr size_t kMaxUrlLength = 2000;
const std::vector<std::string> kRequestMethods = {"POST", "GET", "PUT", "PATCH", "DELETE"};

struct EventConfigItem {
  std::string event_type;
  std::vector<int64_t> fields;
  std::vector<int64_t> views;
};

/// A create/update/test-call body after validation; unset members were not given.
struct WebhookInput {
  std::optional<std::string> url;
  std::optional<std::string> name;
  std::optional<std::string> request_method;
  std::optional<bool> include_all_events;
  std::optional<bool> use_user_field_names;
  std::optional<bool> active;
  std::optional<std::vector<std::string>> events;
  std::optional<std::vector<EventConfigItem>> event_config;
  std::optional<HeaderList> headers;
  std::optional<std::string> event_type;  // test call only
};

/// A stored webhook row.
struct WebhookRow {
  int64_t id = 0;
  int64_t table_id = 0;
  std::string name;
  std::string url;
  std::string request_method;
  bool include_all_events = true;
  bool use_user_field_names = true;
  bool active = true;
  int64_t failed_triggers = 0;
  int64_t created_on = 0;
  int64_t updated_on = 0;
};

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

bool IsEventType(std::string_view type) {
  const auto& all = WebhookEventTypes();
  return std::find(all.begin(), all.end(), type) != all.end();
}

/// How DRF shows a rejected choice: Python's str() of the value.
std::string ShownChoice(const json::value& v) {
  if (v.is_bool()) return v.as_bool() ? "True" : "False";
  if (auto s = util::CoerceString(v)) return *s;
  return json::serialize(v);
}

/// `url`: a CharField with the §7 validator, then the 2000-character limit (DRF runs both
/// validators and reports every failure, in this order).
std::optional<std::string> ParseUrl(util::Validator& v, const WebhookConfig& config, bool required) {
  util::StringRule rule;
  rule.required = required;
  auto url = v.String("url", rule);
  if (!url) return std::nullopt;
  bool ok = true;
  if (!config.allow_private) {
    if (!IsValidWebhookUrl(*url)) {
      v.Fail("url", "Enter a valid URL.", "invalid_url");
      ok = false;
    } else if (!IsReachablePublicUrl(*url, kUrlCheckTimeout)) {
      v.Fail("url", "Invalid URL", "invalid_url");
      ok = false;
    }
  }
  if (CodePoints(*url) > kMaxUrlLength) {
    v.Fail("url", fmt::format("Ensure this field has no more than {} characters.", kMaxUrlLength), "max_length");
    ok = false;
  }
  return ok ? url : std::nullopt;
}

/// `events`: a list of event-type choices; errors per index.
std::optional<std::vector<std::string>> ParseEvents(util::Validator& v) {
  const json::value* raw = v.Raw("events");
  if (!raw) return std::nullopt;
  if (raw->is_null()) {
    v.Fail("events", "This field may not be null.", "null");
    return std::nullopt;
  }
  if (!raw->is_array()) {
    v.Fail("events",
           fmt::format("Expected a list of items but got type \"{}\".", util::Validator::PythonType(*raw)),
           "not_a_list");
    return std::nullopt;
  }
  std::vector<std::string> out;
  json::object item_errors;
  const auto& arr = raw->as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    if (arr[i].is_null()) {
      item_errors[std::to_string(i)] =
          json::array{json::object{{"error", "This field may not be null."}, {"code", "null"}}};
      continue;
    }
    std::string shown = ShownChoice(arr[i]);
    auto s = util::CoerceString(arr[i]);
    if (!s || !IsEventType(*s)) {
      item_errors[std::to_string(i)] = json::array{
          json::object{{"error", fmt::format("\"{}\" is not a valid choice.", shown)}, {"code", "invalid_choice"}}};
      continue;
    }
    if (std::find(out.begin(), out.end(), *s) == out.end()) out.push_back(*s);
  }
  if (!item_errors.empty()) {
    v.SetError("events", std::move(item_errors));
    return std::nullopt;
  }
  return out;
}

/// `event_config`: a list of {"event_type", "fields"?, "views"?} objects.
std::optional<std::vector<EventConfigItem>> ParseEventConfig(util::Validator& v) {
  const json::value* raw = v.Raw("event_config");
  if (!raw) return std::nullopt;
  if (raw->is_null()) {
    v.Fail("event_config", "This field may not be null.", "null");
    return std::nullopt;
  }
  if (!raw->is_array()) {
    v.Fail("event_config",
           fmt::format("Expected a list of items but got type \"{}\".", util::Validator::PythonType(*raw)),
           "not_a_list");
    return std::nullopt;
  }
  std::vector<EventConfigItem> out;
  json::object item_errors;
  const auto& arr = raw->as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    util::Validator iv(arr[i]);
    auto type = iv.Choice("event_type", WebhookEventTypes());
    auto fields = iv.IntList("fields", false);
    auto views = iv.IntList("views", false);
    if (!iv.ok()) {
      item_errors[std::to_string(i)] = iv.errors();
      continue;
    }
    out.push_back(EventConfigItem{*type, fields.value_or(std::vector<int64_t>{}),
                                  views.value_or(std::vector<int64_t>{})});
  }
  if (!item_errors.empty()) {
    v.SetError("event_config", std::move(item_errors));
    return std::nullopt;
  }
  return out;
}

/// `headers`: an object of header name → value; the first invalid name or value is
/// reported (Baserow's http_header_validation stops there).
std::optional<HeaderList> ParseHeaders(util::Validator& v) {
  const json::value* raw = v.Raw("headers");
  if (!raw) return std::nullopt;
  if (raw->is_null()) {
    v.Fail("headers", "This field may not be null.", "null");
    return std::nullopt;
  }
  if (!raw->is_object()) {
    v.Fail("headers",
           fmt::format("Expected a dictionary of items but got type \"{}\".", util::Validator::PythonType(*raw)),
           "not_a_dict");
    return std::nullopt;
  }
  HeaderList out;
  for (const auto& [key, value] : raw->as_object()) {
    std::string name(key);
    if (!IsValidHeaderName(name)) {
      v.Fail("headers", fmt::format("The provided header name {} is invalid.", name), "invalid_http_header_name");
      return std::nullopt;
    }
    if (!value.is_string() || !IsValidHeaderValue(value.as_string())) {
      std::string shown = value.is_string() ? std::string(value.as_string()) : json::serialize(value);
      v.Fail("headers", fmt::format("The provided header value {} is invalid.", shown), "invalid_http_header_value");
      return std::nullopt;
    }
    out.emplace_back(std::move(name), std::string(value.as_string()));
  }
  return out;
}

/// Validates a body the way TableWebhook{Create,Update,TestCall}RequestSerializer do.
enum class BodyKind { kCreate, kUpdate, kTestCall };

WebhookInput ParseBody(const json::value& body, BodyKind kind, const WebhookConfig& config) {
  util::Validator v(body);
  WebhookInput in;
  in.url = ParseUrl(v, config, kind != BodyKind::kUpdate);
  if (kind == BodyKind::kTestCall) {
    in.event_type = v.Choice("event_type", WebhookEventTypes());
  } else {
    if (auto b = v.Bool("include_all_events", false)) in.include_all_events = b;
    in.events = ParseEvents(v);
    in.event_config = ParseEventConfig(v);
    util::StringRule name_rule;
    name_rule.required = kind == BodyKind::kCreate;
    name_rule.max_length = 255;
    in.name = v.String("name", name_rule);
    if (kind == BodyKind::kUpdate) {
      if (auto b = v.Bool("active", false)) in.active = b;
    }
  }
  in.request_method = v.Choice("request_method", kRequestMethods, false);
  in.headers = ParseHeaders(v);
  if (auto b = v.Bool("use_user_field_names", false)) in.use_user_field_names = b;
  v.Check();
  return in;
}

std::optional<WebhookRow> FindWebhook(store::Tx& tx, int64_t webhook_id) {
  auto c = tx.Query(
      "SELECT id, table_id, name, url, request_method, include_all_events, use_user_field_names, active, "
      "failed_triggers, created_on, updated_on FROM webhooks WHERE id = ?",
      webhook_id);
  if (!c->Next()) return std::nullopt;
  WebhookRow w;
  w.id = c->Int(0);
  w.table_id = c->Int(1);
  w.name = c->String(2);
  w.url = c->String(3);
  w.request_method = c->String(4);
  w.include_all_events = c->Bool(5);
  w.use_user_field_names = c->Bool(6);
  w.active = c->Bool(7);
  w.failed_triggers = c->Int(8);
  w.created_on = c->Int(9);
  w.updated_on = c->Int(10);
  return w;
}

/// The webhook and its visible table, after the membership check for `operation`. A
/// webhook of a trashed table is reported as missing.
std::pair<WebhookRow, types::TableSchema> LoadWebhookFor(store::Tx& tx, const Actor& actor, int64_t webhook_id,
                                                         std::string_view operation) {
  auto row = FindWebhook(tx, webhook_id);
  if (!row) throw Error("ERROR_TABLE_WEBHOOK_DOES_NOT_EXIST");
  types::TableSchema schema;
  try {
    schema = LoadSchema(tx, row->table_id);
  } catch (const Error& e) {
    if (e.code() == "ERROR_TABLE_DOES_NOT_EXIST") throw Error("ERROR_TABLE_WEBHOOK_DOES_NOT_EXIST");
    throw;
  }
  CheckWorkspacePermission(tx, actor, schema.workspace_id, operation);
  return {std::move(*row), std::move(schema)};
}

json::array ParseIdArray(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_array()) return {};
  return std::move(v.as_array());
}

std::string IdArrayText(const std::vector<int64_t>& ids) {
  json::array a;
  for (int64_t id : ids) a.push_back(id);
  return json::serialize(a);
}

/// The webhook object of §2 (key order of Baserow's TableWebhookSerializer).
json::object WebhookJson(store::Tx& tx, const WebhookRow& w, const WebhookConfig& config) {
  json::array events, event_config;
  {
    auto c = tx.Query("SELECT event_type, fields, views FROM webhook_events WHERE webhook_id = ? ORDER BY id", w.id);
    while (c->Next()) {
      events.push_back(json::string(c->Text(0)));
      json::object item{{"event_type", c->Text(0)}};
      auto fields = ParseIdArray(c->Text(1));
      auto views = ParseIdArray(c->Text(2));
      if (!fields.empty()) item["fields"] = std::move(fields);
      if (!views.empty()) item["views"] = std::move(views);
      event_config.push_back(std::move(item));
    }
  }
  json::object headers;
  {
    auto c = tx.Query("SELECT name, value FROM webhook_headers WHERE webhook_id = ? ORDER BY id", w.id);
    while (c->Next()) headers[c->Text(0)] = c->Text(1);
  }
  json::array calls;
  {
    auto c = tx.Query(
        "SELECT id, event_id, event_type, called_time, called_url, request, response, response_status, error "
        "FROM webhook_calls WHERE webhook_id = ? ORDER BY called_time DESC, id DESC LIMIT ?",
        w.id, static_cast<int64_t>(config.max_call_log));
    while (c->Next()) {
      calls.push_back(json::object{
          {"id", c->Int(0)},
          {"event_id", c->Text(1)},
          {"event_type", c->Text(2)},
          {"called_time", util::FormatIsoMicros(c->Int(3))},
          {"called_url", c->Text(4)},
          {"request", TruncateMiddle(c->IsNull(5) ? std::string() : c->String(5))},
          {"response", TruncateMiddle(c->IsNull(6) ? std::string() : c->String(6))},
          {"response_status", c->IsNull(7) ? json::value(nullptr) : json::value(c->Int(7))},
          {"error", c->IsNull(8) ? json::value(nullptr) : json::value(c->Text(8))},
      });
    }
  }
  return json::object{{"id", w.id},
                      {"events", std::move(events)},
                      {"event_config", std::move(event_config)},
                      {"headers", std::move(headers)},
                      {"calls", std::move(calls)},
                      {"created_on", util::FormatIsoMicros(w.created_on)},
                      {"updated_on", util::FormatIsoMicros(w.updated_on)},
                      {"use_user_field_names", w.use_user_field_names},
                      {"url", w.url},
                      {"request_method", w.request_method},
                      {"name", w.name},
                      {"include_all_events", w.include_all_events},
                      {"failed_triggers", w.failed_triggers},
                      {"active", w.active}};
}

/// Whether `view_id` is a (not trashed) view of the table.
bool ViewInTable(store::Tx& tx, int64_t view_id, int64_t table_id) {
  return tx.QueryInt("SELECT id FROM views WHERE id = ? AND table_id = ? AND trashed = 0", view_id, table_id)
      .has_value();
}

/// Baserow's _update_webhook_event_config: for each listed event the webhook has, replaces
/// its field and view selection; ids from elsewhere end the operation.
void ApplyEventConfig(store::Tx& tx, const types::TableSchema& schema, int64_t webhook_id,
                      const std::vector<EventConfigItem>& items) {
  for (const auto& item : items) {
    auto event_id = tx.QueryInt("SELECT id FROM webhook_events WHERE webhook_id = ? AND event_type = ? ORDER BY id",
                                webhook_id, item.event_type);
    if (!event_id) continue;  // not subscribed (any more): ignored
    for (int64_t field_id : item.fields) {
      if (!schema.FindById(field_id)) {
        throw Error("ERROR_TABLE_WEBHOOK_EVENT_CONFIG_FIELD_NOT_IN_TABLE",
                    fmt::format("The provided event config field with ID {} does not belong to the table.", field_id));
      }
    }
    for (int64_t view_id : item.views) {
      if (!ViewInTable(tx, view_id, schema.id)) {
        throw Error("ERROR_TABLE_WEBHOOK_EVENT_CONFIG_VIEW_NOT_IN_TABLE",
                    fmt::format("The provided event config view with ID {} does not belong to the table.", view_id));
      }
    }
    // Stored in table field order, like Baserow's many-to-many relation reads back.
    std::vector<int64_t> fields;
    for (const auto& f : schema.fields) {
      if (std::find(item.fields.begin(), item.fields.end(), f.id) != item.fields.end()) fields.push_back(f.id);
    }
    std::vector<int64_t> views;
    for (int64_t id : item.views)
      if (std::find(views.begin(), views.end(), id) == views.end()) views.push_back(id);
    tx.Exec("UPDATE webhook_events SET fields = ?, views = ? WHERE id = ?", IdArrayText(fields), IdArrayText(views),
            *event_id);
  }
}

void InsertHeaders(store::Tx& tx, int64_t webhook_id, const HeaderList& headers) {
  for (const auto& [name, value] : headers) {
    tx.Exec("INSERT INTO webhook_headers (webhook_id, name, value) VALUES (?, ?, ?)", webhook_id, name, value);
  }
}

/// The fake row of a test call (§5.5): id 0, order 0 and every field as a new row would get
/// it, serialised by the field types from a one-row derived table shaped like tbl_<id>.
std::string FakeRowJson(store::Tx& tx, const types::TableSchema& schema, bool names) {
  types::SqlParams params;
  int64_t now = util::NowMicros();
  std::string inner = "SELECT 0 AS id, 0.0 AS ord, ? AS created_on, ? AS updated_on";
  params.emplace_back(now);
  params.emplace_back(now);
  std::string outer = "SELECT t.id, t.ord";
  std::vector<const types::Field*> fields;
  for (const auto& f : schema.fields) {
    const auto* type = types::FindFieldType(f.type);
    if (!type->column_type().empty()) {
      inner += ", ? AS " + f.column();
      params.push_back(type->uses_sequence() ? types::CellValue{} : type->NewRowValue(f, 0));
    }
    outer += ", " + type->SelectExpr(f);
    fields.push_back(&f);
  }
  auto bound = types::BindValues(params);
  auto c = tx.QueryV(outer + " FROM (" + inner + ") t", bound);
  std::string out;
  util::JsonWriter w(out);
  if (!c->Next()) return "{}";
  w.BeginObject();
  w.Key("id");
  w.Int(0);
  w.Key("order");
  w.String("0.00000000000000000000");
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto& f = *fields[i];
    w.Key(names ? f.name : f.column());
    types::FindFieldType(f.type)->WriteCell(*c, static_cast<int>(i + 2), f, w);
  }
  w.EndObject();
  return out;
}

/// Baserow's test field: TextField(id=0, name="Field", table_id=0, order=1, primary=False),
/// whose missing table serialises database_id and workspace_id as null.
json::object FakeFieldJson(const types::TableSchema& schema) {
  types::Field f;
  f.id = 0;
  f.table_id = 0;
  f.name = "Field";
  f.type = "text";
  f.order = 1;
  json::object out = FieldJson(f, schema);
  out["database_id"] = nullptr;
  out["workspace_id"] = nullptr;
  return out;
}

/// Baserow's test view: GridView(id=0, name="View", table_id=0, order=1) through the view
/// serializer (no table, defaults everywhere, a fresh slug).
json::object FakeViewJson() {
  return json::object{{"id", 0},
                      {"table_id", 0},
                      {"name", "View"},
                      {"order", 1},
                      {"type", "grid"},
                      {"table", nullptr},
                      {"filter_type", "AND"},
                      {"filters_disabled", false},
                      {"public_view_has_password", false},
                      {"show_logo", true},
                      {"allow_public_export", false},
                      {"ownership_type", "collaborative"},
                      {"owned_by_id", nullptr},
                      {"row_identifier_type", "id"},
                      {"row_height_size", "small"},
                      {"public", false},
                      {"slug", util::Base64UrlEncode(util::RandomBytes(32))}};
}

/// The §5.5 payload of `event_type` for a test call (webhook_id null: nothing is saved).
std::string TestPayload(store::Tx& tx, const types::TableSchema& schema, std::string_view event_type,
                        std::string_view event_id, bool names) {
  std::string out;
  util::JsonWriter w(out);
  w.BeginObject();
  w.Key("table_id");
  w.Int(schema.id);
  w.Key("database_id");
  w.Int(schema.database_id);
  w.Key("workspace_id");
  w.Int(schema.workspace_id);
  w.Key("webhook_id");
  w.Null();
  w.Key("event_id");
  w.String(event_id);
  w.Key("event_type");
  w.String(event_type);
  if (event_type == "rows.created" || event_type == "rows.updated") {
    std::string row = FakeRowJson(tx, schema, names);
    w.Key("items");
    w.BeginArray();
    w.Raw(row);
    w.EndArray();
    if (event_type == "rows.updated") {
      w.Key("old_items");
      w.BeginArray();
      w.Raw(row);
      w.EndArray();
    }
  } else if (event_type == "rows.deleted") {
    w.Key("row_ids");
    w.BeginArray();
    w.Int(0);
    w.EndArray();
  } else if (event_type == "field.created" || event_type == "field.updated") {
    w.Key("field");
    w.Value(FakeFieldJson(schema));
  } else if (event_type == "field.deleted") {
    w.Key("field_id");
    w.Int(1);
  } else if (event_type == "view.created" || event_type == "view.updated") {
    w.Key("view");
    w.Value(FakeViewJson());
  } else if (event_type == "view.deleted") {
    w.Key("view_id");
    w.Int(1);
  }
  w.EndObject();
  return out;
}

}  // namespace webhook_crud

const std::vector<std::string>& WebhookEventTypes() {
  static const std::vector<std::string> kTypes = {"rows.created",  "rows.updated",  "rows.deleted",
                                                  "field.created", "field.updated", "field.deleted",
                                                  "view.created",  "view.updated",  "view.deleted"};
  return kTypes;
}

HeaderList WebhookHeaders(const HeaderList& custom, std::string_view event_type, std::string_view event_id) {
  HeaderList out;
  auto put = [&](std::string_view name, std::string_view value) {
    for (auto& h : out) {
      if (util::IEquals(h.first, name)) {
        h.first = std::string(name);
        h.second = std::string(value);
        return;
      }
    }
    out.emplace_back(std::string(name), std::string(value));
  };
  for (const auto& h : custom) put(h.first, h.second);
  put("Content-type", "application/json");
  put("X-Baserow-Event", event_type);
  put("X-Baserow-Delivery", event_id);
  return out;
}

json::array WebhookService::List(const Actor& actor, int64_t table_id) {
  using namespace webhook_crud;
  return store_.ReadResult([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.list_webhooks");
    std::vector<int64_t> ids;
    {
      auto c = tx.Query("SELECT id FROM webhooks WHERE table_id = ? ORDER BY id", schema.id);
      while (c->Next()) ids.push_back(c->Int(0));
    }
    json::array out;
    for (int64_t id : ids) {
      if (auto row = FindWebhook(tx, id)) out.push_back(WebhookJson(tx, *row, config_));
    }
    return out;
  });
}

json::object WebhookService::Create(const Actor& actor, int64_t table_id, const json::value& body) {
  using namespace webhook_crud;
  WebhookInput in = ParseBody(body, BodyKind::kCreate, config_);
  return store_.WriteResult([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.create_webhook");
    int64_t count = tx.QueryInt("SELECT COUNT(*) FROM webhooks WHERE table_id = ?", schema.id).value_or(0);
    if (count >= config_.max_per_table) {
      throw Error("ERROR_TABLE_WEBHOOK_MAX_LIMIT_EXCEEDED",
                  fmt::format("The maximally allowed webhooks per table has been exceeded. You can create a "
                              "maximum of {} webhooks.",
                              config_.max_per_table));
    }
    int64_t now = util::NowMicros();
    bool include_all = in.include_all_events.value_or(true);
    int64_t id = *tx.QueryInt(
        "INSERT INTO webhooks (table_id, name, url, request_method, include_all_events, use_user_field_names, "
        "active, failed_triggers, created_on, updated_on) VALUES (?, ?, ?, ?, ?, ?, 1, 0, ?, ?) RETURNING id",
        schema.id, *in.name, *in.url, in.request_method.value_or("POST"), include_all,
        in.use_user_field_names.value_or(true), now, now);
    // Baserow stores the events unless include_all_events was explicitly sent as true.
    bool store_events = !in.include_all_events.value_or(false);
    if (store_events && in.events) {
      for (const auto& type : *in.events) {
        tx.Exec("INSERT INTO webhook_events (webhook_id, event_type) VALUES (?, ?)", id, type);
      }
    }
    if (store_events && in.event_config) ApplyEventConfig(tx, schema, id, *in.event_config);
    if (in.headers) InsertHeaders(tx, id, *in.headers);
    return WebhookJson(tx, *FindWebhook(tx, id), config_);
  });
}

json::object WebhookService::Get(const Actor& actor, int64_t webhook_id) {
  using namespace webhook_crud;
  return store_.ReadResult([&](store::Tx& tx) {
    auto [row, schema] = LoadWebhookFor(tx, actor, webhook_id, "database.table.webhook.read");
    return WebhookJson(tx, row, config_);
  });
}

json::object WebhookService::Update(const Actor& actor, int64_t webhook_id, const json::value& body) {
  using namespace webhook_crud;
  WebhookInput in = ParseBody(body, BodyKind::kUpdate, config_);
  return store_.WriteResult([&](store::Tx& tx) {
    auto [row, schema] = LoadWebhookFor(tx, actor, webhook_id, "database.table.webhook.update");
    // Re-enabling an inactive webhook starts its failure count again.
    if (!row.active && in.active.value_or(false)) row.failed_triggers = 0;
    bool old_include_all = row.include_all_events;
    if (in.use_user_field_names) row.use_user_field_names = *in.use_user_field_names;
    if (in.url) row.url = *in.url;
    if (in.request_method) row.request_method = *in.request_method;
    if (in.name) row.name = *in.name;
    if (in.include_all_events) row.include_all_events = *in.include_all_events;
    if (in.active) row.active = *in.active;
    row.updated_on = util::NowMicros();
    tx.Exec(
        "UPDATE webhooks SET name = ?, url = ?, request_method = ?, include_all_events = ?, use_user_field_names = ?, "
        "active = ?, failed_triggers = ?, updated_on = ? WHERE id = ?",
        row.name, row.url, row.request_method, row.include_all_events, row.use_user_field_names, row.active,
        row.failed_triggers, row.updated_on, row.id);
    // An inactive webhook's queued and pending calls are discarded (webhooks.md §6.1).
    if (!row.active) tx.Exec("DELETE FROM webhook_deliveries WHERE webhook_id = ?", row.id);

    // Switching to all events drops the stored subscriptions; otherwise `events` becomes
    // the stored set (kept types keep their field/view selection).
    bool update_events = !(in.include_all_events.value_or(false) && !old_include_all);
    if (!update_events) {
      tx.Exec("DELETE FROM webhook_events WHERE webhook_id = ?", row.id);
    } else if (in.events) {
      std::vector<std::pair<int64_t, std::string>> existing;
      {
        auto c = tx.Query("SELECT id, event_type FROM webhook_events WHERE webhook_id = ? ORDER BY id", row.id);
        while (c->Next()) existing.emplace_back(c->Int(0), c->String(1));
      }
      const auto& wanted = *in.events;
      for (const auto& e : existing) {
        if (std::find(wanted.begin(), wanted.end(), e.second) == wanted.end()) {
          tx.Exec("DELETE FROM webhook_events WHERE id = ?", e.first);
        }
      }
      for (const auto& type : wanted) {
        bool have = std::any_of(existing.begin(), existing.end(), [&](const auto& e) { return e.second == type; });
        if (!have) tx.Exec("INSERT INTO webhook_events (webhook_id, event_type) VALUES (?, ?)", row.id, type);
      }
    }
    if (update_events && in.event_config) ApplyEventConfig(tx, schema, row.id, *in.event_config);

    // The given headers become the complete set: absent names go, present ones are upserted.
    if (in.headers) {
      std::vector<std::pair<int64_t, std::string>> existing;
      {
        auto c = tx.Query("SELECT id, name FROM webhook_headers WHERE webhook_id = ? ORDER BY id", row.id);
        while (c->Next()) existing.emplace_back(c->Int(0), c->String(1));
      }
      const auto& wanted = *in.headers;
      for (const auto& e : existing) {
        bool keep = std::any_of(wanted.begin(), wanted.end(), [&](const auto& h) { return h.first == e.second; });
        if (!keep) tx.Exec("DELETE FROM webhook_headers WHERE id = ?", e.first);
      }
      for (const auto& h : wanted) {
        auto it = std::find_if(existing.begin(), existing.end(), [&](const auto& e) { return e.second == h.first; });
        if (it != existing.end()) {
          tx.Exec("UPDATE webhook_headers SET value = ? WHERE id = ?", h.second, it->first);
        } else {
          tx.Exec("INSERT INTO webhook_headers (webhook_id, name, value) VALUES (?, ?, ?)", row.id, h.first, h.second);
        }
      }
    }
    return WebhookJson(tx, *FindWebhook(tx, row.id), config_);
  });
}

void WebhookService::Delete(const Actor& actor, int64_t webhook_id) {
  using namespace webhook_crud;
  store_.Write([&](store::Tx& tx) {
    auto [row, schema] = LoadWebhookFor(tx, actor, webhook_id, "database.table.webhook.delete");
    // Events, headers, calls and queued deliveries go with it (ON DELETE CASCADE).
    tx.Exec("DELETE FROM webhooks WHERE id = ?", row.id);
  });
}

json::object WebhookService::TestCall(const Actor& actor, int64_t table_id, const json::value& body) {
  using namespace webhook_crud;
  WebhookInput in = ParseBody(body, BodyKind::kTestCall, config_);
  std::string event_id = util::NewUuid();
  bool names = in.use_user_field_names.value_or(true);
  std::string payload = store_.ReadResult([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.webhook.test_trigger");
    return TestPayload(tx, schema, *in.event_type, event_id, names);
  });

  // Sent outside any transaction: the call may take up to the request timeout.
  WebhookRequest request;
  request.method = in.request_method.value_or("POST");
  request.url = *in.url;
  request.headers = WebhookHeaders(in.headers.value_or(HeaderList{}), *in.event_type, event_id);
  request.body = PythonJson(payload).value_or(payload);  // as Python's requests sends it
  WebhookClientOptions options;
  options.allow_private = config_.allow_private;
  options.timeout = std::chrono::milliseconds(config_.timeout_ms);
  WebhookResult result = CallWebhook(request, options);

  // Baserow answers is_unreachable whenever no response arrived (connection error, timeout,
  // refused address); an HTTP error status is a response.
  return json::object{{"request", result.request_text},
                      {"response", result.response_text},
                      {"status_code", result.status ? json::value(*result.status) : json::value(nullptr)},
                      {"is_unreachable", !result.status.has_value()}};
}

}  // namespace gridbase::services
