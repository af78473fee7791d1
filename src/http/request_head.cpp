#include "request_head.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>

#include "omnivibe/core/text.hpp"

namespace omnivibe::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

void prepare_head_parser(HeadParser& parser, std::size_t max_header_bytes) {
    parser.header_limit(static_cast<std::uint32_t>(max_header_bytes));
    parser.body_limit(boost::none);
}

bool client_went_away(const beast::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == net::error::operation_aborted ||
           ec == beast::error::timeout || ec == net::error::connection_reset ||
           ec == net::error::broken_pipe || ec == net::error::eof;
}

std::optional<Error> refusal_of_head(const beast::error_code& ec, const HeadParser& parser) {
    if (ec == bhttp::error::header_limit)
        return Error::make(ErrorCode::header_too_large, "The request headers are too large.");
    if (ec)
        return Error::make(ErrorCode::bad_request,
                           "The request could not be parsed: " + ec.message() + ".");
    // A Transfer-Encoding that does not end in chunked leaves the body's end
    // unknown: reading it as empty would take the body for the next request
    // (request smuggling). RFC 9112 section 6.3: answer 400 and close.
    if (parser.get().count(bhttp::field::transfer_encoding) && !parser.chunked())
        return Error::make(ErrorCode::bad_request, "Transfer-Encoding must end with chunked.");
    return std::nullopt;
}

Error body_too_large(std::uint64_t limit) {
    return Error::make(ErrorCode::payload_too_large,
                       "The body is larger than " + std::to_string(limit) + " bytes.");
}

std::optional<Error> refusal_of_length(const HeadParser& parser, std::uint64_t limit) {
    if (auto len = parser.content_length(); len && *len > limit) return body_too_large(limit);
    return std::nullopt;
}

Request request_from_head(const HeadParser& parser, std::string remote) {
    const auto& head = parser.get();
    Request req;
    req.method = method_from_string(head.method_string());
    req.target = std::string(head.target());
    const auto q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos) req.query = req.target.substr(q + 1);
    for (const auto& field : head)
        req.headers.emplace_back(ascii_lower(field.name_string()), field.value());
    req.remote = std::move(remote);
    return req;
}

}  // namespace omnivibe::http
