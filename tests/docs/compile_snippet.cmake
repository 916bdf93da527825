# Compiles one snippet of the docs as a user of the library would, with its public include
# directories and definitions, and warnings as errors. Syntax only: nothing is linked or run.
#   cmake -DCXX=<compiler> -DSOURCE=<snippet.cpp> -DFLAGS=<snippet_flags.cmake> -DROOT=<source dir>
#         -P compile_snippet.cmake
cmake_minimum_required(VERSION 3.25)
include(${FLAGS})  # sets includes, definitions, implicit (the compiler's own directories), options
set(args -std=c++17 -fsyntax-only -Wall -Wextra -Wpedantic -Werror)
foreach(dir IN LISTS includes)
  if(dir IN_LIST implicit)
    continue()
  endif()
  # The project's headers are held to the warnings; the dependencies' are not.
  string(FIND "${dir}/" "${ROOT}/" at)
  if(at EQUAL 0)
    list(APPEND args -I${dir})
  else()
    list(APPEND args -isystem ${dir})
  endif()
endforeach()
foreach(definition IN LISTS definitions)
  list(APPEND args -D${definition})
endforeach()
# Compile options of a dependency that needs them (cpp-httplib's pkg-config Cflags).
list(APPEND args ${options})
execute_process(COMMAND ${CXX} ${args} ${SOURCE} RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${SOURCE} does not compile (${CXX} ${args})")
endif()
