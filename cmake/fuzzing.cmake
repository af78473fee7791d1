# -DOMNIVIBE_FUZZ=ON (with clang: CXX=clang++-14) builds the libFuzzer targets
# of tests/fuzz instead of the server and the test suite, everything
# instrumented for coverage and checked by ASan and UBSan. `make fuzz` does it
# in its own build folder and runs each target for FUZZ_SECONDS.
option(OMNIVIBE_FUZZ "Build the libFuzzer targets (clang only)" OFF)
if(OMNIVIBE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "OMNIVIBE_FUZZ needs clang (configure with CXX=clang++-14)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
                      -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
