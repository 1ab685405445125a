// PaymentFieldsCollector driven directly, as a parser other than Boost.JSON
// would drive it, and the number decisions of json_number.h.
#include "gateway/payment/payment_fields.h"

#include <string>

#include "gateway/payment/json_number.h"
#include "gtest/gtest.h"

namespace hashmesh::gateway {
namespace {

using Kind = JsonField::Kind;

TEST(PaymentFieldsCollectorTest, CapturesKnownMembersAtTheTopLevelOnly) {
  PaymentFields fields;
  PaymentFieldsCollector collector(&fields);
  ASSERT_TRUE(collector.BeginContainer(/*is_object=*/true));
  ASSERT_TRUE(collector.Key("merchant"));
  ASSERT_TRUE(collector.StringPart("corner"));
  ASSERT_TRUE(collector.String("-cafe"));
  ASSERT_TRUE(collector.Key("x"));
  ASSERT_TRUE(collector.BeginContainer(/*is_object=*/true));
  ASSERT_TRUE(collector.Key("memo"));
  ASSERT_TRUE(collector.String("nested"));
  collector.EndContainer();
  ASSERT_TRUE(collector.Key("amount_cents"));
  ASSERT_TRUE(collector.Integer(1299));
  ASSERT_TRUE(collector.Key("currency"));
  ASSERT_TRUE(collector.Literal());
  collector.EndContainer();
  EXPECT_EQ(collector.depth(), 0);
  EXPECT_TRUE(collector.failure().empty());
  EXPECT_EQ(fields.merchant.kind, Kind::kString);
  EXPECT_EQ(fields.merchant.string, "corner-cafe");
  EXPECT_EQ(fields.memo.kind, Kind::kMissing);
  EXPECT_EQ(fields.amount_cents.kind, Kind::kInteger);
  EXPECT_EQ(fields.amount_cents.integer, 1299);
  EXPECT_EQ(fields.currency.kind, Kind::kOther);
  EXPECT_EQ(fields.account_id.kind, Kind::kMissing);
}

TEST(PaymentFieldsCollectorTest, RejectsANonObjectTopLevel) {
  for (int variant = 0; variant < 5; ++variant) {
    PaymentFields fields;
    PaymentFieldsCollector collector(&fields);
    bool ok = true;
    switch (variant) {
      case 0:
        ok = collector.BeginContainer(/*is_object=*/false);
        break;
      case 1:
        ok = collector.String("s");
        break;
      case 2:
        ok = collector.Integer(1);
        break;
      case 3:
        ok = collector.Literal();
        break;
      case 4:
        ok = collector.StringPart("s");
        break;
    }
    EXPECT_FALSE(ok) << variant;
    EXPECT_EQ(collector.failure(), "the top-level value is not an object");
  }
}

TEST(PaymentFieldsCollectorTest, LimitsDepthTo32) {
  PaymentFields fields;
  PaymentFieldsCollector collector(&fields);
  ASSERT_TRUE(collector.BeginContainer(/*is_object=*/true));
  for (int level = 2; level <= 32; ++level) {
    ASSERT_TRUE(collector.BeginContainer(level % 2 == 0)) << level;
  }
  EXPECT_FALSE(collector.BeginContainer(/*is_object=*/false));
  EXPECT_EQ(collector.failure(), "nesting deeper than 32 levels");
}

TEST(PaymentFieldsCollectorTest, RejectsDuplicateTopLevelKeys) {
  for (absl::string_view key : {"memo", "unknown"}) {
    PaymentFields fields;
    PaymentFieldsCollector collector(&fields);
    ASSERT_TRUE(collector.BeginContainer(/*is_object=*/true));
    ASSERT_TRUE(collector.Key(key));
    ASSERT_TRUE(collector.Literal());
    EXPECT_FALSE(collector.Key(key));
    EXPECT_EQ(collector.failure(), "duplicate key in the top-level object");
  }
}

TEST(JsonNumberTest, IsIntegerText) {
  EXPECT_TRUE(IsIntegerText("0"));
  EXPECT_TRUE(IsIntegerText("-0"));
  EXPECT_TRUE(IsIntegerText("99999999999999999999"));
  EXPECT_FALSE(IsIntegerText("1.0"));
  EXPECT_FALSE(IsIntegerText("1e3"));
  EXPECT_FALSE(IsIntegerText("1E3"));
}

TEST(JsonNumberTest, OverflowsDoubleOnlyAboveTheRange) {
  for (absl::string_view text :
       {"1e400", "-1e400", "1.7976931348623159e308", "1.8e308", "-0.18e310",
        "0.0000000001e319", "1e99999999999999999999",
        "100000000000000000000e289", "1e99999999999", "-1e99999999999",
        "1e0000000000000000400", "1e2147483648"}) {
    EXPECT_TRUE(OverflowsDouble(text)) << text;
  }
  EXPECT_TRUE(OverflowsDouble(std::string(310, '9')));
  for (absl::string_view text :
       {"0",
        "-0",
        "1e308",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "-1.7976931348623158e308",
        "1e-400",
        "-1e-400",
        "4.9e-324",
        "2e-324",
        "0e99999",
        "0.0e400",
        "123456789012345678901234567890",
        "1e-99999999999999999999",
        "0.00001e310",
        "0e99999999999",
        "-0e99999999999",
        "0.000e99999999999",
        "0.0e-99999999999",
        "1e-99999999999",
        "-1e-99999999999",
        "1e0000000000000000002",
        "1e-0000000000000000400",
        "2.4703282292062327e-324",
        "1000000000000000000000000000000e-99999999999"}) {
    EXPECT_FALSE(OverflowsDouble(text)) << text;
  }
  EXPECT_FALSE(OverflowsDouble(std::string(308, '9')));
}

}  // namespace
}  // namespace hashmesh::gateway
