#pragma once
// Waiting for something a server or the hub reaches on its own thread. The
// bound only guards against a hang: a test waits for an outcome, it never
// measures how long it took.

#include <chrono>
#include <thread>

namespace omnivibe::test {

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds guard = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + guard;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

}  // namespace omnivibe::test
