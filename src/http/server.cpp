#include "omnivibe/http/server.hpp"

#include <sys/stat.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "api.hpp"
#include "listener.hpp"
#include "omnivibe/core/log.hpp"
#include "omnivibe/feed/hub.hpp"
#include "omnivibe/http/dispatcher.hpp"
#include "omnivibe/http/router.hpp"

namespace omnivibe::http {

namespace net = boost::asio;

// Members are declared in dependency order and destroyed in reverse: the
// io_context goes before the session context, dispatcher and hub, because
// destroying it destroys the sessions still parked in it, and they use those.
struct Server::Impl {
    explicit Impl(ServerOptions o)
        : options(std::move(o)),
          hub(feed::HubOptions{std::chrono::seconds(options.service.sse_heartbeat_seconds)}),
          reads(options.service.db_path),
          writer(writer::WriterOptions{options.service.db_path, options.durability},
                 [this](std::vector<store::EventRow>&& rows) { publish(std::move(rows)); }),
          service{options.service, writer, reads, &hub},
          dispatcher(router, DispatchOptions{options.service.cors_origins}),
          ctx{dispatcher, options} {}

    // On the writer thread, after COMMIT: hand the batch over and return.
    void publish(std::vector<store::EventRow>&& rows) { hub.publish(std::move(rows)); }

    ServerOptions options;
    feed::Hub hub;
    store::ReadPool reads;
    writer::Writer writer;
    Router router;
    Service service;
    Dispatcher dispatcher;
    SessionContext ctx;
    net::io_context ioc;
    std::shared_ptr<Listener> listener;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
    std::vector<std::thread> threads;
    std::mutex mutex;
    std::condition_variable stopped_cv;
    bool started = false;
    bool stopped = false;   ///< stop() has begun
    bool finished = false;  ///< stop() has completed
};

namespace {

// Creates a folder (and its parents) readable by the owner only.
Status make_private_dir(const std::filesystem::path& dir) {
    if (dir.empty()) return {};
    std::error_code ec;
    const bool created = std::filesystem::create_directories(dir, ec);
    if (ec)
        return Error::make(ErrorCode::unavailable,
                           "cannot create " + dir.string() + ": " + ec.message());
    if (created) ::chmod(dir.c_str(), 0700);
    return {};
}

}  // namespace

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() { stop(); }

Service& Server::service() { return impl_->service; }

std::uint16_t Server::port() const { return impl_->listener ? impl_->listener->port() : 0; }

Status Server::start() {
    Impl& s = *impl_;
    const std::filesystem::path db_path(s.options.service.db_path);
    if (auto st = make_private_dir(db_path.parent_path()); !st) return st;
    if (auto st = make_private_dir(s.options.service.uploads_dir); !st) return st;
    // The database and its WAL are created owner-only.
    const mode_t old_mask = ::umask(077);
    auto started = s.writer.start();
    ::umask(old_mask);
    if (!started) return started;
    // Before anything can be published or subscribed: the feed starts at the
    // log's head, so a subscriber's catch-up covers everything before it.
    s.hub.start_from(s.writer.head());

    register_entity_routes(s.router, s.service);
    register_feed_routes(s.router, s.service);
    register_history_routes(s.router, s.service);

    boost::system::error_code ec;
    auto address = net::ip::make_address(s.options.host, ec);
    if (ec) return Error::make(ErrorCode::validation_failed, "invalid --host " + s.options.host);
    s.listener = std::make_shared<Listener>(s.ioc, s.ctx);
    if (auto st = s.listener->open({address, s.options.port}); !st) {
        s.writer.stop();
        return st;
    }
    s.listener->run();
    s.work.emplace(s.ioc.get_executor());
    unsigned n = s.options.threads ? s.options.threads : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < n; ++i) s.threads.emplace_back([&s] { s.ioc.run(); });
    s.started = true;
    return {};
}

void Server::stop() {
    Impl& s = *impl_;
    {
        std::lock_guard lock(s.mutex);
        if (!s.started || s.stopped) return;
        s.stopped = true;
    }
    s.ctx.stopping = true;
    if (s.listener) s.listener->close();
    // Long polls answer now (they would hold the drain below for a minute).
    s.hub.release_waiters();
    // Let accepted requests finish (writes included), for a bounded time.
    const auto wait_for = [](auto done, std::chrono::seconds grace) {
        const auto deadline = std::chrono::steady_clock::now() + grace;
        while (!done() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    };
    wait_for([&] { return s.ctx.in_flight.load() == 0; }, std::chrono::seconds(10));
    // Every acknowledged write was published; the hub delivers what it holds,
    // then each stream sends its queued frames and its last chunk, and closes.
    s.hub.close();
    wait_for([&] { return s.hub.stats().subscribers.load() == 0; }, std::chrono::seconds(5));
    if (const auto left = s.hub.stats().subscribers.load(); left > 0)
        log::warn("stopping with " + std::to_string(left) + " feed stream(s) not closed cleanly");
    s.writer.stop();
    s.work.reset();
    s.ioc.stop();
    for (auto& t : s.threads)
        if (t.joinable()) t.join();
    {
        std::lock_guard lock(s.mutex);
        s.finished = true;
    }
    s.stopped_cv.notify_all();
}

void Server::wait() {
    Impl& s = *impl_;
    std::unique_lock lock(s.mutex);
    s.stopped_cv.wait(lock, [&] { return s.finished || !s.started; });
}

}  // namespace omnivibe::http
