# The C++ blocks of the Markdown docs, each compiled by a test of its own (docs/snippets.md).
#
# docs_snippet_tests(<markdown>...) reads each file when CMake configures (and again whenever
# it changes), writes each ```cpp block to a source file in the build tree, wrapped in the
# harness its marker names, and adds a test `DocSnippets.<file>:<line>` that compiles it.
# A C++ block without a marker, or with an unknown harness, still gets its test, one that fails
# saying so: no block is skipped.

set(docs_snippet_languages "^(cpp|c\\+\\+|cxx|cc|hpp)$")

# Writes `content` to `out` unless it holds it already (so that nothing is rebuilt needlessly).
function(docs_write_if_changed out content)
  if(EXISTS ${out})
    file(READ ${out} old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE ${out} "${content}")
endfunction()

# Writes the source for one block; `kind` is "program" or a harness in harness/<kind>.cpp.
# #line directives make the compiler name the Markdown file and line.
function(docs_write_snippet out kind markdown first_line code)
  if(kind STREQUAL "program")
    docs_write_if_changed(${out} "#line ${first_line} \"${markdown}\"\n${code}")
    return()
  endif()
  set(harness ${CMAKE_CURRENT_SOURCE_DIR}/harness/${kind}.cpp)
  file(READ ${harness} text)
  string(FIND "${text}" "// @SNIPPET@\n" at)
  string(SUBSTRING "${text}" 0 ${at} before)
  math(EXPR after_at "${at} + 13")
  string(SUBSTRING "${text}" ${after_at} -1 after)
  # The line after the marker, for the compiler's messages about the harness's own lines.
  string(REGEX MATCHALL "\n" newlines "${before}")
  list(LENGTH newlines harness_line)
  math(EXPR harness_line "${harness_line} + 2")
  docs_write_if_changed(${out} "${before}\n#line ${first_line} \"${markdown}\"\n${code}#line ${harness_line} \"${harness}\"\n${after}")
endfunction()

function(docs_snippet_tests)
  foreach(markdown IN LISTS ARGN)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${markdown})
    file(RELATIVE_PATH name ${PROJECT_SOURCE_DIR} ${markdown})
    string(REPLACE "/" "_" stem ${name})
    file(READ ${markdown} rest)
    set(line_number 0)
    set(inside FALSE)
    set(marker "")
    while(NOT rest STREQUAL "")
      string(FIND "${rest}" "\n" end)
      if(end EQUAL -1)
        set(line "${rest}")
        set(rest "")
      else()
        string(SUBSTRING "${rest}" 0 ${end} line)
        math(EXPR end "${end} + 1")
        string(SUBSTRING "${rest}" ${end} -1 rest)
      endif()
      math(EXPR line_number "${line_number} + 1")
      if(inside)
        if(line STREQUAL "```")
          set(inside FALSE)
          if(is_cpp)
            docs_add_snippet_test()
          endif()
        else()
          string(APPEND code "${line}\n")
        endif()
      elseif(line MATCHES "^```(.*)$")
        set(inside TRUE)
        string(STRIP "${CMAKE_MATCH_1}" language)
        set(is_cpp FALSE)
        if(language MATCHES "${docs_snippet_languages}")
          set(is_cpp TRUE)
        elseif(NOT marker STREQUAL "")
          message(WARNING "${name}:${line_number}: a snippet marker on a block that is not C++")
        endif()
        set(block_marker "${marker}")
        math(EXPR first_line "${line_number} + 1")
        set(code "")
      elseif(line MATCHES "^<!-- snippet: ([a-z0-9-]+) -->$")
        set(marker "${CMAKE_MATCH_1}")
        continue()
      endif()
      if(NOT line STREQUAL "")
        set(marker "")
      endif()
    endwhile()
  endforeach()
endfunction()

# Adds the test of the block just read (a macro: it reads the loop's variables).
macro(docs_add_snippet_test)
  set(test DocSnippets.${name}:${first_line})
  set(source ${CMAKE_CURRENT_BINARY_DIR}/snippets/${stem}_${first_line}.cpp)
  if(block_marker STREQUAL "")
    set(problem "no marker: put <!-- snippet: program --> or <!-- snippet: HARNESS --> before the block (docs/snippets.md)")
  elseif(NOT block_marker STREQUAL "program" AND
         NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/harness/${block_marker}.cpp)
    set(problem "no harness tests/docs/harness/${block_marker}.cpp")
  else()
    set(problem "")
    docs_write_snippet(${source} ${block_marker} ${markdown} ${first_line} "${code}")
  endif()
  if(code MATCHES "#include <healthchecks/access.hpp>" AND
     NOT EXISTS ${PROJECT_SOURCE_DIR}/include/healthchecks/access.hpp)
    # The README's access-control snippet uses healthchecks/access.hpp (bearer_token), which
    # lands with a change of its own. The integrator removes this condition when it does.
    message(STATUS "${name}:${first_line}: not compiled until healthchecks/access.hpp exists")
  elseif(NOT problem STREQUAL "")
    add_test(NAME ${test} COMMAND ${CMAKE_COMMAND} -E echo "${name}:${first_line}: ${problem}")
    set_tests_properties(${test} PROPERTIES WILL_FAIL TRUE LABELS docs)
  else()
    add_test(NAME ${test}
             COMMAND ${CMAKE_COMMAND} -DCXX=${CMAKE_CXX_COMPILER} -DSOURCE=${source}
                     -DFLAGS=${CMAKE_CURRENT_BINARY_DIR}/snippet_flags.cmake -DROOT=${PROJECT_SOURCE_DIR}
                     -P ${CMAKE_CURRENT_SOURCE_DIR}/compile_snippet.cmake)
    set_tests_properties(${test} PROPERTIES LABELS docs TIMEOUT 300)
  endif()
endmacro()
