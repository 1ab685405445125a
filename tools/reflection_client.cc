#include "tools/reflection_client.h"

#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/notification.h"
#include "services/common/grpc_status.h"
#include "tools/json_input.h"

namespace hashmesh::tools {
namespace {

namespace refl = grpc::reflection::v1;
using google::protobuf::FileDescriptorProto;

// grpc 1.51 serves only v1alpha; newer servers serve v1 too. The messages
// are wire-identical, so the v1 ones work for both.
constexpr const char* kReflectionMethods[] = {
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
};

grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromByteBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  (void)buffer.Dump(&slices);
  std::string out;
  for (const grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

// Waits for the one operation in flight on `cq`; false when it failed.
bool Await(grpc::CompletionQueue& cq) {
  void* tag = nullptr;
  bool ok = false;
  return cq.Next(&tag, &ok) && ok;
}

// Shuts `cq` down once its last operation is done, and drains it.
void ShutdownAndDrain(grpc::CompletionQueue& cq) {
  cq.Shutdown();
  void* tag = nullptr;
  bool ignored = false;
  while (cq.Next(&tag, &ignored)) {
  }
}

// One request, one response, on a fresh reflection stream.
grpc::Status ExchangeOn(grpc::GenericStub& stub, const char* method,
                        absl::Duration timeout, const std::string& request,
                        std::string* response) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&context, method, &cq);
  grpc::ByteBuffer in;
  call->StartCall(nullptr);
  bool ok = Await(cq);
  if (ok) {
    call->Write(ToByteBuffer(request), nullptr);
    ok = Await(cq);
  }
  if (ok) {
    call->Read(&in, nullptr);
    ok = Await(cq);
  }
  // Half-close, or the server keeps the stream open for more requests.
  call->WritesDone(nullptr);
  Await(cq);
  grpc::Status status;
  call->Finish(&status, nullptr);
  Await(cq);
  ShutdownAndDrain(cq);
  if (status.ok() && !ok) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "no reflection response");
  }
  *response = FromByteBuffer(in);
  return status;
}

}  // namespace

ReflectionClient::ReflectionClient(std::shared_ptr<grpc::Channel> channel,
                                   absl::Duration timeout)
    : channel_(std::move(channel)), timeout_(timeout) {}

absl::StatusOr<refl::ServerReflectionResponse> ReflectionClient::Exchange(
    const refl::ServerReflectionRequest& request) {
  grpc::GenericStub stub(channel_);
  std::string bytes;
  grpc::Status status;
  for (const char* method : kReflectionMethods) {
    status =
        ExchangeOn(stub, method, timeout_, request.SerializeAsString(), &bytes);
    if (status.error_code() != grpc::StatusCode::UNIMPLEMENTED) break;
  }
  if (!status.ok()) return FromGrpcStatus(status);
  refl::ServerReflectionResponse response;
  if (!response.ParseFromString(bytes)) {
    return absl::DataLossError("unparsable reflection response");
  }
  if (response.has_error_response()) {
    return absl::Status(
        static_cast<absl::StatusCode>(response.error_response().error_code()),
        response.error_response().error_message());
  }
  return response;
}

absl::StatusOr<std::vector<std::string>> ReflectionClient::ListServices() {
  refl::ServerReflectionRequest request;
  request.set_list_services("*");
  absl::StatusOr<refl::ServerReflectionResponse> response = Exchange(request);
  if (!response.ok()) return response.status();
  std::vector<std::string> names;
  for (const refl::ServiceResponse& s :
       response->list_services_response().service()) {
    names.push_back(s.name());
  }
  return names;
}

absl::Status ReflectionClient::AddFiles(
    const refl::FileDescriptorResponse& files) {
  std::map<std::string, FileDescriptorProto> pending;
  for (const std::string& bytes : files.file_descriptor_proto()) {
    FileDescriptorProto file;
    if (!file.ParseFromString(bytes)) {
      return absl::DataLossError("unparsable FileDescriptorProto");
    }
    if (pool_.FindFileByName(file.name()) == nullptr) {
      pending.emplace(file.name(), std::move(file));
    }
  }
  // Build in dependency order: a file once all its imports are in the pool.
  while (!pending.empty()) {
    bool progressed = false;
    for (auto it = pending.begin(); it != pending.end();) {
      bool ready = true;
      for (const std::string& dep : it->second.dependency()) {
        ready = ready && pool_.FindFileByName(dep) != nullptr;
      }
      if (!ready) {
        ++it;
        continue;
      }
      if (pool_.BuildFile(it->second) == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("cannot build descriptor of ", it->first));
      }
      it = pending.erase(it);
      progressed = true;
    }
    if (!progressed) {
      return absl::NotFoundError(absl::StrCat(
          "reflection did not send the imports of ", pending.begin()->first));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<const google::protobuf::ServiceDescriptor*>
ReflectionClient::DescribeService(absl::string_view service) {
  const std::string name(service);
  if (const auto* found = pool_.FindServiceByName(name)) return found;
  refl::ServerReflectionRequest request;
  request.set_file_containing_symbol(name);
  absl::StatusOr<refl::ServerReflectionResponse> response = Exchange(request);
  if (!response.ok()) return response.status();
  if (absl::Status s = AddFiles(response->file_descriptor_response());
      !s.ok()) {
    return s;
  }
  if (const auto* found = pool_.FindServiceByName(name)) return found;
  return absl::NotFoundError(absl::StrCat("no service ", name));
}

absl::StatusOr<const google::protobuf::MethodDescriptor*>
ReflectionClient::FindMethod(absl::string_view method) {
  const std::string full = absl::StrReplaceAll(method, {{"/", "."}});
  const size_t dot = full.rfind('.');
  if (dot == std::string::npos) {
    return absl::InvalidArgumentError("method must be package.Service/Method");
  }
  absl::StatusOr<const google::protobuf::ServiceDescriptor*> service =
      DescribeService(full.substr(0, dot));
  if (!service.ok()) return service.status();
  const google::protobuf::MethodDescriptor* md =
      (*service)->FindMethodByName(full.substr(dot + 1));
  if (md == nullptr) {
    return absl::NotFoundError(absl::StrCat("no method ", full));
  }
  return md;
}

absl::StatusOr<std::string> ReflectionClient::ToJson(
    const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  auto printed =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!printed.ok()) return absl::InternalError(printed.ToString());
  return json;
}

absl::StatusOr<std::string> ReflectionClient::CallUnary(
    absl::string_view method, absl::string_view request_json) {
  absl::StatusOr<const google::protobuf::MethodDescriptor*> md =
      FindMethod(method);
  if (!md.ok()) return md.status();
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> request =
      MessageFromJson(*factory_.GetPrototype((*md)->input_type()),
                      request_json);
  if (!request.ok()) return request.status();
  std::unique_ptr<google::protobuf::Message> response(
      factory_.GetPrototype((*md)->output_type())->New());

  grpc::GenericStub stub(channel_);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  const grpc::ByteBuffer out = ToByteBuffer((*request)->SerializeAsString());
  grpc::ByteBuffer in;
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(
      &context,
      absl::StrCat("/", (*md)->service()->full_name(), "/", (*md)->name()),
      grpc::StubOptions(), &out, &in, [&](grpc::Status s) {
        status = std::move(s);
        done.Notify();
      });
  done.WaitForNotification();
  if (!status.ok()) return FromGrpcStatus(status);
  if (!response->ParseFromString(FromByteBuffer(in))) {
    return absl::DataLossError("unparsable response");
  }
  return ToJson(*response);
}

absl::StatusOr<std::vector<std::string>> ReflectionClient::CallStream(
    absl::string_view method, const std::vector<std::string>& request_jsons) {
  absl::StatusOr<const google::protobuf::MethodDescriptor*> md =
      FindMethod(method);
  if (!md.ok()) return md.status();
  std::vector<std::string> requests;
  for (const std::string& json : request_jsons) {
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> request =
        MessageFromJson(*factory_.GetPrototype((*md)->input_type()), json);
    if (!request.ok()) return request.status();
    requests.push_back((*request)->SerializeAsString());
  }

  grpc::GenericStub stub(channel_);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call = stub.PrepareCall(
      &context,
      absl::StrCat("/", (*md)->service()->full_name(), "/", (*md)->name()),
      &cq);
  call->StartCall(nullptr);
  bool ok = Await(cq);
  for (size_t i = 0; ok && i < requests.size(); ++i) {
    call->Write(ToByteBuffer(requests[i]), nullptr);
    ok = Await(cq);
  }
  call->WritesDone(nullptr);
  Await(cq);
  std::vector<std::string> responses;
  while (true) {
    grpc::ByteBuffer in;
    call->Read(&in, nullptr);
    if (!Await(cq)) break;
    std::unique_ptr<google::protobuf::Message> response(
        factory_.GetPrototype((*md)->output_type())->New());
    if (!response->ParseFromString(FromByteBuffer(in))) {
      return absl::DataLossError("unparsable response");
    }
    absl::StatusOr<std::string> json = ToJson(*response);
    if (!json.ok()) return json.status();
    responses.push_back(*std::move(json));
  }
  grpc::Status status;
  call->Finish(&status, nullptr);
  Await(cq);
  ShutdownAndDrain(cq);
  if (!status.ok()) return FromGrpcStatus(status);
  return responses;
}

}  // namespace hashmesh::tools
