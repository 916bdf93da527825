# Packaging test: configure, build and run a consumer project.
#   cmake -DMODE=find_package|add_subdirectory|incompatible_version -DSOURCE=... -DBUILD=...
#         -DWORK=... -DCXX=... -DGENERATOR=... -DVERSION=0.1 -DINCOMPATIBLE_VERSION=0.2 -P run.cmake
# find_package installs the build tree, then builds and runs the consumer. add_subdirectory
# configures a project that adds the source tree and compiles the consumer's code against it
# (a second build of the whole library would prove nothing more). incompatible_version asks the
# build tree's package for a version it must refuse.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${out}\n${err}")
  endif()
endfunction()

set(configure ${CMAKE_COMMAND} -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX})
file(REMOVE_RECURSE ${WORK})
if(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/prefix)
  run(${configure} -S ${SOURCE}/tests/cmake/find_package -B ${WORK}/build
      -DCMAKE_PREFIX_PATH=${WORK}/prefix -DHEALTHCHECKS_WANTED=${VERSION})
  run(${CMAKE_COMMAND} --build ${WORK}/build)
  run(${WORK}/build/consumer)
elseif(MODE STREQUAL "add_subdirectory")
  run(${configure} -S ${SOURCE}/tests/cmake/add_subdirectory -B ${WORK}/build
      -DHEALTHCHECKS_SOURCE_DIR=${SOURCE})
  run(${CMAKE_COMMAND} --build ${WORK}/build --target consumer_code)
elseif(MODE STREQUAL "incompatible_version")
  execute_process(COMMAND ${configure} -S ${SOURCE}/tests/cmake/find_package -B ${WORK}/build
                          -Dhealthchecks_DIR=${BUILD} -DHEALTHCHECKS_WANTED=${INCOMPATIBLE_VERSION}
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(refusal "compatible with requested version \"${INCOMPATIBLE_VERSION}\"")
  if(result EQUAL 0 OR NOT err MATCHES "${refusal}")
    message(FATAL_ERROR "find_package(healthchecks ${INCOMPATIBLE_VERSION}) should fail as an "
                        "incompatible version, but:\n${out}\n${err}")
  endif()
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()
