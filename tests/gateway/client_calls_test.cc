// ClientCalls with fake calls: a drain cancels every live call, refuses new
// ones, and waits until the last call object is destroyed.
#include "gateway/upstream/client_calls.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "absl/functional/any_invocable.h"

namespace hashmesh::gateway {
namespace {

// Counts its cancellations; `on_cancel` stands in for an OnDone that gRPC
// runs inside TryCancel.
class FakeCall final : public ClientCalls::Call {
 public:
  void Cancel() override {
    ++cancels;
    if (on_cancel) on_cancel();
  }

  int cancels = 0;
  absl::AnyInvocable<void()> on_cancel;
};

TEST(ClientCallsTest, CancelAllCancelsEveryLiveCallAndRefusesNewOnes) {
  ClientCalls calls;
  auto a = std::make_shared<FakeCall>();
  auto b = std::make_shared<FakeCall>();
  ASSERT_TRUE(calls.Add(a));
  ASSERT_TRUE(calls.Add(b));
  EXPECT_EQ(calls.size(), 2);

  calls.CancelAll();
  EXPECT_EQ(a->cancels, 1);
  EXPECT_EQ(b->cancels, 1);
  auto late = std::make_shared<FakeCall>();
  EXPECT_FALSE(calls.Add(late));
  EXPECT_EQ(calls.size(), 2);  // cancelled is not gone
  a.reset();
  b.reset();
  EXPECT_EQ(calls.size(), 0);
}

TEST(ClientCallsTest, ACallLeavesWhenDestroyedNotBefore) {
  ClientCalls calls;
  auto call = std::make_shared<FakeCall>();
  ASSERT_TRUE(calls.Add(call));
  EXPECT_FALSE(calls.WaitUntilNone(absl::Now()));
  std::weak_ptr<FakeCall> still = call;
  std::shared_ptr<FakeCall> other_owner = call;  // e.g. a ticker's copy
  call.reset();
  EXPECT_FALSE(calls.WaitUntilNone(absl::Now()));
  other_owner.reset();
  EXPECT_TRUE(still.expired());
  EXPECT_TRUE(calls.WaitUntilNone(absl::Now()));
}

TEST(ClientCallsTest, ACallThatEndsInsideCancelDoesNotDeadlock) {
  ClientCalls calls;
  auto call = std::make_shared<FakeCall>();
  ASSERT_TRUE(calls.Add(call));
  // As a reactor's OnDone would: drop its own reference while cancelling.
  std::shared_ptr<FakeCall>* owner = &call;
  call->on_cancel = [owner] { owner->reset(); };
  calls.CancelAll();
  EXPECT_EQ(call, nullptr);
  EXPECT_TRUE(calls.WaitUntilNone(absl::Now()));
}

TEST(ClientCallsTest, WaitUntilNoneWakesWhenTheLastCallIsDestroyed) {
  ClientCalls calls;
  auto call = std::make_shared<FakeCall>();
  ASSERT_TRUE(calls.Add(call));
  std::thread ender([&call] { call.reset(); });
  EXPECT_TRUE(calls.WaitUntilNone(absl::InfiniteFuture()));
  ender.join();
}

}  // namespace
}  // namespace hashmesh::gateway
