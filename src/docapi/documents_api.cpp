// Collections, documents, grants and links (baasbox.md §9.4–§9.7) over baasbox::DocumentService.
// Route order is the precedence of §9.1: `…/count` before `…/{id}`, `…/{id}/acl` before the grant
// routes, the grant routes (literal `user`/`role` segments) before field parts.
#include <boost/json/array.hpp>

#include "baasbox/documents.hpp"
#include "docapi/internal.hpp"
#include "util/strings.hpp"

namespace gridbase::docapi {

namespace json = boost::json;
using baasbox::BbError;

namespace {

/// Deepest field-part path served (`/.a/.b/…`); BaasBox documents nest a handful of levels.
constexpr size_t kMaxParts = 16;

bool Flag(const Context& ctx, std::string_view key) {
  std::string v = util::ToLower(ctx.Query(key));
  return v == "true" || v == "on" || v == "yes";
}

baasbox::Criteria CriteriaOf(const Context& ctx) { return baasbox::ParseCriteria(ctx.query); }

}  // namespace

void AddDocumentRoutes(std::vector<Route>& routes, baasbox::DocumentService& docs) {
  auto* d = &docs;
  // --- collections (§9.4) -------------------------------------------------------------------
  AddRoute(routes, "POST", "/admin/collection/{name}", Access::kAdmin, [d](Context& ctx) {
    d->CreateCollection(ctx.caller, ctx.params[0]);
    return Reply{201, ""};
  });
  AddRoute(routes, "GET", "/admin/collection", Access::kAdmin,
           [d](Context& ctx) { return Reply{200, d->ListCollections(ctx.caller, CriteriaOf(ctx))}; });
  AddRoute(routes, "DELETE", "/admin/collection/{name}", Access::kAdmin, [d](Context& ctx) {
    d->DropCollection(ctx.caller, ctx.params[0]);
    return Reply{200, ""};
  });

  // Projections (§11.4; gridbase's own admin routes, see baasbox::DocumentService).
  AddRoute(routes, "GET", "/admin/collection/{name}/projection", Access::kAdmin,
           [d](Context& ctx) { return Reply{200, d->ListProjections(ctx.caller, ctx.params[0])}; });
  AddRoute(routes, "POST", "/admin/collection/{name}/projection/{key}", Access::kAdmin, [d](Context& ctx) {
    return Reply{201, d->CreateProjection(ctx.caller, ctx.params[0], ctx.params[1])};
  });
  AddRoute(routes, "DELETE", "/admin/collection/{name}/projection/{key}", Access::kAdmin, [d](Context& ctx) {
    d->DropProjection(ctx.caller, ctx.params[0], ctx.params[1]);
    return Reply{200, ""};
  });

  // --- documents (§9.5) ---------------------------------------------------------------------
  AddRoute(routes, "POST", "/document/{c}", Access::kUser,
           [d](Context& ctx) { return Reply{200, d->Create(ctx.caller, ctx.params[0], ctx.req.body)}; });
  // GET /document/{c} lists a collection; GET /document/%23{rid} reads any readable document by
  // RID and needs a user (§9.5.5), as BaasBox's route of the USER class does.
  AddRoute(routes, "GET", "/document/{c}", Access::kUserOrAnon, [d](Context& ctx) {
    const std::string& first = ctx.params[0];
    if (!first.empty() && first[0] == '#') {
      if (ctx.caller.anonymous()) throw BbError(401, "Missing both Session Token and Authorization info");
      return Reply{200, d->GetByRid(ctx.caller, first, Flag(ctx, "withAcl"))};
    }
    return Reply{200, d->List(ctx.caller, first, CriteriaOf(ctx))};
  });
  AddRoute(routes, "GET", "/document/{c}/count", Access::kUserOrAnon,
           [d](Context& ctx) { return Reply{200, d->Count(ctx.caller, ctx.params[0], CriteriaOf(ctx))}; });
  AddRoute(routes, "GET", "/document/{c}/{id}", Access::kUserOrAnon, [d](Context& ctx) {
    return Reply{200, d->Get(ctx.caller, ctx.params[0], ctx.params[1], Flag(ctx, "withAcl"))};
  });
  AddRoute(routes, "PUT", "/document/{c}/{id}", Access::kUser, [d](Context& ctx) {
    return Reply{200, d->Replace(ctx.caller, ctx.params[0], ctx.params[1], ctx.req.body)};
  });
  AddRoute(routes, "DELETE", "/document/{c}/{id}", Access::kUser, [d](Context& ctx) {
    d->Delete(ctx.caller, ctx.params[0], ctx.params[1]);
    return Reply{200, ""};
  });
  AddRoute(routes, "PUT", "/document/{c}/{id}/acl", Access::kUser, [d](Context& ctx) {
    return Reply{200, d->ReplaceAcl(ctx.caller, ctx.params[0], ctx.params[1], ctx.req.body, Flag(ctx, "withAcl"))};
  });

  // --- grants (§9.6.1) ----------------------------------------------------------------------
  for (const char* kind : {"user", "role"}) {
    bool to_role = std::string_view(kind) == "role";
    std::string pattern = std::string("/document/{c}/{id}/{action}/") + kind + "/{name}";
    for (const char* method : {"PUT", "DELETE"}) {
      bool grant = std::string_view(method) == "PUT";
      AddRoute(routes, method, pattern, Access::kUser, [d, to_role, grant](Context& ctx) {
        d->SetGrant(ctx.caller, ctx.params[0], ctx.params[1], ctx.params[2], to_role, ctx.params[3], grant);
        return Reply{200, ""};
      });
    }
  }

  // --- field parts (§9.5.8, §9.5.9): /document/{c}/{id}/.f[/.g…] --------------------------------
  std::string pattern = "/document/{c}/{id}";
  for (size_t n = 1; n <= kMaxParts; ++n) {
    pattern += "/{p" + std::to_string(n) + "}";
    AddRoute(routes, "GET", pattern, Access::kUserOrAnon, [d](Context& ctx) {
      std::vector<std::string> parts(ctx.params.begin() + 2, ctx.params.end());
      return Reply{200, d->GetPart(ctx.caller, ctx.params[0], ctx.params[1], parts)};
    });
    AddRoute(routes, "PUT", pattern, Access::kUser, [d](Context& ctx) {
      std::vector<std::string> parts(ctx.params.begin() + 2, ctx.params.end());
      return Reply{200, d->UpdatePart(ctx.caller, ctx.params[0], ctx.params[1], parts, ctx.req.body)};
    });
  }

  // --- links (§9.7) -------------------------------------------------------------------------
  AddRoute(routes, "POST", "/link/{source}/{label}/{dest}", Access::kUser, [d](Context& ctx) {
    return Reply{200, d->CreateLink(ctx.caller, ctx.params[0], ctx.params[1], ctx.params[2])};
  });
  AddRoute(routes, "GET", "/link", Access::kUser,
           [d](Context& ctx) { return Reply{200, d->ListLinks(ctx.caller, CriteriaOf(ctx))}; });
  AddRoute(routes, "GET", "/link/{id}", Access::kUser,
           [d](Context& ctx) { return Reply{200, d->GetLink(ctx.caller, ctx.params[0])}; });
  AddRoute(routes, "DELETE", "/link/{id}", Access::kUser, [d](Context& ctx) {
    d->DeleteLink(ctx.caller, ctx.params[0]);
    return Reply{200, ""};
  });
}

}  // namespace gridbase::docapi
