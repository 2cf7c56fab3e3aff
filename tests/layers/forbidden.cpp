// Not compiled: the layer test checks this file as if it sat in engine/sim, to prove that the
// check catches what it is for (tests/CMakeLists.txt, layers/a_forbidden_include_is_caught).
#include <osg/Node>

#include "engine/live/engine.hpp"
#include "engine/sim/world.hpp"
