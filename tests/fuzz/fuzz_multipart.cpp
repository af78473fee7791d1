// libFuzzer target for the multipart parser (SPEC section 11). Each input is a
// body; its first byte picks a piece size. The body is parsed whole and in
// pieces: neither may crash or trip ASan/UBSan, and both must give the same
// parts or the same kind of error. The filenames found go through
// safe_filename(), whose result must never hold a path separator.
//
//   CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DOMNIVIBE_FUZZ=ON
//   cmake --build build-fuzz --target multipart_fuzz
//   build-fuzz/bin/multipart_fuzz -max_total_time=60 tests/fuzz/corpus/multipart

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "omnivibe/upload/multipart.hpp"

using namespace omnivibe;
using namespace omnivibe::upload;

namespace {

constexpr std::string_view kBoundary = "fuzzBoundary";

struct Collect final : PartHandler {
    std::vector<Part> parts;
    Status on_part_begin(const PartInfo& i) override {
        parts.push_back({i, {}});
        return {};
    }
    Status on_part_data(std::string_view b) override {
        parts.back().data.append(b);
        return {};
    }
    Status on_part_end() override { return {}; }
};

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t step = 1 + data[0] % 64;
    const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

    auto whole = parse_form_data(body, kBoundary);

    Collect collect;
    MultipartParser parser(std::string(kBoundary), collect);
    Status st;
    for (std::size_t i = 0; i < body.size() && st; i += step)
        st = parser.feed(body.substr(i, step));
    if (st) st = parser.finish();

    check(whole.has_value() == st.has_value());
    if (!whole) {
        check(whole.error().code == st.error().code);
        return 0;
    }
    check(whole->size() == collect.parts.size());
    for (std::size_t i = 0; i < whole->size(); ++i) {
        check((*whole)[i].info.name == collect.parts[i].info.name);
        check((*whole)[i].data == collect.parts[i].data);
        if (const auto& f = (*whole)[i].info.filename) {
            const std::string safe = safe_filename(*f);
            check(safe.find('/') == std::string::npos && safe.find('\\') == std::string::npos);
            check(safe != "." && safe != ".." && safe.size() <= 255);
        }
    }
    // Content-Type parsing sees the same bytes as a header value.
    (void)form_data_boundary(body.substr(0, 200));
    return 0;
}
