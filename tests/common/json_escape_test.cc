// AppendJsonString: minimal RFC 8259 escaping, valid UTF-8 out whatever comes
// in.
#include "services/common/json_escape.h"

#include <string>

#include "gtest/gtest.h"

namespace hashmesh {
namespace {

std::string Escaped(absl::string_view text) {
  std::string out = "<";
  AppendJsonString(text, &out);
  return out;
}

TEST(AppendJsonStringTest, AppendsQuotedText) {
  EXPECT_EQ(Escaped(""), "<\"\"");
  EXPECT_EQ(Escaped("corner-cafe"), "<\"corner-cafe\"");
  EXPECT_EQ(Escaped("a/b'c"), "<\"a/b'c\"");  // '/' and '\'' stay
}

TEST(AppendJsonStringTest, EscapesQuoteBackslashAndControls) {
  EXPECT_EQ(Escaped("\"\\"), "<\"\\\"\\\\\"");
  EXPECT_EQ(Escaped("\b\f\n\r\t"), "<\"\\b\\f\\n\\r\\t\"");
  EXPECT_EQ(Escaped(std::string("\0\x01\x1F", 3)),
            "<\"\\u0000\\u0001\\u001f\"");
  EXPECT_EQ(Escaped("\x7F"), "<\"\x7F\"");  // JSON does not require it
}

TEST(AppendJsonStringTest, KeepsValidUtf8) {
  for (absl::string_view text :
       {"\xC2\x80", "\xC2\x85", "\xDF\xBF", "\xE0\xA0\x80", "\xE2\x82\xAC",
        "\xED\x9F\xBF", "\xEE\x80\x80", "\xEF\xBF\xBF", "\xF0\x90\x80\x80",
        "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF", "Zo\xC3\xAB"}) {
    EXPECT_EQ(Escaped(text), "<\"" + std::string(text) + "\"");
  }
}

TEST(AppendJsonStringTest, ReplacesEachInvalidByte) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(Escaped("\xFF"), "<\"" + fffd + "\"");
  EXPECT_EQ(Escaped("\x80"), "<\"" + fffd + "\"");
  EXPECT_EQ(Escaped("\xC0\xAF"), "<\"" + fffd + fffd + "\"");  // overlong
  EXPECT_EQ(Escaped("\xC3"), "<\"" + fffd + "\"");             // truncated
  EXPECT_EQ(Escaped("\xC3z"), "<\"" + fffd + "z\"");
  EXPECT_EQ(Escaped("\xE0\x80\xAF"), "<\"" + fffd + fffd + fffd + "\"");
  EXPECT_EQ(Escaped("\xED\xA0\x80"), "<\"" + fffd + fffd + fffd + "\"");
  EXPECT_EQ(Escaped("\xF4\x90\x80\x80"),
            "<\"" + fffd + fffd + fffd + fffd + "\"");
  EXPECT_EQ(Escaped("\xF5"), "<\"" + fffd + "\"");
  EXPECT_EQ(Escaped("a\xE2\x82"), "<\"a" + fffd + fffd + "\"");
}

// Strings are scanned 8 bytes at a time: every position of a special byte
// within and across words must still be seen.
TEST(AppendJsonStringTest, FindsSpecialBytesAtEveryPosition) {
  const struct {
    std::string raw;
    std::string escaped;
  } kSpecials[] = {{"\"", "\\\""},
                   {"\\", "\\\\"},
                   {"\x01", "\\u0001"},
                   {"\x1F", "\\u001f"},
                   {"\n", "\\n"},
                   {"\xC3\xA9", "\xC3\xA9"},
                   {"\xFF", "\xEF\xBF\xBD"},
                   {"\x7F", "\x7F"},
                   {" ", " "},
                   {"!", "!"},
                   {"#", "#"},
                   {"[", "["},
                   {"]", "]"},
                   {"~", "~"}};
  for (size_t length = 1; length <= 24; ++length) {
    for (size_t position = 0; position < length; ++position) {
      for (const auto& special : kSpecials) {
        const std::string text = std::string(position, 'a') + special.raw +
                                 std::string(length - position - 1, 'b');
        const std::string expected =
            "<\"" + std::string(position, 'a') + special.escaped +
            std::string(length - position - 1, 'b') + "\"";
        EXPECT_EQ(Escaped(text), expected) << length << " " << position;
      }
    }
  }
}

}  // namespace
}  // namespace hashmesh
