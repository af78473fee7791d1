#pragma once
// SHA-256, for the event hash chain, idempotency fingerprints, content-addressed
// uploads and token files. Implemented over OpenSSL's libcrypto.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace omnivibe {

/// Lower-case hex SHA-256 of the bytes.
std::string sha256_hex(std::string_view bytes);

/// Incremental SHA-256 for data that arrives in pieces (uploads, hash chain rows).
class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::string_view bytes);
    /// Finishes and returns lower-case hex; the object may not be updated after.
    std::string hex_digest();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace omnivibe
