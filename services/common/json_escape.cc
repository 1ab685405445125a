#include "services/common/json_escape.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace hashmesh {
namespace {

constexpr absl::string_view kReplacementCharacter = "\xEF\xBF\xBD";

constexpr uint64_t kOnes = 0x0101010101010101;
constexpr uint64_t kHighBits = 0x8080808080808080;

// Whether any of the 8 bytes packed in `word` is a control character, '"',
// '\\' or not ASCII: the usual string has none, so it is checked a word at a
// time (the classic "has a zero byte" bit trick: a borrow sets the high bit
// of a byte that was below the subtrahend; false positives only occur next
// to true ones, so the word-level answer is exact).
bool NeedsAttention(uint64_t word) {
  const uint64_t below_space = (word - kOnes * 0x20) & ~word;
  const uint64_t quote = word ^ (kOnes * '"');
  const uint64_t backslash = word ^ (kOnes * '\\');
  const uint64_t is_quote = (quote - kOnes) & ~quote;
  const uint64_t is_backslash = (backslash - kOnes) & ~backslash;
  return ((below_space | is_quote | is_backslash | word) & kHighBits) != 0;
}

bool IsContinuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence (RFC 3629, table 3-7 of Unicode)
// starting at text[i], or 0 when there is none: no overlongs, no encoded
// surrogates, nothing above U+10FFFF.
size_t Utf8SequenceLength(absl::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[i + k]); };
  const size_t left = text.size() - i;
  const uint8_t lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint8_t second_min = 0x80;
  uint8_t second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return 0;
  }
  if (left < length) return 0;
  if (byte(1) < second_min || byte(1) > second_max) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (!IsContinuation(byte(k))) return 0;
  }
  return length;
}

void AppendControlEscape(uint8_t byte, std::string* out) {
  switch (byte) {
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    default:
      break;
  }
  constexpr char kHex[] = "0123456789abcdef";
  const char escape[] = {
      '\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
  out->append(escape, sizeof(escape));
}

}  // namespace

void AppendJsonString(absl::string_view text, std::string* out) {
  out->push_back('"');
  // Bytes that need nothing are copied in runs, the common case being one run.
  size_t run_start = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (text.size() - i >= sizeof(uint64_t)) {
      uint64_t word;
      std::memcpy(&word, text.data() + i, sizeof(word));
      if (!NeedsAttention(word)) {
        i += sizeof(word);
        continue;
      }
    }
    const auto byte = static_cast<uint8_t>(text[i]);
    if (byte >= 0x20 && byte != '"' && byte != '\\' && byte < 0x80) {
      ++i;
      continue;
    }
    if (byte >= 0x80) {
      if (size_t length = Utf8SequenceLength(text, i); length != 0) {
        i += length;
        continue;
      }
    }
    out->append(text.data() + run_start, i - run_start);
    if (byte == '"' || byte == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(byte));
    } else if (byte < 0x20) {
      AppendControlEscape(byte, out);
    } else {
      out->append(kReplacementCharacter.data(), kReplacementCharacter.size());
    }
    run_start = ++i;
  }
  out->append(text.data() + run_start, text.size() - run_start);
  out->push_back('"');
}

}  // namespace hashmesh
