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
    for (char c : from_client) sane = sane && c > 0x20 && c < 0x7f;
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

Status Dispatcher::authorize(Request& req, Scope needed, bool token_in_query) const {
    if (!options_.tokens || options_.tokens->empty() || needed == Scope::none) return {};
    std::string presented;
    const std::string_view auth = req.header("authorization");
    if (auth.size() > 7 && (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer "))
        presented = std::string(auth.substr(7));
    else if (token_in_query)
        presented = req.query_param("access_token").value_or("");
    const Token* token = options_.tokens->authenticate(presented);
    if (!token)
        return Error::make(ErrorCode::unauthorized, presented.empty()
                                                        ? "A bearer token is required."
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

// Runs wherever the answer is made (for writes, a network thread other than the
// session's strand, as the writer hands its answers over), so it only touches
// the request it is given, atomics and the metrics' own lock.
void Dispatcher::answer(const Request& req, Response& resp, Clock::time_point started) {
    resp.set("X-Request-Id", req.request_id);
    const std::string_view origin = req.header("origin");
    if (!origin.empty() && origin_allowed(origin)) {
        resp.set("Access-Control-Allow-Origin", std::string(origin));
        resp.set("Vary", "Origin");
        resp.set("Access-Control-Expose-Headers", std::string(kExposed));
    }
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    const std::size_t bytes = resp.file ? resp.file->length : resp.body.size();
    log::request({to_string(req.method), req.route, req.path, resp.status, bytes, ms,
                  req.request_id, req.actor, resp.error_code});
    if (options_.metrics)
        options_.metrics->observe_request(to_string(req.method), req.route, resp.status,
                                          ms / 1000.0);
    stats_.responses.fetch_add(1, std::memory_order_relaxed);
}

Result<Admission> Dispatcher::admit(Request& head) {
    Admission a;
    if (head.request_id.empty()) head.request_id = make_request_id(head.header("x-request-id"));
    // CORS preflight: answered before routing and without credentials.
    if (head.method == Method::options && !head.header("access-control-request-method").empty()) {
        a.preflight_ = true;
        return a;
    }
    a.route_ = router_.match(head.method, head.path);
    const auto* hit = std::get_if<Router::Match>(&a.route_);
    // A path that is no route needs a token all the same: the map of what
    // exists is not shown to anonymous clients.
    const RouteRules rules = hit ? *hit->rules : RouteRules{};
    a.body_ = hit ? rules.body : BodyMode::json;
    // A request refused before its body (413) is logged and counted under its route.
    if (hit) head.route = std::string(hit->pattern);
    if (auto allowed = authorize(head, rules.scope, rules.token_in_query); !allowed) {
        head.route = "unauthorized";
        // Credentials before the opener looks anything up or a byte reaches the
        // disk: an anonymous client may neither probe ids nor fill the uploads
        // folder. Other bodies are small; they are read, keeping the connection.
        if (a.body_ == BodyMode::streamed) return allowed.error();
        a.refusal_ = std::move(allowed.error());
        a.body_ = BodyMode::json;
        return a;
    }
    if (a.body_ == BodyMode::streamed) {
        try {
            auto sink = (*hit->opener)(head, hit->params);
            if (!sink) return sink.error();
            a.sink_ = std::move(sink).value();
        } catch (const std::exception& e) {
            return Error::make(ErrorCode::internal, e.what());
        }
    }
    return a;
}

void Dispatcher::dispatch(Request req, std::function<void(Response)> done) {
    auto admitted = admit(req);
    if (!admitted) return reject(std::move(req), admitted.error(), std::move(done));
    dispatch(std::move(req), std::move(admitted).value(), std::move(done));
}

void Dispatcher::dispatch(Request req, Admission admission, std::function<void(Response)> done) {
    if (req.request_id.empty()) req.request_id = make_request_id(req.header("x-request-id"));
    auto request = std::make_shared<Request>(std::move(req));
    auto finish_and_send = [this, request, started = admission.started_,
                            done = std::move(done)](Response resp) {
        answer(*request, resp, started);
        done(std::move(resp));
    };

    Request& r = *request;
    if (admission.preflight_) {
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
    if (admission.refusal_) {
        r.route = "unauthorized";
        Response resp = error_response(*admission.refusal_, r.request_id);
        if (admission.refusal_->code == ErrorCode::unauthorized)
            resp.set("WWW-Authenticate", "Bearer");
        return finish_and_send(std::move(resp));
    }
    if (auto* miss = std::get_if<Router::NoMatch>(&admission.route_)) {
        r.route = "unmatched";
        Response resp = error_response(miss->error, r.request_id);
        if (!miss->allow.empty()) resp.set("Allow", miss->allow);
        return finish_and_send(std::move(resp));
    }
    const auto& hit = std::get<Router::Match>(admission.route_);
    r.route = std::string(hit.pattern);
    r.cacheable = hit.rules->cacheable;
    if (hit.rules->body == BodyMode::none) r.body.clear();  // read only to keep the framing
    if (!r.query_well_formed()) {
        Error e = Error::make(ErrorCode::validation_failed, "The query string is malformed.");
        e.errors.push_back({"query", "has a broken percent-escape"});
        return finish_and_send(error_response(e, r.request_id));
    }
    // The route lives as long as the router; the request as long as the
    // reply, which holds it.
    auto run = [this, request, handler = hit.handler, params = hit.params, finish_and_send] {
        Request& r = *request;
        try {
            // A target that produced an answer at this log head has no other
            // answer: malformed parameters never produce one to keep, so
            // looking before the handler validates them is safe.
            if (r.cacheable && options_.cached_answer)
                if (auto kept = options_.cached_answer(r)) return finish_and_send(std::move(*kept));
            (*handler)(r, params, finish_and_send);
        } catch (const std::exception& e) {
            finish_and_send(
                error_response(Error::make(ErrorCode::internal, e.what()), r.request_id));
        }
    };
    if (!hit.rules->at_min_event_seq || !options_.min_event_seq) return run();
    try {
        options_.min_event_seq(r, std::move(run), finish_and_send);
    } catch (const std::exception& e) {
        finish_and_send(error_response(Error::make(ErrorCode::internal, e.what()), r.request_id));
    }
}

void Dispatcher::reject(Request req, const Error& error, std::function<void(Response)> done) {
    const auto started = Clock::now();
    if (req.request_id.empty()) req.request_id = make_request_id(req.header("x-request-id"));
    if (req.route.empty()) req.route = "refused";
    Response resp = error_response(error, req.request_id);
    if (error.code == ErrorCode::unauthorized) resp.set("WWW-Authenticate", "Bearer");
    answer(req, resp, started);
    done(std::move(resp));
}

}  // namespace omnivibe::http
