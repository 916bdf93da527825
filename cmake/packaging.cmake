# The package for builds that do not use CMake: healthchecks.pc for pkg-config, installed beside
# the CMake package; and a Debian package of the whole install (library, headers, both packages'
# files, the sidecar and the walker) made by `cpack -G DEB` in the build directory.

# pkg-config. A static library must name what it links (Libs); a shared one keeps that private.
file(RELATIVE_PATH healthchecks_pc_to_prefix
     /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" healthchecks_pc_to_prefix "${healthchecks_pc_to_prefix}")
if(healthchecks_type STREQUAL "SHARED_LIBRARY")
  set(healthchecks_pc_requires "")
  set(healthchecks_pc_requires_private "openssl")
  set(healthchecks_pc_cflags "")
  set(healthchecks_pc_libs "")
  set(healthchecks_pc_libs_private "-lboost_url")
else()
  set(healthchecks_pc_requires ", openssl")
  set(healthchecks_pc_requires_private "")
  set(healthchecks_pc_cflags "-DHEALTHCHECKS_STATIC_DEFINE")
  set(healthchecks_pc_libs "-lboost_url -pthread")
  set(healthchecks_pc_libs_private "")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/healthchecks.pc.in
               ${PROJECT_BINARY_DIR}/healthchecks.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/healthchecks.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# Debian package. The binaries' run-time Depends come from dpkg-shlibdeps (dpkg-dev); what a
# consumer compiles against (the headers of Boost, nlohmann/json and OpenSSL, Boost.URL to link)
# is added by hand, as a -dev package would.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME healthchecks)
set(CPACK_PACKAGE_VENDOR "healthchecks-cpp")
set(CPACK_PACKAGE_CONTACT "healthchecks-cpp maintainers <healthchecks-cpp@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "The Health Checks API for C++ services: the library (headers, static or shared "
       "library, CMake and pkg-config packages), healthchecks-sidecar and healthchecks-walk.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libboost1.81-dev, libboost-url1.81-dev, nlohmann-json3-dev (>= 3.10), libssl-dev (>= 3)")
# The PostgreSQL and MySQL checks load libpq and Connector/C on first use; the optional
# components, when built, need their libraries' -dev packages in the consumer's build (the
# package config skips them without).
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libpq5, libmariadb3, prometheus-cpp-dev, libcpp-httplib-dev")
include(CPack)
