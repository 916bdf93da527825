# Packaging test: configure, build and run a consumer project.
#   cmake -DMODE=find_package|add_subdirectory|incompatible_version|pkg_config|deb -DSOURCE=...
#         -DBUILD=... -DWORK=... -DCXX=... -DGENERATOR=... -DVERSION=0.1
#         -DINCOMPATIBLE_VERSION=0.2 -P run.cmake
# find_package installs the build tree, then builds and runs the consumer. add_subdirectory
# configures a project that adds the source tree and compiles the consumer's code against it
# (a second build of the whole library would prove nothing more). incompatible_version asks the
# build tree's package for a version it must refuse. pkg_config installs the build tree and
# builds the consumer with nothing but `pkg-config --cflags --libs healthchecks`. deb makes the
# Debian package with cpack, reads its control fields, unpacks it into a temporary root (never
# onto this machine) and builds the consumer against that root both ways.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${out}\n${err}")
  endif()
endfunction()

# Compiles and runs the consumer with the flags pkg-config gives for the healthchecks.pc found.
function(build_with_pkg_config pc_file)
  list(LENGTH pc_file count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "expected one healthchecks.pc under ${WORK}, found: ${pc_file}")
  endif()
  find_program(PKG_CONFIG pkg-config)
  if(NOT PKG_CONFIG)
    message(FATAL_ERROR "pkg-config is missing: apt-get install pkg-config")
  endif()
  get_filename_component(pc_dir ${pc_file} DIRECTORY)
  set(ENV{PKG_CONFIG_PATH} ${pc_dir})
  execute_process(COMMAND ${PKG_CONFIG} --cflags --libs healthchecks
                  RESULT_VARIABLE result OUTPUT_VARIABLE flags ERROR_VARIABLE err
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "pkg-config --cflags --libs healthchecks failed:\n${err}")
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  # The flags must lead to the unpacked or installed copy, not to anything on this machine.
  if(NOT flags MATCHES "-I${WORK}")
    message(FATAL_ERROR "pkg-config's flags do not point into ${WORK}: ${flags}")
  endif()
  run(${CXX} -std=c++17 -o ${WORK}/pc_consumer ${SOURCE}/tests/cmake/consumer.cpp ${flags})
  run(${WORK}/pc_consumer)
endfunction()

# cpack -G DEB, then dpkg-deb -I (its fields) and -x (into ${WORK}/root), then consumers.
function(build_and_unpack_deb)
  foreach(tool cpack dpkg-deb dpkg-shlibdeps)
    find_program(tool_${tool} ${tool})
    if(NOT tool_${tool})
      message(FATAL_ERROR "${tool} is missing: apt-get install cmake dpkg-dev")
    endif()
  endforeach()
  get_filename_component(cmake_bin ${CMAKE_COMMAND} DIRECTORY)
  run(${cmake_bin}/cpack -G DEB --config ${BUILD}/CPackConfig.cmake -B ${WORK}/deb)
  file(GLOB deb ${WORK}/deb/*.deb)
  list(LENGTH deb count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "expected one .deb in ${WORK}/deb, found: ${deb}")
  endif()
  execute_process(COMMAND dpkg-deb -I ${deb} OUTPUT_VARIABLE info RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "dpkg-deb -I ${deb} failed")
  endif()
  # Run-time libraries of the programs (found by dpkg-shlibdeps) and what a consumer compiles
  # against.
  foreach(expected "Package: healthchecks" "Version: ${FULL_VERSION}" "Architecture: amd64"
          "Description: [^\n]*\n [^;\n]*healthchecks-walk[.]"
          "Depends:.*libc6" "Depends:.*libssl3" "Depends:.*libboost-url1.81.0"
          "Depends:.*libboost1.81-dev" "Depends:.*nlohmann-json3-dev" "Depends:.*libssl-dev")
    if(NOT info MATCHES "${expected}")
      message(FATAL_ERROR "the package's control fields lack '${expected}':\n${info}")
    endif()
  endforeach()
  run(dpkg-deb -x ${deb} ${WORK}/root)
  foreach(file usr/bin/healthchecks-sidecar usr/bin/healthchecks-walk
          usr/include/healthchecks.hpp usr/include/healthchecks/router.hpp
          usr/include/healthchecks/version.hpp)
    if(NOT EXISTS ${WORK}/root/${file})
      message(FATAL_ERROR "the package lacks ${file}")
    endif()
  endforeach()
  run(${WORK}/root/usr/bin/healthchecks-sidecar --version)
  # A consumer found with find_package in the unpacked root, and one built with pkg-config.
  components_in(${WORK}/root components)
  run(${configure} -S ${SOURCE}/tests/cmake/find_package -B ${WORK}/build
      -DCMAKE_PREFIX_PATH=${WORK}/root/usr -DHEALTHCHECKS_WANTED=${VERSION}
      "-DHEALTHCHECKS_COMPONENTS=${components}"
      -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
  run(${CMAKE_COMMAND} --build ${WORK}/build)
  run(${WORK}/build/consumer)
  if(components MATCHES "grpc")
    run(${WORK}/build/grpc_consumer)
  endif()
  file(GLOB_RECURSE pc_files ${WORK}/root/*/healthchecks.pc)
  build_with_pkg_config("${pc_files}")
endfunction()

# The optional components whose targets a package's config directory holds.
function(components_in prefix out)
  set(found "")
  file(GLOB_RECURSE files ${prefix}/*/healthchecksPrometheusTargets.cmake)
  if(files)
    list(APPEND found prometheus)
  endif()
  file(GLOB_RECURSE files ${prefix}/*/healthchecksHttplibTargets.cmake)
  if(files)
    list(APPEND found httplib)
  endif()
  file(GLOB_RECURSE files ${prefix}/*/healthchecksGrpcTargets.cmake)
  if(files)
    list(APPEND found grpc)
  endif()
  string(REPLACE ";" "," found "${found}")  # a list would split in run()'s arguments
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

set(configure ${CMAKE_COMMAND} -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX})
file(REMOVE_RECURSE ${WORK})
if(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/prefix)
  components_in(${WORK}/prefix components)
  run(${configure} -S ${SOURCE}/tests/cmake/find_package -B ${WORK}/build
      -DCMAKE_PREFIX_PATH=${WORK}/prefix -DHEALTHCHECKS_WANTED=${VERSION}
      "-DHEALTHCHECKS_COMPONENTS=${components}")
  run(${CMAKE_COMMAND} --build ${WORK}/build)
  run(${WORK}/build/consumer)
  if(components MATCHES "grpc")
    run(${WORK}/build/grpc_consumer)
  endif()
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
elseif(MODE STREQUAL "pkg_config")
  run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/prefix)
  file(GLOB_RECURSE pc_files ${WORK}/prefix/*/healthchecks.pc)
  build_with_pkg_config("${pc_files}")
elseif(MODE STREQUAL "deb")
  build_and_unpack_deb()
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()
