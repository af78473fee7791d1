#include "omnivibe/upload/receiver.hpp"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

#include "omnivibe/core/sha256.hpp"
#include "omnivibe/upload/file_store.hpp"
#include "omnivibe/upload/media.hpp"
#include "support/test_server.hpp"

using namespace omnivibe;
using namespace omnivibe::upload;
namespace fs = std::filesystem;

namespace {

std::size_t files_in(const fs::path& dir) {
    std::size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) ++n;
    return n;
}

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct Fixture {
    test::TempDir dir;
    std::shared_ptr<FileStore> store = FileStore::open(dir.path() / "uploads").value();

    ReceiverOptions raw(std::uint64_t max = 1 << 20) {
        ReceiverOptions o;
        o.temp_dir = store->temp_dir();
        o.max_file_bytes = max;
        o.declared_type = "video/mp4";
        return o;
    }
    ReceiverOptions form(std::uint64_t max = 1 << 20) {
        ReceiverOptions o = raw(max);
        o.boundary = "b0undary";
        o.text_fields = {"resource_type", "duration"};
        return o;
    }
};

std::string form_body(std::string_view file, std::string_view filename = "x.mp4") {
    return "--b0undary\r\nContent-Disposition: form-data; name=\"resource_type\"\r\n\r\nintro\r\n"
           "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
           std::string(filename) + "\"\r\nContent-Type: video/mp4\r\n\r\n" + std::string(file) +
           "\r\n--b0undary--\r\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(upload_receiver)

BOOST_AUTO_TEST_CASE(a_raw_body_streams_to_a_temporary_file_with_its_digest) {
    Fixture f;
    Receiver r(f.raw());
    const std::string data(100000, 'v');
    for (std::size_t i = 0; i < data.size(); i += 4096)
        BOOST_REQUIRE(r.write(data.substr(i, 4096)));
    BOOST_REQUIRE(r.finish());
    auto& file = r.file();
    BOOST_REQUIRE(file.has_value());
    BOOST_TEST(file->size == data.size());
    BOOST_TEST(file->sha256 == sha256_hex(data));
    BOOST_TEST(file->head == data.substr(0, kSniffBytes));
    BOOST_TEST(file->declared_type == "video/mp4");
    BOOST_TEST(read_all(file->temp.path()) == data);
    BOOST_TEST(file->temp.path().parent_path() == f.store->temp_dir());
}

BOOST_AUTO_TEST_CASE(a_form_gives_its_fields_and_a_sanitised_filename) {
    Fixture f;
    Receiver r(f.form());
    BOOST_REQUIRE(r.write(form_body("content", "../../evil.mp4")));
    BOOST_REQUIRE(r.finish());
    BOOST_TEST(r.field("resource_type").value() == "intro");
    BOOST_TEST(!r.field("duration").has_value());
    BOOST_REQUIRE(r.file().has_value());
    BOOST_TEST(r.file()->filename == "evil.mp4");
    BOOST_TEST(r.file()->declared_type == "video/mp4");
    BOOST_TEST(read_all(r.file()->temp.path()) == "content");
}

BOOST_AUTO_TEST_CASE(a_file_over_the_limit_is_refused_while_it_streams) {
    Fixture f;
    Receiver r(f.raw(1000));
    BOOST_REQUIRE(r.write(std::string(600, 'a')));
    auto st = r.write(std::string(600, 'a'));
    BOOST_REQUIRE(!st.has_value());
    BOOST_TEST(st.error().code == ErrorCode::payload_too_large);
    Receiver exact(f.raw(1000));
    BOOST_TEST(exact.write(std::string(1000, 'a')).has_value());
}

BOOST_AUTO_TEST_CASE(unknown_and_oversized_text_fields_are_refused) {
    Fixture f;
    Receiver unknown(f.form());
    auto st =
        unknown.write("--b0undary\r\nContent-Disposition: form-data; name=\"owner\"\r\n\r\nme\r\n");
    BOOST_REQUIRE(!st.has_value());
    BOOST_TEST(st.error().code == ErrorCode::validation_failed);
    BOOST_TEST(st.error().errors.at(0).field == "owner");

    Receiver big(f.form());
    st = big.write("--b0undary\r\nContent-Disposition: form-data; name=\"duration\"\r\n\r\n" +
                   std::string(1000, '9') + "\r\n");
    BOOST_REQUIRE(!st.has_value());
    BOOST_TEST(st.error().code == ErrorCode::validation_failed);
}

BOOST_AUTO_TEST_CASE(the_head_check_can_stop_an_upload_early) {
    Fixture f;
    int calls = 0;
    Receiver r(f.raw(),
               [&](const Receiver&, std::string_view head, std::string_view declared) -> Status {
                   ++calls;
                   BOOST_TEST(head.size() == kSniffBytes);
                   BOOST_TEST(declared == "video/mp4");
                   return Error::make(ErrorCode::unsupported_media_type, "no");
               });
    BOOST_REQUIRE(r.write(std::string(10, 'a')));  // not enough to judge yet
    auto st = r.write(std::string(100, 'a'));
    BOOST_REQUIRE(!st.has_value());
    BOOST_TEST(st.error().code == ErrorCode::unsupported_media_type);
    BOOST_TEST(calls == 1);

    // A file smaller than the sniffing window is judged when it ends.
    Receiver small(f.raw(),
                   [&](const Receiver&, std::string_view head, std::string_view) -> Status {
                       BOOST_TEST(head == "tiny");
                       return {};
                   });
    BOOST_REQUIRE(small.write("tiny"));
    BOOST_TEST(small.finish().has_value());
}

BOOST_AUTO_TEST_CASE(an_abandoned_upload_leaves_no_temporary_file) {
    Fixture f;
    {
        Receiver r(f.form());
        const std::string body = form_body("partial");
        BOOST_REQUIRE(r.write(body.substr(0, body.size() - 20)));  // inside the file part
        BOOST_TEST(files_in(f.store->temp_dir()) == 1u);
    }
    BOOST_TEST(files_in(f.store->temp_dir()) == 0u);
    {
        Receiver r(f.raw(10));
        BOOST_TEST(!r.write(std::string(20, 'x')).has_value());
    }
    BOOST_TEST(files_in(f.store->temp_dir()) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(file_store)

namespace {
TempFile finished(FileStore& store, std::string_view content) {
    auto t = TempFile::create(store.temp_dir()).value();
    BOOST_REQUIRE(t.write(content));
    BOOST_REQUIRE(t.sync_and_close());
    return t;
}
}  // namespace

BOOST_AUTO_TEST_CASE(stores_content_once_under_its_digest) {
    Fixture f;
    const std::string sha = sha256_hex("same bytes");
    auto a = finished(*f.store, "same bytes");
    auto b = finished(*f.store, "same bytes");
    auto pa = f.store->place(a, sha);
    auto pb = f.store->place(b, sha);
    BOOST_REQUIRE(pa && pb);
    (*pa)->keep();
    (*pb)->keep();
    const fs::path where = f.store->path_of(sha).value();
    BOOST_TEST(where == f.dir.path() / "uploads" / sha.substr(0, 2) / sha);
    BOOST_TEST(read_all(where) == "same bytes");
    BOOST_TEST(files_in(f.dir.path() / "uploads") == 1u);
    BOOST_TEST(((fs::status(where).permissions() & fs::perms::others_read) == fs::perms::none));
}

BOOST_AUTO_TEST_CASE(only_digests_become_paths) {
    Fixture f;
    BOOST_TEST(!f.store->path_of("../../etc/passwd").has_value());
    BOOST_TEST(!f.store->path_of(std::string(64, 'G')).has_value());
    BOOST_TEST(!f.store->path_of(std::string(63, 'a')).has_value());
    BOOST_TEST(f.store->path_of(std::string(64, 'a')).has_value());
}

BOOST_AUTO_TEST_CASE(a_placement_whose_write_failed_removes_the_file_it_created) {
    Fixture f;
    const std::string sha = sha256_hex("lost");
    {
        auto t = finished(*f.store, "lost");
        auto p = f.store->place(t, sha);
        BOOST_REQUIRE(p);
        BOOST_TEST(fs::exists(f.store->path_of(sha).value()));
    }
    BOOST_TEST(!fs::exists(f.store->path_of(sha).value()));
    BOOST_TEST(files_in(f.dir.path() / "uploads") == 0u);
}

BOOST_AUTO_TEST_CASE(a_failed_placement_keeps_a_file_another_upload_still_needs) {
    Fixture f;
    const std::string sha = sha256_hex("shared");
    auto t1 = finished(*f.store, "shared");
    auto t2 = finished(*f.store, "shared");
    auto first = f.store->place(t1, sha).value();
    auto second = f.store->place(t2, sha).value();
    first.reset();  // its write failed
    BOOST_TEST(fs::exists(f.store->path_of(sha).value()));
    second->keep();  // its write succeeded
    second.reset();
    BOOST_TEST(fs::exists(f.store->path_of(sha).value()));
}

BOOST_AUTO_TEST_CASE(a_failed_placement_never_removes_content_stored_before) {
    Fixture f;
    const std::string sha = sha256_hex("old");
    {
        auto t = finished(*f.store, "old");
        f.store->place(t, sha).value()->keep();
    }
    {
        auto t = finished(*f.store, "old");
        auto p = f.store->place(t, sha);  // and dropped without keep()
    }
    BOOST_TEST(fs::exists(f.store->path_of(sha).value()));
}

BOOST_AUTO_TEST_CASE(opening_the_store_clears_abandoned_temporary_files) {
    Fixture f;
    {
        auto t = TempFile::create(f.store->temp_dir()).value();
        t.release();  // as if the process had died
    }
    BOOST_TEST(files_in(f.store->temp_dir()) == 1u);
    auto again = FileStore::open(f.dir.path() / "uploads");
    BOOST_REQUIRE(again);
    BOOST_TEST(files_in(f.store->temp_dir()) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
