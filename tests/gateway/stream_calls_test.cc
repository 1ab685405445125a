// Unit tests of StreamCalls, a client stream's bookkeeping: id matching,
// deadlines, natural batching of writes, and what is left when it ends.
#include "gateway/upstream/stream_calls.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hashmesh::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const absl::Time kNow = absl::FromUnixSeconds(1'000'000);

struct FakeCall {
  std::string name;
  absl::Time deadline;
};
using Calls = StreamCalls<FakeCall>;

void AddCall(Calls& calls, uint64_t id, std::string name,
             absl::Time deadline = kNow + absl::Seconds(1)) {
  auto call = std::make_unique<FakeCall>(FakeCall{std::move(name), deadline});
  ASSERT_TRUE(calls.Add(id, call));
  EXPECT_EQ(call, nullptr) << "taken";
}

// The ids of the next message, as the reactor's WriteLocked writes them.
std::vector<uint64_t> Write(Calls& calls) {
  std::vector<uint64_t> ids;
  calls.TakeMessage([&](uint64_t id, const FakeCall&) { ids.push_back(id); });
  return ids;
}

std::vector<std::string> Names(const std::vector<Calls::CallPtr>& list) {
  std::vector<std::string> names;
  names.reserve(list.size());
  for (const auto& call : list) names.push_back(call->name);
  return names;
}

TEST(StreamCallsTest, ResultsMatchTheirCallsInAnyOrder) {
  Calls calls(16);
  AddCall(calls, 7, "a");
  AddCall(calls, 8, "b");
  AddCall(calls, 9, "c");
  EXPECT_FALSE(calls.answered_any());
  Calls::CallPtr c = calls.Answer(9);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->name, "c");
  EXPECT_EQ(calls.Answer(7)->name, "a");
  EXPECT_TRUE(calls.answered_any());
  EXPECT_EQ(calls.pending(), 1U);
}

TEST(StreamCallsTest, UnknownAndRepeatedResultsAreDropped) {
  Calls calls(16);
  AddCall(calls, 1, "a");
  EXPECT_EQ(calls.Answer(2), nullptr);  // never sent on this stream
  EXPECT_FALSE(calls.answered_any());
  ASSERT_NE(calls.Answer(1), nullptr);
  EXPECT_EQ(calls.Answer(1), nullptr);  // answered already
}

TEST(StreamCallsTest, CallsAddedDuringAWriteShareTheNextMessage) {
  Calls calls(16);
  AddCall(calls, 1, "a");
  ASSERT_TRUE(calls.ReadyToWrite());
  EXPECT_THAT(Write(calls), ElementsAre(1));
  AddCall(calls, 2, "b");
  AddCall(calls, 3, "c");
  EXPECT_FALSE(calls.ReadyToWrite());
  calls.WriteDone();
  EXPECT_THAT(Write(calls), ElementsAre(2, 3));
  calls.WriteDone();
  EXPECT_FALSE(calls.ReadyToWrite());
}

TEST(StreamCallsTest, CapSplitsMessages) {
  Calls calls(2);
  for (uint64_t id = 1; id <= 5; ++id) AddCall(calls, id, "x");
  EXPECT_THAT(Write(calls), ElementsAre(1, 2));
  calls.WriteDone();
  EXPECT_THAT(Write(calls), ElementsAre(3, 4));
  calls.WriteDone();
  EXPECT_THAT(Write(calls), ElementsAre(5));
}

TEST(StreamCallsTest, ExpiredCallsLeaveOnceAndTheirResultsAreDropped) {
  Calls calls(16);
  AddCall(calls, 1, "early", kNow);
  AddCall(calls, 2, "late", kNow + absl::Seconds(5));
  AddCall(calls, 3, "past", kNow - absl::Seconds(1));
  EXPECT_THAT(Names(calls.TakeExpired(kNow)),
              UnorderedElementsAre("early", "past"));
  EXPECT_THAT(calls.TakeExpired(kNow), IsEmpty());
  EXPECT_EQ(calls.Answer(1), nullptr);  // a late result finds nothing
  EXPECT_EQ(calls.Answer(2)->name, "late");
}

TEST(StreamCallsTest, CallsExpiredBeforeTheirWriteAreNotSent) {
  Calls calls(16);
  AddCall(calls, 1, "a");
  EXPECT_THAT(Write(calls), ElementsAre(1));
  AddCall(calls, 2, "gone", kNow);
  AddCall(calls, 3, "kept", kNow + absl::Seconds(1));
  ASSERT_EQ(calls.TakeExpired(kNow).size(), 1U);
  calls.WriteDone();
  EXPECT_THAT(Write(calls), ElementsAre(3));
}

TEST(StreamCallsTest, TakeAllHandsBackEveryUnansweredCallOnce) {
  Calls calls(16);
  AddCall(calls, 1, "sent");
  EXPECT_THAT(Write(calls), ElementsAre(1));
  AddCall(calls, 2, "queued");
  AddCall(calls, 3, "answered");
  ASSERT_NE(calls.Answer(3), nullptr);
  EXPECT_THAT(Names(calls.TakeAll()), UnorderedElementsAre("sent", "queued"));
  EXPECT_THAT(calls.TakeAll(), IsEmpty());
  EXPECT_EQ(calls.pending(), 0U);
  calls.WriteDone();
  EXPECT_FALSE(calls.ReadyToWrite());  // nothing left to write
}

TEST(StreamCallsTest, ClosedStreamTakesNoCall) {
  Calls calls(16);
  AddCall(calls, 1, "in flight");
  calls.Close();
  auto call = std::make_unique<FakeCall>(FakeCall{"refused", kNow});
  EXPECT_FALSE(calls.Add(2, call));
  ASSERT_NE(call, nullptr) << "left to the caller, to send elsewhere";
  EXPECT_EQ(call->name, "refused");
  EXPECT_EQ(calls.Answer(1)->name, "in flight");  // still answerable
}

}  // namespace
}  // namespace hashmesh::gateway
