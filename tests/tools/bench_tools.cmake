# Full-table benchmark tools (included from tests/tools/CMakeLists.txt):
#   moat-feeder    announces a synthetic full table to a device under test
#   moat-receiver  counts what the device sends on, with timestamps
#   moat-vrpgen    VRPs matching the feeder's table (the ROV mode)
# tests/bench/fulltable.py drives them against moatd and BIRD 2.
if(TARGET moat_wire)
  set(_bench_dir ${CMAKE_CURRENT_LIST_DIR})

  add_library(moat_benchtools STATIC
    ${_bench_dir}/tablegen.cpp
    ${_bench_dir}/benchpeer.cpp
    ${_bench_dir}/update_scan.cpp
  )
  target_link_libraries(moat_benchtools PUBLIC moat_wire fmt::fmt Threads::Threads)
  # The tools must never be the bottleneck: optimise them in every build type.
  target_compile_options(moat_benchtools PRIVATE -O2)

  add_executable(moat-feeder ${_bench_dir}/feeder.cpp)
  target_link_libraries(moat-feeder PRIVATE moat_benchtools)
  target_compile_options(moat-feeder PRIVATE -O2)

  add_executable(moat-receiver ${_bench_dir}/receiver.cpp)
  target_link_libraries(moat-receiver PRIVATE moat_benchtools)
  target_compile_options(moat-receiver PRIVATE -O2)

  # moat-vrpgen: VRPs matching the feeder's table (ROV benchmark).
  if(TARGET moat_rtr)
    add_executable(moat-vrpgen ${_bench_dir}/vrpgen.cpp)
    target_link_libraries(moat-vrpgen PRIVATE moat_benchtools moat_rtr)
    target_compile_options(moat-vrpgen PRIVATE -O2)
  endif()

  add_executable(tablegen_tests ${_bench_dir}/tablegen_test.cpp)
  target_link_libraries(tablegen_tests PRIVATE moat_benchtools moat_test_main)
  catch_discover_tests(tablegen_tests TEST_PREFIX "tablegen: ")
endif()

# A small end-to-end run of the benchmark against the wire baseline and BIRD 2:
# passes only when the receiver saw every prefix arrive and leave again.
# Needs root and bird (like the interop tests); moatd joins once it propagates.
find_package(Python3 COMPONENTS Interpreter)
if(TARGET moat-feeder AND Python3_Interpreter_FOUND)
  add_test(NAME bench_fulltable_smoke
           COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/bench/fulltable.py
                   --build ${CMAKE_BINARY_DIR} --dut wire,bird --scale 0.02 --settle 0.5 --stall 30 --timeout 120)
  set_tests_properties(bench_fulltable_smoke PROPERTIES
    ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1" TIMEOUT 300 LABELS "bench;interop" RUN_SERIAL TRUE)
endif()
