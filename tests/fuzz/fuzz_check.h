// FUZZ_CHECK: a property a fuzz target asserts; a violation aborts, which
// libFuzzer reports as a crash and saves the input.
#ifndef HASHMESH_TESTS_FUZZ_FUZZ_CHECK_H_
#define HASHMESH_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

// Not assert(): the fuzz build may define NDEBUG, and a property must hold
// in every build that runs it.
#define FUZZ_CHECK(condition)                                          \
  do {                                                                 \
    if (!(condition)) {                                                \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, \
                   __LINE__, #condition);                              \
      std::abort();                                                    \
    }                                                                  \
  } while (false)

#endif  // HASHMESH_TESTS_FUZZ_FUZZ_CHECK_H_
