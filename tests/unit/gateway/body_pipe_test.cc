#include "daemon/gateway/body_pipe.h"

#include <atomic>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive::gateway {
namespace {

using ::drive::testing::StatusIs;

std::string ReadAll(BodyPipe& pipe, absl::Status* error) {
  std::string out;
  char buf[7];
  while (true) {
    auto n = pipe.Read(buf, sizeof buf);
    if (!n.ok()) {
      *error = n.status();
      return out;
    }
    if (*n == 0) return out;
    out.append(buf, *n);
  }
}

TEST(BodyPipeTest, BytesComeOutInOrderThenTheEnd) {
  BodyPipe pipe(100);
  pipe.Push("hello ");
  pipe.Push("world");
  pipe.Finish(absl::OkStatus());
  absl::Status error;
  EXPECT_EQ(ReadAll(pipe, &error), "hello world");
  EXPECT_OK(error);
}

TEST(BodyPipeTest, AnAbortedBodyFailsTheReaderAfterTheBytesBefore) {
  BodyPipe pipe(100);
  pipe.Push("partial");
  pipe.Finish(absl::CancelledError("client went away"));
  absl::Status error;
  EXPECT_EQ(ReadAll(pipe, &error), "partial");
  EXPECT_THAT(error, StatusIs(absl::StatusCode::kCancelled));
}

TEST(BodyPipeTest, ReadWaitsForTheProducer) {
  BodyPipe pipe(100);
  std::string got;
  absl::Status error;
  std::thread reader([&] { got = ReadAll(pipe, &error); });
  pipe.Push("late");
  pipe.Finish(absl::OkStatus());
  reader.join();
  EXPECT_EQ(got, "late");
}

TEST(BodyPipeTest, FullPipePausesTheProducerUntilTheReaderDrains) {
  BodyPipe pipe(10);
  pipe.Push("0123456789");
  std::atomic<int> resumed{0};
  EXPECT_TRUE(pipe.PauseUnlessFree(4, [&] { ++resumed; }));
  char buf[3];
  ASSERT_OK(pipe.Read(buf, 3));
  EXPECT_EQ(resumed.load(), 0);  // 3 free, 4 wanted
  ASSERT_OK(pipe.Read(buf, 3));
  EXPECT_EQ(resumed.load(), 1);
  EXPECT_FALSE(pipe.PauseUnlessFree(4, [&] { ++resumed; }));
}

TEST(BodyPipeTest, CancelStopsTheProducer) {
  BodyPipe pipe(10);
  pipe.Push("0123456789");
  bool resumed = false;
  EXPECT_TRUE(pipe.PauseUnlessFree(4, [&] { resumed = true; }));
  pipe.Cancel();
  EXPECT_TRUE(pipe.cancelled());
  char buf[10];
  ASSERT_OK(pipe.Read(buf, 10));
  EXPECT_FALSE(resumed);
  EXPECT_TRUE(pipe.PauseUnlessFree(1, [] {}));
}

}  // namespace
}  // namespace drive::gateway
