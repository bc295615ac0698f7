# Build helpers shared by every component (see docs/patterns.md).

set(MSB_WARNINGS -Wall -Wextra -Werror -Wno-missing-field-initializers)

add_library(msb_build_flags INTERFACE)
target_compile_options(msb_build_flags INTERFACE ${MSB_WARNINGS} -fvisibility=hidden)
# Only the shared libraries a binary calls are loaded when it starts: the supervisor and the
# CLI's run path must not pay for libcurl and its thirty dependencies (docs/design/startup.md).
target_link_options(msb_build_flags INTERFACE -Wl,--as-needed)
target_compile_definitions(msb_build_flags INTERFACE
  $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>
  MSB_VERSION="${PROJECT_VERSION}")
if(MSB_SANITIZE)
  target_compile_options(msb_build_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(msb_build_flags INTERFACE -fsanitize=address,undefined)
endif()

# fmt is compiled once into a static library from Debian's headers (src/common/fmt_compiled.cc)
# so that the static guest agent links without shared libraries and no source compiles
# fmt's formatting engine again; spdlog is header-only over it.
add_library(msb_fmt STATIC ${PROJECT_SOURCE_DIR}/src/common/fmt_compiled.cc)
target_link_libraries(msb_fmt PRIVATE msb_build_flags)
add_library(msb_spdlog INTERFACE)
target_compile_definitions(msb_spdlog INTERFACE SPDLOG_FMT_EXTERNAL)
target_link_libraries(msb_spdlog INTERFACE msb_fmt Threads::Threads)

# msb_library(name SOURCES ... PUBLIC_DEPS ... PRIVATE_DEPS ...)
function(msb_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(${name} PUBLIC msb_build_flags ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# msb_executable(name SOURCES ... DEPS ...)
function(msb_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE msb_build_flags ${ARG_DEPS})
  if(NOT MSB_SANITIZE)
    # The C++ runtime linked in: ~1 ms less dynamic linking at each start of msb and of
    # the supervisor.
    target_link_options(${name} PRIVATE -static-libstdc++ -static-libgcc)
  endif()
endfunction()

# Where the test binaries list their skipped tests (tests/support/skip_report.cc); read by
# scripts/test.sh.
set(MSB_TEST_SKIP_DIR ${CMAKE_BINARY_DIR}/test-skips)

# msb_test(name SOURCES ... DEPS ... LABELS label TIMEOUT n [ONE_PROCESS])
# ONE_PROCESS: ctest runs the whole binary once (its test suites share expensive state,
# such as a booted sandbox) instead of one process per test. Such an entry reads as skipped
# when every test in it skipped (the listener prints MSB_TEST_ALL_SKIPPED); a skip among
# passing tests shows only in the skip list. gtest_discover_tests entries (one test each)
# already read as skipped through their own SKIP_REGULAR_EXPRESSION.
function(msb_test name)
  cmake_parse_arguments(ARG "ONE_PROCESS" "TIMEOUT" "SOURCES;DEPS;LABELS;ENGINES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE msb_build_flags ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock
    msb_test_skip_report)
  # Helpers shared by tests of several components (tests/support).
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
  # Test code is not what we ship: without optimisation it compiles ~35 % faster
  # (validate_test.cc 6.9 → 4.4 s), and the code under test keeps the build's flags.
  target_compile_options(${name} PRIVATE -O0)
  # The sanitizer run (scripts/test.sh) builds only what it runs: see sanitized_tests.
  if("unit" IN_LIST ARG_LABELS OR "channel" IN_LIST ARG_LABELS)
    set_property(GLOBAL APPEND PROPERTY MSB_SANITIZED_TESTS ${name})
  endif()
  set(skip_env "MSB_TEST_SKIP_DIR=set:${MSB_TEST_SKIP_DIR}")
  set(one_process_skip SKIP_REGULAR_EXPRESSION "MSB_TEST_ALL_SKIPPED")
  # Parity binaries run once per engine (tests/support/test_engine.h reads the variable).
  if(ARG_ENGINES)
    foreach(engine ${ARG_ENGINES})
      if(ARG_ONE_PROCESS)
        add_test(NAME ${name}.${engine} COMMAND ${name})
        set_tests_properties(${name}.${engine} PROPERTIES LABELS "${ARG_LABELS}"
          TIMEOUT "${ARG_TIMEOUT}" ENVIRONMENT "MSB_TEST_ISOLATION=${engine}"
          ENVIRONMENT_MODIFICATION "${skip_env}" FIXTURES_REQUIRED msb_test_skips
          ${one_process_skip})
      else()
        gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 TEST_PREFIX "${engine}/"
          PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT "${ARG_TIMEOUT}"
                     ENVIRONMENT "MSB_TEST_ISOLATION=${engine}"
                     ENVIRONMENT_MODIFICATION "${skip_env}" FIXTURES_REQUIRED msb_test_skips)
      endif()
    endforeach()
    return()
  endif()
  if(ARG_ONE_PROCESS)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT "${ARG_TIMEOUT}"
      ENVIRONMENT_MODIFICATION "${skip_env}" FIXTURES_REQUIRED msb_test_skips
      ${one_process_skip})
    return()
  endif()
  # One label per test binary: gtest_discover_tests does not pass lists through.
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT "${ARG_TIMEOUT}"
               ENVIRONMENT_MODIFICATION "${skip_env}" FIXTURES_REQUIRED msb_test_skips)
endfunction()

# msb_bench(name SOURCES ... DEPS ...)
function(msb_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE msb_build_flags ${ARG_DEPS})
  if(NOT MSB_SANITIZE)
    # The C++ runtime linked in: ~1 ms less dynamic linking at each start of msb and of
    # the supervisor.
    target_link_options(${name} PRIVATE -static-libstdc++ -static-libgcc)
  endif()
endfunction()

include(GoogleTest)
