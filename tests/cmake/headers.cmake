# Each public header compiled on its own with the strictest warnings a user may turn on
# (-Wshadow -Wconversion among them): a header that is not clean breaks the user's -Werror
# build, which the library's own flags would not show. Run by CTest
# (Headers.CleanUnderStrictWarnings):
#   cmake -DCXX=g++ -DROOT=<source> -DWORK=<dir> -DINCLUDES="a|b" -DIMPLICIT="c|d"
#         -DDEFINES="X=1|Y" [-DHTTPLIB=ON -DHTTPLIB_OPTIONS="-DA|-DB"] -P headers.cmake
# Dependencies (Boost, nlohmann) come in through -isystem, so only our own lines are judged.
cmake_minimum_required(VERSION 3.25)
string(REPLACE "|" ";" includes "${INCLUDES}")
string(REPLACE "|" ";" defines "${DEFINES}")
set(flags -std=c++17 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror -fsyntax-only
          -I${ROOT}/include)
# The compiler's own directories stay out: -isystem /usr/include breaks #include_next.
string(REPLACE "|" ";" implicit "${IMPLICIT}")
foreach(dir ${includes})
  if(NOT dir STREQUAL "${ROOT}/include" AND NOT dir IN_LIST implicit)
    list(APPEND flags -isystem ${dir})
  endif()
endforeach()
# postgres.hpp and mysql.hpp stop with #error in a build without their client library; their
# syntax is checked all the same.
list(APPEND defines HEALTHCHECKS_HAS_POSTGRES=1 HEALTHCHECKS_HAS_MYSQL=1)
list(REMOVE_DUPLICATES defines)
foreach(define ${defines})
  list(APPEND flags -D${define})
endforeach()

file(MAKE_DIRECTORY ${WORK})
file(GLOB_RECURSE headers RELATIVE ${ROOT}/include ${ROOT}/include/*.hpp)
# prometheus.hpp needs prometheus-cpp's headers, which a build without it may not have.
if(NOT PROMETHEUS)
  list(REMOVE_ITEM headers healthchecks/prometheus.hpp)
endif()
set(failed "")
foreach(header ${headers})
  string(MAKE_C_IDENTIFIER "${header}" name)
  set(source ${WORK}/${name}.cpp)
  # The cpp-httplib adapter's header needs cpp-httplib and its pkg-config flags (HTTPLIB_OPTIONS).
  set(extra "")
  if(header MATCHES "^healthchecks/httplib/")
    if(NOT HTTPLIB)
      message(STATUS "${header}: not checked, the cpp-httplib adapter is not built")
      list(REMOVE_ITEM headers ${header})
      continue()
    endif()
    string(REPLACE "|" ";" extra "${HTTPLIB_OPTIONS}")
  endif()
  file(WRITE ${source} "#include <${header}>\n")
  execute_process(COMMAND ${CXX} ${flags} ${extra} ${source} RESULT_VARIABLE rc ERROR_VARIABLE err
                  OUTPUT_VARIABLE out)
  if(NOT rc EQUAL 0)
    message("${header}:\n${out}${err}")
    list(APPEND failed ${header})
  endif()
endforeach()
list(LENGTH headers count)
if(failed)
  message(FATAL_ERROR "not clean on their own: ${failed}")
endif()
message(STATUS "${count} public headers clean on their own")
