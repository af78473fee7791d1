#pragma once
// Receives one upload as its bytes arrive: either a raw body that is the file
// itself, or a multipart/form-data body with a `file` part and a few small
// text fields. The file's bytes go straight to a temporary file while being
// hashed (SHA-256) and counted; only its first kSniffBytes are kept in memory,
// to check its format. Text fields are small and kept in memory.
//
// Limits: the file may not exceed max_file_bytes (413, found while it streams,
// not after); a text field is at most max_text_bytes of UTF-8; fields other
// than `file` and `text_fields` are refused (422), as unknown JSON fields are.
// Not thread-safe: one connection feeds it, in order.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "omnivibe/core/result.hpp"
#include "omnivibe/core/sha256.hpp"
#include "omnivibe/upload/file_store.hpp"
#include "omnivibe/upload/multipart.hpp"

namespace omnivibe::upload {

struct ReceiverOptions {
    std::filesystem::path temp_dir;
    /// The calls that write the temporary file (the store's: FileStore::file_ops()).
    std::shared_ptr<FileOps> file_ops = posix_file_ops();
    std::uint64_t max_file_bytes = 0;
    /// multipart/form-data with this boundary when set; otherwise the body is the file.
    std::optional<std::string> boundary;
    /// The Content-Type of a raw body (a multipart file part declares its own).
    std::string declared_type;
    /// Names of the text fields a form may carry besides "file".
    std::vector<std::string> text_fields;
    std::size_t max_text_bytes = 256;
};

/// The received file, complete, synced and closed.
struct ReceivedFile {
    TempFile temp;
    std::uint64_t size = 0;
    std::string sha256;         ///< lower-case hex
    std::string head;           ///< the first kSniffBytes bytes (fewer for a tiny file)
    std::string filename;       ///< the client's name after safe_filename(), maybe ""
    std::string declared_type;  ///< what the client said the file is, maybe ""
};

class Receiver final : private PartHandler {
  public:
    /// Called once, as soon as the file's first kSniffBytes (or all of a
    /// smaller file) arrived; an Error stops the upload there. Lets a file of
    /// the wrong kind be refused before the rest of it is received.
    using HeadCheck = std::function<Status(const Receiver&, std::string_view head,
                                           std::string_view declared_type)>;

    explicit Receiver(ReceiverOptions options, HeadCheck check = {});
    ~Receiver() override;

    /// The next piece of the body.
    Status write(std::string_view bytes);
    /// The body is complete.
    Status finish();

    /// A text field's value, if the form had it.
    std::optional<std::string> field(std::string_view name) const;
    /// The file, once finish() succeeded and if the body had one.
    std::optional<ReceivedFile>& file() { return done_file_; }

  private:
    Status on_part_begin(const PartInfo& part) override;
    Status on_part_data(std::string_view bytes) override;
    Status on_part_end() override;

    Status begin_file(std::string filename, std::string declared_type);
    Status file_data(std::string_view bytes);
    Status end_file();

    ReceiverOptions options_;
    HeadCheck check_;
    std::unique_ptr<MultipartParser> parser_;
    std::vector<std::pair<std::string, std::string>> fields_;
    std::string* text_ = nullptr;  ///< the text field being received

    // The file being received.
    bool in_file_ = false;
    bool head_checked_ = false;
    ReceivedFile file_;
    std::unique_ptr<Sha256> hash_;
    std::optional<ReceivedFile> done_file_;
};

}  // namespace omnivibe::upload
