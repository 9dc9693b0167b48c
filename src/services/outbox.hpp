#pragma once
// The transactional outbox (events are plain records written in the change's transaction):
// a rolled-back write records nothing, a committed one is never lost. Consumers (realtime,
// webhooks, replay) read the `events` table after commit; see src/events/.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/models.hpp"
#include "store/store.hpp"

namespace gridbase::services {

struct OutboxEvent {
  std::string type;  // the realtime message type, e.g. "rows_created"
  int64_t workspace_id = 0;
  std::optional<int64_t> table_id;
  /// Users whose connections receive it; nullopt: the subscribers of the table page.
  std::optional<std::vector<int64_t>> recipients;
  std::string message;       // the realtime message, a JSON object with "type"
  std::string extra;         // "" or a JSON object other consumers need (webhooks)
  bool exclude_sender = true;  // not echoed to the caller's `WebSocketId` connection
  bool webhooks = false;       // may trigger table webhooks
};

/// Appends `event` to the outbox inside `tx`.
void RecordEvent(store::Tx& tx, const Actor& actor, const OutboxEvent& event);

/// Ids of the current members of a workspace (recipients of workspace-wide messages).
std::vector<int64_t> WorkspaceMemberIds(store::Tx& tx, int64_t workspace_id);

/// Event type of the internal message telling realtime that a database token changed.
inline constexpr const char* kTokenChangedEvent = "_token_changed";

}  // namespace gridbase::services
