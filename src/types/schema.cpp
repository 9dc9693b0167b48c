#include "types/schema.hpp"

namespace gridbase::types {

int64_t Field::IntProp(std::string_view key, int64_t fallback) const {
  const auto* v = props.if_contains(key);
  if (v && v->is_int64()) return v->as_int64();
  if (v && v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return fallback;
}

bool Field::BoolProp(std::string_view key, bool fallback) const {
  const auto* v = props.if_contains(key);
  return v && v->is_bool() ? v->as_bool() : fallback;
}

std::string Field::StrProp(std::string_view key, std::string_view fallback) const {
  const auto* v = props.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string(fallback);
}

std::optional<std::string> Field::OptStrProp(std::string_view key) const {
  const auto* v = props.if_contains(key);
  if (v && v->is_string()) return std::string(v->as_string());
  return std::nullopt;
}

const SelectOption* Field::FindOption(int64_t id) const {
  for (const auto& o : options)
    if (o.id == id) return &o;
  return nullptr;
}

const Field* TableSchema::FindById(int64_t id) const {
  for (const auto& f : fields)
    if (f.id == id) return &f;
  return nullptr;
}

const Field* TableSchema::FindByName(std::string_view name) const {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

const Field* TableSchema::Primary() const {
  for (const auto& f : fields)
    if (f.primary) return &f;
  return nullptr;
}

}  // namespace gridbase::types
