#pragma once
// Path-pattern routing: "/api/workspaces/{workspace_id}/" with integer parameters
// (`[0-9]+`) or `{name:str}` for any one segment. Matching distinguishes a found route, a
// known path with another method (405), a known path missing its trailing slash, and 404.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gridbase::http {

struct PathParams {
  std::vector<std::pair<std::string, std::string>> values;
  std::string_view get(std::string_view name) const {
    for (const auto& [k, v] : values)
      if (k == name) return v;
    return {};
  }
};

enum class MatchKind { kFound, kMethodNotAllowed, kTrailingSlashMissing, kNotFound };

template <class Target>
class Router {
 public:
  void Add(std::string method, std::string_view pattern, Target target) {
    Route r;
    r.method = std::move(method);
    r.pattern = std::string(pattern);
    r.target = std::move(target);
    for (auto seg : SplitPath(pattern)) {
      Segment s;
      if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
        std::string_view inner = seg.substr(1, seg.size() - 2);
        size_t colon = inner.find(':');
        s.param = std::string(inner.substr(0, colon));
        s.is_int = colon == std::string_view::npos || inner.substr(colon + 1) == "int";
      } else {
        s.literal = std::string(seg);
      }
      r.segments.push_back(std::move(s));
    }
    routes_.push_back(std::move(r));
  }

  struct Match {
    MatchKind kind = MatchKind::kNotFound;
    const Target* target = nullptr;     // the route for this method (kFound), or any route
                                        // of the path (kMethodNotAllowed)
    PathParams params;
    std::string allow;                  // for 405: "GET, POST"
  };

  /// Calls f(method, pattern, target) for every route, in registration order.
  template <class F>
  void ForEach(F&& f) const {
    for (const auto& r : routes_) f(r.method, r.pattern, r.target);
  }

  Match Find(std::string_view method, std::string_view path) const {
    Match m;
    if (path.empty() || path.back() != '/') {
      std::string with_slash = std::string(path) + "/";
      if (MatchPath(with_slash, nullptr)) m.kind = MatchKind::kTrailingSlashMissing;
      return m;
    }
    auto segs = SplitPath(path);
    for (const auto& r : routes_) {
      PathParams params;
      if (!MatchSegments(r, segs, &params)) continue;
      if (r.method == method) {
        m.kind = MatchKind::kFound;
        m.target = &r.target;
        m.params = std::move(params);
        return m;
      }
      if (m.kind != MatchKind::kMethodNotAllowed) {
        m.kind = MatchKind::kMethodNotAllowed;
        m.target = &r.target;
        m.params = std::move(params);
      }
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += r.method;
    }
    return m;
  }

 private:
  struct Segment {
    std::string literal;
    std::string param;
    bool is_int = true;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Target target;
  };

  static std::vector<std::string_view> SplitPath(std::string_view path) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < path.size()) {
      if (path[i] == '/') {
        ++i;
        continue;
      }
      size_t j = path.find('/', i);
      if (j == std::string_view::npos) j = path.size();
      out.push_back(path.substr(i, j - i));
      i = j;
    }
    return out;
  }

  static bool MatchSegments(const Route& r, const std::vector<std::string_view>& segs,
                            PathParams* params) {
    if (r.segments.size() != segs.size()) return false;
    for (size_t i = 0; i < segs.size(); ++i) {
      const auto& s = r.segments[i];
      if (s.param.empty()) {
        if (s.literal != segs[i]) return false;
        continue;
      }
      if (s.is_int) {
        if (segs[i].empty() || segs[i].size() > 18) return false;
        for (char c : segs[i])
          if (c < '0' || c > '9') return false;
      }
      if (params) params->values.emplace_back(s.param, std::string(segs[i]));
    }
    return true;
  }

  bool MatchPath(std::string_view path, PathParams* params) const {
    if (path.find("//") != std::string_view::npos) return false;
    auto segs = SplitPath(path);
    for (const auto& r : routes_)
      if (MatchSegments(r, segs, params)) return true;
    return false;
  }

  std::vector<Route> routes_;
};

}  // namespace gridbase::http
