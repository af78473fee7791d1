#include "omnivibe/http/auth.hpp"

#include <openssl/crypto.h>

#include <fstream>
#include <sstream>

#include "omnivibe/core/sha256.hpp"

namespace omnivibe::http {

std::string_view to_string(Scope s) {
    switch (s) {
        case Scope::read:
            return "read";
        case Scope::write:
            return "write";
        case Scope::admin:
            return "admin";
        case Scope::none:
            break;
    }
    return "none";
}

Result<TokenStore> TokenStore::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) return Error::make(ErrorCode::validation_failed, "cannot read token file " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return parse(ss.str());
}

Result<TokenStore> TokenStore::parse(std::string_view text) {
    TokenStore store;
    std::istringstream lines{std::string(text)};
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
        ++number;
        if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        std::istringstream words(line);
        std::string name, scopes, digest, extra;
        if (!(words >> name)) continue;  // blank or comment
        auto bad = [&](std::string why) {
            return Error::make(ErrorCode::validation_failed,
                               "token file line " + std::to_string(number) + ": " + why);
        };
        if (!(words >> scopes >> digest) || (words >> extra))
            return bad("expected 'name scopes sha256hex'");
        Token t{name, Scope::none, digest};
        std::size_t start = 0;
        while (start <= scopes.size()) {
            auto end = scopes.find(',', start);
            if (end == std::string::npos) end = scopes.size();
            const std::string_view s = std::string_view(scopes).substr(start, end - start);
            Scope one = s == "read"    ? Scope::read
                        : s == "write" ? Scope::write
                        : s == "admin" ? Scope::admin
                                       : Scope::none;
            if (one == Scope::none) return bad("unknown scope '" + std::string(s) + "'");
            if (!covers(t.scope, one)) t.scope = one;
            start = end + 1;
        }
        bool hex = digest.size() == 64;
        for (char c : digest) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
        if (!hex) return bad("the hash must be 64 lower-case hex digits (sha256sum of the token)");
        for (const auto& other : store.tokens_)
            if (other.name == name) return bad("token name '" + name + "' is used twice");
        store.tokens_.push_back(std::move(t));
    }
    return store;
}

const Token* TokenStore::authenticate(std::string_view presented) const {
    if (presented.empty()) return nullptr;
    const std::string digest = sha256_hex(presented);
    const Token* found = nullptr;
    // Every entry is compared, in constant time, whatever matches.
    for (const auto& t : tokens_)
        if (CRYPTO_memcmp(t.sha256_hex.data(), digest.data(), digest.size()) == 0) found = &t;
    return found;
}

}  // namespace omnivibe::http
