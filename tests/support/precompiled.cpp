// The translation unit that builds tests/support/precompiled.hpp's precompiled header.
#include "precompiled.hpp"
