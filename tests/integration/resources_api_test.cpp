// Campaign resources over HTTP (SPEC section 5): multipart and raw uploads,
// streamed to disk and stored by content; formats judged by their bytes;
// limits; downloads with Range; and the promise that a refused or interrupted
// upload leaves neither an event nor a file behind.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "integration/api_helpers.hpp"
#include "integration/store_checks.hpp"
#include "integration/upload_helpers.hpp"
#include "omnivibe/core/sha256.hpp"
#include "omnivibe/projection/projector.hpp"
#include "omnivibe/projection/rebuild.hpp"
#include "omnivibe/store/migrations.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "store/store_fixture.hpp"
#include "support/test_server.hpp"

using namespace omnivibe;
using namespace omnivibe::test;
namespace fs = std::filesystem;

namespace {

struct Resources {
    TestServer server;
    HttpClient c = server.client();

    explicit Resources(std::uint64_t max_upload = 0)
        : server([max_upload](http::ServerOptions& o) {
              if (max_upload) o.service.max_upload_bytes = max_upload;
          }) {
        create_client(c, "A");
        create_campaign(c, 1, "Spring");
    }
    fs::path uploads() const { return server.dir().path() / "uploads"; }
    /// Stored contents (not counting uploads in progress).
    std::vector<std::string> stored() const {
        std::vector<std::string> out;
        for (auto& f : files_under(uploads()))
            if (f.rfind("tmp/", 0) != 0) out.push_back(f);
        return out;
    }
    std::vector<std::string> in_progress() const { return files_under(uploads() / "tmp"); }
    std::int64_t head() { return std::stoll(c.get("/api/v1/clients").header("X-Event-Seq")); }

    HttpResponse post_form(const std::vector<FormPart>& parts,
                           const HttpClient::Headers& extra = {}, std::int64_t campaign = 1) {
        HttpClient::Headers h{{"Content-Type", form_content_type()}};
        h.insert(h.end(), extra.begin(), extra.end());
        return c.post("/api/v1/campaigns/" + std::to_string(campaign) + "/resources",
                      form_body(parts), h);
    }
    HttpResponse put_raw(std::string_view type, const std::string& bytes, std::string content_type,
                         std::string query = "") {
        HttpClient::Headers h;
        if (!content_type.empty()) h.emplace_back("Content-Type", std::move(content_type));
        return c.put("/api/v1/campaigns/1/resources/" + std::string(type) + query, bytes, h);
    }
};

FormPart file_part(std::string bytes, std::string filename = "clip.mp4",
                   std::string type = "video/mp4") {
    return FormPart{"file", std::move(bytes), std::move(filename), std::move(type)};
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Nothing was written and nothing stays on disk.
void require_no_trace(Resources& r, std::int64_t head_before) {
    BOOST_TEST(r.head() == head_before);
    BOOST_TEST(r.stored().empty());
    BOOST_TEST(r.in_progress().empty());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(resources_api)

BOOST_AUTO_TEST_CASE(a_multipart_upload_from_a_beast_client_attaches_the_resource) {
    Resources r;
    const std::string video = mp4_file(200000);
    auto res = r.post_form({{"resource_type", "intro"}, {"duration", "4.5"}, file_part(video)});
    BOOST_REQUIRE_MESSAGE(res.status == 201, res.body);
    BOOST_TEST(json_bool(res.body, "/success"));
    BOOST_TEST(json_string(res.body, "/resource/resource_type") == "intro");
    BOOST_TEST(json_string(res.body, "/resource/filename") == "clip.mp4");
    BOOST_TEST(json_string(res.body, "/resource/content_type") == "video/mp4");
    BOOST_TEST(json_int(res.body, "/resource/size") == static_cast<std::int64_t>(video.size()));
    BOOST_TEST(json_string(res.body, "/resource/sha256") == sha256_hex(video));
    BOOST_TEST(json_number(res.body, "/resource/duration") == 4.5);
    const std::string url = "/api/v1/campaigns/1/resources/intro/file";
    BOOST_TEST(json_string(res.body, "/resource/url") == url);
    BOOST_TEST(!res.header("X-Event-Seq").empty());

    auto campaign = r.c.get("/api/v1/campaigns/1");
    BOOST_TEST(json_string(campaign.body, "/intro_video_path") == url);
    BOOST_TEST(json_number(campaign.body, "/intro_duration") == 4.5);
    BOOST_TEST(campaign.header("ETag") == "\"2\"");

    // Stored once, under its digest, never under the client's name.
    const std::string sha = sha256_hex(video);
    BOOST_TEST(r.stored() == std::vector<std::string>{sha.substr(0, 2) + "/" + sha},
               boost::test_tools::per_element());
    BOOST_TEST(read_file(r.uploads() / sha.substr(0, 2) / sha) == video);
    BOOST_TEST(r.in_progress().empty());

    const auto events = log_events(r.server.db_path());
    BOOST_REQUIRE(!events.empty());
    BOOST_TEST(events.back().type == "campaign.resource_attached");
    BOOST_TEST(events.back().data.find("\"sha256\":\"" + sha + "\"") != std::string::npos);
    BOOST_TEST(events.back().data.find("\"path\":\"" + url + "\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_raw_put_attaches_background_music) {
    Resources r;
    const std::string music = mp3_file(5000);
    auto res = r.put_raw("bgm", music, "audio/mpeg", "?duration=30");
    BOOST_REQUIRE_MESSAGE(res.status == 201, res.body);
    BOOST_TEST(json_string(res.body, "/resource/content_type") == "audio/mpeg");
    BOOST_TEST(json_string(res.body, "/resource/filename") == "bgm");
    BOOST_TEST(json_number(res.body, "/resource/duration") == 30.0);
    BOOST_TEST(json_string(r.c.get("/api/v1/campaigns/1").body, "/bgm_path") ==
               "/api/v1/campaigns/1/resources/bgm/file");
    auto list = r.c.get("/api/v1/campaigns/1/resources");
    BOOST_TEST(list.status == 200);
    BOOST_TEST(json_int(list.body, "/campaign_id") == 1);
    BOOST_TEST(json_is_null(list.body, "/resources/intro"));
    BOOST_TEST(json_is_null(list.body, "/resources/ending"));
    BOOST_TEST(json_string(list.body, "/resources/bgm/sha256") == sha256_hex(music));
    BOOST_TEST(list.header("ETag") == "\"2\"");
    BOOST_TEST(r.c.get("/api/v1/campaigns/1/resources", {{"If-None-Match", "\"2\""}}).status ==
               304);
    BOOST_TEST(r.c.get("/api/v1/campaigns/9/resources").status == 404);
    // Replacing a slot answers 201 again and points at the new content.
    auto again = r.put_raw("bgm", mp3_file(6000, 9), "application/octet-stream");
    BOOST_TEST(again.status == 201);
    BOOST_TEST(json_is_null(again.body, "/resource/duration"));
    BOOST_TEST(r.stored().size() == 2u);
}

BOOST_AUTO_TEST_CASE(range_reads_return_the_right_bytes) {
    Resources r;
    const std::string video = mp4_file(100000);
    BOOST_REQUIRE(r.put_raw("ending", video, "video/mp4").status == 201);
    const std::string url = "/api/v1/campaigns/1/resources/ending/file";
    const std::string n = std::to_string(video.size());

    auto whole = r.c.get(url);
    BOOST_TEST(whole.status == 200);
    BOOST_TEST((whole.body == video));
    BOOST_TEST(whole.header("Content-Type") == "video/mp4");
    BOOST_TEST(whole.header("Accept-Ranges") == "bytes");
    BOOST_TEST(whole.header("Content-Length") == n);

    auto first = r.c.get(url, {{"Range", "bytes=0-99"}});
    BOOST_TEST(first.status == 206);
    BOOST_TEST(first.header("Content-Range") == "bytes 0-99/" + n);
    BOOST_TEST((first.body == video.substr(0, 100)));

    auto middle = r.c.get(url, {{"Range", "bytes=50000-50009"}});
    BOOST_TEST(middle.status == 206);
    BOOST_TEST((middle.body == video.substr(50000, 10)));

    auto open = r.c.get(url, {{"Range", "bytes=99990-"}});
    BOOST_TEST(open.status == 206);
    BOOST_TEST((open.body == video.substr(99990)));
    BOOST_TEST(open.header("Content-Range") ==
               "bytes 99990-" + std::to_string(video.size() - 1) + "/" + n);

    auto suffix = r.c.get(url, {{"Range", "bytes=-16"}});
    BOOST_TEST(suffix.status == 206);
    BOOST_TEST((suffix.body == video.substr(video.size() - 16)));

    auto past = r.c.get(url, {{"Range", "bytes=" + n + "-"}});
    BOOST_TEST(past.status == 416);
    BOOST_TEST(past.header("Content-Range") == "bytes */" + n);
    BOOST_TEST(json_string(past.body, "/code") == "range_not_satisfiable");

    auto several = r.c.get(url, {{"Range", "bytes=0-1,5-6"}});
    BOOST_TEST(several.status == 200);  // not understood: the whole file
    BOOST_TEST(several.body.size() == video.size());

    auto head = r.c.request("HEAD", url);
    BOOST_TEST(head.status == 200);
    BOOST_TEST(head.header("Content-Length") == n);
    BOOST_TEST(head.body.empty());

    const std::string etag = whole.header("ETag");
    BOOST_TEST(etag == "\"" + sha256_hex(video) + "\"");
    BOOST_TEST(r.c.get(url, {{"If-None-Match", etag}}).status == 304);
    BOOST_TEST(r.c.get("/api/v1/campaigns/1/resources/intro/file").status == 404);
    BOOST_TEST(r.c.get("/api/v1/campaigns/1/resources/poster/file").status == 404);
    BOOST_TEST(r.c.get("/api/v1/campaigns/7/resources/ending/file").status == 404);
}

BOOST_AUTO_TEST_CASE(a_lying_content_type_is_415_and_leaves_nothing) {
    Resources r;
    const auto head = r.head();
    // Declared as a video, but the bytes are a PNG.
    auto png = r.put_raw("intro", png_file(), "video/mp4");
    BOOST_TEST(png.status == 415);
    BOOST_TEST(json_string(png.body, "/code") == "unsupported_media_type");
    // Real video bytes declared as something else, raw and in a form.
    BOOST_TEST(r.put_raw("intro", mp4_file(1000), "video/webm").status == 415);
    BOOST_TEST(r.post_form({{"resource_type", "intro"},
                            file_part(mp4_file(1000), "a.mp4", "video/quicktime")})
                   .status == 415);
    // A video is no background music, whatever it is called.
    BOOST_TEST(r.put_raw("bgm", mp4_file(1000), "audio/mpeg").status == 415);
    BOOST_TEST(
        r.post_form({{"resource_type", "bgm"}, file_part(mp4_file(1000), "song.mp3", "")}).status ==
        415);
    // The file's kind is also judged when resource_type comes after it.
    BOOST_TEST(
        r.post_form({file_part(png_file(), "x.mp4", ""), {"resource_type", "intro"}}).status ==
        415);
    // A declared type of the wrong kind is refused before the body is sent.
    bool continued = true;
    auto early = HttpClient::send_expecting_continue(
        r.server.port(), "PUT", "/api/v1/campaigns/1/resources/intro",
        {{"Content-Type", "audio/mpeg"}}, mp4_file(1000), continued);
    BOOST_TEST(early.status == 415);
    BOOST_TEST(!continued);
    require_no_trace(r, head);
}

BOOST_AUTO_TEST_CASE(an_oversized_file_is_413_and_leaves_nothing) {
    Resources r(64 * 1024);
    const auto head = r.head();
    // Declared too large: refused on the head, before 100 Continue.
    bool continued = true;
    auto declared = HttpClient::send_expecting_continue(
        r.server.port(), "PUT", "/api/v1/campaigns/1/resources/intro",
        {{"Content-Type", "video/mp4"}}, mp4_file(100 * 1024), continued);
    BOOST_TEST(declared.status == 413);
    BOOST_TEST(json_string(declared.body, "/code") == "payload_too_large");
    BOOST_TEST(!continued);
    // A form whose file is just over the limit: found while it streams.
    auto form = r.post_form({{"resource_type", "intro"}, file_part(mp4_file(64 * 1024 - 24 + 1))});
    BOOST_TEST(form.status == 413);
    // Exactly the limit is fine (then detached again, so nothing stays referenced).
    auto exact = r.put_raw("intro", mp4_file(64 * 1024 - 24), "video/mp4");
    BOOST_TEST(exact.status == 201);
    BOOST_REQUIRE(r.c.del("/api/v1/campaigns/1/resources/intro").status == 200);
    BOOST_TEST(r.in_progress().empty());
    BOOST_TEST(r.head() == head + 2);
}

BOOST_AUTO_TEST_CASE(a_chunked_upload_over_the_limit_is_413) {
    Resources r(64 * 1024);
    const auto head = r.head();
    std::string req =
        "PUT /api/v1/campaigns/1/resources/intro HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: video/mp4\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string video = mp4_file(80 * 1024);
    for (std::size_t i = 0; i < video.size(); i += 8192) {
        const auto piece = video.substr(i, 8192);
        std::ostringstream size;
        size << std::hex << piece.size();
        req += size.str() + "\r\n" + piece + "\r\n";
    }
    req += "0\r\n\r\n";
    const std::string answer = HttpClient::raw_exchange(r.server.port(), req);
    BOOST_TEST(answer.rfind("HTTP/1.1 413", 0) == 0, answer.substr(0, 80));
    require_no_trace(r, head);
}

BOOST_AUTO_TEST_CASE(a_path_traversal_filename_is_recorded_as_a_base_name_only) {
    Resources r;
    const std::string video = mp4_file(3000);
    auto res =
        r.post_form({{"resource_type", "intro"}, file_part(video, "../../../../../tmp/evil.mp4")});
    BOOST_REQUIRE_MESSAGE(res.status == 201, res.body);
    BOOST_TEST(json_string(res.body, "/resource/filename") == "evil.mp4");
    const std::string sha = sha256_hex(video);
    BOOST_TEST(r.stored() == std::vector<std::string>{sha.substr(0, 2) + "/" + sha},
               boost::test_tools::per_element());
    for (const auto& f : files_under(r.server.dir().path()))
        BOOST_TEST(f.find("evil") == std::string::npos, f);
    auto windows =
        r.post_form({{"resource_type", "ending"}, file_part(video, "C:\\clips\\..\\end.mp4")});
    BOOST_TEST(json_string(windows.body, "/resource/filename") == "end.mp4");
}

BOOST_AUTO_TEST_CASE(identical_bytes_are_stored_once) {
    Resources r;
    create_campaign(r.c, 1, "Summer");
    const std::string video = mp4_file(40000, 7);
    BOOST_TEST(r.post_form({{"resource_type", "intro"}, file_part(video)}).status == 201);
    BOOST_TEST(
        r.post_form({{"resource_type", "ending"}, file_part(video, "other-name.mp4")}).status ==
        201);
    BOOST_TEST(r.post_form({{"resource_type", "intro"}, file_part(video)}, {}, 2).status == 201);
    BOOST_TEST(r.stored().size() == 1u);
    auto list = r.c.get("/api/v1/campaigns/1/resources");
    BOOST_TEST(json_string(list.body, "/resources/intro/sha256") ==
               json_string(list.body, "/resources/ending/sha256"));
}

BOOST_AUTO_TEST_CASE(bad_forms_are_refused_with_their_field) {
    Resources r;
    const auto head = r.head();
    const std::string video = mp4_file(500);
    auto fields_of = [&](const std::vector<FormPart>& parts) {
        auto res = r.post_form(parts);
        BOOST_TEST(res.status == 422, res.body);
        return error_fields(res.body);
    };
    using F = std::vector<std::string>;
    BOOST_TEST(fields_of({{"resource_type", "intro"}}) == F{"file"});
    BOOST_TEST(fields_of({file_part(video)}) == F{"resource_type"});
    BOOST_TEST(fields_of({{"resource_type", "poster"}, file_part(video)}) == F{"resource_type"});
    BOOST_TEST(fields_of({file_part(video), {"resource_type", "poster"}}) == F{"resource_type"});
    BOOST_TEST(fields_of({{"resource_type", "intro"}, {"owner", "me"}, file_part(video)}) ==
               F{"owner"});
    BOOST_TEST(
        fields_of({{"resource_type", "intro"}, {"resource_type", "bgm"}, file_part(video)}) ==
        F{"resource_type"});
    BOOST_TEST(fields_of({{"resource_type", "intro"}, {"duration", "soon"}, file_part(video)}) ==
               F{"duration"});
    BOOST_TEST(fields_of({{"resource_type", "intro"}, {"duration", "-1"}, file_part(video)}) ==
               F{"duration"});
    BOOST_TEST(fields_of({{"resource_type", "intro"}, file_part("")}) == F{"file"});
    BOOST_TEST(fields_of({{"resource_type", "intro"}, file_part(video), file_part(video)}) ==
               F{"file"});

    // Not a form, and forms that are not well-formed.
    auto json = r.c.post("/api/v1/campaigns/1/resources", R"({"resource_type":"intro"})");
    BOOST_TEST(json.status == 415);
    std::string unterminated = form_body({{"resource_type", "intro"}, file_part(video)});
    unterminated.resize(unterminated.size() - 8);
    auto cut = r.c.post("/api/v1/campaigns/1/resources", unterminated,
                        {{"Content-Type", form_content_type()}});
    BOOST_TEST(cut.status == 400);
    auto no_boundary = r.c.post("/api/v1/campaigns/1/resources", form_body({file_part(video)}),
                                {{"Content-Type", "multipart/form-data"}});
    BOOST_TEST(no_boundary.status == 400);
    std::string bare_lf = form_body({{"resource_type", "intro"}, file_part(video)});
    bare_lf.replace(bare_lf.find("\r\n"), 2, "\n");
    BOOST_TEST(
        r.c.post("/api/v1/campaigns/1/resources", bare_lf, {{"Content-Type", form_content_type()}})
            .status == 400);
    BOOST_TEST(r.put_raw("intro", "", "video/mp4").status == 422);
    BOOST_TEST(r.put_raw("intro", video, "video/mp4", "?duration=0").status == 422);
    require_no_trace(r, head);
}

BOOST_AUTO_TEST_CASE(unknown_targets_are_404_before_the_body_is_sent) {
    Resources r;
    const auto head = r.head();
    bool continued = true;
    auto campaign = HttpClient::send_expecting_continue(
        r.server.port(), "POST", "/api/v1/campaigns/42/resources",
        {{"Content-Type", form_content_type()}},
        form_body({{"resource_type", "intro"}, file_part(mp4_file(1000))}), continued);
    BOOST_TEST(campaign.status == 404);
    BOOST_TEST(!continued);
    auto type = HttpClient::send_expecting_continue(
        r.server.port(), "PUT", "/api/v1/campaigns/1/resources/poster",
        {{"Content-Type", "video/mp4"}}, mp4_file(1000), continued);
    BOOST_TEST(type.status == 404);
    BOOST_TEST(!continued);
    require_no_trace(r, head);
}

BOOST_AUTO_TEST_CASE(expect_100_continue_is_answered_for_a_good_upload) {
    Resources r;
    bool continued = false;
    auto res = HttpClient::send_expecting_continue(
        r.server.port(), "POST", "/api/v1/campaigns/1/resources",
        {{"Content-Type", form_content_type()}},
        form_body({{"resource_type", "intro"}, file_part(mp4_file(300000))}), continued);
    BOOST_TEST(continued);
    BOOST_TEST(res.status == 201, res.body);
}

BOOST_AUTO_TEST_CASE(a_write_refused_after_the_upload_removes_the_stored_file) {
    Resources r;
    const auto head = r.head();
    // The stale If-Match is only found by the writer, after the file was placed.
    auto stale = r.c.put("/api/v1/campaigns/1/resources/intro", mp4_file(5000),
                         {{"Content-Type", "video/mp4"}, {"If-Match", "\"7\""}});
    BOOST_TEST(stale.status == 412);
    BOOST_TEST(json_int(stale.body, "/current_version") == 1);
    require_no_trace(r, head);
    BOOST_TEST(r.c.put("/api/v1/campaigns/1/resources/intro", mp4_file(5000),
                       {{"Content-Type", "video/mp4"}, {"If-Match", "\"1\""}})
                   .status == 201);
}

BOOST_AUTO_TEST_CASE(an_interrupted_upload_leaves_no_event_and_no_file) {
    Resources r;
    const auto head = r.head();
    const std::string video = mp4_file(200000);
    const std::string request =
        "PUT /api/v1/campaigns/1/resources/intro HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: video/mp4\r\nContent-Length: " +
        std::to_string(video.size()) + "\r\n\r\n" + video.substr(0, 100000);
    // Half the body; once the server is writing it to disk, the client goes
    // away. Both moments are waited for (bounded), not assumed.
    RawConnection conn(r.server.port());
    conn.send(request);
    auto wait_until = [&](auto done) {
        for (int i = 0; i < 1000 && !done(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return done();
    };
    BOOST_REQUIRE(wait_until([&] { return !r.in_progress().empty(); }));
    conn.close();
    BOOST_TEST(wait_until([&] { return r.in_progress().empty(); }));
    require_no_trace(r, head);
}

BOOST_AUTO_TEST_CASE(detaching_clears_the_slot_and_keeps_the_library) {
    Resources r;
    const std::string video = mp4_file(1000);
    BOOST_REQUIRE(r.put_raw("intro", video, "video/mp4").status == 201);
    BOOST_TEST(r.c.del("/api/v1/campaigns/1/resources/intro", {{"If-Match", "\"1\""}}).status ==
               412);
    auto del = r.c.del("/api/v1/campaigns/1/resources/intro");
    BOOST_TEST(del.status == 200);
    BOOST_TEST(del.body == R"({"success":true,"id":1})");
    BOOST_TEST(json_is_null(r.c.get("/api/v1/campaigns/1").body, "/intro_video_path"));
    BOOST_TEST(json_is_null(r.c.get("/api/v1/campaigns/1/resources").body, "/resources/intro"));
    BOOST_TEST(r.c.get("/api/v1/campaigns/1/resources/intro/file").status == 404);
    BOOST_TEST(r.c.del("/api/v1/campaigns/1/resources/intro").status == 404);
    BOOST_TEST(r.c.del("/api/v1/campaigns/1/resources/poster").status == 404);
    BOOST_TEST(r.c.del("/api/v1/campaigns/5/resources/intro").status == 404);
    BOOST_TEST(r.stored().size() == 1u);  // recorded content stays in the library
    const auto events = log_events(r.server.db_path());
    BOOST_TEST(events.back().type == "campaign.resource_detached");
}

BOOST_AUTO_TEST_CASE(an_upload_with_an_idempotency_key_is_written_once) {
    Resources r;
    const std::string video = mp4_file(2000);
    const HttpClient::Headers key{{"Idempotency-Key", "upload-1"}};
    auto first = r.post_form({{"resource_type", "intro"}, file_part(video)}, key);
    BOOST_TEST(first.status == 201);
    auto again = r.post_form({{"resource_type", "intro"}, file_part(video)}, key);
    BOOST_TEST(again.status == 201);
    BOOST_TEST(again.header("Idempotent-Replayed") == "true");
    BOOST_TEST(again.body == first.body);
    auto other = r.post_form({{"resource_type", "intro"}, file_part(mp4_file(2000, 5))}, key);
    BOOST_TEST(other.status == 422);
    BOOST_TEST(json_string(other.body, "/code") == "idempotency_key_reused");
    std::size_t attached = 0;
    for (const auto& e : log_events(r.server.db_path()))
        attached += e.type == "campaign.resource_attached";
    BOOST_TEST(attached == 1u);
    BOOST_TEST(r.stored().size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_read_tables_equal_a_rebuild_after_uploads) {
    Resources r;
    BOOST_REQUIRE(
        r.post_form({{"resource_type", "intro"}, {"duration", "3"}, file_part(mp4_file(900))})
            .status == 201);
    BOOST_REQUIRE(r.put_raw("bgm", mp3_file(900), "audio/mpeg").status == 201);
    BOOST_REQUIRE(r.put_raw("intro", mp4_file(800, 3), "video/mp4").status == 201);
    BOOST_REQUIRE(r.c.del("/api/v1/campaigns/1/resources/bgm").status == 200);
    r.server.server().stop();
    const auto tables = live_and_rebuilt(r.server.db_path());
    BOOST_TEST(tables.rebuilt == tables.live);
}

// The upload commands of the README, run as written (curl and a shell), with
// the test server's address for localhost:8000: the docs stay true.
BOOST_AUTO_TEST_CASE(the_readme_curl_commands_work_as_shown) {
    const char* src = std::getenv("OMNIVIBE_SOURCE_DIR");
    BOOST_REQUIRE(src);
    const std::string readme = read_file(fs::path(src) / "README.md");
    const auto start = readme.find("printf '\\000\\000\\000\\030ftypisom");
    BOOST_REQUIRE(start != std::string::npos);
    std::string script = readme.substr(start, readme.find("```", start) - start);
    Resources r;
    for (std::size_t p; (p = script.find("localhost:8000")) != std::string::npos;)
        script.replace(p, 14, "127.0.0.1:" + std::to_string(r.server.port()));
    std::ofstream(r.server.dir().file("readme.sh"))
        << "set -e\ncd " << r.server.dir().path().string() << "\n"
        << script;
    auto run = run_command("sh " + r.server.dir().file("readme.sh"));
    BOOST_TEST_INFO(run.output);
    BOOST_TEST(run.exit_code == 0);
    BOOST_TEST(run.output.find("\"resource_type\":\"intro\"") != std::string::npos);
    BOOST_TEST(run.output.find("\"resource_type\":\"ending\"") != std::string::npos);
    BOOST_TEST(run.output.find("f   t   y   p") != std::string::npos);  // od -c of the Range read
    // The last command deleted campaign 1, and its resources with it.
    BOOST_TEST(r.c.get("/api/v1/campaigns/1").status == 404);
}

BOOST_AUTO_TEST_SUITE_END()
