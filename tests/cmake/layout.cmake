# The layers of docs/design.md, kept by what each folder may include. Fails naming the file and
# the line that crosses a layer:
#   include/healthchecks/   no Asio or Beast, except healthchecks/beast/ and healthchecks/asio/
#   src/util, core, api     no Asio, no Beast, nothing from runtime_impl.hpp, transport/ or checks/
#   src/sidecar             only the public headers, util/ and its own
#   src/checks              no runtime/, transport/ or sidecar/ headers
#   src/walk                public headers, util/, runtime/runtime.hpp and its own; no Asio or Beast
#   src/grpc                the public API only: the library may be shared, internals hidden
#   httplib.h               only in include/healthchecks/httplib/ and src/httplib/
set(offenders "")
function(check_folder dir pattern)  # pattern: a regex over the included name
  file(GLOB_RECURSE files RELATIVE ${ROOT} ${ROOT}/${dir}/*.hpp ${ROOT}/${dir}/*.cpp)
  foreach(file ${files})
    file(STRINGS ${ROOT}/${file} lines REGEX "^[ \t]*#[ \t]*include")
    foreach(line ${lines})
      if(line MATCHES "${pattern}")
        list(APPEND offenders "${file}: ${line}")
      endif()
    endforeach()
  endforeach()
  list(LENGTH files count)
  message(STATUS "${dir}: ${count} files checked")
  set(offenders ${offenders} PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE headers RELATIVE ${ROOT}/include ${ROOT}/include/*.hpp)
foreach(header ${headers})
  if(header MATCHES "^healthchecks/(beast|asio)/")
    continue()
  endif()
  file(STRINGS ${ROOT}/include/${header} lines REGEX "#include.*boost/(beast|asio)")
  if(lines)
    list(APPEND offenders "include/${header}: ${lines}")
  endif()
endforeach()
list(LENGTH headers count)
message(STATUS "include: ${count} public headers checked")

set(no_transport "boost/(asio|beast)|runtime_impl\\.hpp|\"(transport|checks|sidecar)/")
check_folder(src/util "${no_transport}|\"(core|api|runtime)/")
check_folder(src/core "${no_transport}|\"api/")
check_folder(src/api "${no_transport}")
check_folder(src/sidecar "#[ \t]*include[ \t]*\"(core|api|runtime|transport|checks|detail)/")
# Checks stand where a user's would: the public door (healthchecks/asio/executor.hpp), not the
# runtime's or the transport's insides.
check_folder(src/checks "#[ \t]*include[ \t]*\"(runtime|transport|sidecar)/")
# The walker speaks HTTP through the public client, on a Runtime it owns (runtime.hpp only).
check_folder(src/walk "boost/(asio|beast)|runtime_impl\\.hpp|#[ \t]*include[ \t]*\"(core|api|transport|checks|sidecar|detail)/")

# The gRPC component is linked against the public (possibly shared) library: its internals are
# out of reach.
check_folder(src/grpc "#[ \t]*include[ \t]*\"(core|api|runtime|transport|checks|sidecar|walk|detail)/")

# cpp-httplib only in its adapter (its header and source), compiled with cpp-httplib's flags.
file(GLOB_RECURSE sources RELATIVE ${ROOT} ${ROOT}/include/*.hpp ${ROOT}/src/*.hpp ${ROOT}/src/*.cpp)
foreach(file ${sources})
  if(file MATCHES "^(include/healthchecks|src)/httplib/")
    continue()
  endif()
  file(STRINGS ${ROOT}/${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]httplib\\.h[>\"]")
  if(lines)
    list(APPEND offenders "${file}: ${lines} (only healthchecks/httplib/ includes cpp-httplib)")
  endif()
endforeach()
list(LENGTH sources count)
message(STATUS "httplib.h: ${count} files checked")

if(offenders)
  list(JOIN offenders "\n  " text)
  message(FATAL_ERROR "Includes that cross a layer (see docs/design.md):\n  ${text}")
endif()
