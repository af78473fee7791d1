#include "omnivibe/http/dispatcher.hpp"

#include <chrono>
#include <random>

#include "omnivibe/core/log.hpp"
#include "omnivibe/http/errors.hpp"

namespace omnivibe::http {

namespace {
constexpr std::string_view kExposed = "ETag, X-Event-Seq, X-Request-Id, Idempotent-Replayed";
constexpr std::string_view kAllowHeaders =
    "Content-Type, Authorization, If-Match, If-None-Match, Idempotency-Key, X-Request-Id, "
    "Last-Event-ID, Range, X-Min-Event-Seq";
}  // namespace

std::string make_request_id(std::string_view from_client) {
    bool sane = !from_client.empty() && from_client.size() <= 128;
    for (char c : from_client)
        sane = sane && c > 0x20 && c < 0x7f;
    if (sane) return std::string(from_client);
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id(16, '0');
    auto bits = rng();
    for (auto& c : id) {
        c = kHex[bits & 15];
        bits >>= 4;
    }
    return id;
}

Scope required_scope(Method method, std::string_view path) {
    if (path == "/healthz" || path == "/readyz") return Scope::none;
    if (path.starts_with("/metrics") || path.starts_with("/api/v1/events") ||
        path.find("/history") != std::string_view::npos)
        return Scope::admin;
    if (method == Method::get || method == Method::head) return Scope::read;
    return Scope::write;
}

Status Dispatcher::authorize(Request& req) const {
    const Scope needed = required_scope(req.method, req.path);
    if (!options_.tokens || options_.tokens->empty() || needed == Scope::none) return {};
    std::string presented;
    const std::string_view auth = req.header("authorization");
    if (auth.size() > 7 && (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer "))
        presented = std::string(auth.substr(7));
    else if (req.path.starts_with("/api/v1/changes"))
        // Browsers' EventSource cannot set headers: the feed alone takes the token in the query.
        presented = req.query_param("access_token").value_or("");
    const Token* token = options_.tokens->authenticate(presented);
    if (!token)
        return Error::make(ErrorCode::unauthorized,
                           presented.empty() ? "A bearer token is required."
                                             : "The bearer token is not valid.");
    req.actor = token->name;
    if (!covers(token->scope, needed))
        return Error::make(ErrorCode::forbidden, "This request needs the '" +
                                                     std::string(to_string(needed)) +
                                                     "' scope, which the token lacks.");
    return {};
}

Dispatcher::Dispatcher(const Router& router, DispatchOptions options)
    : router_(router), options_(std::move(options)) {}

bool Dispatcher::origin_allowed(std::string_view origin) const {
    for (const auto& o : options_.cors_origins)
        if (o == origin || o == "*") return true;
    return false;
}

void Dispatcher::finish(const Request& req, Response& resp) const {
    resp.set("X-Request-Id", req.request_id);
    const std::string_view origin = req.header("origin");
    if (!origin.empty() && origin_allowed(origin)) {
        resp.set("Access-Control-Allow-Origin", std::string(origin));
        resp.set("Vary", "Origin");
        resp.set("Access-Control-Expose-Headers", std::string(kExposed));
    }
}

void Dispatcher::dispatch(Request req, std::function<void(Response)> done) {
    const auto started = std::chrono::steady_clock::now();
    stats_.requests.fetch_add(1, std::memory_order_relaxed);
    if (req.request_id.empty()) req.request_id = make_request_id(req.header("x-request-id"));

    // The finishing step runs wherever the handler answers (for writes, a
    // network thread other than the session's strand, as the writer hands its
    // answers over), so it only touches the request it owns and atomics.
    auto request = std::make_shared<Request>(std::move(req));
    auto finish_and_send = [this, request, started, done = std::move(done)](Response resp) {
        finish(*request, resp);
        const double ms = std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - started)
                              .count();
        const std::size_t bytes = resp.file ? resp.file->length : resp.body.size();
        log::request({to_string(request->method), request->route, request->path, resp.status,
                      bytes, ms, request->request_id, request->actor});
        if (options_.metrics)
            options_.metrics->observe_request(to_string(request->method), request->route,
                                              resp.status, ms / 1000.0);
        done(std::move(resp));
    };

    Request& r = *request;
    // CORS preflight: answered here, before routing and without credentials.
    if (r.method == Method::options && !r.header("access-control-request-method").empty()) {
        r.route = "preflight";
        Response resp;
        resp.status = 204;
        resp.content_type.clear();
        const std::string_view origin = r.header("origin");
        if (origin_allowed(origin)) {
            resp.set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
            resp.set("Access-Control-Allow-Headers", std::string(kAllowHeaders));
            resp.set("Access-Control-Max-Age", "600");
        }
        return finish_and_send(std::move(resp));
    }

    if (auto allowed = authorize(r); !allowed) {
        r.route = "unauthorized";
        Response resp = error_response(allowed.error(), r.request_id);
        if (allowed.error().code == ErrorCode::unauthorized)
            resp.set("WWW-Authenticate", "Bearer");
        return finish_and_send(std::move(resp));
    }

    auto match = router_.match(r.method, r.path);
    if (auto* miss = std::get_if<Router::NoMatch>(&match)) {
        r.route = "unmatched";
        Response resp = error_response(miss->error, r.request_id);
        if (!miss->allow.empty()) resp.set("Allow", miss->allow);
        return finish_and_send(std::move(resp));
    }
    auto& hit = std::get<Router::Match>(match);
    r.route = std::string(hit.pattern);
    if (!r.query_well_formed()) {
        Error e = Error::make(ErrorCode::validation_failed, "The query string is malformed.");
        e.errors.push_back({"query", "has a broken percent-escape"});
        return finish_and_send(error_response(e, r.request_id));
    }
    try {
        (*hit.handler)(r, hit.params, finish_and_send);
    } catch (const std::exception& e) {
        finish_and_send(error_response(Error::make(ErrorCode::internal, e.what()), r.request_id));
    }
}

Result<std::shared_ptr<BodySink>> Dispatcher::open_body(Request& head) {
    if (head.request_id.empty()) head.request_id = make_request_id(head.header("x-request-id"));
    auto match = router_.match(head.method, head.path);
    auto* hit = std::get_if<Router::Match>(&match);
    // Unknown routes read (and bound) the body as usual and answer 404/405 after.
    if (!hit || !hit->opener) return std::shared_ptr<BodySink>();
    // Credentials before the opener looks anything up or a byte reaches the
    // disk: an anonymous client may neither probe ids nor fill the uploads folder.
    if (auto allowed = authorize(head); !allowed) {
        head.route = "unauthorized";
        return allowed.error();
    }
    head.route = std::string(hit->pattern);
    try {
        return (*hit->opener)(head, hit->params);
    } catch (const std::exception& e) {
        return Error::make(ErrorCode::internal, e.what());
    }
}

void Dispatcher::reject(Request req, const Error& error, std::function<void(Response)> done) {
    const auto started = std::chrono::steady_clock::now();
    stats_.requests.fetch_add(1, std::memory_order_relaxed);
    if (req.request_id.empty()) req.request_id = make_request_id(req.header("x-request-id"));
    if (req.route.empty()) req.route = "refused";
    Response resp = error_response(error, req.request_id);
    if (error.code == ErrorCode::unauthorized) resp.set("WWW-Authenticate", "Bearer");
    finish(req, resp);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    log::request({to_string(req.method), req.route, req.path, resp.status, resp.body.size(), ms,
                  req.request_id, req.actor});
    done(std::move(resp));
}

}  // namespace omnivibe::http
