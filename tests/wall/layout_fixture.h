// The wall layout tests' fixture (test_layout.cpp, test_layout_refusals.cpp): the 8x2 wall.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "parktwin/wall/layout.h"

namespace wall_test {

inline const std::string kFixture = std::string(PARKTWIN_FIXTURES) + "/wall_8x2.json";

inline parktwin::wall::Layout fixture() {
  auto l = parktwin::wall::read_layout(kFixture);
  EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.error().message);
  return l.ok() ? *l : parktwin::wall::Layout{};
}

}  // namespace wall_test
