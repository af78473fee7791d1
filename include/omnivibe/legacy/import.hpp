#pragma once
// Importing the previous backend's database (the FastAPI + Next.js SQLite
// file) as events.
//
// Every legacy row becomes the event the API would have written for it, built
// the same way: the row's values are cleaned (SQLite timestamps to RFC 3339,
// enum case, comma-separated keywords, 1-based block order, renamed columns,
// NULL where a default exists), validated with domain::validate, then applied
// through the server's own write path (writer::Applier: decide — references,
// unique names, revisions, positions, cascades — against the database being
// filled, append, project), all in one transaction. Ids are kept:
// decide() is asked for the legacy id instead of the next free one. Legacy
// timestamps travel in the created event's data (created_at, updated_at), as
// the Projector and evolve() expect; the events themselves are recorded at
// import time with meta.source = "legacy-import".
//
// A soft-deleted campaign is created and then deleted, so the log keeps its
// history and the deletion of everything under it. Files the legacy rows point
// at (resource_library, campaigns.*_path) are reported, never attached: the
// importer does not copy files, and it does not invent checksums.

#include <cstdint>
#include <string>
#include <vector>

#include "omnivibe/core/clock.hpp"
#include "omnivibe/core/result.hpp"
#include "omnivibe/store/event_store.hpp"
#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::legacy {

struct ImportOptions {
    std::string actor = "legacy-import";
    UnixMillis recorded_at = 0;  ///< 0: now
    /// Commit what is valid even when some rows are rejected (default: all or nothing).
    bool partial = false;
    /// Folder the legacy file paths ("/uploads/...") are relative to.
    std::string files_root;
};

/// One legacy table's rows and what became of them.
struct TableCount {
    std::string table;
    std::int64_t read = 0;
    std::int64_t imported = 0;  ///< created as entities
    std::int64_t deleted =
        0;  ///< of those, deleted again (soft-deleted campaigns and their content)
    std::int64_t rejected = 0;
};

/// A legacy row that could not be imported, and why.
struct Rejection {
    std::string table;
    std::int64_t id = 0;
    std::string reason;
};

struct ImportReport {
    std::vector<TableCount> tables;
    /// What was cleaned, one line per kind of change, with counts.
    std::vector<std::string> cleaned;
    /// Optional values that broke a rule and were left out (the row was kept).
    std::vector<std::string> dropped;
    std::vector<Rejection> rejected;
    /// Files referred to by legacy rows and not imported.
    std::vector<std::string> files;
    std::int64_t events = 0;
    store::Head head;
    bool committed = false;
};

/// Fails with a sentence when `legacy` does not have the legacy tables.
Status check_legacy_layout(store::SqliteDb& legacy);

/// Imports everything from `legacy` into `target` (a migrated writer
/// connection whose log is empty) in one transaction. Without `partial`,
/// nothing is committed when any row is rejected.
Result<ImportReport> import_legacy(store::SqliteDb& legacy, store::Db& target,
                                   const ImportOptions& options);

}  // namespace omnivibe::legacy
