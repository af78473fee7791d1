// The one BOOST_TEST_MODULE of every test executable (Boost.Test as a shared library).
#define BOOST_TEST_MODULE omnivibe
#include <boost/test/unit_test.hpp>
