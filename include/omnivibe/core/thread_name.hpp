#pragma once
// Names threads for the operating system, so `top -H`, `ps -L`, perf and gdb
// tell the writer from the network threads.

#include <thread>

namespace omnivibe {

/// Names a started thread (Linux keeps the first 15 characters). Done by the
/// thread that started it, so the name is there as soon as the call returns.
void name_thread(std::thread& thread, const char* name);

}  // namespace omnivibe
