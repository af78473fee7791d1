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
#include "api_common.hpp"
#include "listener.hpp"
#include "omnivibe/core/log.hpp"
#include "omnivibe/core/thread_name.hpp"
#include "omnivibe/feed/commit_source.hpp"
#include "omnivibe/feed/hub.hpp"
#include "omnivibe/http/auth.hpp"
#include "omnivibe/http/dispatcher.hpp"
#include "omnivibe/http/metrics.hpp"
#include "omnivibe/http/response_cache.hpp"
#include "omnivibe/http/router.hpp"
#include "omnivibe/projection/projector.hpp"
#include "omnivibe/store/location.hpp"

namespace omnivibe::http {

namespace net = boost::asio;

// Members are declared in dependency order and destroyed in reverse: the
// io_context goes before the session context, dispatcher and hub, because
// destroying it destroys the sessions still parked in it, and they use those.
struct Server::Impl {
    explicit Impl(ServerOptions o)
        : options(std::move(o)),
          hub(feed::HubOptions{std::chrono::seconds(options.service.sse_heartbeat_seconds)}),
          commits(feed::make_commit_source(
              options.service.db_path, hub,
              {.poll = std::chrono::seconds(options.service.sse_heartbeat_seconds)})),
          reads(store::ReadPool::for_store(options.service.db_path)),
          writer(
              writer::WriterOptions{options.service.db_path, options.durability},
              [this](std::vector<store::EventRow>&& rows) { publish(std::move(rows)); },
              // Answers are finished (rendered, logged, counted, sent) on
              // the network threads, not on the writer's.
              [this](std::function<void()> task) { net::post(ioc, std::move(task)); }),
          answers(options.service.response_cache_bytes),
          // Reads resumed by the hub (X-Min-Event-Seq) run on the network threads too.
          service{options.service,
                  writer,
                  reads,
                  &hub,
                  &answers,
                  [this](std::function<void()> task) { net::post(ioc, std::move(task)); },
                  [this] { return commits->head(); }},
          dispatcher(
              router,
              DispatchOptions{options.service.cors_origins, &tokens, &metrics,
                              [this](Request& req, std::function<void()> go, const Reply& refuse) {
                                  at_min_event_seq(service, req, std::move(go), refuse);
                              },
                              [this](const Request& req) { return cached_answer(service, req); }}),
          ctx{dispatcher, options} {}

    // On the writer thread, after COMMIT: count what this instance wrote,
    // hand the batch over and return.
    void publish(std::vector<store::EventRow>&& rows) {
        for (const auto& row : rows) metrics.count_event(row.type);
        commits->committed(std::move(rows));
    }

    void sample_commits(Gauges& g) const {
        const auto& c = commits->stats();
        g.feed_head = commits->head();
        g.follows_database = commits->follows_database();
        g.feed_listening = c.listening.load();
        g.feed_reconnects = c.reconnects.load();
        g.feed_notifications = c.notifications.load();
        g.feed_reads = c.reads.load();
        const auto& bounds = feed::CommitSourceStats::kDelayBuckets;
        g.feed_delay_bounds.assign(bounds.begin(), bounds.end());
        for (const auto& b : c.delay_buckets) g.feed_delay_buckets.push_back(b.load());
        g.feed_delay_count = c.delay_count.load();
        g.feed_delay_seconds_total = static_cast<double>(c.delay_micros_total.load()) / 1e6;
    }

    Gauges sample() {
        Gauges g;
        const auto& w = writer.stats();
        g.log_head = commits->head();
        g.projection_head = g.log_head;  // projected in the same transaction
        g.connections = ctx.connections.load();
        g.requests_in_flight = ctx.in_flight.load();
        g.writer_batches = w.batches.load();
        g.writer_commands = w.commands.load();
        g.writer_failed_commits = w.failed_commits.load();
        g.writer_isolated_reruns = w.isolated_reruns.load();
        g.writer_queue_depth = w.queue_depth.load();
        g.writer_max_batch = w.max_batch_size.load();
        g.writer_commit_seconds_total = static_cast<double>(w.commit_micros_total.load()) / 1e6;
        for (std::size_t i = 0; i < g.writer_batch_buckets.size(); ++i)
            g.writer_batch_buckets[i] = w.batch_size_buckets[i].load();
        const auto& f = hub.stats();
        g.has_feed = true;
        g.feed_subscribers = f.subscribers.load();
        g.feed_waiters = f.waiters.load();
        g.feed_resets = f.resets.load();
        g.feed_bytes_dropped = f.bytes_dropped.load();
        sample_commits(g);
        g.response_cache_hits = answers.hits();
        g.response_cache_misses = answers.misses();
        return g;
    }

    ServerOptions options;
    TokenStore tokens;
    Metrics metrics;
    feed::Hub hub;
    std::unique_ptr<feed::CommitSource> commits;
    store::ReadPool reads;
    writer::Writer writer;
    Router router;
    ResponseCache answers;
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

std::vector<std::pair<Method, std::string>> Server::routes() const {
    return impl_->router.routes();
}

std::uint16_t Server::port() const { return impl_->listener ? impl_->listener->port() : 0; }

bool is_loopback_host(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

Status Server::start() {
    Impl& s = *impl_;
    if (!s.options.tokens_file.empty()) {
        auto tokens = TokenStore::load(s.options.tokens_file);
        if (!tokens) return std::move(tokens).error();
        if (tokens->empty())
            return Error::make(ErrorCode::validation_failed,
                               "the token file " + s.options.tokens_file + " holds no token");
        s.tokens = std::move(tokens).value();
    } else if (!is_loopback_host(s.options.host) && !s.options.allow_anonymous) {
        return Error::make(ErrorCode::validation_failed,
                           "refusing to serve " + s.options.host +
                               " without --tokens: anyone could read and change the data. Give "
                               "--tokens FILE, or --allow-anonymous if that is really intended.");
    }
    if (!store::is_postgresql_uri(s.options.service.db_path)) {
        const std::filesystem::path db_path(s.options.service.db_path);
        if (auto st = make_private_dir(db_path.parent_path()); !st) return st;
    }
    if (auto st = make_private_dir(s.options.service.uploads_dir); !st) return st;
    // The database and its WAL are created owner-only.
    const mode_t old_mask = ::umask(077);
    auto started = s.writer.start();
    ::umask(old_mask);
    if (!started) return started;
    // Before anything can be published or subscribed: the feed starts at the
    // log's head, so a subscriber's catch-up covers everything before it.
    s.hub.start_from(s.writer.head());
    if (auto st = s.commits->start(s.writer.head()); !st) {
        s.writer.stop();
        return st;
    }

    register_entity_routes(s.router, s.service);
    register_ops_routes(s.router, s.service, OpsContext{s.metrics, [&s] { return s.sample(); }});
    register_docs_routes(s.router);
    if (!s.tokens.empty())
        log::info("authentication on: " + std::to_string(s.tokens.size()) + " token(s)");
    register_storyboard_routes(s.router, s.service);
    if (auto st = register_resource_routes(s.router, s.service); !st) {
        s.commits->stop();
        s.writer.stop();
        return st;
    }
    register_feed_routes(s.router, s.service);
    register_history_routes(s.router, s.service);

    boost::system::error_code ec;
    auto address = net::ip::make_address(s.options.host, ec);
    if (ec) return Error::make(ErrorCode::validation_failed, "invalid --host " + s.options.host);
    s.listener = std::make_shared<Listener>(s.ioc, s.ctx);
    if (auto st = s.listener->open({address, s.options.port}); !st) {
        s.commits->stop();
        s.writer.stop();
        return st;
    }
    s.listener->run();
    s.work.emplace(s.ioc.get_executor());
    unsigned n =
        s.options.threads ? s.options.threads : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < n; ++i) {
        s.threads.emplace_back([&s] { s.ioc.run(); });
        name_thread(s.threads.back(), "ov-http");
    }
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
    // Every acknowledged write is handed to the hub (on a shared database,
    // read once more); the hub delivers what it holds, then each stream
    // sends its queued frames and its last chunk, and closes.
    s.commits->stop();
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
