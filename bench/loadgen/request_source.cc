#include "bench/loadgen/request_source.h"

#include <grpcpp/support/slice.h>

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "hashmesh/engine/v1/engine.grpc.pb.h"
#include "hashmesh/pgstub/v1/pgstub.grpc.pb.h"

namespace hashmesh::loadgen {
namespace {

std::string GetAccountMethod() {
  return absl::StrCat("/", pgstub::v1::AccountStore::service_full_name(),
                      "/GetAccount");
}

std::string HashMethod() {
  return absl::StrCat("/", engine::v1::HashEngine::service_full_name(),
                      "/Hash");
}

std::string GetAccountStreamMethod() {
  return absl::StrCat(GetAccountMethod(), "Stream");
}

std::string HashStreamMethod() { return absl::StrCat(HashMethod(), "Stream"); }

grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

class GetAccountSource final : public RequestSource {
 public:
  explicit GetAccountSource(uint32_t accounts) : accounts_(accounts) {}

  grpc::ByteBuffer Request(uint64_t call) const override {
    return ToByteBuffer(RequestBytes(call));
  }

  std::string RequestBytes(uint64_t call) const override {
    // Knuth's multiplicative hash: consecutive calls land far apart, and
    // every id is reached, without a shared random generator.
    const uint64_t index = (call * 2654435761u) % accounts_;
    pgstub::v1::GetAccountRequest request;
    request.set_account_id(absl::StrFormat("acc-%06u", index));
    return request.SerializeAsString();
  }

 private:
  const uint64_t accounts_;
};

class FixedSource final : public RequestSource {
 public:
  explicit FixedSource(std::string request)
      : bytes_(std::move(request)), request_(ToByteBuffer(bytes_)) {}

  // The copy shares the slices (reference counts), not the bytes.
  grpc::ByteBuffer Request(uint64_t /*call*/) const override {
    return request_;
  }

  std::string RequestBytes(uint64_t /*call*/) const override { return bytes_; }

 private:
  const std::string bytes_;
  const grpc::ByteBuffer request_;
};

absl::StatusOr<std::unique_ptr<RequestSource>> MakeHashSource(
    const PayloadConfig& config) {
  // "sha3-256" -> ALGORITHM_SHA3_256: the proto's own names, so a new
  // algorithm needs no change here.
  const std::string enum_name =
      absl::StrCat("ALGORITHM_", absl::AsciiStrToUpper(absl::StrReplaceAll(
                                     config.algorithm, {{"-", "_"}})));
  engine::v1::Algorithm algorithm = engine::v1::ALGORITHM_UNSPECIFIED;
  if (!engine::v1::Algorithm_Parse(enum_name, &algorithm) ||
      algorithm == engine::v1::ALGORITHM_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--algorithm must be sha256, sha512, sha3-256 or blake2b512, got \"",
        config.algorithm, "\""));
  }
  engine::v1::HashRequest request;
  request.set_algorithm(algorithm);
  request.set_rounds(config.rounds);
  std::string data(config.data_bytes, '\0');
  for (size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<char>('a' + i % 26);
  }
  request.set_data(std::move(data));
  return std::make_unique<FixedSource>(request.SerializeAsString());
}

}  // namespace

std::vector<std::string> KnownMethods() {
  return {GetAccountMethod(), HashMethod(), GetAccountStreamMethod(),
          HashStreamMethod()};
}

bool IsStreamMethod(absl::string_view canonical_method) {
  return canonical_method == GetAccountStreamMethod() ||
         canonical_method == HashStreamMethod();
}

absl::StatusOr<std::string> CanonicalMethod(absl::string_view method) {
  const std::string canonical =
      absl::StrCat(absl::StartsWith(method, "/") ? "" : "/", method);
  for (const std::string& known : KnownMethods()) {
    if (canonical == known) return canonical;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--method must be one of ", absl::StrJoin(KnownMethods(), ", "),
      " (leading slash optional), got \"", method, "\""));
}

absl::StatusOr<std::unique_ptr<RequestSource>> MakeRequestSource(
    absl::string_view canonical_method, const PayloadConfig& config) {
  if (canonical_method == GetAccountMethod() ||
      canonical_method == GetAccountStreamMethod()) {
    if (config.accounts < 1 || config.accounts > 1000000) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--accounts must be between 1 and 1000000, got ", config.accounts));
    }
    return std::make_unique<GetAccountSource>(config.accounts);
  }
  if (canonical_method == HashMethod() ||
      canonical_method == HashStreamMethod()) {
    return MakeHashSource(config);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("no request generator for method \"", canonical_method,
                   "\"; known: ", absl::StrJoin(KnownMethods(), ", ")));
}

}  // namespace hashmesh::loadgen
