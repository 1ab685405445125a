// Unit tests of ValidateGatewayConfig: every limit has a checked range, and
// the error names the flag.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "gateway/gateway_server.h"

namespace hashmesh::gateway {
namespace {

using ::testing::HasSubstr;

absl::Status With(const std::function<void(GatewayConfig&)>& change) {
  GatewayConfig config;
  change(config);
  return ValidateGatewayConfig(config);
}

TEST(GatewayConfigTest, DefaultsAreValid) {
  EXPECT_TRUE(ValidateGatewayConfig(GatewayConfig{}).ok());
}

TEST(GatewayConfigTest, BodyLimitRange) {
  EXPECT_TRUE(With([](auto& c) { c.http.max_body_bytes = 1; }).ok());
  EXPECT_TRUE(
      With([](auto& c) { c.http.max_body_bytes = kMaxBodyBytesLimit; }).ok());
  for (size_t bad : {size_t{0}, kMaxBodyBytesLimit + 1, SIZE_MAX}) {
    const absl::Status s = With([&](auto& c) { c.http.max_body_bytes = bad; });
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("--max_body_bytes"));
  }
}

TEST(GatewayConfigTest, HeaderLimitRangeFitsBeastsThirtyTwoBits) {
  EXPECT_TRUE(With([](auto& c) { c.http.max_header_bytes = 64; }).ok());
  EXPECT_TRUE(With([](auto& c) {
                c.http.max_header_bytes = kMaxHeaderBytesLimit;
              }).ok());
  for (size_t bad : {size_t{63}, kMaxHeaderBytesLimit + 1,
                     size_t{UINT32_MAX} + 65}) {  // wraps to 64 in 32 bits
    const absl::Status s =
        With([&](auto& c) { c.http.max_header_bytes = bad; });
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("--max_header_bytes"));
  }
}

TEST(GatewayConfigTest, ConnectionsAndTimeouts) {
  EXPECT_FALSE(With([](auto& c) { c.http.max_connections = 0; }).ok());
  EXPECT_FALSE(With([](auto& c) { c.http.max_connections = 1000001; }).ok());
  EXPECT_FALSE(
      With([](auto& c) { c.http.linger_timeout = absl::ZeroDuration(); }).ok());
  EXPECT_FALSE(
      With([](auto& c) { c.http.idle_timeout = absl::Hours(2); }).ok());
  EXPECT_FALSE(With([](auto& c) { c.drain_timeout = -absl::Seconds(1); }).ok());
  EXPECT_TRUE(With([](auto& c) {
                c.http.linger_timeout = absl::Milliseconds(1);
              }).ok());
}

TEST(GatewayConfigTest, ReadinessAndAdminListener) {
  EXPECT_TRUE(
      With([](auto& c) { c.readiness_max_age = absl::ZeroDuration(); }).ok());
  EXPECT_FALSE(
      With([](auto& c) { c.readiness_max_age = absl::Minutes(2); }).ok());
  EXPECT_FALSE(
      With([](auto& c) { c.readiness_timeout = absl::ZeroDuration(); }).ok());
  EXPECT_TRUE(With([](auto& c) { c.admin_listen = "127.0.0.1:9090"; }).ok());
  const absl::Status bad = With([](auto& c) { c.admin_listen = "localhost"; });
  EXPECT_FALSE(bad.ok());
  EXPECT_THAT(bad.message(), HasSubstr("--admin_listen"));
}

}  // namespace
}  // namespace hashmesh::gateway
