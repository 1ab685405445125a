#include "gateway/payment/payment_fields.h"

#include <array>
#include <cstddef>

namespace hashmesh::gateway {
namespace {

constexpr absl::string_view kNotAnObject =
    "the top-level value is not an object";

enum Member { kAccountId, kAmountCents, kCurrency, kMerchant, kMemo, kUnknown };

constexpr std::array<absl::string_view, kUnknown> kMemberNames = {
    "account_id", "amount_cents", "currency", "merchant", "memo"};

Member MemberOf(absl::string_view key) {
  for (size_t m = 0; m < kMemberNames.size(); ++m) {
    if (kMemberNames[m] == key) return static_cast<Member>(m);
  }
  return kUnknown;
}

JsonField* FieldOf(Member member, PaymentFields* fields) {
  switch (member) {
    case kAccountId:
      return &fields->account_id;
    case kAmountCents:
      return &fields->amount_cents;
    case kCurrency:
      return &fields->currency;
    case kMerchant:
      return &fields->merchant;
    case kMemo:
      return &fields->memo;
    case kUnknown:
      break;
  }
  return nullptr;
}

}  // namespace

bool PaymentFieldsCollector::Fail(absl::string_view reason) {
  failure_ = reason;
  return false;
}

bool PaymentFieldsCollector::CheckTopLevel() {
  return depth_ > 0 || Fail(kNotAnObject);
}

JsonField* PaymentFieldsCollector::TakeValueField() {
  if (depth_ != 1) return nullptr;
  JsonField* field = value_field_;
  value_field_ = nullptr;
  return field;
}

bool PaymentFieldsCollector::BeginContainer(bool is_object) {
  if (depth_ == 0 && !is_object) return Fail(kNotAnObject);
  static_assert(kMaxJsonDepth == 32, "update the message below");
  if (depth_ == kMaxJsonDepth) return Fail("nesting deeper than 32 levels");
  if (JsonField* field = TakeValueField()) {
    field->kind = JsonField::Kind::kOther;
  }
  ++depth_;
  return true;
}

bool PaymentFieldsCollector::Key(absl::string_view key) {
  if (depth_ != 1) return true;
  const Member member = MemberOf(key);
  value_field_ = FieldOf(member, fields_);
  bool fresh;
  if (member == kUnknown) {
    fresh = !unknown_keys_.contains(key);
    if (fresh) unknown_keys_.insert(std::string(key.data(), key.size()));
  } else {
    const unsigned bit = 1u << member;
    fresh = (seen_ & bit) == 0;
    seen_ |= bit;
  }
  return fresh || Fail("duplicate key in the top-level object");
}

bool PaymentFieldsCollector::StringPart(absl::string_view part) {
  if (!CheckTopLevel()) return false;
  if (depth_ == 1 && value_field_ != nullptr) {
    value_field_->string.append(part.data(), part.size());
  }
  return true;
}

bool PaymentFieldsCollector::String(absl::string_view last_part) {
  if (!CheckTopLevel()) return false;
  if (JsonField* field = TakeValueField()) {
    field->kind = JsonField::Kind::kString;
    field->string.append(last_part.data(), last_part.size());
  }
  return true;
}

bool PaymentFieldsCollector::Integer(int64_t value) {
  if (!CheckTopLevel()) return false;
  if (JsonField* field = TakeValueField()) {
    field->kind = JsonField::Kind::kInteger;
    field->integer = value;
  }
  return true;
}

bool PaymentFieldsCollector::NumberBeyondInt64(bool integer) {
  if (!CheckTopLevel()) return false;
  if (JsonField* field = TakeValueField()) {
    field->kind = integer ? JsonField::Kind::kIntegerOutOfRange
                          : JsonField::Kind::kNonInteger;
  }
  return true;
}

bool PaymentFieldsCollector::Literal() {
  if (!CheckTopLevel()) return false;
  if (JsonField* field = TakeValueField()) {
    field->kind = JsonField::Kind::kOther;
  }
  return true;
}

}  // namespace hashmesh::gateway
