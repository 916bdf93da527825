# Packaging test: configure, build and run a consumer project.
#   cmake -DMODE=find_package|add_subdirectory -DSOURCE=... -DWORK=... [-DPREFIX=...] -P run.cmake
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${out}\n${err}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK})
if(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/prefix)
  run(${CMAKE_COMMAND} -S ${SOURCE}/tests/cmake/find_package -B ${WORK}/build
      -DCMAKE_PREFIX_PATH=${WORK}/prefix -DCMAKE_CXX_COMPILER=${CXX})
else()
  run(${CMAKE_COMMAND} -S ${SOURCE}/tests/cmake/add_subdirectory -B ${WORK}/build
      -DHEALTHCHECKS_SOURCE_DIR=${SOURCE} -DCMAKE_CXX_COMPILER=${CXX})
endif()
run(${CMAKE_COMMAND} --build ${WORK}/build -j 2)
run(${WORK}/build/consumer)
