#pragma once
// What kind of file an upload really is, from its first bytes ("magic
// numbers"), never from its name or the type the client claims. Campaign
// intros and endings are videos (MP4, MOV, WebM); background music is audio
// (MP3, WAV, AAC, M4A, Ogg). A client's declared Content-Type is accepted only
// when it names the same format the bytes show, so a lying type is refused.
// Pure: no I/O.

#include <cstddef>
#include <string>
#include <string_view>

#include "omnivibe/core/result.hpp"

namespace omnivibe::upload {

enum class MediaClass { video, audio };

/// How many leading bytes sniff_media_type() looks at.
inline constexpr std::size_t kSniffBytes = 64;

/// The canonical media type the first bytes announce ("video/mp4",
/// "audio/mpeg", ...), or "" when they are no format this service accepts.
std::string_view sniff_media_type(std::string_view head);

/// The content type to record for a file whose first bytes are `head`: the
/// sniffed format must be one `cls` accepts, and `declared` (ignored when empty
/// or application/octet-stream) must name that same format. 415 otherwise.
Result<std::string> check_media(MediaClass cls, std::string_view head, std::string_view declared);

/// The part of check_media() that needs no bytes: a declared type (other than
/// empty or application/octet-stream) must be a format `cls` accepts. Lets an
/// upload be refused before its body is sent.
Status check_declared_type(MediaClass cls, std::string_view declared);

}  // namespace omnivibe::upload
