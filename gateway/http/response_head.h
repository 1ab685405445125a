// The status line and headers of a gateway response, formatted in one pass.
#ifndef HASHMESH_GATEWAY_HTTP_RESPONSE_HEAD_H_
#define HASHMESH_GATEWAY_HTTP_RESPONSE_HEAD_H_

#include <cstddef>
#include <string>

namespace hashmesh::gateway {

struct ResponseHead {
  unsigned version = 11;  // 10 or 11, as Beast counts
  int status = 200;
  const char* content_type = "application/json";
  const char* allow = nullptr;  // the Allow header of a 405
  bool keep_alive = true;
  size_t content_length = 0;
};

// Replaces `out` with the head Beast's serializer would write for the same
// response (tests hold it to that, byte for byte): status line, Content-Type,
// Allow, a Connection header where the version's default is not what
// keep_alive asks for, Content-Length, blank line. Formatting it directly
// into a reused string costs a fraction of Beast's field list and serializer.
void FormatResponseHead(const ResponseHead& head, std::string* out);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_HTTP_RESPONSE_HEAD_H_
