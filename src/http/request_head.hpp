#pragma once
// What a request head alone decides, before a byte of its body is read: the
// refusals of a head that does not parse, is too large or has framing that
// cannot be trusted, and of a declared body over the limit; our Request from
// a parsed head. The HTTP session calls these on a socket; tests call them on
// beast::test::stream. Private to src/http.

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "omnivibe/core/result.hpp"
#include "omnivibe/http/message.hpp"

namespace omnivibe::http {

using HeadParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

/// Readies `parser` for the next request head: headers bounded by
/// `max_header_bytes`; no body limit yet, since it depends on the route.
void prepare_head_parser(HeadParser& parser, std::size_t max_header_bytes);

/// After the head was read with `ec`: the answer that refuses it (431
/// header_too_large, 400 bad_request for a head that does not parse or a
/// Transfer-Encoding not ending in chunked), or nothing when it may go on.
/// Errors of a client that went away are not refusals: call client_went_away() first.
std::optional<Error> refusal_of_head(const boost::beast::error_code& ec, const HeadParser& parser);

/// 413 when the head declares a Content-Length above `limit`.
std::optional<Error> refusal_of_length(const HeadParser& parser, std::uint64_t limit);

/// 413 for a body larger than `limit` bytes.
Error body_too_large(std::uint64_t limit);

/// Our Request from a parsed head (names lower-case), from peer `remote`.
Request request_from_head(const HeadParser& parser, std::string remote);

/// True for the read errors of a client that went away or timed out: normal, not refusals.
bool client_went_away(const boost::beast::error_code& ec);

}  // namespace omnivibe::http
