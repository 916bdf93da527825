# A test that cannot run here fails, saying what to install: cmake -DMESSAGE=... -P fail.cmake
message(FATAL_ERROR "${MESSAGE}")
