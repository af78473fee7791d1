#pragma once
// The seam between the write path and a store: one open write transaction,
// as the applier (writer/applier.hpp) needs it. Everything a command does —
// read state for decide(), append and project events, read back what it
// answers with, keep an idempotent answer — goes through here, so the
// applier, and the writer above it, never see SQL or a connection.
//
// A store implements it once (SqliteSession today). Inside one transaction
// (begin .. commit), each command runs as a unit that is kept or undone on
// its own, so a failing command of a group commit fails alone.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "omnivibe/core/clock.hpp"
#include "omnivibe/domain/events.hpp"
#include "omnivibe/domain/state.hpp"
#include "omnivibe/projection/read_model.hpp"
#include "omnivibe/store/event_store.hpp"
#include "omnivibe/store/idempotency.hpp"

namespace omnivibe::writer {

/// What an acknowledged write survives: `full`, a crash of the machine (the
/// commit is synced); `normal`, a crash of the process (synced at checkpoints).
enum class Durability { full, normal };

class WriteSession {
  public:
    virtual ~WriteSession() = default;

    // ---- the transaction: store failures throw store::StoreError -------------
    /// Opens the write transaction (and takes whatever orders writers).
    virtual void begin() = 0;
    /// Makes everything since begin() durable as the store's durability says.
    virtual void commit() = 0;
    /// Undoes everything since begin(); the head goes back with it.
    virtual void rollback() noexcept = 0;
    /// Starts one command's unit inside the transaction.
    virtual void begin_unit() = 0;
    /// Keeps the current unit's changes.
    virtual void keep_unit() = 0;
    /// Undoes the current unit's changes (rows and head) and ends it.
    virtual void undo_unit() noexcept = 0;
    /// True when the store abandoned the whole transaction (disk full, I/O):
    /// nothing more may run in it.
    virtual bool transaction_lost() const noexcept = 0;

    // ---- what a command reads and writes ---------------------------------------
    /// The state decide() reads: this transaction's view, earlier units included.
    virtual const domain::StateView& state() const = 0;
    /// The last appended event (seq and hash).
    virtual const store::Head& head() const = 0;
    /// Appends one event (assigning seq and hash, filling ev.seq) and projects
    /// it into the read tables; returns the stored row.
    virtual store::EventRow append(domain::Event& ev) = 0;
    /// The live entity with its computed fields, as a GET would read it now.
    virtual std::optional<domain::Entity> entity(domain::Kind kind, std::int64_t id) = 0;
    /// A content's blocks in position order.
    virtual std::vector<domain::Entity> blocks(std::int64_t content_id) = 0;
    /// A campaign's resource in one slot, if attached.
    virtual std::optional<projection::ResourceRow> resource(std::int64_t campaign_id,
                                                            std::string_view type) = 0;

    // ---- idempotency records ---------------------------------------------------
    virtual std::optional<store::KeptAnswer> find_answer(std::string_view actor,
                                                         std::string_view key,
                                                         UnixMillis not_before) = 0;
    virtual void keep_answer(std::string_view actor, std::string_view key,
                             const store::KeptAnswer& answer) = 0;
    virtual void forget_answers_before(UnixMillis cutoff) = 0;

    /// Records how far the read tables are (at the end of a transaction).
    virtual void checkpoint() = 0;
    /// Ends the session cleanly (a server's stop); nothing may run after it.
    virtual void close() = 0;
};

}  // namespace omnivibe::writer
