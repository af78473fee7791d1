#pragma once
// Shorthands for upload tests: files with the right magic bytes, multipart
// bodies as a browser or curl sends them, what is on disk, what is in the log.

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "omnivibe/store/event_store.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "support/test_server.hpp"

namespace omnivibe::test {

/// A file that starts like an MP4 video, then `size` pseudo-random bytes.
inline std::string mp4_file(std::size_t size, unsigned seed = 1) {
    std::string f(
        "\0\0\0\x18"
        "ftypisom\0\0\x02\0isomiso2",
        24);
    std::mt19937 rng(seed);
    f.reserve(f.size() + size);
    for (std::size_t i = 0; i < size; ++i) f += static_cast<char>(rng() & 0xFF);
    return f;
}

/// A file that starts like an MP3 (ID3 tag).
inline std::string mp3_file(std::size_t size, unsigned seed = 2) {
    std::string f("ID3\x03\0\0\0\0\0\0", 10);
    std::mt19937 rng(seed);
    for (std::size_t i = 0; i < size; ++i) f += static_cast<char>(rng() & 0xFF);
    return f;
}

/// A PNG header: no format a campaign resource accepts.
inline std::string png_file() {
    return std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + std::string(200, 'p');
}

inline constexpr std::string_view kBoundary = "----omnivibeTestBoundary7MA4YWxk";

inline std::string form_content_type() {
    return "multipart/form-data; boundary=" + std::string(kBoundary);
}

struct FormPart {
    std::string name;
    std::string value;
    std::string filename;      ///< a file part when not empty
    std::string content_type;  ///< of a file part
};

inline std::string form_body(const std::vector<FormPart>& parts) {
    std::string body;
    for (const auto& p : parts) {
        body += "--" + std::string(kBoundary) + "\r\n";
        body += "Content-Disposition: form-data; name=\"" + p.name + "\"";
        if (!p.filename.empty()) body += "; filename=\"" + p.filename + "\"";
        body += "\r\n";
        if (!p.content_type.empty()) body += "Content-Type: " + p.content_type + "\r\n";
        body += "\r\n" + p.value + "\r\n";
    }
    return body + "--" + std::string(kBoundary) + "--\r\n";
}

/// Regular files under `dir` (recursively), as paths relative to it.
inline std::vector<std::string> files_under(const std::filesystem::path& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    // The server may remove a file between listing and looking at it (an
    // upload in progress being dropped), so nothing here may throw or resolve
    // paths on disk: the name is made relative lexically.
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code gone;
        if (it->is_regular_file(gone)) out.push_back(it->path().lexically_relative(dir).string());
    }
    return out;
}

/// Every event in the log, read on a connection of its own.
inline std::vector<store::EventRow> log_events(const std::string& db_path) {
    auto db = open_store(db_path);
    store::EventQuery q;
    q.limit = 1000000;
    return store::read_events(*db, q);
}

}  // namespace omnivibe::test
