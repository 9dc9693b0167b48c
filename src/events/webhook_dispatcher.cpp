#include "events/webhook_dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "services/webhook_client.hpp"
#include "util/time.hpp"

namespace gridbase::events {

namespace json = boost::json;

std::string_view WebhookEventTypeOf(std::string_view t) {
  if (t == "rows_created") return "rows.created";
  if (t == "rows_updated") return "rows.updated";
  if (t == "rows_deleted") return "rows.deleted";
  if (t == "field_created") return "field.created";
  if (t == "field_updated") return "field.updated";
  if (t == "field_deleted") return "field.deleted";
  if (t == "view_created") return "view.created";
  if (t == "view_updated") return "view.updated";
  if (t == "view_deleted") return "view.deleted";
  return {};
}

namespace {

constexpr const char* kConsumerName = "webhooks";

struct Hook {
  int64_t id = 0;
  bool use_names = true;
  bool all_events = true;
};

/// Rows of a realtime message with keys renamed to field names.
json::array RenameRows(const json::value& rows, const json::object* names) {
  json::array out;
  if (!rows.is_array()) return out;
  for (const auto& row : rows.as_array()) {
    if (!row.is_object() || !names) {
      out.push_back(row);
      continue;
    }
    json::object renamed;
    for (const auto& [k, v] : row.as_object()) {
      const auto* name = names->if_contains(k);
      if (name && name->is_string()) renamed[name->as_string()] = v;
      else renamed[k] = v;
    }
    out.push_back(std::move(renamed));
  }
  return out;
}

/// The §5.2/§5.3 payload of `event` for one webhook.
std::string Payload(const StoredEvent& event, std::string_view hook_type, const json::object& message,
                    const json::object& extra, const Hook& hook) {
  json::object p;
  p["table_id"] = event.table_id.value_or(0);
  p["database_id"] = extra.contains("database_id") ? extra.at("database_id") : json::value(nullptr);
  p["workspace_id"] = event.workspace_id;
  p["webhook_id"] = hook.id;
  p["event_id"] = event.uuid;
  p["event_type"] = hook_type;
  const json::object* names = nullptr;
  if (hook.use_names) {
    if (const auto* n = extra.if_contains("names"); n && n->is_object()) names = &n->as_object();
  }
  if (hook_type == "rows.created") {
    p["items"] = RenameRows(message.contains("rows") ? message.at("rows") : json::value(), names);
  } else if (hook_type == "rows.updated") {
    p["items"] = RenameRows(message.contains("rows") ? message.at("rows") : json::value(), names);
    p["old_items"] =
        RenameRows(message.contains("rows_before_update") ? message.at("rows_before_update") : json::value(), names);
  } else if (hook_type == "rows.deleted") {
    p["row_ids"] = message.contains("row_ids") ? message.at("row_ids") : json::array{};
  } else if (hook_type == "field.created" || hook_type == "field.updated") {
    json::value field = message.contains("field") ? message.at("field") : json::value(nullptr);
    p["field"] = std::move(field);
  } else if (hook_type == "field.deleted") {
    p["field_id"] = message.contains("field_id") ? message.at("field_id") : json::value(nullptr);
  } else if (hook_type == "view.created" || hook_type == "view.updated") {
    p["view"] = message.contains("view") ? message.at("view") : json::value(nullptr);
  } else if (hook_type == "view.deleted") {
    p["view_id"] = message.contains("view_id") ? message.at("view_id") : json::value(nullptr);
  }
  return json::serialize(p);
}

/// The request body as Baserow's Python sends it (json.dumps: ", " / ": ", ASCII only).
std::string BodyText(const std::string& compact) { return services::PythonJson(compact).value_or(compact); }

/// True when a stored `fields` selection (JSON array text) allows an update of `updated`.
bool FieldsMatch(std::string_view selection, const json::value* updated) {
  std::error_code ec;
  json::value sel = json::parse(selection, ec);
  if (ec || !sel.is_array() || sel.as_array().empty()) return true;
  if (!updated || !updated->is_array()) return false;
  for (const auto& f : sel.as_array())
    for (const auto& u : updated->as_array())
      if (f == u) return true;
  return false;
}

struct Delivery {
  int64_t id = 0;
  int64_t webhook_id = 0;
  std::string event_id;
  std::string event_type;
  std::string payload;
  int64_t attempts = 0;
  std::optional<int64_t> call_id;
  std::string url;
  std::string method;
};

}  // namespace

struct WebhookDispatcher::Impl {
  store::Store& store;
  services::WebhookConfig config;
  int thread_count;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::condition_variable cv;
  std::set<int64_t> in_flight;  // webhooks with a call under way
  std::chrono::steady_clock::time_point next_position_save{};  // bus thread only
  bool stopping = false;
  bool wake = false;

  Impl(store::Store& s, services::WebhookConfig c, int n) : store(s), config(c), thread_count(n) {}

  /// How long a claimed delivery is left to the process that claimed it: past this (the call
  /// timeout plus 5 s) another process takes it over, e.g. after a crash of the claimer.
  int64_t ClaimMicros() const { return (config.timeout_ms + 5000) * 1000; }

  /// Claims the due queue head of a webhook that has no call in flight, here or in another
  /// process over the same database: the claim is a write (serialised with every other
  /// write), so exactly one process gets each delivery.
  std::optional<Delivery> Claim(int64_t* next_due) {
    std::lock_guard lock(mu);
    std::optional<Delivery> out;
    int64_t now = util::NowMicros();
    std::vector<Delivery> candidates;
    store.Read([&](store::Tx& tx) {
      auto c = tx.Query(
          "SELECT d.id, d.webhook_id, d.event_id, d.event_type, d.payload, d.attempts, d.call_id, w.url, "
          "w.request_method, d.next_attempt, d.claimed_until FROM webhook_deliveries d "
          "JOIN webhooks w ON w.id = d.webhook_id "
          "WHERE w.active = 1 AND d.id IN (SELECT MIN(id) FROM webhook_deliveries GROUP BY webhook_id) "
          "ORDER BY d.next_attempt, d.id LIMIT 64");
      while (c->Next()) {
        int64_t claimed_until = c->Int(10);
        if (claimed_until > now) {
          *next_due = std::min(*next_due, claimed_until);
          continue;
        }
        int64_t webhook = c->Int(1);
        if (in_flight.count(webhook)) continue;
        int64_t due = c->Int(9);
        if (due > now) {
          *next_due = std::min(*next_due, due);
          continue;
        }
        Delivery d;
        d.id = c->Int(0);
        d.webhook_id = webhook;
        d.event_id = c->String(2);
        d.event_type = c->String(3);
        d.payload = c->String(4);
        d.attempts = c->Int(5);
        d.call_id = c->OptInt(6);
        d.url = c->String(7);
        d.method = c->String(8);
        candidates.push_back(std::move(d));
        if (candidates.size() >= 4) return;
      }
    });
    for (auto& d : candidates) {
      bool mine = store.WriteResult([&](store::Tx& tx) {
        return tx.Exec("UPDATE webhook_deliveries SET claimed_until = ? WHERE id = ? AND claimed_until <= ? AND "
                       "id = (SELECT MIN(id) FROM webhook_deliveries WHERE webhook_id = ?)",
                       now + ClaimMicros(), d.id, now, d.webhook_id) == 1;
      });
      if (mine) {
        out = std::move(d);
        break;
      }
    }
    if (out) in_flight.insert(out->webhook_id);
    return out;
  }

  void Attempt(const Delivery& d) {
    services::HeaderList custom;
    store.Read([&](store::Tx& tx) {
      auto c = tx.Query("SELECT name, value FROM webhook_headers WHERE webhook_id = ? ORDER BY id", d.webhook_id);
      while (c->Next()) custom.emplace_back(c->String(0), c->String(1));
    });
    services::WebhookRequest req;
    req.method = d.method;
    req.url = d.url;
    req.headers = services::WebhookHeaders(custom, d.event_type, d.event_id);
    req.body = d.payload;
    services::WebhookClientOptions opts;
    opts.allow_private = config.allow_private;
    opts.timeout = std::chrono::milliseconds(config.timeout_ms);
    auto result = services::CallWebhook(req, opts);
    Record(d, result);
  }

  /// Logs the attempt, updates the failure count, and retries, drops or finishes the delivery.
  void Record(const Delivery& d, const services::WebhookResult& r) {
    int64_t now = util::NowMicros();
    store.Write([&](store::Tx& tx) {
      auto c = tx.Query("SELECT failed_triggers, active FROM webhooks WHERE id = ?", d.webhook_id);
      if (!c->Next()) return;  // deleted meanwhile: its queue went with it
      int64_t failed = c->Int(0);
      bool active = c->Bool(1);
      c.reset();
      if (!tx.QueryInt("SELECT id FROM webhook_deliveries WHERE id = ?", d.id)) return;
      std::optional<int64_t> status;
      if (r.status) status = *r.status;
      std::optional<int64_t> call_id = d.call_id;
      if (call_id && !tx.QueryInt("SELECT id FROM webhook_calls WHERE id = ?", *call_id)) call_id.reset();
      if (call_id) {
        tx.Exec("UPDATE webhook_calls SET called_time = ?, called_url = ?, request = ?, response = ?, "
                "response_status = ?, error = ? WHERE id = ?",
                now, d.url, r.request_text, r.response_text, status, r.error, *call_id);
      } else {
        call_id = tx.QueryInt(
            "INSERT INTO webhook_calls (webhook_id, event_id, event_type, called_time, called_url, request, response, "
            "response_status, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            d.webhook_id, d.event_id, d.event_type, now, d.url, r.request_text, r.response_text, status, r.error);
      }
      tx.Exec("DELETE FROM webhook_calls WHERE webhook_id = ? AND id NOT IN (SELECT id FROM webhook_calls "
              "WHERE webhook_id = ? ORDER BY called_time DESC, id DESC LIMIT ?)",
              d.webhook_id, d.webhook_id, static_cast<int64_t>(config.max_call_log));
      if (r.ok()) {
        tx.Exec("UPDATE webhooks SET failed_triggers = 0 WHERE id = ?", d.webhook_id);
        tx.Exec("DELETE FROM webhook_deliveries WHERE id = ?", d.id);
        return;
      }
      if (failed < config.max_consecutive_failures) {
        tx.Exec("UPDATE webhooks SET failed_triggers = failed_triggers + 1 WHERE id = ?", d.webhook_id);
      } else if (active) {
        spdlog::warn("webhook {} deactivated after {} consecutive failures", d.webhook_id, failed + 1);
        tx.Exec("UPDATE webhooks SET active = 0 WHERE id = ?", d.webhook_id);
        tx.Exec("DELETE FROM webhook_deliveries WHERE webhook_id = ?", d.webhook_id);
        return;
      }
      int64_t attempts = d.attempts + 1;
      if (attempts > config.max_retries) {
        tx.Exec("DELETE FROM webhook_deliveries WHERE id = ?", d.id);
        return;
      }
      int64_t delay_ms = config.retry_delay_ms << std::min<int64_t>(attempts - 1, 20);
      tx.Exec("UPDATE webhook_deliveries SET attempts = ?, next_attempt = ?, call_id = ?, claimed_until = 0 "
              "WHERE id = ?",
              attempts, now + delay_ms * 1000, call_id, d.id);
    });
  }

  void Work() {
    while (true) {
      int64_t next_due = INT64_MAX;
      std::optional<Delivery> d;
      try {
        d = Claim(&next_due);
      } catch (const std::exception& e) {
        spdlog::error("webhooks: claiming a delivery failed: {}", e.what());
      }
      if (d) {
        try {
          Attempt(*d);
        } catch (const std::exception& e) {
          spdlog::error("webhooks: delivery {} failed: {}", d->id, e.what());
        }
        {
          std::lock_guard lock(mu);
          in_flight.erase(d->webhook_id);
          wake = true;
        }
        cv.notify_all();
        continue;
      }
      std::unique_lock lock(mu);
      if (stopping) return;
      auto wait = std::chrono::milliseconds(1000);
      if (next_due != INT64_MAX) {
        auto until = std::chrono::milliseconds(std::max<int64_t>(1, (next_due - util::NowMicros()) / 1000 + 1));
        wait = std::min(wait, until);
      }
      cv.wait_for(lock, wait, [&] { return wake || stopping; });
      wake = false;
      if (stopping) return;
    }
  }
};

WebhookDispatcher::WebhookDispatcher(store::Store& store, services::WebhookConfig config, int threads)
    : impl_(std::make_unique<Impl>(store, config, threads)) {}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

int64_t WebhookDispatcher::StartAfter(store::Store& store, int64_t newest) {
  return store.WriteResult([&](store::Tx& tx) {
    if (auto p = tx.QueryInt("SELECT position FROM event_consumers WHERE name = ?", kConsumerName)) return *p;
    // First start: events from before webhooks existed need no delivery.
    tx.Exec("INSERT INTO event_consumers (name, position) VALUES (?, ?)", kConsumerName, newest);
    return newest;
  });
}

void WebhookDispatcher::Handle(const std::vector<StoredEvent>& events) {
  // Most events concern tables without webhooks: find that out with a read, and only write
  // (deliveries plus the stored position, together) when something is to be queued, or now
  // and then to move the stored position on. Replaying events after a crash is harmless:
  // only webhooks that existed when an event happened are called for it.
  std::set<int64_t> tables;
  for (const auto& e : events)
    if (e.webhooks && e.table_id && !WebhookEventTypeOf(e.type).empty()) tables.insert(*e.table_id);
  bool any = false;
  if (!tables.empty()) {
    impl_->store.Read([&](store::Tx& tx) {
      for (int64_t t : tables) {
        if (tx.QueryInt("SELECT id FROM webhooks WHERE table_id = ? AND active = 1 LIMIT 1", t)) {
          any = true;
          return;
        }
      }
    });
  }
  auto now_steady = std::chrono::steady_clock::now();
  if (!any && now_steady < impl_->next_position_save) return;
  impl_->next_position_save = now_steady + std::chrono::seconds(1);
  bool queued = false;
  impl_->store.Write([&](store::Tx& tx) {
    int64_t now = util::NowMicros();
    // Another process over the same database may have queued some of these already: the
    // stored position, read under the write lock, says which.
    int64_t stored = tx.QueryInt("SELECT position FROM event_consumers WHERE name = ?", kConsumerName).value_or(0);
    for (const auto& e : events) {
      if (!any) break;
      if (e.id <= stored) continue;
      if (!e.webhooks || !e.table_id) continue;
      std::string_view hook_type = WebhookEventTypeOf(e.type);
      if (hook_type.empty()) continue;
      std::vector<Hook> hooks;
      {
        auto c = tx.Query(
            "SELECT w.id, w.use_user_field_names, w.include_all_events, "
            "(SELECT fields FROM webhook_events we WHERE we.webhook_id = w.id AND we.event_type = ?) "
            "FROM webhooks w WHERE w.table_id = ? AND w.active = 1 AND w.created_on <= ? ORDER BY w.id",
            hook_type, *e.table_id, e.created_on);
        std::optional<json::value> message_for_fields;
        while (c->Next()) {
          Hook h{c->Int(0), c->Bool(1), c->Bool(2)};
          if (!h.all_events) {
            if (c->IsNull(3)) continue;  // not subscribed to this event type
            if (hook_type == "rows.updated") {
              if (!message_for_fields) message_for_fields = json::parse(*e.message);
              const auto* updated = message_for_fields->as_object().if_contains("updated_field_ids");
              if (!FieldsMatch(c->Text(3), updated)) continue;
            }
          }
          hooks.push_back(h);
        }
      }
      if (hooks.empty()) continue;
      json::object message = json::parse(*e.message).as_object();
      json::object extra;
      if (!e.extra.empty()) extra = json::parse(e.extra).as_object();
      if (!extra.contains("names")) {
        // Field names as they are now: the dispatcher runs within moments of the write.
        json::object names;
        auto c = tx.Query("SELECT id, name FROM fields WHERE table_id = ?", *e.table_id);
        while (c->Next()) names["field_" + std::to_string(c->Int(0))] = c->String(1);
        extra["names"] = std::move(names);
      }
      for (const auto& h : hooks) {
        tx.Exec("INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, attempts, next_attempt) "
                "VALUES (?, ?, ?, ?, 0, ?)",
                h.id, e.uuid, hook_type, BodyText(Payload(e, hook_type, message, extra, h)), now);
        queued = true;
      }
    }
    tx.Exec("UPDATE event_consumers SET position = ? WHERE name = ? AND position < ?", events.back().id,
            kConsumerName, events.back().id);
  });
  if (queued) {
    {
      std::lock_guard lock(impl_->mu);
      impl_->wake = true;
    }
    impl_->cv.notify_all();
  }
}

void WebhookDispatcher::Start() {
  if (!impl_->threads.empty()) return;
  if (!impl_->store.dialect().postgres()) {
    // One process serves an SQLite file: claims left by a crashed run are void at once.
    impl_->store.Write([](store::Tx& tx) { tx.Exec("UPDATE webhook_deliveries SET claimed_until = 0"); });
  }
  for (int i = 0; i < impl_->thread_count; ++i) impl_->threads.emplace_back([this] { impl_->Work(); });
}

void WebhookDispatcher::Stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->threads.clear();
}

}  // namespace gridbase::events
