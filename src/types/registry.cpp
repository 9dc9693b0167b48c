// The field type registry: every type, keyed by Baserow's type string, in Baserow's order.
#include <unordered_map>

#include "types/field_type.hpp"

namespace gridbase::types {

const FieldType* TextFieldType();
const FieldType* LongTextFieldType();
const FieldType* UrlFieldType();
const FieldType* EmailFieldType();
const FieldType* NumberFieldType();
const FieldType* RatingFieldType();
const FieldType* BooleanFieldType();
const FieldType* DateFieldType();
const FieldType* LastModifiedFieldType();
const FieldType* CreatedOnFieldType();
const FieldType* DurationFieldType();
const FieldType* SingleSelectFieldType();
const FieldType* MultipleSelectFieldType();
const FieldType* PhoneNumberFieldType();
const FieldType* UuidFieldType();
const FieldType* AutonumberFieldType();
const FieldType* PasswordFieldType();

const std::vector<const FieldType*>& AllFieldTypes() {
  static const std::vector<const FieldType*> kAll = {
      TextFieldType(),     LongTextFieldType(),     UrlFieldType(),         EmailFieldType(),
      NumberFieldType(),   RatingFieldType(),       BooleanFieldType(),     DateFieldType(),
      LastModifiedFieldType(), CreatedOnFieldType(), DurationFieldType(),   SingleSelectFieldType(),
      MultipleSelectFieldType(), PhoneNumberFieldType(), UuidFieldType(),   AutonumberFieldType(),
      PasswordFieldType(),
  };
  return kAll;
}

const FieldType* FindFieldType(std::string_view type) {
  static const std::unordered_map<std::string_view, const FieldType*> kByName = [] {
    std::unordered_map<std::string_view, const FieldType*> m;
    for (const auto* t : AllFieldTypes()) m.emplace(t->type(), t);
    return m;
  }();
  auto it = kByName.find(type);
  return it == kByName.end() ? nullptr : it->second;
}

}  // namespace gridbase::types
