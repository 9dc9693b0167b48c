#pragma once
// Workspaces and their members (Baserow's "groups"): CRUD, per-user order, leave, roles.
#include <optional>
#include <string>
#include <vector>

#include "services/models.hpp"
#include "store/store.hpp"

namespace gridbase::services {

struct MemberQuery {
  std::string search;
  std::string sorts;  // "+name,-email" (Baserow's sort grammar)
};

class WorkspaceService {
 public:
  explicit WorkspaceService(store::Store& store) : store_(store) {}

  std::vector<WorkspaceWithMembers> List(const Actor& actor);
  WorkspaceWithMembers Create(const Actor& actor, const std::string& name);
  /// Workspace "<first name>'s workspace" with the database "<first name>'s company".
  WorkspaceWithMembers CreateInitial(const Actor& actor);
  Workspace Update(const Actor& actor, int64_t workspace_id, const std::string& name);
  void Delete(const Actor& actor, int64_t workspace_id);
  void Order(const Actor& actor, const std::vector<int64_t>& workspace_ids);
  void Leave(const Actor& actor, int64_t workspace_id);

  std::vector<Member> ListMembers(const Actor& actor, int64_t workspace_id, const MemberQuery& q);
  Member UpdateMember(const Actor& actor, int64_t member_id, const std::string& permissions);
  void DeleteMember(const Actor& actor, int64_t member_id);

  /// Throws ERROR_GROUP_DOES_NOT_EXIST for unknown or trashed workspaces.
  static Workspace Require(store::Tx& tx, int64_t workspace_id);
  /// Inside an open write transaction: workspace + ADMIN membership for `user_id`.
  static int64_t CreateInTx(store::Tx& tx, int64_t user_id, const std::string& name);
  static WorkspaceWithMembers LoadWithMembers(store::Tx& tx, int64_t user_id, int64_t workspace_id);
  static std::vector<Member> LoadMembers(store::Tx& tx, int64_t workspace_id);

 private:
  store::Store& store_;
};

}  // namespace gridbase::services
