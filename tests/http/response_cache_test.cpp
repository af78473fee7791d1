#include "omnivibe/http/list_cache.hpp"

#include <boost/test/unit_test.hpp>

using omnivibe::http::ListCache;

BOOST_AUTO_TEST_SUITE(list_cache)

BOOST_AUTO_TEST_CASE(a_page_answers_only_at_its_own_head) {
    ListCache cache(1 << 20);
    BOOST_TEST(!cache.find(5, "/api/v1/campaigns"));
    cache.store(5, "/api/v1/campaigns", "page at 5");
    BOOST_TEST(cache.find(5, "/api/v1/campaigns").value() == "page at 5");
    BOOST_TEST(!cache.find(5, "/api/v1/campaigns?page=2"));
    BOOST_TEST(!cache.find(4, "/api/v1/campaigns"));  // an older snapshot
    BOOST_TEST(!cache.find(6, "/api/v1/campaigns"));  // a write happened
    BOOST_TEST(cache.hits() == 1u);
    BOOST_TEST(cache.misses() == 4u);
}

BOOST_AUTO_TEST_CASE(a_newer_head_drops_every_page_and_an_older_one_is_not_kept) {
    ListCache cache(1 << 20);
    cache.store(5, "a", "a at 5");
    cache.store(5, "b", "b at 5");
    cache.store(6, "a", "a at 6");
    BOOST_TEST(!cache.find(5, "b"));
    BOOST_TEST(!cache.find(6, "b"));
    BOOST_TEST(cache.find(6, "a").value() == "a at 6");
    cache.store(5, "b", "b at 5, late");  // rendered in a snapshot that began before 6
    BOOST_TEST(!cache.find(5, "b"));
    BOOST_TEST(!cache.find(6, "b"));
}

BOOST_AUTO_TEST_CASE(the_byte_bound_holds_and_zero_turns_it_off) {
    ListCache cache(100);
    cache.store(1, "k1", std::string(60, 'x'));
    cache.store(1, "k2", std::string(60, 'y'));  // over the bound: the pages so far go
    BOOST_TEST(!cache.find(1, "k1"));
    BOOST_TEST(cache.find(1, "k2").value() == std::string(60, 'y'));
    cache.store(1, "big", std::string(200, 'z'));  // larger than the bound: never kept
    BOOST_TEST(!cache.find(1, "big"));

    ListCache off(0);
    off.store(1, "k", "v");
    BOOST_TEST(!off.find(1, "k"));
}

BOOST_AUTO_TEST_SUITE_END()
