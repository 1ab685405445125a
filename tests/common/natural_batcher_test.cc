// Unit tests of NaturalBatcher: what queues during a write goes out in one
// message, the cap splits, and an idle batcher writes at once.
#include "services/common/natural_batcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace hashmesh {
namespace {

using ::testing::ElementsAre;

// Takes the next message as the owner's Write() would.
std::vector<int> Take(NaturalBatcher<int>& batcher) {
  std::vector<int> message;
  batcher.TakeMessage([&](int& item) {
    message.push_back(item);
    return true;
  });
  return message;
}

TEST(NaturalBatcherTest, IdleItemIsWrittenAtOnceAlone) {
  NaturalBatcher<int> batcher(16);
  EXPECT_FALSE(batcher.ReadyToWrite());
  batcher.Push(1);
  ASSERT_TRUE(batcher.ReadyToWrite());  // nothing waits for company
  EXPECT_THAT(Take(batcher), ElementsAre(1));
  EXPECT_TRUE(batcher.writing());
  EXPECT_FALSE(batcher.ReadyToWrite());
}

TEST(NaturalBatcherTest, ItemsQueuedDuringAWriteGoInTheNextMessage) {
  NaturalBatcher<int> batcher(16);
  batcher.Push(1);
  ASSERT_THAT(Take(batcher), ElementsAre(1));
  for (int i = 2; i <= 5; ++i) {
    batcher.Push(i);
    EXPECT_FALSE(batcher.ReadyToWrite()) << "a write is in flight";
  }
  batcher.WriteDone();
  ASSERT_TRUE(batcher.ReadyToWrite());
  EXPECT_THAT(Take(batcher), ElementsAre(2, 3, 4, 5));
  batcher.WriteDone();
  EXPECT_FALSE(batcher.ReadyToWrite());  // idle again: no empty message
  EXPECT_FALSE(batcher.writing());
}

TEST(NaturalBatcherTest, CapSplitsInOrder) {
  NaturalBatcher<int> batcher(3);
  for (int i = 1; i <= 7; ++i) batcher.Push(i);
  EXPECT_THAT(Take(batcher), ElementsAre(1, 2, 3));
  EXPECT_EQ(batcher.queued(), 4U);
  batcher.WriteDone();
  EXPECT_THAT(Take(batcher), ElementsAre(4, 5, 6));
  batcher.WriteDone();
  EXPECT_THAT(Take(batcher), ElementsAre(7));
  batcher.WriteDone();
  EXPECT_TRUE(batcher.empty());
}

TEST(NaturalBatcherTest, DroppedItemsDoNotCountAgainstTheCap) {
  NaturalBatcher<int> batcher(2);
  for (int i = 1; i <= 6; ++i) batcher.Push(i);
  std::vector<int> message;
  const size_t taken = batcher.TakeMessage([&](int& item) {
    if (item % 2 == 1) return false;  // odd ones have expired
    message.push_back(item);
    return true;
  });
  EXPECT_EQ(taken, 2U);
  EXPECT_THAT(message, ElementsAre(2, 4));
  EXPECT_EQ(batcher.queued(), 2U);  // 5 and 6 wait for the next message
}

TEST(NaturalBatcherTest, NothingTakenMeansNoWriteInFlight) {
  NaturalBatcher<int> batcher(4);
  batcher.Push(1);
  batcher.Push(2);
  EXPECT_EQ(batcher.TakeMessage([](int&) { return false; }), 0U);
  EXPECT_FALSE(batcher.writing());
  EXPECT_TRUE(batcher.empty());
}

TEST(NaturalBatcherTest, ClearKeepsTheWriteInFlight) {
  NaturalBatcher<std::string> batcher(4);
  batcher.Push("a");
  batcher.TakeMessage([](std::string&) { return true; });
  batcher.Push("b");
  batcher.Clear();
  EXPECT_TRUE(batcher.empty());
  EXPECT_TRUE(batcher.writing());
  batcher.WriteDone();
  EXPECT_FALSE(batcher.ReadyToWrite());
}

TEST(NaturalBatcherTest, ZeroCapIsOne) {
  NaturalBatcher<int> batcher(0);
  batcher.Push(1);
  batcher.Push(2);
  EXPECT_THAT(Take(batcher), ElementsAre(1));
}

TEST(NaturalBatcherTest, MovesItemsOut) {
  NaturalBatcher<std::string> batcher(4);
  batcher.Push(std::string(64, 'x'));
  std::vector<std::string> out;
  batcher.TakeMessage([&](std::string& item) {
    out.push_back(std::move(item));
    return true;
  });
  EXPECT_THAT(out, ElementsAre(std::string(64, 'x')));
}

}  // namespace
}  // namespace hashmesh
