# Sanitizer and fuzzing builds, for the whole tree (library, tests, tools):
#   -DHEALTHCHECKS_SANITIZE=address,undefined   AddressSanitizer + UndefinedBehaviorSanitizer
#   -DHEALTHCHECKS_SANITIZE=thread              ThreadSanitizer
#   -DHEALTHCHECKS_FUZZ=ON                      libFuzzer targets (clang), with coverage hooks
#                                               in every source (-fsanitize=fuzzer-no-link)
set(HEALTHCHECKS_SANITIZE "" CACHE STRING "Sanitizers to build with: address,undefined or thread")
option(HEALTHCHECKS_FUZZ "Build the libFuzzer targets (clang only)" OFF)

if(HEALTHCHECKS_SANITIZE)
  # Any report fails the test that caused it, instead of scrolling by.
  add_compile_options(-fsanitize=${HEALTHCHECKS_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${HEALTHCHECKS_SANITIZE})
endif()
if(HEALTHCHECKS_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "HEALTHCHECKS_FUZZ needs clang (libFuzzer)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
