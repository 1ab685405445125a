// The HTTP server's limits and timeouts; every one is a gateway flag.
#ifndef HASHMESH_GATEWAY_HTTP_HTTP_LIMITS_H_
#define HASHMESH_GATEWAY_HTTP_HTTP_LIMITS_H_

#include <cstddef>

#include "absl/time/time.h"

namespace hashmesh::gateway {

// The flags' ranges: Beast keeps a header limit in 32 bits, and a body limit
// of up to 1 GiB leaves max_body_bytes + 1 far from overflowing.
inline constexpr size_t kMaxBodyBytesLimit = size_t{1} << 30;
inline constexpr size_t kMaxHeaderBytesLimit = size_t{1} << 20;

struct HttpLimits {
  size_t max_body_bytes = 64 << 10;   // 413 beyond, chunked bodies included
  size_t max_header_bytes = 8 << 10;  // 431 beyond (request line included)
  absl::Duration header_timeout =
      absl::Seconds(10);  // first byte to header end
  absl::Duration body_timeout = absl::Seconds(10);
  absl::Duration idle_timeout = absl::Seconds(60);  // keep-alive wait
  absl::Duration write_timeout = absl::Seconds(10);
  // After a reply that closes the connection, unread input is drained for
  // at most this long in all, so that the client reads the reply instead of
  // a reset.
  absl::Duration linger_timeout = absl::Seconds(2);
  int max_connections = 10000;  // beyond: 503 and close
};

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_HTTP_HTTP_LIMITS_H_
