#pragma once
// Projections: each event applied to the read tables, inside the transaction
// that appended it. The server's writer, omnivibe-replay and omnivibe-import all
// call this one Projector, so a projection rule exists exactly once and a
// rebuild from the log gives the same rows as the live tables.
//
// Rows are stamped with the event's time (or, for imported history, the
// created_at/updated_at carried in the data), never with the clock, so
// applying the same events always yields the same bytes.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "omnivibe/core/result.hpp"
#include "omnivibe/domain/events.hpp"
#include "omnivibe/domain/state.hpp"
#include "omnivibe/store/db.hpp"

namespace omnivibe::projection {

/// The layout version of the read tables. Bump it when a projection rule
/// changes: the server then rebuilds the read tables from the log at start.
inline constexpr std::int64_t kProjectionVersion = 1;

/// The read tables a rebuild clears and refills, in dependency order.
std::span<const std::string_view> read_tables();

/// The row a creating event (client.created, block_added...) inserts, as
/// load_entity() would read it back right after: the event's fields in
/// catalogue order, its version and stamps, and zero for the computed counts
/// (nothing can refer to an id before it exists). The writer answers a create
/// with it instead of reading the row it has just written.
domain::Entity created_entity(const domain::Event& ev);

class Projector {
  public:
    /// When the `streams` index is written. The writer needs it at once
    /// (decide() asks it for the next id); a rebuild reads nothing back, so
    /// it keeps each stream's last state in memory and writes every stream
    /// once, at the checkpoint, instead of once per event.
    enum class StreamWrites { immediate, at_checkpoint };

    /// `db` must be a writer connection, inside a transaction when apply runs.
    explicit Projector(store::Db& db, StreamWrites streams = StreamWrites::immediate)
        : db_(db), deferred_(streams == StreamWrites::at_checkpoint) {}

    /// Applies one event (seq assigned) to the read tables and the streams index.
    void apply(const domain::Event& ev);

    /// Writes any deferred stream rows, then records how far the read tables
    /// are, with the layout version.
    void checkpoint(std::int64_t head);

  private:
    void insert_entity(const domain::Event& ev);
    void update_entity(const domain::Event& ev);
    void delete_entity(const domain::Event& ev);
    void attach_resource(const domain::Event& ev);
    void detach_resource(const domain::Event& ev);
    void reorder_blocks(const domain::Event& ev);
    void bump(const domain::Event& ev);
    void record_stream(const domain::Event& ev, bool deleted);
    void write_stream(std::string_view stream, std::string_view kind, std::int64_t id,
                      std::int64_t version, bool deleted);

    struct StreamState {
        std::string_view kind;
        std::int64_t entity_id = 0;
        std::int64_t version = 0;
        bool deleted = false;
    };

    store::Db& db_;
    bool deferred_ = false;
    std::map<std::string, StreamState, std::less<>> pending_;  ///< by stream, when deferred
    // Statements prepared once per Projector (the connection's cache owns
    // them); every use runs them to completion, which resets them.
    store::Stmt* insert_stmts_[5] = {};                             ///< per kind
    std::unordered_map<std::uint64_t, store::Stmt*> update_stmts_;  ///< per kind and columns
};

}  // namespace omnivibe::projection
