#include "omnivibe/upload/receiver.hpp"

#include <algorithm>

#include "omnivibe/core/text.hpp"
#include "omnivibe/upload/media.hpp"

namespace omnivibe::upload {

namespace {

Error too_large(std::uint64_t limit) {
    const auto mib = limit >> 20;
    return Error::make(
        ErrorCode::payload_too_large,
        "The file is larger than the upload limit of " + (mib && (limit & ((1u << 20) - 1)) == 0
                                                              ? std::to_string(mib) + " MiB."
                                                              : std::to_string(limit) + " bytes."));
}

Error field_error(ErrorCode code, std::string detail, std::string field, std::string message) {
    Error e = Error::make(code, std::move(detail));
    e.errors.push_back({std::move(field), std::move(message)});
    return e;
}

}  // namespace

Receiver::Receiver(ReceiverOptions options, HeadCheck check)
    : options_(std::move(options)), check_(std::move(check)) {
    if (options_.boundary)
        parser_ =
            std::make_unique<MultipartParser>(*options_.boundary, static_cast<PartHandler&>(*this));
}

Receiver::~Receiver() = default;

Status Receiver::write(std::string_view bytes) {
    if (parser_) return parser_->feed(bytes);
    if (!in_file_ && !done_file_)
        if (auto st = begin_file({}, options_.declared_type); !st) return st;
    return file_data(bytes);
}

Status Receiver::finish() {
    if (parser_) return parser_->finish();
    if (!in_file_ && !done_file_)
        if (auto st = begin_file({}, options_.declared_type); !st) return st;
    return end_file();
}

std::optional<std::string> Receiver::field(std::string_view name) const {
    for (const auto& [k, v] : fields_)
        if (k == name) return v;
    return std::nullopt;
}

Status Receiver::on_part_begin(const PartInfo& part) {
    if (part.name == "file")
        return begin_file(safe_filename(part.filename.value_or("")), part.content_type);
    const auto& allowed = options_.text_fields;
    if (std::find(allowed.begin(), allowed.end(), part.name) == allowed.end())
        return field_error(ErrorCode::validation_failed, "Unknown field: " + part.name + ".",
                           part.name, "is not a field of an upload");
    if (part.filename)
        return field_error(ErrorCode::validation_failed, "One field is invalid.", part.name,
                           "must be a text field, not a file");
    fields_.emplace_back(part.name, std::string());
    text_ = &fields_.back().second;
    return {};
}

Status Receiver::on_part_data(std::string_view bytes) {
    if (in_file_) return file_data(bytes);
    if (text_->size() + bytes.size() > options_.max_text_bytes)
        return field_error(ErrorCode::validation_failed, "One field is invalid.",
                           fields_.back().first,
                           "must be at most " + std::to_string(options_.max_text_bytes) + " bytes");
    text_->append(bytes);
    return {};
}

Status Receiver::on_part_end() {
    if (in_file_) return end_file();
    if (!is_valid_utf8(*text_))
        return field_error(ErrorCode::malformed_json, "A form field is not valid UTF-8.",
                           fields_.back().first, "is not valid UTF-8");
    text_ = nullptr;
    return {};
}

Status Receiver::begin_file(std::string filename, std::string declared_type) {
    auto temp = TempFile::create(options_.temp_dir, options_.file_ops);
    if (!temp) return std::move(temp).error();
    file_ = ReceivedFile{std::move(temp).value(), 0, {}, {}, std::move(filename),
                         std::move(declared_type)};
    hash_ = std::make_unique<Sha256>();
    in_file_ = true;
    head_checked_ = false;
    return {};
}

Status Receiver::file_data(std::string_view bytes) {
    if (bytes.size() > options_.max_file_bytes - std::min(file_.size, options_.max_file_bytes))
        return too_large(options_.max_file_bytes);
    file_.size += bytes.size();
    if (file_.head.size() < kSniffBytes)
        file_.head.append(bytes.substr(0, kSniffBytes - file_.head.size()));
    if (!head_checked_ && file_.head.size() == kSniffBytes) {
        head_checked_ = true;
        if (check_)
            if (auto st = check_(*this, file_.head, file_.declared_type); !st) return st;
    }
    hash_->update(bytes);
    return file_.temp.write(bytes);
}

Status Receiver::end_file() {
    in_file_ = false;
    // An empty file has no format to judge; the caller refuses it as empty.
    if (!head_checked_ && file_.size > 0) {
        head_checked_ = true;
        if (check_)
            if (auto st = check_(*this, file_.head, file_.declared_type); !st) return st;
    }
    if (auto st = file_.temp.sync_and_close(); !st) return st;
    file_.sha256 = hash_->hex_digest();
    hash_.reset();
    done_file_ = std::move(file_);
    return {};
}

}  // namespace omnivibe::upload
