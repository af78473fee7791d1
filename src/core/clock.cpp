#include "omnivibe/core/clock.hpp"

#include <chrono>
#include <cstdio>

#include "omnivibe/core/text.hpp"

namespace omnivibe {

namespace {

// Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic
// Gregorian calendar, no time-zone database needed since everything is UTC.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
}

bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

std::optional<unsigned> digits(std::string_view s, std::size_t pos, std::size_t n) {
    if (pos + n > s.size()) return std::nullopt;
    unsigned v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
        v = v * 10 + static_cast<unsigned>(s[i] - '0');
    }
    return v;
}

struct Ymd {
    std::int64_t y;
    unsigned m, d;
};

std::optional<Ymd> parse_date_prefix(std::string_view s) {
    if (s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    auto y = digits(s, 0, 4), m = digits(s, 5, 2), d = digits(s, 8, 2);
    if (!y || !m || !d || *m < 1 || *m > 12 || *d < 1) return std::nullopt;
    if (*d > days_in_month(*y, *m)) return std::nullopt;
    return Ymd{*y, *m, *d};
}

}  // namespace

UnixMillis now_millis() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_rfc3339(UnixMillis t) {
    std::int64_t days = t >= 0 ? t / 86400000 : (t - 86399999) / 86400000;
    std::int64_t ms_of_day = t - days * 86400000;
    std::int64_t y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    const auto secs = ms_of_day / 1000;
    if (y < 0 || y > 9999) {
        char buf[128];  // wide enough for every field at its widest
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                      static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                      static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60),
                      static_cast<long long>(ms_of_day % 1000));
        return buf;
    }
    // Digits by hand: every event, row and envelope carries a timestamp, and
    // snprintf showed up in replay profiles.
    std::string out = "0000-00-00T00:00:00.000Z";
    auto put = [&out](std::size_t pos, std::size_t width, std::int64_t v) {
        for (std::size_t i = 0; i < width; ++i, v /= 10)
            out[pos + width - 1 - i] = static_cast<char>('0' + v % 10);
    };
    put(0, 4, y);
    put(5, 2, m);
    put(8, 2, d);
    put(11, 2, secs / 3600);
    put(14, 2, secs / 60 % 60);
    put(17, 2, secs % 60);
    put(20, 3, ms_of_day % 1000);
    return out;
}

std::optional<UnixMillis> parse_timestamp(std::string_view s) {
    auto date = parse_date_prefix(s);
    if (!date || s.size() < 19 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        return std::nullopt;
    auto hh = digits(s, 11, 2), mi = digits(s, 14, 2), ss = digits(s, 17, 2);
    if (!hh || !mi || !ss || *hh > 23 || *mi > 59 || *ss > 59) return std::nullopt;
    std::size_t pos = 19;
    unsigned ms = 0;
    if (pos < s.size() && s[pos] == '.') {
        auto f = digits(s, pos + 1, 3);
        if (!f) return std::nullopt;
        ms = *f;
        pos += 4;
    }
    if (pos < s.size() && s[pos] == 'Z') ++pos;
    if (pos != s.size()) return std::nullopt;
    const std::int64_t days = days_from_civil(date->y, date->m, date->d);
    return ((days * 24 + *hh) * 60 + *mi) * 60000 + static_cast<std::int64_t>(*ss) * 1000 + ms;
}

bool is_valid_date(std::string_view text) {
    return text.size() == 10 && parse_date_prefix(text).has_value();
}

}  // namespace omnivibe
