#include "omnivibe/store/event_store.hpp"

#include "omnivibe/core/sha256.hpp"
#include "omnivibe/json/decode.hpp"
#include "omnivibe/json/encode.hpp"
#include "omnivibe/store/dialect.hpp"

namespace omnivibe::store {

namespace {

// The envelope's actor and cause come out of meta as the database reads them.
const std::string& select_envelope(Dialect d) {
    static const auto make = [](Dialect dialect) {
        return "SELECT seq, stream, stream_version, type, data, meta, campaign_id, recorded_at, "
               "prev_hash, hash, " +
               sql::json_field(dialect, "meta", "actor") + ", " +
               sql::json_field(dialect, "meta", "cause") + " FROM events ";
    };
    static const std::string sqlite = make(Dialect::sqlite), postgresql = make(Dialect::postgresql);
    return d == Dialect::postgresql ? postgresql : sqlite;
}

constexpr std::string_view kSelectLogOnly =
    "SELECT seq, stream, stream_version, type, data, meta, campaign_id, recorded_at, prev_hash, "
    "hash FROM events ";

// Fills `r` in place, so a loop reusing one row reuses its string buffers.
void read_row_into(EventRow& r, const Stmt& s, RowDetail detail) {
    r.seq = s.column_int(0);
    r.stream = s.column_text(1);
    r.stream_version = s.column_int(2);
    r.type = s.column_text(3);
    r.data = s.column_text(4);
    r.meta = s.column_text(5);
    r.recorded_at = s.column_text(7);
    r.prev_hash = s.column_text(8);
    r.hash = s.column_text(9);
    r.campaign_id.reset();
    if (!s.is_null(6)) r.campaign_id = s.column_int(6);
    if (detail == RowDetail::envelope) {
        r.actor = s.column_text(10);
        r.cause = s.column_text(11);
    }
}

EventRow read_row(const Stmt& s) {
    EventRow r;
    read_row_into(r, s, RowDetail::envelope);
    return r;
}

}  // namespace

std::string canonical_row(const EventRow& r) {
    constexpr char kSep = '\x1f';
    std::string out;
    out.reserve(r.data.size() + r.meta.size() + 128);
    out += std::to_string(r.seq);
    (out += kSep) += r.stream;
    (out += kSep) += std::to_string(r.stream_version);
    (out += kSep) += r.type;
    (out += kSep) += r.data;
    (out += kSep) += r.meta;
    out += kSep;
    if (r.campaign_id) out += std::to_string(*r.campaign_id);
    (out += kSep) += r.recorded_at;
    return out;
}

std::string chain_hash(std::string_view prev_hash, const EventRow& row) {
    Sha256 h;
    h.update(prev_hash);
    h.update("\n");
    h.update(canonical_row(row));
    return h.hex_digest();
}

Result<domain::Event> to_domain(const EventRow& row, MetaDecoding meta_decoding) {
    domain::Event ev;
    auto type = domain::event_type_from_name(row.type);
    auto stream = domain::parse_stream(row.stream);
    auto recorded = parse_timestamp(row.recorded_at);
    if (!type || !stream || !recorded)
        return Error::make(ErrorCode::internal,
                           "event " + std::to_string(row.seq) + " has an unknown type or stream");
    auto data = json::parse_object(row.data);
    if (!data) return std::move(data).error();
    Result<domain::EventMeta> meta = domain::EventMeta{};
    if (meta_decoding == MetaDecoding::parse) meta = json::parse_meta(row.meta);
    if (!meta) return std::move(meta).error();
    ev.seq = row.seq;
    ev.type = *type;
    ev.kind = stream->first;
    ev.entity_id = stream->second;
    ev.stream_version = row.stream_version;
    ev.campaign_id = row.campaign_id;
    ev.recorded_at = *recorded;
    ev.data = std::move(data).value();
    ev.meta = std::move(meta).value();
    return ev;
}

EventStore::EventStore(Db& db) : db_(db) {}

void EventStore::load_head() {
    Stmt& s = db_.cached("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
    head_ = Head{};
    if (s.step()) head_ = Head{s.column_int(0), std::string(s.column_text(1))};
    s.reset();
}

EventRow EventStore::append(domain::Event& ev) {
    EventRow row;
    row.seq = head_.seq + 1;
    row.stream = ev.stream();
    row.stream_version = ev.stream_version;
    row.type = domain::type_name(ev.type);
    row.data = json::fields_to_json(ev.data);
    row.meta = json::meta_to_json(ev.meta);
    row.campaign_id = ev.campaign_id;
    row.recorded_at = format_rfc3339(ev.recorded_at);
    row.prev_hash = head_.hash;
    row.hash = chain_hash(row.prev_hash, row);
    row.actor = ev.meta.actor;
    row.cause = ev.meta.cause;

    // No gaps: seq follows the head by construction, and stream_version must
    // follow the stream's last one. The schema's trigger says the same on a
    // connection that runs triggers; the server's writer runs without them.
    if (check_versions_) {
        Stmt& last = db_.cached("SELECT max(stream_version) FROM events WHERE stream = ?");
        last.bind(1, row.stream);
        const std::int64_t previous = last.step() && !last.is_null(0) ? last.column_int(0) : 0;
        last.reset();
        if (row.stream_version != previous + 1)
            throw StoreError(Error::make(
                ErrorCode::internal,
                "events must be appended without gaps in seq or stream_version: " + row.stream +
                    " is at version " + std::to_string(previous) + ", so the next is " +
                    std::to_string(previous + 1) + ", not " + std::to_string(row.stream_version)));
    }

    Stmt& ins = db_.cached(
        "INSERT INTO events (seq, stream, stream_version, type, data, meta, campaign_id, "
        "recorded_at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, row.seq).bind(2, row.stream).bind(3, row.stream_version).bind(4, row.type);
    ins.bind(5, row.data).bind(6, row.meta).bind(7, row.campaign_id).bind(8, row.recorded_at);
    ins.bind(9, row.prev_hash).bind(10, row.hash);
    ins.run();
    ev.seq = row.seq;
    head_ = Head{row.seq, row.hash};
    return row;
}

std::vector<EventRow> read_events(Db& db, const EventQuery& q) {
    // Numbered parameters keep the SQL text stable for each combination of
    // filters, so the statement cache holds a handful of variants.
    std::string sql = select_envelope(db.dialect());
    sql += "WHERE seq > ?1";
    if (q.stream) sql += " AND stream = ?2";
    if (q.campaign_id) sql += " AND campaign_id = ?3";
    if (q.up_to) sql += " AND seq <= ?4";
    int next = 6;
    if (!q.types.empty() || !q.type_prefixes.empty()) {
        sql += " AND (";
        bool first = true;
        for (std::size_t i = 0; i < q.types.size(); ++i, first = false)
            (sql += first ? "" : " OR ") += "type = ?" + std::to_string(next++);
        for (std::size_t i = 0; i < q.type_prefixes.size(); ++i, first = false) {
            const std::string n = std::to_string(next++);
            (sql += first ? "" : " OR ") +=
                "substr(type, 1, length(CAST(?" + n + " AS text))) = ?" + n;
        }
        sql += ")";
    }
    sql += " ORDER BY seq LIMIT ?5";
    Stmt& s = db.cached(sql);
    s.bind(1, q.after);
    if (q.stream) s.bind(2, std::string_view(*q.stream));
    if (q.campaign_id) s.bind(3, *q.campaign_id);
    if (q.up_to) s.bind(4, *q.up_to);
    s.bind(5, q.limit);
    next = 6;
    for (const auto& t : q.types) s.bind(next++, std::string_view(t));
    for (const auto& p : q.type_prefixes) s.bind(next++, std::string_view(p));
    std::vector<EventRow> out;
    while (s.step()) out.push_back(read_row(s));
    s.reset();
    return out;
}

void for_each_event(Db& db, std::int64_t after, std::optional<std::int64_t> up_to,
                    const std::function<void(const EventRow&)>& fn, RowDetail detail) {
    // In pages, so that a store which reads a statement's rows whole
    // (PostgreSQL) never holds the whole log; SQLite streams each page.
    constexpr std::int64_t kPage = 8192;
    Stmt& s = db.cached((detail == RowDetail::envelope ? select_envelope(db.dialect())
                                                       : std::string(kSelectLogOnly)) +
                        "WHERE seq > ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3");
    const std::int64_t last = up_to.value_or(INT64_MAX);
    EventRow row;
    for (std::int64_t from = after;;) {
        s.bind(1, from).bind(2, last).bind(3, kPage);
        std::int64_t rows = 0;
        while (s.step()) {
            read_row_into(row, s, detail);
            ++rows;
            from = row.seq;
            fn(row);
        }
        s.reset();
        if (rows < kPage) break;
    }
}

std::int64_t log_head(Db& db) { return db.query_int("SELECT max(seq) FROM events").value_or(0); }

}  // namespace omnivibe::store
