#pragma once
// Bearer tokens and scopes (SPEC section 7).
//
// The token file holds lines `name scopes sha256hex` (`#` starts a comment):
// only hashes are stored, so the file leaks no usable secret. A presented
// token is hashed and compared with every entry in constant time. `write`
// includes `read`; `admin` includes both. The token's name becomes the actor
// recorded in events.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "omnivibe/core/result.hpp"

namespace omnivibe::http {

enum class Scope : std::uint8_t { none = 0, read = 1, write = 2, admin = 3 };

struct Token {
    std::string name;
    Scope scope = Scope::read;  ///< the highest scope granted
    std::string sha256_hex;     ///< of the secret token
};

class TokenStore {
  public:
    /// Parses a token file; errors name the line.
    static Result<TokenStore> load(const std::string& path);
    static Result<TokenStore> parse(std::string_view text);

    /// The token whose secret hashes to an entry, compared in constant time.
    const Token* authenticate(std::string_view presented) const;
    bool empty() const noexcept { return tokens_.empty(); }
    std::size_t size() const noexcept { return tokens_.size(); }

  private:
    std::vector<Token> tokens_;
};

/// "read" / "write" / "admin".
std::string_view to_string(Scope s);
/// True when `granted` covers `needed` (admin ⊇ write ⊇ read).
inline bool covers(Scope granted, Scope needed) {
    return static_cast<std::uint8_t>(granted) >= static_cast<std::uint8_t>(needed);
}

}  // namespace omnivibe::http
