#include "omnivibe/core/thread_name.hpp"

#include <pthread.h>

namespace omnivibe {

void name_thread(std::thread& thread, const char* name) {
    // A name is a diagnostic aid: failing to set one changes nothing else.
    (void)pthread_setname_np(thread.native_handle(), name);
}

}  // namespace omnivibe
