// Files and their grants (baasbox.md §9.8) over baasbox::FileService. The upload body is
// multipart/form-data (http/multipart.hpp); downloads and extracted text are raw answers, not
// enveloped (§4.1). Route order: the literal `/file/details` before `/file/{id}`.
#include <boost/json/array.hpp>
#include <cctype>

#include "baasbox/files.hpp"
#include "docapi/internal.hpp"
#include "http/multipart.hpp"
#include "util/strings.hpp"

namespace gridbase::docapi {

namespace json = boost::json;
using baasbox::BbError;

namespace files_api {

/// BaasBox's text, trailing space included (`bb: controllers/File.java storeFile`).
constexpr const char* kNotMultipart =
    "missing data: is the body multipart/form-data? Check if it contains boundaries too! ";

/// commons-lang BooleanUtils.toBoolean(String), which BaasBox uses for `download`.
bool TruthyFlag(std::string_view v) {
  std::string s = util::ToLower(v);
  return s == "true" || s == "on" || s == "yes" || s == "y" || s == "t";
}

/// java.net.URLEncoder.encode(s, "UTF-8"), which BaasBox applies to the download file name;
/// it also keeps the header free of quotes and control characters.
std::string FormEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '*' || c == '_') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool IsInteger(std::string_view v) {
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) v.remove_prefix(1);
  if (v.empty() || v.size() > 9) return false;
  for (char c : v)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

/// The upload of a POST /file body: the first part with a file name is the file (BaasBox takes
/// the first file part whatever its field name); `attachedData` and `acl` are the first
/// non-file parts of those names. A part with an empty file name (a browser form whose file
/// input was left empty) is no file.
baasbox::FileUpload UploadOf(const Context& ctx) {
  std::vector<http::multipart::Part> parts;
  try {
    auto boundary = http::multipart::BoundaryOf(ctx.req.header("content-type"));
    if (!boundary) throw BbError(400, kNotMultipart);
    parts = http::multipart::Parse(ctx.req.body, *boundary);
  } catch (const http::multipart::ParseError&) {
    throw BbError(400, kNotMultipart);
  }
  const http::multipart::Part* file = nullptr;
  baasbox::FileUpload upload;
  for (const auto& p : parts) {
    if (p.file_name) {
      if (!file && !p.file_name->empty()) file = &p;
      continue;
    }
    if (p.name == "attachedData" && !upload.attached_data) upload.attached_data = std::string(p.data);
    if (p.name == "acl" && !upload.acl) upload.acl = std::string(p.data);
  }
  if (!file) throw BbError(400, "missing the file data in the body payload");
  upload.file_name = *file->file_name;
  upload.content_type = file->content_type;
  upload.data = file->data;
  return upload;
}

}  // namespace files_api

void AddFileRoutes(std::vector<Route>& routes, baasbox::FileService& files) {
  auto* f = &files;
  AddRoute(routes, "POST", "/file", Access::kUser,
           [f](Context& ctx) { return Reply{201, f->Create(ctx.caller, files_api::UploadOf(ctx))}; });
  AddRoute(routes, "GET", "/file/details", Access::kUser, [f](Context& ctx) {
    return Reply{200, f->List(ctx.caller, baasbox::ParseCriteria(ctx.query))};
  });
  AddRoute(routes, "GET", "/file/details/{id}", Access::kUser,
           [f](Context& ctx) { return Reply{200, f->Details(ctx.caller, ctx.params[0])}; });
  AddRoute(routes, "GET", "/file/attachedData/{id}", Access::kUser,
           [f](Context& ctx) { return Reply{200, f->AttachedData(ctx.caller, ctx.params[0])}; });
  AddRoute(routes, "GET", "/file/content/{id}", Access::kUser, [f](Context& ctx) {
    return Reply::Raw("text/plain; charset=utf-8", f->ExtractedText(ctx.caller, ctx.params[0]));
  });
  // GET /file/{id}: the bytes. Image resizing (`sizeId`, `resize`) is not offered: asked of an
  // image it answers 501 (never the original in its place); of anything else, BaasBox's 400.
  AddRoute(routes, "GET", "/file/{id}", Access::kUser, [f](Context& ctx) {
    const std::string& id = ctx.params[0];
    auto bytes = f->Download(ctx.caller, id);
    bool resize = files_api::IsInteger(ctx.Query("sizeId")) || !ctx.Query("resize").empty();
    if (resize && util::ToLower(bytes.content_type).rfind("image/", 0) != 0) {
      throw BbError(400, "The id " + id + "is not an image and cannot be resize");
    }
    if (resize) throw BbError(501, "Image resizing (sizeId, resize) is not available on this server");
    // Deviation (security; BaasBox sent neither): an uploaded HTML or SVG file must not run
    // script in this origin when opened, so no sniffing, and a sandbox for everything but PDF
    // (browsers refuse to show a PDF in a sandbox; the PDF viewer runs no page script).
    const bool pdf = util::ToLower(bytes.content_type).rfind("application/pdf", 0) == 0;
    Reply r = Reply::Raw(std::move(bytes.content_type), std::move(bytes.data));
    r.raw_headers.emplace_back("X-Content-Type-Options", "nosniff");
    if (!pdf) r.raw_headers.emplace_back("Content-Security-Policy", "sandbox");
    if (files_api::TruthyFlag(ctx.Query("download"))) {
      r.raw_headers.emplace_back("Content-Disposition",
                                 "attachment; filename=\"" + files_api::FormEncode(bytes.file_name) + "\"");
    }
    return r;
  });
  AddRoute(routes, "DELETE", "/file/{id}", Access::kUser, [f](Context& ctx) {
    f->Delete(ctx.caller, ctx.params[0]);
    return Reply{200, ""};
  });
  for (const char* kind : {"user", "role"}) {
    const bool to_role = std::string_view(kind) == "role";
    const std::string pattern = std::string("/file/{id}/{action}/") + kind + "/{name}";
    for (const char* method : {"PUT", "DELETE"}) {
      const bool grant = std::string_view(method) == "PUT";
      AddRoute(routes, method, pattern, Access::kUser, [f, to_role, grant](Context& ctx) {
        f->SetGrant(ctx.caller, ctx.params[0], ctx.params[1], to_role, ctx.params[2], grant);
        return Reply{200, ""};
      });
    }
  }
}

}  // namespace gridbase::docapi
