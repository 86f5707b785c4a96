# drive_add_library(NAME SRCS ... DEPS ...) and drive_add_test(NAME SRCS ...
# DEPS ... LABELS ...) keep flags, include paths and test labels uniform.
include_guard(GLOBAL)

set(DRIVE_WARNINGS -Wall -Wextra -Wshadow -Wnon-virtual-dtor)
if(DRIVE_WERROR)
  list(APPEND DRIVE_WARNINGS -Werror)
endif()

function(drive_add_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${DRIVE_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} ${ARG_DEPS})
endfunction()

function(drive_add_executable name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_compile_options(${name} PRIVATE ${DRIVE_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()

# Tests get a label (unit or integration) and a timeout so that a hung
# fault-injection test fails instead of stalling CI. WHOLE registers the
# binary as one ctest test instead of one per gtest case, so a suite that
# shares an expensive fixture (a cluster in SetUpTestSuite) starts it once.
function(drive_add_test name)
  cmake_parse_arguments(ARG "WHOLE" "TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${name} ${ARG_SRCS})
  target_compile_options(${name} PRIVATE ${DRIVE_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} drive_test_support
                        GTest::gmock GTest::gtest_main)
  if(ARG_WHOLE)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}"
                         TIMEOUT ${ARG_TIMEOUT})
  else()
    gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}"
                         TIMEOUT ${ARG_TIMEOUT} DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
