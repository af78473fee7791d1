#include "omnivibe/http/response_cache.hpp"

#include <boost/test/unit_test.hpp>

using omnivibe::http::ResponseCache;

namespace {
// The body kept for `key` at `head`, or "" when there is none.
std::string body_at(ResponseCache& cache, std::int64_t head, std::string_view key) {
    auto kept = cache.find(head, key);
    return kept ? kept->body : "";
}
}  // namespace

BOOST_AUTO_TEST_SUITE(response_cache)

BOOST_AUTO_TEST_CASE(an_answer_serves_only_at_its_own_head) {
    ResponseCache cache(1 << 20);
    BOOST_TEST(!cache.find(5, "/api/v1/campaigns"));
    cache.store(5, "/api/v1/campaigns", {"page at 5", 0});
    BOOST_TEST(body_at(cache, 5, "/api/v1/campaigns") == "page at 5");
    BOOST_TEST(!cache.find(5, "/api/v1/campaigns?page=2"));
    BOOST_TEST(!cache.find(4, "/api/v1/campaigns"));  // an older snapshot
    BOOST_TEST(!cache.find(6, "/api/v1/campaigns"));  // a write happened
    BOOST_TEST(cache.hits() == 1u);
    BOOST_TEST(cache.misses() == 4u);
}

BOOST_AUTO_TEST_CASE(an_entity_keeps_its_version_for_the_etag) {
    ResponseCache cache(1 << 20);
    cache.store(9, "/api/v1/campaigns/3", {"{\"id\":3}", 4});
    auto kept = cache.find(9, "/api/v1/campaigns/3");
    BOOST_REQUIRE(kept);
    BOOST_TEST(kept->body == "{\"id\":3}");
    BOOST_TEST(kept->version == 4);
}

BOOST_AUTO_TEST_CASE(a_newer_head_drops_every_answer_and_an_older_one_is_not_kept) {
    ResponseCache cache(1 << 20);
    cache.store(5, "a", {"a at 5", 0});
    cache.store(5, "b", {"b at 5", 0});
    cache.store(6, "a", {"a at 6", 0});
    BOOST_TEST(!cache.find(5, "b"));
    BOOST_TEST(!cache.find(6, "b"));
    BOOST_TEST(body_at(cache, 6, "a") == "a at 6");
    cache.store(5, "b", {"b at 5, late", 0});  // rendered in a snapshot that began before 6
    BOOST_TEST(!cache.find(5, "b"));
    BOOST_TEST(!cache.find(6, "b"));
}

BOOST_AUTO_TEST_CASE(a_kept_answer_outlives_the_head_that_dropped_it) {
    ResponseCache cache(1 << 20);
    cache.store(1, "k", {"at 1", 0});
    auto kept = cache.find(1, "k");
    cache.store(2, "k", {"at 2", 0});  // drops the entry the caller still holds
    BOOST_TEST(kept->body == "at 1");
}

BOOST_AUTO_TEST_CASE(the_byte_bound_holds_and_zero_turns_it_off) {
    ResponseCache cache(300);
    cache.store(1, "k1", {std::string(100, 'x'), 0});
    cache.store(1, "k2", {std::string(100, 'y'), 0});  // over the bound: the answers so far go
    BOOST_TEST(!cache.find(1, "k1"));
    BOOST_TEST(body_at(cache, 1, "k2") == std::string(100, 'y'));
    cache.store(1, "big", {std::string(400, 'z'), 0});  // larger than the bound: never kept
    BOOST_TEST(!cache.find(1, "big"));

    ResponseCache off(0);
    off.store(1, "k", {"v", 0});
    BOOST_TEST(!off.find(1, "k"));
}

BOOST_AUTO_TEST_SUITE_END()
