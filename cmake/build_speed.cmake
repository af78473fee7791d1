# Build speed on small machines: Ninja is chosen by the Makefile; here ccache
# (when installed) cuts rebuild times.
#
# Not lld: LLD 14 links GCC 12's exception tables of functions split into hot
# and cold parts (-O2 moves every throw to the cold part) so that a throw or
# rethrow in the cold part of a function is not caught by that function's own
# handler; the process aborts in std::terminate. The writer hit it: an I/O
# error inside a batch aborted the server instead of answering 503
# (powerloss_tests, power_loss_full/a_disk_failing_inside_a_batch_...). The
# default linker (GNU ld) links the same objects correctly.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()
