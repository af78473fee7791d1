#pragma once
// Reading a whole file in a test.

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace omnivibe::test {

/// The file's bytes, or nothing when it cannot be opened.
inline std::optional<std::string> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

}  // namespace omnivibe::test
