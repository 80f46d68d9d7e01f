// Catch2 main for the cli tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
