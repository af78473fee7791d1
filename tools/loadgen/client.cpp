#include "client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <thread>

namespace omnivibe::loadgen {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto kNoThrow = net::as_tuple(net::use_awaitable);

std::string failure_kind(const beast::error_code& ec) {
    if (ec == beast::error::timeout) return "timeout";
    if (ec == net::error::connection_refused) return "connect";
    if (ec == net::error::connection_reset || ec == net::error::broken_pipe ||
        ec == net::error::eof || ec == bhttp::error::end_of_stream ||
        ec == bhttp::error::partial_message)
        return "closed";
    if (ec.category() == beast::error_code(bhttp::error::bad_version).category()) return "protocol";
    return "io";
}

tcp::endpoint endpoint_of(const Target& t) {
    const std::string host = t.host == "localhost" ? "127.0.0.1" : t.host;
    return {net::ip::make_address(host), t.port};
}

std::chrono::steady_clock::duration timeout_of(const Target& t) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(t.timeout_s));
}

Answer to_answer(bhttp::response<bhttp::string_body>&& res) {
    Answer a;
    a.status = static_cast<int>(res.result_int());
    a.keep_alive = res.keep_alive();
    if (auto it = res.find("X-Event-Seq"); it != res.end()) a.event_seq = std::string(it->value());
    a.body = std::move(res.body());
    return a;
}

net::awaitable<void> connection_loop(const Target& target, Budget& budget, const LoadHooks& hooks,
                                     Connection& conn) {
    auto ex = co_await net::this_coro::executor;
    const auto endpoint = endpoint_of(target);
    const auto timeout = timeout_of(target);
    std::optional<beast::tcp_stream> stream;
    // Room for a whole list page per read: Beast sizes each read by the
    // buffer's free capacity, and a small buffer cost a recv per 1-4 KB.
    beast::flat_buffer buffer;
    buffer.reserve(64 * 1024);
    net::steady_timer timer(ex);
    while (auto ticket = budget.take()) {
        if (budget.paced() && ticket->due > Clock::now()) {
            timer.expires_at(ticket->due);
            co_await timer.async_wait(kNoThrow);
        }
        const auto sent = budget.paced() ? ticket->due : Clock::now();
        if (!stream) {
            stream.emplace(ex);
            stream->expires_after(timeout);
            auto [ec] = co_await stream->async_connect(endpoint, kNoThrow);
            if (ec) {
                conn.tally.fail(failure_kind(ec) == "timeout" ? "timeout" : "connect");
                stream.reset();
                // Do not spin against a server that is not there.
                timer.expires_after(std::chrono::milliseconds(50));
                co_await timer.async_wait(kNoThrow);
                continue;
            }
            stream->socket().set_option(tcp::no_delay(true));
            buffer.clear();
        }
        const std::string wire = serialize(target, hooks.make(conn, ticket->index));
        stream->expires_after(timeout);
        auto [wec, wn] = co_await net::async_write(*stream, net::buffer(wire), kNoThrow);
        if (wec) {
            conn.tally.fail(failure_kind(wec));
            stream.reset();
            continue;
        }
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64 << 20);
        auto [rec, rn] = co_await bhttp::async_read(*stream, buffer, parser, kNoThrow);
        if (rec) {
            conn.tally.fail(failure_kind(rec));
            stream.reset();
            continue;
        }
        const auto micros =
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent).count();
        Answer answer = to_answer(parser.release());
        conn.tally.answer(answer.status,
                          static_cast<std::uint64_t>(std::max<long long>(0, micros)));
        if (hooks.on_answer) hooks.on_answer(conn, answer);
        if (!answer.keep_alive) stream.reset();
    }
    conn.finished = Clock::now();
    if (stream) {
        beast::error_code ignored;
        stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
}

void rethrow(std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
}

}  // namespace

std::optional<Budget::Ticket> Budget::take() {
    const auto now = Clock::now();
    if (duration_s_ > 0 && now - start_ >= std::chrono::duration<double>(duration_s_))
        return std::nullopt;
    const std::uint64_t i = next_.fetch_add(1, std::memory_order_relaxed);
    if (requests_ > 0 && i >= requests_) return std::nullopt;
    Ticket t{i, now};
    if (rate_ > 0) {
        t.due = start_ + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(static_cast<double>(i) / rate_));
        // A paced ticket due after the end of the run is not sent at all.
        if (duration_s_ > 0 && t.due - start_ >= std::chrono::duration<double>(duration_s_))
            return std::nullopt;
    }
    return t;
}

std::string serialize(const Target& target, const RequestSpec& spec,
                      std::string_view extra_headers) {
    std::string out;
    out.reserve(160 + spec.target.size() + spec.body.size());
    out.append(spec.method);
    out += ' ';
    out += spec.target;
    out += " HTTP/1.1\r\nHost: ";
    out += target.host;
    out += ':';
    out += std::to_string(target.port);
    out += "\r\n";
    if (!spec.body.empty() || spec.method == "POST" || spec.method == "PATCH" ||
        spec.method == "PUT") {
        out += "Content-Type: application/json\r\nContent-Length: ";
        out += std::to_string(spec.body.size());
        out += "\r\n";
    }
    if (!target.token.empty()) {
        out += "Authorization: Bearer ";
        out += target.token;
        out += "\r\n";
    }
    out += extra_headers;
    out += "\r\n";
    out += spec.body;
    return out;
}

LoadResult run_load(const Target& target, unsigned connections, unsigned threads, Budget& budget,
                    const LoadHooks& hooks) {
    net::io_context ioc(static_cast<int>(threads));
    std::vector<Connection> conns(connections);
    std::random_device rd;
    budget.start();
    for (unsigned i = 0; i < connections; ++i) {
        conns[i].index = i;
        conns[i].rng.seed((std::uint64_t{rd()} << 32) ^ rd() ^ i);
        conns[i].finished = budget.started();
        net::co_spawn(net::make_strand(ioc), connection_loop(target, budget, hooks, conns[i]),
                      rethrow);
    }
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();

    LoadResult out;
    Clock::time_point last = budget.started();
    for (const auto& c : conns) {
        out.tally.merge(c.tally);
        last = std::max(last, c.finished);
    }
    out.seconds = std::chrono::duration<double>(last - budget.started()).count();
    return out;
}

Result<Answer> fetch(const Target& target, const RequestSpec& spec) {
    Budget budget(1, 0, 0);
    std::optional<Answer> answer;
    LoadHooks hooks;
    hooks.make = [&spec](Connection&, std::uint64_t) { return spec; };
    hooks.on_answer = [&answer](Connection&, const Answer& a) { answer = a; };
    auto result = run_load(target, 1, 1, budget, hooks);
    if (!answer) {
        std::string why = result.tally.failures.empty() ? std::string("no answer")
                                                        : result.tally.failures.begin()->first;
        return Error::make(ErrorCode::unavailable, "cannot reach the server at " + target.host +
                                                       ":" + std::to_string(target.port) + " (" +
                                                       why + ")");
    }
    return std::move(*answer);
}

}  // namespace omnivibe::loadgen
