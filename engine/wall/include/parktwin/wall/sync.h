#pragma once
// Frame sync between a wall's master and its nodes over ZeroMQ: the master broadcasts each frame's
// state, every node renders it and reports ready, and the master releases them together (a swap
// barrier); a node that does not answer within the timeout is dropped and rejoins when it answers
// again.
#include <cstdint>
#include <string>

namespace parktwin::wall {}  // namespace parktwin::wall
