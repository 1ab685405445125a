#include "bench/loadgen/batch_codec.h"

#include <google/protobuf/io/coded_stream.h>
#include <grpcpp/support/proto_buffer_reader.h>

namespace hashmesh::loadgen {
namespace {

using google::protobuf::io::CodedInputStream;

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

constexpr uint32_t Tag(uint32_t field, WireType type) {
  return (field << 3) | type;
}

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

size_t VarintSize(uint64_t value) {
  size_t size = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++size;
  }
  return size;
}

bool SkipField(CodedInputStream* in, uint32_t tag) {
  switch (tag & 7) {
    case kVarint: {
      uint64_t ignored;
      return in->ReadVarint64(&ignored);
    }
    case kFixed64: {
      uint64_t ignored;
      return in->ReadLittleEndian64(&ignored);
    }
    case kLen: {
      uint32_t length;
      return in->ReadVarint32(&length) && in->Skip(static_cast<int>(length));
    }
    case kFixed32: {
      uint32_t ignored;
      return in->ReadLittleEndian32(&ignored);
    }
    default:  // groups: not in these messages
      return false;
  }
}

// Runs `field(tag)` for each field of a length-delimited sub-message.
template <typename Field>
bool ReadMessage(CodedInputStream* in, Field field) {
  uint32_t length;
  if (!in->ReadVarint32(&length)) return false;
  const CodedInputStream::Limit limit = in->PushLimit(static_cast<int>(length));
  while (uint32_t tag = in->ReadTag()) {
    if (!field(tag)) return false;
  }
  if (!in->ConsumedEntireMessage()) return false;
  in->PopLimit(limit);
  return true;
}

// An error without a code (0 is the default, so not on the wire) is still an
// error: it counts as UNKNOWN, never as a success.
bool ReadStatusCode(CodedInputStream* in, int* code) {
  uint64_t value = 0;
  const bool ok = ReadMessage(in, [&](uint32_t tag) {
    return tag == Tag(1, kVarint) ? in->ReadVarint64(&value)
                                  : SkipField(in, tag);
  });
  const auto number = static_cast<int32_t>(value);
  *code = number == 0 ? 2 : number;
  return ok;
}

bool ReadResult(CodedInputStream* in, ItemResult* result) {
  return ReadMessage(in, [&](uint32_t tag) {
    if (tag == Tag(1, kVarint)) return in->ReadVarint64(&result->id);
    if (tag == Tag(3, kLen)) return ReadStatusCode(in, &result->code);
    return SkipField(in, tag);  // the answer itself (2), or unknown fields
  });
}

}  // namespace

void AppendItem(uint64_t id, absl::string_view request, std::string* batch) {
  const size_t item_size =
      1 + VarintSize(id) + 1 + VarintSize(request.size()) + request.size();
  batch->push_back(static_cast<char>(Tag(1, kLen)));
  AppendVarint(item_size, batch);
  batch->push_back(static_cast<char>(Tag(1, kVarint)));
  AppendVarint(id, batch);
  batch->push_back(static_cast<char>(Tag(2, kLen)));
  AppendVarint(request.size(), batch);
  batch->append(request.data(), request.size());
}

absl::Status ReadResults(grpc::ByteBuffer* batch,
                         std::vector<ItemResult>* results) {
  results->clear();
  grpc::ProtoBufferReader reader(batch);
  CodedInputStream in(&reader);
  while (uint32_t tag = in.ReadTag()) {
    if (tag != Tag(1, kLen)) {
      if (!SkipField(&in, tag)) {
        return absl::InvalidArgumentError("malformed result batch");
      }
      continue;
    }
    ItemResult& result = results->emplace_back();
    if (!ReadResult(&in, &result)) {
      return absl::InvalidArgumentError("malformed result in a result batch");
    }
  }
  if (!in.ConsumedEntireMessage() || !reader.status().ok()) {
    return absl::InvalidArgumentError("malformed result batch");
  }
  return absl::OkStatus();
}

}  // namespace hashmesh::loadgen
