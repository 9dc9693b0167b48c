#include "services/outbox.hpp"

#include "util/crypto.hpp"
#include "util/time.hpp"

namespace gridbase::services {

void RecordEvent(store::Tx& tx, const Actor& actor, const OutboxEvent& e) {
  std::optional<std::string> recipients;
  if (e.recipients) {
    std::string r = "[";
    for (size_t i = 0; i < e.recipients->size(); ++i) {
      if (i) r += ',';
      r += std::to_string((*e.recipients)[i]);
    }
    recipients = r + "]";
  }
  std::optional<std::string_view> exclude;
  if (e.exclude_sender && !actor.websocket_id.empty()) exclude = actor.websocket_id;
  std::optional<std::string_view> extra;
  if (!e.extra.empty()) extra = e.extra;
  std::optional<int64_t> workspace;
  if (e.workspace_id) workspace = e.workspace_id;
  bool webhooks = e.webhooks && (actor.send_webhook_events || e.type.rfind("rows_", 0) != 0);
  tx.Exec(
      "INSERT INTO events (uuid, created_on, type, workspace_id, table_id, recipients, exclude_ws, webhooks, "
      "message, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      util::NewUuid(), util::NowMicros(), e.type, workspace, e.table_id, recipients, exclude, webhooks, e.message,
      extra);
  tx.events_recorded = true;
}

std::vector<int64_t> WorkspaceMemberIds(store::Tx& tx, int64_t workspace_id) {
  std::vector<int64_t> ids;
  auto c = tx.Query("SELECT user_id FROM workspace_users WHERE workspace_id = ? ORDER BY user_id", workspace_id);
  while (c->Next()) ids.push_back(c->Int(0));
  return ids;
}

}  // namespace gridbase::services
