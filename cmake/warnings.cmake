# Warnings for the project's own targets: -Wall -Wextra -Wpedantic everywhere, errors in CI.
option(HEALTHCHECKS_WERROR "Treat warnings as errors (CI turns this on)" OFF)

function(healthchecks_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
                         $<$<BOOL:${HEALTHCHECKS_WERROR}>:-Werror>)
endfunction()
