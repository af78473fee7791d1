#include "omnivibe/upload/media.hpp"

#include <boost/test/unit_test.hpp>
#include <string>

using namespace omnivibe;
using namespace omnivibe::upload;

namespace {
std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int c : b) s += static_cast<char>(c);
    return s;
}
const std::string kMp4 = std::string(
    "\0\0\0\x18"
    "ftypisom\0\0\x02\0isomiso2",
    24);
const std::string kM4a = std::string(
    "\0\0\0\x1c"
    "ftypM4A \0\0\0\0M4A mp42isom",
    28);
const std::string kMov = std::string(
    "\0\0\0\x14"
    "ftypqt  \0\0\0\0qt  ",
    20);
const std::string kWebm = "\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\xF7\x81\x01\x42\x82\x84webm";
const std::string kMkv = "\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x88matroska";
const std::string kWav = std::string("RIFF\x24\0\0\0WAVEfmt ", 16);
const std::string kOgg = std::string("OggS\0\x02", 6);
const std::string kId3 = std::string("ID3\x03\0\0\0\0\0\0", 10);
}  // namespace

BOOST_AUTO_TEST_SUITE(media)

BOOST_AUTO_TEST_CASE(sniffs_the_formats_campaign_resources_use) {
    BOOST_TEST(sniff_media_type(kMp4) == "video/mp4");
    BOOST_TEST(sniff_media_type(kMov) == "video/quicktime");
    BOOST_TEST(sniff_media_type(std::string("\0\0\0\x08wide", 8)) == "video/quicktime");
    BOOST_TEST(sniff_media_type(kWebm) == "video/webm");
    BOOST_TEST(sniff_media_type(kM4a) == "audio/mp4");
    BOOST_TEST(sniff_media_type(kWav) == "audio/wav");
    BOOST_TEST(sniff_media_type(kOgg) == "audio/ogg");
    BOOST_TEST(sniff_media_type(kId3) == "audio/mpeg");
    BOOST_TEST(sniff_media_type(bytes({0xFF, 0xFB, 0x90, 0x64})) == "audio/mpeg");  // MP3 frame
    BOOST_TEST(sniff_media_type(bytes({0xFF, 0xF1, 0x50, 0x80})) == "audio/aac");   // ADTS
}

BOOST_AUTO_TEST_CASE(knows_nothing_of_other_files) {
    BOOST_TEST(sniff_media_type("").empty());
    BOOST_TEST(sniff_media_type("\x89PNG\r\n\x1a\n").empty());
    BOOST_TEST(sniff_media_type("%PDF-1.7").empty());
    BOOST_TEST(sniff_media_type("{\"json\":true}").empty());
    BOOST_TEST(sniff_media_type(kMkv).empty());  // Matroska that is not WebM
    BOOST_TEST(sniff_media_type("RIFF\0\0\0\0AVI ").empty());
}

BOOST_AUTO_TEST_CASE(videos_go_to_intro_and_ending_and_audio_to_bgm) {
    BOOST_TEST(check_media(MediaClass::video, kMp4, "").value() == "video/mp4");
    BOOST_TEST(check_media(MediaClass::video, kWebm, "video/webm").value() == "video/webm");
    BOOST_TEST(check_media(MediaClass::audio, kId3, "audio/mp3").value() == "audio/mpeg");
    BOOST_TEST(check_media(MediaClass::audio, kWav, "application/octet-stream").value() ==
               "audio/wav");
    BOOST_TEST(check_media(MediaClass::audio, kMp4, "").error().code ==
               ErrorCode::unsupported_media_type);
    BOOST_TEST(check_media(MediaClass::video, kM4a, "").error().code ==
               ErrorCode::unsupported_media_type);
    BOOST_TEST(check_media(MediaClass::video, "\x89PNG\r\n\x1a\n", "video/mp4").error().code ==
               ErrorCode::unsupported_media_type);
}

BOOST_AUTO_TEST_CASE(a_declared_type_that_is_not_the_files_format_is_refused) {
    BOOST_TEST(check_media(MediaClass::video, kWebm, "video/mp4").error().code ==
               ErrorCode::unsupported_media_type);
    BOOST_TEST(check_media(MediaClass::audio, kOgg, "audio/mpeg").error().code ==
               ErrorCode::unsupported_media_type);
    BOOST_TEST(check_media(MediaClass::video, kMp4, "image/png").error().code ==
               ErrorCode::unsupported_media_type);
    BOOST_TEST(check_media(MediaClass::video, kMp4, "Video/MP4; codecs=avc1").value() ==
               "video/mp4");
}

BOOST_AUTO_TEST_CASE(an_m4a_with_a_generic_brand_is_audio_when_declared_so) {
    BOOST_TEST(check_media(MediaClass::audio, kMp4, "audio/x-m4a").value() == "audio/mp4");
}

BOOST_AUTO_TEST_CASE(a_declared_type_alone_can_be_refused_before_any_byte) {
    BOOST_TEST(check_declared_type(MediaClass::video, "").has_value());
    BOOST_TEST(check_declared_type(MediaClass::video, "application/octet-stream").has_value());
    BOOST_TEST(check_declared_type(MediaClass::video, "video/webm").has_value());
    BOOST_TEST(check_declared_type(MediaClass::audio, "audio/x-wav").has_value());
    BOOST_TEST(!check_declared_type(MediaClass::video, "audio/mpeg").has_value());
    BOOST_TEST(!check_declared_type(MediaClass::audio, "video/mp4").has_value());
    BOOST_TEST(!check_declared_type(MediaClass::video, "image/png").has_value());
    BOOST_TEST(
        !check_declared_type(MediaClass::video, "multipart/form-data; boundary=x").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
