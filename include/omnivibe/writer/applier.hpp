#pragma once
// The one write path. Every write — a server request, an imported legacy row,
// a test's command — goes through Applier::apply inside a store's open write
// transaction:
//
//   idempotency lookup -> decide(state, command) -> append + project each
//   event -> read what the caller asked to see -> keep the answer under its key
//
// as one unit that is kept whole or undone whole. The applier knows nothing of
// HTTP: it reports what happened (Applied); the caller renders it. For a keyed
// write the caller's renderer runs here, inside the transaction, because the
// answer must be kept with the events it describes.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "omnivibe/core/clock.hpp"
#include "omnivibe/core/result.hpp"
#include "omnivibe/domain/commands.hpp"
#include "omnivibe/domain/decide.hpp"
#include "omnivibe/domain/events.hpp"
#include "omnivibe/projection/read_model.hpp"
#include "omnivibe/store/event_store.hpp"
#include "omnivibe/store/idempotency.hpp"

namespace omnivibe::writer {

class WriteSession;

/// What the caller wants to see of the state after its command.
enum class View {
    entity,      ///< the entity the command is about, with its computed fields (none if deleted)
    id_only,     ///< nothing but its id (deletions)
    storyboard,  ///< the content's blocks in order
    resource,    ///< the campaign's resource in the request's slot
};

/// What happened.
struct Applied {
    domain::Decision::Outcome outcome = domain::Decision::Outcome::unchanged;
    domain::Kind kind = domain::Kind::client;  ///< the entity the command is about
    std::int64_t id = 0;
    std::int64_t version = 0;              ///< its stream version afterwards (ETag)
    std::int64_t seq = 0;                  ///< the head after the command (its last event, if any)
    std::vector<store::EventRow> rows;     ///< the events written, in seq order
    std::optional<domain::Entity> entity;  ///< View::entity
    std::vector<domain::Entity> blocks;    ///< View::storyboard
    std::optional<projection::ResourceRow> resource;  ///< View::resource, if attached
    /// Set when a retry was answered from its kept answer: nothing was written.
    std::optional<store::KeptAnswer> replayed;
};

/// A rendered answer, kept with an idempotency key.
struct KeptBody {
    int status = 200;
    std::string body;
};
/// Renders what happened as the answer to keep; runs on the writer's thread.
using AnswerRenderer = std::function<KeptBody(const Applied&)>;

struct WriteRequest {
    domain::Command command;
    domain::EventMeta meta;  ///< actor, request id, idempotency key, source
    View view = View::entity;
    std::string resource_type;  ///< the slot, for View::resource
    /// SHA-256 of what was asked (method, path, body) when an idempotency key is set.
    std::string fingerprint;
    /// How the answer to a keyed write is rendered to be kept (required with a key).
    AnswerRenderer render_kept;
    /// Data added to the first and the last event (imported history keeps its
    /// own created_at/updated_at and deleted_at this way).
    domain::Fields on_first_event;
    domain::Fields on_last_event;
};

/// How one command is kept apart from the others of its transaction.
enum class Isolation {
    /// In a savepoint of its own: a failure undoes that command alone.
    savepoint,
    /// Without a savepoint, which costs on every command (SQLite copies each
    /// page the savepoint touches; PostgreSQL takes two more round trips). A
    /// command refused before it wrote leaves nothing to undo; one that fails
    /// after writing, or on any store error, throws IsolationNeeded and the
    /// caller runs the transaction again with savepoints.
    optimistic,
};

/// Thrown by an optimistic apply that left the transaction holding part of a
/// failed command: roll the transaction back and run it again with savepoints.
struct IsolationNeeded {
    Error error;  ///< what failed
};

struct ApplierOptions {
    std::int64_t idempotency_ttl_ms = 24LL * 3600 * 1000;
};

class Applier {
  public:
    explicit Applier(ApplierOptions options = {}) : options_(options) {}

    /// Applies one command as one unit of the session's open transaction,
    /// stamping its events with `now`. A refused command (validation,
    /// conflict, 412...) or a store failure undoes the unit and returns the
    /// Error; the transaction stays usable unless session.transaction_lost().
    /// `state` replaces the session's state view for decide() (the importer
    /// keeps legacy ids that way). With Isolation::optimistic, see there.
    Result<Applied> apply(WriteSession& session, const WriteRequest& request, UnixMillis now,
                          const domain::StateView* state = nullptr,
                          Isolation isolation = Isolation::savepoint) const;

  private:
    Result<Applied> apply_unit(WriteSession& session, const WriteRequest& request, UnixMillis now,
                               const domain::StateView& state) const;
    ApplierOptions options_;
};

}  // namespace omnivibe::writer
