#pragma once
// A small streaming JSON writer that appends to one std::string.
//
// Why our own and not a library: every response and every event row goes
// through it, so it must not allocate per value, and numbers must be printed
// the way people read them (0.3, not 3E-1) while still round-tripping. It
// trusts its caller to emit keys and values in a valid order; strings must be
// valid UTF-8 (validated at the edge), and are escaped per RFC 8259.

#include <cstdint>
#include <string>
#include <string_view>

namespace omnivibe::json {

class Writer {
  public:
    Writer() { out_.reserve(256); }

    Writer& begin_object();
    Writer& end_object();
    Writer& begin_array();
    Writer& end_array();
    /// Emits `"name":`; the next call writes its value.
    Writer& key(std::string_view name);
    Writer& string(std::string_view s);
    Writer& integer(std::int64_t v);
    /// Shortest representation that reads back to the same double; NaN/inf as null.
    Writer& number(double v);
    Writer& boolean(bool v);
    Writer& null();
    /// Inserts already-serialised JSON as one value (e.g. a stored event's data).
    Writer& raw(std::string_view json);

    std::string_view view() const noexcept { return out_; }
    std::string take() { return std::move(out_); }
    void clear() {
        out_.clear();
        need_comma_ = false;
    }

  private:
    void separate();
    std::string out_;
    bool need_comma_ = false;
};

/// Appends `s` as a quoted, escaped JSON string to `out`.
void append_quoted(std::string& out, std::string_view s);

}  // namespace omnivibe::json
