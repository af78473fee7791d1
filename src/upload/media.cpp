#include "omnivibe/upload/media.hpp"

#include "omnivibe/core/text.hpp"

namespace omnivibe::upload {

namespace {

struct Alias {
    std::string_view canonical;
    std::string_view declared;
};

// Every spelling clients use for a format, mapped to the type we record.
constexpr Alias kAliases[] = {
    {"video/mp4", "video/mp4"},       {"video/quicktime", "video/quicktime"},
    {"video/webm", "video/webm"},     {"audio/mpeg", "audio/mpeg"},
    {"audio/mpeg", "audio/mp3"},      {"audio/mpeg", "audio/mpeg3"},
    {"audio/mpeg", "audio/x-mpeg"},   {"audio/wav", "audio/wav"},
    {"audio/wav", "audio/x-wav"},     {"audio/wav", "audio/wave"},
    {"audio/wav", "audio/vnd.wave"},  {"audio/aac", "audio/aac"},
    {"audio/aac", "audio/x-aac"},     {"audio/aac", "audio/aacp"},
    {"audio/mp4", "audio/mp4"},       {"audio/mp4", "audio/x-m4a"},
    {"audio/mp4", "audio/m4a"},       {"audio/ogg", "audio/ogg"},
    {"audio/ogg", "application/ogg"}, {"audio/ogg", "audio/vorbis"},
    {"audio/ogg", "audio/opus"},
};

std::string_view canonical_of(std::string_view declared) {
    for (const auto& a : kAliases)
        if (a.declared == declared) return a.canonical;
    return {};
}

bool is_video(std::string_view type) { return type.substr(0, 6) == "video/"; }

std::string media_of(std::string_view content_type) {
    std::string m = ascii_lower(content_type.substr(0, content_type.find(';')));
    while (!m.empty() && (m.back() == ' ' || m.back() == '\t')) m.pop_back();
    while (!m.empty() && (m.front() == ' ' || m.front() == '\t')) m.erase(0, 1);
    return m;
}

Error unsupported(std::string detail) {
    return Error::make(ErrorCode::unsupported_media_type, std::move(detail));
}

}  // namespace

std::string_view sniff_media_type(std::string_view h) {
    auto at = [&](std::size_t off, std::string_view magic) {
        return h.size() >= off + magic.size() && h.substr(off, magic.size()) == magic;
    };
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(h[i]); };

    // ISO base media (MP4, M4A, MOV): a box size, then "ftyp" and the major brand.
    if (at(4, "ftyp") && h.size() >= 12) {
        const std::string_view brand = h.substr(8, 4);
        if (brand == "qt  ") return "video/quicktime";
        if (brand == "M4A " || brand == "M4B " || brand == "M4P ") return "audio/mp4";
        return "video/mp4";
    }
    // Older QuickTime files start straight with a movie or data box.
    if (at(4, "moov") || at(4, "mdat") || at(4, "wide")) return "video/quicktime";
    // Matroska/EBML; WebM names itself in the header's DocType.
    if (at(0, "\x1A\x45\xDF\xA3")) {
        return h.find("webm") != std::string_view::npos ? "video/webm" : "";
    }
    if (at(0, "RIFF") && at(8, "WAVE")) return "audio/wav";
    if (at(0, "OggS")) return "audio/ogg";
    if (at(0, "ID3")) return "audio/mpeg";
    if (at(0, "ADIF")) return "audio/aac";
    // MPEG audio frame sync: 11 set bits. Layer bits 00 mark an AAC ADTS
    // frame; any other layer is MPEG-1/2 audio (MP3).
    if (h.size() >= 2 && byte(0) == 0xFF && (byte(1) & 0xE0) == 0xE0) {
        if ((byte(1) & 0x06) == 0) return (byte(1) & 0x10) ? "audio/aac" : "";
        return "audio/mpeg";
    }
    return "";
}

Result<std::string> check_media(MediaClass cls, std::string_view head, std::string_view declared) {
    const std::string claimed = media_of(declared);
    const bool claims = !claimed.empty() && claimed != "application/octet-stream";
    std::string_view sniffed = sniff_media_type(head);
    // An M4A file may carry a generic MP4 brand; its declared audio type decides.
    if (cls == MediaClass::audio && sniffed == "video/mp4" && canonical_of(claimed) == "audio/mp4")
        sniffed = "audio/mp4";
    const char* wanted = cls == MediaClass::video ? "an MP4, MOV or WebM video"
                                                  : "an MP3, WAV, AAC, M4A or Ogg audio file";
    if (sniffed.empty() || is_video(sniffed) != (cls == MediaClass::video))
        return unsupported(std::string("The file is not ") + wanted + ".");
    if (claims && canonical_of(claimed) != sniffed)
        return unsupported("The file was sent as " + claimed + " but its content is " +
                           std::string(sniffed) + ".");
    return std::string(sniffed);
}

Status check_declared_type(MediaClass cls, std::string_view declared) {
    const std::string claimed = media_of(declared);
    if (claimed.empty() || claimed == "application/octet-stream") return {};
    const std::string_view canonical = canonical_of(claimed);
    if (canonical.empty() || is_video(canonical) != (cls == MediaClass::video))
        return unsupported(std::string("The file was sent as ") + claimed + ", which is not " +
                           (cls == MediaClass::video ? "an MP4, MOV or WebM video"
                                                     : "an MP3, WAV, AAC, M4A or Ogg audio file") +
                           ".");
    return {};
}

}  // namespace omnivibe::upload
