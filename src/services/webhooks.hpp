#pragma once
// Table webhooks (webhooks.md §1–§3, §5.5, §7, §8): CRUD of a table's webhooks with their
// event subscriptions, headers and call log, and the synchronous test call. Deliveries of
// real events are made by events/ with the helpers declared here (WebhookHeaders, config).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "services/models.hpp"
#include "store/store.hpp"

namespace gridbase::services {

struct WebhookConfig {
  bool allow_private = false;            // GRIDBASE_WEBHOOKS_ALLOW_PRIVATE_ADDRESS (§7)
  int64_t retry_delay_ms = 1000;         // base of the 1, 2, 4 … backoff (§6.2)
  int max_per_table = 20;                // BASEROW_WEBHOOKS_MAX_PER_TABLE
  int max_call_log = 10;                 // BASEROW_WEBHOOKS_MAX_CALL_LOG_ENTRIES
  int max_retries = 8;                   // BASEROW_WEBHOOKS_MAX_RETRIES_PER_CALL
  int max_consecutive_failures = 8;      // BASEROW_WEBHOOKS_MAX_CONSECUTIVE_TRIGGER_FAILURES
  int64_t timeout_ms = 5000;             // BASEROW_WEBHOOKS_REQUEST_TIMEOUT_SECONDS
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// The event types of §4, in Baserow's registration order.
const std::vector<std::string>& WebhookEventTypes();

/// The headers of a webhook request (§5.1): the custom headers, then `Content-type`,
/// `X-Baserow-Event` and `X-Baserow-Delivery`. Names are merged case-insensitively as
/// Python's dict update + requests' CaseInsensitiveDict do: a header named again keeps the
/// position of its first occurrence and takes the later name and value, so the three
/// standard headers override same-named custom ones.
HeaderList WebhookHeaders(const HeaderList& custom, std::string_view event_type, std::string_view event_id);

class WebhookService {
 public:
  WebhookService(store::Store& store, WebhookConfig config) : store_(store), config_(config) {}

  const WebhookConfig& config() const { return config_; }

  /// GET database/webhooks/table/{table_id}/: the table's webhooks, ascending id.
  boost::json::array List(const Actor& actor, int64_t table_id);
  /// POST database/webhooks/table/{table_id}/ (§3.2).
  boost::json::object Create(const Actor& actor, int64_t table_id, const boost::json::value& body);
  /// GET database/webhooks/{webhook_id}/.
  boost::json::object Get(const Actor& actor, int64_t webhook_id);
  /// PATCH database/webhooks/{webhook_id}/ (§3.4).
  boost::json::object Update(const Actor& actor, int64_t webhook_id, const boost::json::value& body);
  /// DELETE database/webhooks/{webhook_id}/: removes it with its events, headers, calls and
  /// queued deliveries.
  void Delete(const Actor& actor, int64_t webhook_id);
  /// POST database/webhooks/table/{table_id}/test-call/ (§8): sends the §5.5 sample payload
  /// now and answers {"request", "response", "status_code", "is_unreachable"}.
  boost::json::object TestCall(const Actor& actor, int64_t table_id, const boost::json::value& body);

 private:
  store::Store& store_;
  WebhookConfig config_;
};

}  // namespace gridbase::services
