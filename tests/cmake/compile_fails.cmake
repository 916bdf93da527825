# A check of the wrong shape fails to compile with a message naming the accepted signatures.
# Compiles tests/compile/check_shape.cpp once per shape (0 is a control that must compile):
#   cmake -DCXX=g++ -DROOT=<source> -DINCLUDES="a|b" -DIMPLICIT="c|d" -P compile_fails.cmake
cmake_minimum_required(VERSION 3.25)
string(REPLACE "|" ";" includes "${INCLUDES}")
set(flags -std=c++17 -fsyntax-only -I${ROOT}/include)
# The compiler's own directories stay out: -isystem /usr/include breaks #include_next.
string(REPLACE "|" ";" implicit "${IMPLICIT}")
foreach(dir ${includes})
  if(NOT dir STREQUAL "${ROOT}/include" AND NOT dir IN_LIST implicit)
    list(APPEND flags -isystem ${dir})
  endif()
endforeach()
set(expected "a check is a callable with one of these signatures")
set(source ${ROOT}/tests/compile/check_shape.cpp)

foreach(shape 0 1 2 3 4 5)
  execute_process(COMMAND ${CXX} ${flags} -DSHAPE=${shape} ${source}
                  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
  if(shape EQUAL 0)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "the control (SHAPE=0) does not compile:\n${out}${err}")
    endif()
  elseif(rc EQUAL 0)
    message(FATAL_ERROR "SHAPE=${shape} compiled, but it is not a check")
  else()
    string(FIND "${err}" "${expected}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "SHAPE=${shape} failed without naming the signatures:\n${err}")
    endif()
  endif()
endforeach()
message(STATUS "wrong shapes of check name the accepted signatures")
