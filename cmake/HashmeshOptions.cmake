# Compiler settings shared by every hashmesh target: warnings, sanitizers, clang-tidy.

if(HASHMESH_SANITIZE)
  list(JOIN HASHMESH_SANITIZE "," _hm_sanitizers)
  add_compile_options(-fsanitize=${_hm_sanitizers} -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${_hm_sanitizers})
endif()

# libFuzzer (tests/fuzz): every hashmesh source gets the fuzzer's coverage
# instrumentation (-fsanitize=fuzzer-no-link); only the fuzz targets link
# libFuzzer's main (hashmesh_cc_fuzzer). Debian's gRPC, protobuf and Abseil
# stay uninstrumented: the fuzzers explore hashmesh's branches, not theirs.
if(HASHMESH_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "HASHMESH_FUZZ needs clang (libFuzzer); use the fuzz preset")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# ThreadSanitizer cannot see Debian's uninstrumented Abseil locks (gRPC's are
# absl::Mutex too); tests/support/tsan_absl_sync.cc tells it about them and
# carries suppressions for the uninstrumented libraries. Every hashmesh
# executable links it in a TSan build: tests and the binaries e2e tests start.
if("thread" IN_LIST HASHMESH_SANITIZE)
  add_compile_options(-Wno-tsan)  # absl/spdlog headers use atomic_thread_fence
  add_library(hashmesh_tsan_absl_sync OBJECT
              ${PROJECT_SOURCE_DIR}/tests/support/tsan_absl_sync.cc)
  target_include_directories(hashmesh_tsan_absl_sync PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(hashmesh_tsan_absl_sync PUBLIC absl::synchronization
                        ${CMAKE_DL_LIBS})
endif()

# Boost's asserts, in builds that keep them (no NDEBUG), go through
# services/common/boost_assert.cc: fatal as before, but for one false
# assertion of Beast 1.81 that a client can trip. Every hashmesh executable
# links the handler; release builds never call it.
add_compile_definitions(BOOST_ENABLE_ASSERT_DEBUG_HANDLER)
add_library(hashmesh_boost_assert OBJECT
            ${PROJECT_SOURCE_DIR}/services/common/boost_assert.cc)
target_link_libraries(hashmesh_boost_assert PRIVATE Boost::headers)

if(HASHMESH_CLANG_TIDY)
  find_program(HASHMESH_CLANG_TIDY_EXE NAMES clang-tidy clang-tidy-14 REQUIRED)
endif()

# Applies hashmesh's warning level (and clang-tidy, when enabled) to one of its
# own targets; generated code and third-party headers are left alone.
function(hashmesh_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror=return-type)
  target_compile_features(${target} PUBLIC cxx_std_20)
  if(HASHMESH_CLANG_TIDY)
    set_target_properties(${target} PROPERTIES
      CXX_CLANG_TIDY "${HASHMESH_CLANG_TIDY_EXE};--quiet;--warnings-as-errors=*")
  endif()
endfunction()

# hashmesh_cc_library(NAME SRCS ... DEPS ...): a static library of hashmesh code
# whose public include root is the repository top.
function(hashmesh_cc_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  hashmesh_target_defaults(${name})
endfunction()

# hashmesh_cc_binary(NAME SRCS ... DEPS ...): an executable of hashmesh code.
function(hashmesh_cc_binary name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} hashmesh_boost_assert)
  if(TARGET hashmesh_tsan_absl_sync)
    target_link_libraries(${name} PRIVATE hashmesh_tsan_absl_sync)
  endif()
  hashmesh_target_defaults(${name})
endfunction()

# hashmesh_cc_benchmark(NAME SRCS ... DEPS ...): a Google Benchmark binary.
# clang-tidy skips these: the library's `for (auto _ : state)` loop is a dead
# store to the analyzer and its registration macros look like leaks.
function(hashmesh_cc_benchmark name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  hashmesh_cc_binary(${name} SRCS ${ARG_SRCS} DEPS ${ARG_DEPS} benchmark::benchmark)
  set_target_properties(${name} PROPERTIES CXX_CLANG_TIDY "")
endfunction()

# hashmesh_cc_test(NAME SRCS ... DEPS ... [LABELS ...]): a GoogleTest binary
# registered with ctest, one ctest entry per test case.
function(hashmesh_cc_test name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;LABELS" ${ARGN})
  hashmesh_cc_binary(${name} SRCS ${ARG_SRCS} DEPS ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}")
endfunction()

# hashmesh_cc_fuzzer(NAME SRCS ... DEPS ... CORPUS dir): a fuzz target (its
# LLVMFuzzerTestOneInput). With HASHMESH_FUZZ it links libFuzzer's main and
# tests/fuzz/run.sh runs it; in the other builds it links
# tests/fuzz/replay_main.cc instead, a plain program that runs every input of
# CORPUS once. Either way ctest replays CORPUS (label unit), so each build
# checks the committed corpus at the cost of a small binary.
function(hashmesh_cc_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS" "SRCS;DEPS" ${ARGN})
  if(HASHMESH_FUZZ)
    hashmesh_cc_binary(${name} SRCS ${ARG_SRCS} DEPS ${ARG_DEPS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    set(replay_flags -runs=0)
  else()
    hashmesh_cc_binary(${name}
      SRCS ${ARG_SRCS} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cc
      DEPS ${ARG_DEPS})
    set(replay_flags)
  endif()
  if(HASHMESH_BUILD_TESTS)
    add_test(NAME ${name}_replay COMMAND ${name} ${replay_flags} ${ARG_CORPUS})
    set_tests_properties(${name}_replay PROPERTIES LABELS unit)
  endif()
endfunction()
