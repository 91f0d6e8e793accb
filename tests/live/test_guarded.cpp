// The exception boundary every thread body goes through (sources, history writer, KPI workers): an
// exception is caught and reported with the thread's name instead of terminating the program.
#include <gtest/gtest.h>

#include <new>
#include <stdexcept>
#include <string>
#include <thread>

#include "parktwin/live/guarded.h"

namespace parktwin::live {
namespace {

TEST(Guarded, AnExceptionInAThreadIsReportedNotFatal) {
  std::string said;
  // On a thread of its own, as the sources run: without the boundary std::terminate ends the test.
  std::thread t([&] {
    const bool ok = guarded("the test thread", [] { throw std::runtime_error("disk on fire"); },
                            [&](std::string why) { said = std::move(why); });
    EXPECT_FALSE(ok);
  });
  t.join();
  EXPECT_EQ(said, "the test thread stopped: disk on fire");
}

TEST(Guarded, OutOfMemoryAndForeignExceptionsAreNamed) {
  std::string said;
  EXPECT_FALSE(guarded("w", [] { throw std::bad_alloc(); }, [&](std::string why) { said = std::move(why); }));
  EXPECT_EQ(said, "w stopped: out of memory");
  EXPECT_FALSE(guarded("w", [] { throw 42; }, [&](std::string why) { said = std::move(why); }));
  EXPECT_EQ(said, "w stopped: an exception of an unknown type");
  // A body that returns: reported nothing, true.
  said.clear();
  int ran = 0;
  EXPECT_TRUE(guarded("w", [&] { ++ran; }, [&](std::string why) { said = std::move(why); }));
  EXPECT_EQ(ran, 1);
  EXPECT_TRUE(said.empty());
  // A report that throws itself does not escape either.
  EXPECT_FALSE(guarded("w", [] { throw std::runtime_error("x"); }, [](std::string) { throw std::runtime_error("y"); }));
}

}  // namespace
}  // namespace parktwin::live
