#include "omnivibe/upload/multipart.hpp"

#include <algorithm>

#include "omnivibe/core/text.hpp"

namespace omnivibe::upload {

namespace {

constexpr std::string_view kCrlf = "\r\n";

Error malformed(std::string_view reason) {
    return Error::make(ErrorCode::malformed_json,
                       "The multipart body is malformed: " + std::string(reason) + ".");
}

bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

struct Param {
    std::string name;  ///< lower-case
    std::string value;
};

// `type *( OWS ";" OWS name "=" ( token / "..." ) )`: the parameters of
// a Content-Type or Content-Disposition value. A repeated parameter, a missing
// value, an unterminated quote or a trailing ';' is refused: a body whose
// meaning depends on which duplicate wins is not one we accept.
Result<std::vector<Param>> parse_params(std::string_view rest, std::string_view what) {
    std::vector<Param> out;
    std::size_t i = 0;
    auto skip_ows = [&] {
        while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
    };
    for (;;) {
        skip_ows();
        if (i == rest.size()) return out;
        if (rest[i] != ';') return malformed(std::string(what) + " has text after a value");
        ++i;
        skip_ows();
        const std::size_t name_start = i;
        while (i < rest.size() && is_tchar(rest[i])) ++i;
        if (i == name_start) return malformed(std::string(what) + " has an empty parameter");
        std::string name = ascii_lower(rest.substr(name_start, i - name_start));
        if (i == rest.size() || rest[i] != '=')
            return malformed(std::string(what) + " parameter " + name + " has no value");
        ++i;
        std::string value;
        if (i < rest.size() && rest[i] == '"') {
            ++i;
            bool closed = false;
            // As browsers (and curl since 7.81) send them, per the HTML form
            // encoding: '"' arrives as %22, and a backslash is a backslash
            // (a Windows path), not an escape.
            while (i < rest.size()) {
                const char c = rest[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                value += c;
            }
            if (!closed) return malformed(std::string(what) + " has an unterminated quoted string");
        } else {
            const std::size_t start = i;
            while (i < rest.size() && is_tchar(rest[i])) ++i;
            if (i == start)
                return malformed(std::string(what) + " parameter " + name + " has no value");
            value = std::string(rest.substr(start, i - start));
        }
        for (const auto& p : out)
            if (p.name == name)
                return malformed(std::string(what) + " gives parameter " + name + " twice");
        out.push_back({std::move(name), std::move(value)});
    }
}

// RFC 2046 bchars: DIGIT / ALPHA / "'()+_,-./:=?" and space, not last.
bool valid_boundary(std::string_view b) {
    if (b.empty() || b.size() > 70 || b.back() == ' ') return false;
    for (char c : b) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') ||
                        std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}

}  // namespace

MultipartParser::MultipartParser(std::string boundary, PartHandler& handler, MultipartLimits limits)
    : delimiter_("\r\n--" + boundary), handler_(handler), limits_(limits) {
    // The first boundary line has no CRLF before it; pretending it had one
    // lets every delimiter be found the same way.
    pending_ = kCrlf;
}

Status MultipartParser::fail(Error e) {
    state_ = State::failed;
    error_ = e;
    pending_.clear();
    return e;
}

Status MultipartParser::feed(std::string_view bytes) {
    if (state_ == State::failed) return *error_;
    if (state_ == State::epilogue) return {};  // the epilogue is ignored
    pending_.append(bytes);
    bool progressed = true;
    while (progressed) {
        progressed = false;
        if (auto st = step(progressed); !st) return st;
    }
    return {};
}

Status MultipartParser::finish() {
    if (state_ == State::failed) return *error_;
    if (state_ != State::epilogue)
        return fail(malformed("the body ended before its closing boundary"));
    return {};
}

Status MultipartParser::step(bool& progressed) {
    switch (state_) {
        case State::first_boundary: {
            const std::size_t n = std::min(pending_.size(), delimiter_.size());
            if (pending_.compare(0, n, delimiter_, 0, n) != 0)
                return fail(malformed("it does not start with its boundary"));
            if (n < delimiter_.size()) return {};
            pending_.erase(0, n);
            state_ = State::after_boundary;
            progressed = true;
            return {};
        }
        case State::after_boundary: {
            if (pending_.size() < 2) return {};
            const std::string_view tail(pending_.data(), 2);
            if (tail == kCrlf) {
                state_ = State::headers;
            } else if (tail == "--") {
                state_ = State::epilogue;
                pending_.clear();
                return {};
            } else {
                return fail(malformed("a boundary line does not end in CRLF"));
            }
            pending_.erase(0, 2);
            progressed = true;
            return {};
        }
        case State::headers: {
            if (pending_.size() >= 2 && pending_.compare(0, 2, kCrlf) == 0)
                return fail(malformed("a part has no headers"));
            const auto end = pending_.find("\r\n\r\n");
            if (end == std::string::npos) {
                if (pending_.size() > limits_.max_header_bytes + 3)
                    return fail(malformed("the headers of a part are larger than " +
                                          std::to_string(limits_.max_header_bytes) + " bytes"));
                return {};
            }
            if (end > limits_.max_header_bytes)
                return fail(malformed("the headers of a part are larger than " +
                                      std::to_string(limits_.max_header_bytes) + " bytes"));
            if (auto st = begin_part(std::string_view(pending_).substr(0, end)); !st)
                return fail(std::move(st).error());
            pending_.erase(0, end + 4);
            state_ = State::body;
            progressed = true;
            return {};
        }
        case State::body: {
            const auto at = pending_.find(delimiter_);
            if (at != std::string::npos) {
                if (at > 0)
                    if (auto st = handler_.on_part_data(std::string_view(pending_).substr(0, at));
                        !st)
                        return fail(std::move(st).error());
                if (auto st = handler_.on_part_end(); !st) return fail(std::move(st).error());
                pending_.erase(0, at + delimiter_.size());
                state_ = State::after_boundary;
                progressed = true;
                return {};
            }
            // Everything but a tail that could be the start of a delimiter is content.
            if (pending_.size() < delimiter_.size()) return {};
            const std::size_t safe = pending_.size() - (delimiter_.size() - 1);
            if (auto st = handler_.on_part_data(std::string_view(pending_).substr(0, safe)); !st)
                return fail(std::move(st).error());
            pending_.erase(0, safe);
            return {};
        }
        case State::epilogue:
            pending_.clear();
            return {};
        case State::failed:
            return *error_;
    }
    return {};
}

Status MultipartParser::begin_part(std::string_view block) {
    if (names_.size() >= limits_.max_parts)
        return malformed("it has more than " + std::to_string(limits_.max_parts) + " parts");
    PartInfo part;
    bool has_disposition = false, has_type = false;
    std::size_t pos = 0;
    while (pos <= block.size()) {
        auto end = block.find(kCrlf, pos);
        if (end == std::string_view::npos) end = block.size();
        const std::string_view line = block.substr(pos, end - pos);
        pos = end + 2;
        if (line.find_first_of("\r\n") != std::string_view::npos)
            return malformed("a header line ends in a bare CR or LF");
        if (line.empty()) return malformed("a part has an empty header line");
        if (line.front() == ' ' || line.front() == '\t')
            return malformed("folded header lines are not accepted");
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || !is_token(line.substr(0, colon)))
            return malformed("a header line has no valid name");
        const std::string name = ascii_lower(line.substr(0, colon));
        const std::string_view value = trim_ows(line.substr(colon + 1));
        for (unsigned char c : value)
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                return malformed("a header value holds a control character");
        if (name == "content-disposition") {
            if (has_disposition) return malformed("a part has two Content-Disposition headers");
            has_disposition = true;
            const auto semi = value.find(';');
            if (!iequals(trim_ows(value.substr(0, semi)), "form-data"))
                return malformed("a part's Content-Disposition is not form-data");
            auto params = parse_params(
                semi == std::string_view::npos ? std::string_view{} : value.substr(semi),
                "Content-Disposition");
            if (!params) return std::move(params).error();
            bool named = false;
            for (auto& p : *params) {
                if (p.name == "name") {
                    part.name = std::move(p.value);
                    named = true;
                } else if (p.name == "filename") {
                    part.filename = std::move(p.value);
                } else if (p.name == "filename*") {
                    // Two filenames that may disagree; browsers never send this.
                    return malformed("filename* is not accepted; send filename");
                }
            }
            if (!named || part.name.empty()) return malformed("a part has no field name");
        } else if (name == "content-type") {
            if (has_type) return malformed("a part has two Content-Type headers");
            has_type = true;
            part.content_type = std::string(value);
        } else if (name == "content-transfer-encoding") {
            // RFC 7578 section 4.7: senders must not use it; identity forms only.
            if (!iequals(value, "binary") && !iequals(value, "8bit") && !iequals(value, "7bit"))
                return malformed("Content-Transfer-Encoding " + std::string(value) +
                                 " is not accepted");
        }
        if (end == block.size()) break;
    }
    if (!has_disposition) return malformed("a part has no Content-Disposition header");
    if (std::find(names_.begin(), names_.end(), part.name) != names_.end()) {
        Error e = Error::make(ErrorCode::validation_failed, "One field is invalid.");
        e.errors.push_back({part.name, "is given more than once"});
        return e;
    }
    names_.push_back(part.name);
    return handler_.on_part_begin(part);
}

Result<std::string> form_data_boundary(std::string_view content_type) {
    const auto semi = content_type.find(';');
    const std::string media = ascii_lower(trim_ows(content_type.substr(0, semi)));
    if (media != "multipart/form-data")
        return Error::make(ErrorCode::unsupported_media_type,
                           "The body must be multipart/form-data, not " +
                               (media.empty() ? std::string("an untyped body") : media) + ".");
    if (semi == std::string_view::npos)
        return Error::make(ErrorCode::malformed_json,
                           "The multipart Content-Type has no boundary.");
    auto params = parse_params(content_type.substr(semi), "Content-Type");
    if (!params) return std::move(params).error();
    for (auto& p : *params) {
        if (p.name != "boundary") continue;
        if (!valid_boundary(p.value))
            return Error::make(ErrorCode::malformed_json,
                               "The multipart boundary must be 1 to 70 characters from RFC 2046.");
        return std::move(p.value);
    }
    return Error::make(ErrorCode::malformed_json, "The multipart Content-Type has no boundary.");
}

std::string safe_filename(std::string_view raw) {
    // Browsers send a base name; curl and scripts may send paths, either kind.
    if (const auto slash = raw.find_last_of("/\\"); slash != std::string_view::npos)
        raw.remove_prefix(slash + 1);
    std::string out;
    for (unsigned char c : raw)
        if (c >= 0x20 && c != 0x7f) out += static_cast<char>(c);
    if (!is_valid_utf8(out))
        for (auto& c : out)
            if (static_cast<unsigned char>(c) >= 0x80) c = '_';
    const auto first = out.find_first_not_of(' ');
    out = first == std::string::npos ? std::string()
                                     : out.substr(first, out.find_last_not_of(' ') - first + 1);
    if (out == "." || out == "..") out.clear();
    if (out.size() > 255) {
        std::size_t cut = 255;
        // Do not split a UTF-8 sequence.
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
        out.resize(cut);
    }
    return out;
}

namespace {

class Collector final : public PartHandler {
  public:
    std::vector<Part> parts;
    Status on_part_begin(const PartInfo& info) override {
        parts.push_back({info, {}});
        return {};
    }
    Status on_part_data(std::string_view bytes) override {
        parts.back().data.append(bytes);
        return {};
    }
    Status on_part_end() override { return {}; }
};

}  // namespace

Result<std::vector<Part>> parse_form_data(std::string_view body, std::string_view boundary,
                                          MultipartLimits limits) {
    Collector collector;
    MultipartParser parser(std::string(boundary), collector, limits);
    if (auto st = parser.feed(body); !st) return std::move(st).error();
    if (auto st = parser.finish(); !st) return std::move(st).error();
    return std::move(collector.parts);
}

}  // namespace omnivibe::upload
