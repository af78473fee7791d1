#pragma once
// Result<T> and Error: how every module reports failure across its boundary.
// Exceptions are kept for "cannot continue"; everything a client or operator can
// cause travels as an Error value, and exactly one place (http/errors) maps the
// ErrorCode to a status and the JSON error shape of the spec.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace omnivibe {

/// Machine-readable error kinds; the names are the spec's wire codes.
enum class ErrorCode {
    malformed_json,
    bad_request,  ///< a malformed request line, header or framing
    unauthorized,
    forbidden,
    not_found,
    method_not_allowed,
    conflict,
    version_mismatch,
    payload_too_large,
    unsupported_media_type,
    range_not_satisfiable,
    header_too_large,
    validation_failed,
    unknown_reference,
    idempotency_key_reused,
    unavailable,
    internal,
};

/// The spec's wire name of a code, e.g. "validation_failed".
const char* to_string(ErrorCode code) noexcept;
std::ostream& operator<<(std::ostream& os, ErrorCode code);

/// One problem with one field of a request body or query.
struct FieldError {
    std::string field;
    std::string message;
};

/// A failure with a human sentence, optional per-field details and, for 412,
/// the version the client should have sent.
struct Error {
    ErrorCode code = ErrorCode::internal;
    std::string detail;
    std::vector<FieldError> errors;
    std::optional<std::int64_t> current_version;

    static Error make(ErrorCode c, std::string d) { return Error{c, std::move(d), {}, {}}; }
};

/// A value or an Error. Deliberately small: has_value / value / error.
template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
    Result(Error error) : v_(std::move(error)) {}  // NOLINT

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const& { return std::get<1>(v_); }
    Error&& error() && { return std::get<1>(std::move(v_)); }

  private:
    std::variant<T, Error> v_;
};

/// Result of an operation that yields nothing but may fail.
template <>
class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Error error) : error_(std::move(error)) {}  // NOLINT

    bool has_value() const noexcept { return !error_.has_value(); }
    explicit operator bool() const noexcept { return has_value(); }
    const Error& error() const& { return *error_; }
    Error&& error() && { return std::move(*error_); }

  private:
    std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace omnivibe
