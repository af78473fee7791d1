#include "omnivibe/store/log_move.hpp"

namespace omnivibe::store {

Result<std::int64_t> copy_events(Db& source, Db& target, std::optional<std::int64_t> up_to,
                                 const CopyProgress& progress) {
    try {
        if (const auto head = log_head(target); head != 0)
            return Error::make(ErrorCode::conflict, "the target already holds " +
                                                        std::to_string(head) +
                                                        " events; move only into an empty log");
        std::optional<Tx> snapshot;
        if (!source.in_transaction()) snapshot.emplace(source, Tx::Kind::snapshot);
        const std::int64_t total = up_to.value_or(log_head(source));
        Stmt& insert = target.cached(
            "INSERT INTO events (seq, stream, stream_version, type, data, meta, campaign_id, "
            "recorded_at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        Head head;
        std::int64_t copied = 0;
        std::optional<Error> broken;
        for_each_event(
            source, 0, up_to,
            [&](const EventRow& r) {
                if (broken) return;
                // The chain is checked here too, so a source that was tampered
                // with is named by seq instead of failing on a target's trigger.
                if (r.seq != head.seq + 1 || r.prev_hash != head.hash ||
                    chain_hash(r.prev_hash, r) != r.hash) {
                    broken =
                        Error::make(ErrorCode::conflict,
                                    "the source log is broken at seq " + std::to_string(r.seq) +
                                        " (omnivibe-audit verify tells how); nothing moved");
                    return;
                }
                insert.bind(1, r.seq).bind(2, r.stream).bind(3, r.stream_version).bind(4, r.type);
                insert.bind(5, r.data).bind(6, r.meta).bind(7, r.campaign_id);
                insert.bind(8, r.recorded_at).bind(9, r.prev_hash).bind(10, r.hash);
                insert.run();
                head = Head{r.seq, r.hash};
                ++copied;
                if (progress && (copied % 5000 == 0 || copied == total)) progress(copied, total);
            },
            RowDetail::log_only);
        if (snapshot) snapshot->commit();
        if (broken) return *broken;
        return copied;
    } catch (const StoreError& e) {
        return e.error();
    }
}

}  // namespace omnivibe::store
