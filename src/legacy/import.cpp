#include "omnivibe/legacy/import.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "omnivibe/core/text.hpp"
#include "omnivibe/domain/validation.hpp"
#include "omnivibe/json/decode.hpp"
#include "omnivibe/json/encode.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "omnivibe/writer/applier.hpp"
#include "omnivibe/writer/db_session.hpp"
#include "value_cleaner.hpp"

namespace omnivibe::legacy {

namespace {

using domain::Field;
using domain::Fields;
using domain::FieldSpec;
using domain::FieldType;
using domain::Kind;
using domain::Null;
using domain::Value;

constexpr std::string_view kRequiredTables[] = {"clients", "campaigns", "content_schedule"};

// The decide() view of the database being filled, except that the next id of
// a kind is the legacy row's own id: ids are preserved.
class ImportState final : public domain::StateView {
  public:
    explicit ImportState(const domain::StateView& inner) : inner_(inner) {}
    void force_next_id(std::optional<std::int64_t> id) { next_ = id; }

    std::optional<domain::Entity> find(Kind kind, std::int64_t id) const override {
        return inner_.find(kind, id);
    }
    std::optional<std::int64_t> client_named(std::string_view name) const override {
        return inner_.client_named(name);
    }
    std::vector<std::int64_t> children(Kind child, std::int64_t parent_id) const override {
        return inner_.children(child, parent_id);
    }
    std::int64_t last_id(Kind kind) const override {
        return next_ ? *next_ - 1 : inner_.last_id(kind);
    }
    std::vector<std::string> attached_resources(std::int64_t campaign_id) const override {
        return inner_.attached_resources(campaign_id);
    }

  private:
    const domain::StateView& inner_;
    std::optional<std::int64_t> next_;
};

class Importer {
  public:
    Importer(store::SqliteDb& legacy, store::Db& target, const ImportOptions& options)
        : legacy_(legacy),
          options_(options),
          session_(target),
          state_(session_.state()),
          now_(options.recorded_at ? options.recorded_at : now_millis()),
          clean_(now_) {}

    ImportReport run();

  private:
    bool create(Kind kind, TableCount& count, const Row& row, Fields body,
                std::optional<std::int64_t> parent, const std::string& created_at,
                const std::string& updated_at);
    void reject(TableCount& count, std::int64_t id, std::string reason) {
        ++count.rejected;
        report_.rejected.push_back({count.table, id, std::move(reason)});
    }
    /// Applies one command through the write path; the rejection reason on failure.
    Result<writer::Applied> apply(domain::Command command, Fields on_first, Fields on_last);
    void report_file(std::string what, const std::string* path);

    void import_clients();
    void import_campaigns();
    void import_content();
    void import_blocks();
    void import_scripts();
    void delete_soft_deleted();
    void report_resources();

    store::SqliteDb& legacy_;
    const ImportOptions& options_;
    writer::DbSession session_;
    writer::Applier applier_;
    ImportState state_;
    UnixMillis now_ = 0;
    ImportReport report_;
    ValueCleaner clean_;
    std::vector<Row> campaigns_;  ///< kept for the soft deletions and file paths
    std::map<std::int64_t, std::int64_t> content_campaign_;
};

Result<writer::Applied> Importer::apply(domain::Command command, Fields on_first, Fields on_last) {
    writer::WriteRequest request;
    request.command = std::move(command);
    request.meta = domain::EventMeta{options_.actor, "", "", "legacy-import", ""};
    request.view = writer::View::id_only;
    request.on_first_event = std::move(on_first);
    request.on_last_event = std::move(on_last);
    auto applied = applier_.apply(session_, request, now_, &state_);
    if (applied) report_.events += static_cast<std::int64_t>(applied->rows.size());
    return applied;
}

bool Importer::create(Kind kind, TableCount& count, const Row& row, Fields body,
                      std::optional<std::int64_t> parent, const std::string& created_at,
                      const std::string& updated_at) {
    const std::string table = count.table;
    auto valid = domain::validate(kind, body, domain::Mode::create);
    if (!valid) {
        // An optional value that breaks a rule is left out and reported; the
        // row itself is kept. A required one rejects the row.
        bool required_failed = false;
        std::string reasons;
        for (const auto& e : valid.error().errors) {
            const FieldSpec* spec = domain::field_spec(kind, e.field);
            const Value* v = domain::find(body, e.field);
            if (!spec || spec->required || !v) {
                required_failed = true;
                (reasons += reasons.empty() ? "" : "; ") += e.field + " " + e.message;
                continue;
            }
            report_.dropped.push_back(table + " " + std::to_string(row.id) + ": " + e.field + " " +
                                      quoted(*v) + " left out (" + e.message + ")");
            domain::erase(body, e.field);
        }
        if (required_failed) {
            reject(count, row.id, reasons);
            return false;
        }
        valid = domain::validate(kind, body, domain::Mode::create);
        if (!valid) {
            reject(count, row.id, valid.error().detail);
            return false;
        }
    }
    // Enum values made canonical by validation.
    for (const FieldSpec& spec : domain::info(kind).fields) {
        if (spec.type != FieldType::choice) continue;
        const std::string* before = domain::get_string(body, spec.name);
        const std::string* after = domain::get_string(*valid, spec.name);
        if (before && after && *before != *after)
            clean_.note(table + "." + std::string(spec.name) + ": '" + *before + "' → '" + *after +
                        "'");
    }

    state_.force_next_id(row.id);
    auto applied = apply(domain::CreateEntity{kind, std::move(*valid), parent},
                         Fields{{"created_at", created_at}, {"updated_at", updated_at}}, {});
    state_.force_next_id(std::nullopt);
    if (!applied) {
        std::string reason = applied.error().detail;
        for (const auto& e : applied.error().errors)
            reason += " (" + e.field + ": " + e.message + ")";
        reject(count, row.id, reason);
        return false;
    }
    ++count.imported;
    return true;
}

void Importer::import_clients() {
    TableCount count{"clients"};
    for (const Row& row : read_table(legacy_, "clients")) {
        ++count.read;
        const std::string created = clean_.timestamp(row, "clients", "created_at", "");
        const std::string updated = clean_.timestamp(row, "clients", "updated_at", created);
        create(Kind::client, count, row, clean_.body_of(Kind::client, "clients", row), std::nullopt,
               created, updated);
    }
    report_.tables.push_back(count);
}

void Importer::import_campaigns() {
    TableCount count{"campaigns"};
    campaigns_ = read_table(legacy_, "campaigns");
    for (const Row& row : campaigns_) {
        ++count.read;
        const std::string created = clean_.timestamp(row, "campaigns", "created_at", "");
        const std::string updated = clean_.timestamp(row, "campaigns", "updated_at", created);
        if (create(Kind::campaign, count, row, clean_.body_of(Kind::campaign, "campaigns", row),
                   std::nullopt, created, updated)) {
            for (const auto& slot : domain::resource_slots()) {
                const std::string* path = row.text(slot.path_column);
                if (!path || path->empty()) continue;
                std::string what = "campaign " + std::to_string(row.id) + " " +
                                   std::string(slot.path_column) + " " + *path;
                if (!slot.duration_column.empty())
                    if (auto* d = std::get_if<double>(&row.get(slot.duration_column)))
                        what += " (" + std::string(slot.duration_column) + " " + quoted(Value{*d}) +
                                ")";
                report_file(std::move(what), path);
            }
        }
    }
    report_.tables.push_back(count);
}

void Importer::import_content() {
    TableCount count{"content_schedule"};
    for (const Row& row : read_table(legacy_, "content_schedule")) {
        ++count.read;
        const std::string created = clean_.timestamp(row, "content_schedule", "created_at", "");
        const std::string updated =
            clean_.timestamp(row, "content_schedule", "updated_at", created);
        if (create(Kind::content, count, row,
                   clean_.body_of(Kind::content, "content_schedule", row), std::nullopt, created,
                   updated))
            content_campaign_[row.id] = row.integer("campaign_id").value_or(0);
    }
    report_.tables.push_back(count);
}

void Importer::import_blocks() {
    TableCount count{"storyboard_blocks"};
    auto rows = read_table(legacy_, "storyboard_blocks");
    // Storyboard order: block_order within each content, then id for ties.
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        const auto ka = std::tuple(a.integer("content_id").value_or(0),
                                   a.integer("block_order").value_or(0), a.id);
        const auto kb = std::tuple(b.integer("content_id").value_or(0),
                                   b.integer("block_order").value_or(0), b.id);
        return ka < kb;
    });
    std::map<std::int64_t, std::int64_t> next_position;
    std::set<std::int64_t> renumbered;
    for (const Row& row : rows) {
        ++count.read;
        const auto content = row.integer("content_id");
        const std::string created = clean_.timestamp(row, "storyboard_blocks", "created_at", "");
        const std::string updated =
            row.has("updated_at")
                ? clean_.timestamp(row, "storyboard_blocks", "updated_at", created)
                : created;
        if (!content) {
            reject(count, row.id, "content_id is missing");
            continue;
        }
        // Appended in order, each block lands at the end: positions 0..n-1.
        if (!create(Kind::block, count, row, clean_.body_of(Kind::block, "storyboard_blocks", row),
                    content, created, updated))
            continue;
        const std::int64_t position = next_position[*content]++;
        if (row.integer("block_order") != position + 1) renumbered.insert(*content);
        clean_.note("storyboard_blocks.block_order (from 1) → position (from 0)");
    }
    for (auto content : renumbered)
        clean_.note(
            "storyboard_blocks: content " + std::to_string(content) +
            " had gaps or repeats in block_order; its blocks keep their order with positions "
            "0..n-1");
    report_.tables.push_back(count);
}

void Importer::import_scripts() {
    TableCount count{"generated_scripts"};
    auto rows = read_table(legacy_, "generated_scripts");
    // Revisions follow creation: by created_at, then id.
    auto when = [](const Row& r) {
        const std::string* t = r.text("created_at");
        return t ? parse_timestamp(*t).value_or(0) : 0;
    };
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
        return std::pair(when(a), a.id) < std::pair(when(b), b.id);
    });
    for (const Row& row : rows) {
        ++count.read;
        const auto content = row.integer("content_id");
        const std::string created = clean_.timestamp(row, "generated_scripts", "created_at", "");
        if (!content) {
            reject(count, row.id, "content_id is missing");
            continue;
        }
        if (auto campaign = row.integer("campaign_id")) {
            auto it = content_campaign_.find(*content);
            if (it != content_campaign_.end() && it->second != *campaign)
                clean_.note(
                    "generated_scripts.campaign_id: disagrees with the content's campaign; the "
                    "content's is kept");
        }
        if (create(Kind::script, count, row, clean_.body_of(Kind::script, "generated_scripts", row),
                   content, created, created))
            clean_.note("generated_scripts.revision: numbered per content by created_at, then id");
    }
    report_.tables.push_back(count);
}

void Importer::delete_soft_deleted() {
    std::vector<const Row*> gone;
    for (const Row& row : campaigns_)
        if (!std::holds_alternative<Null>(row.get("deleted_at"))) gone.push_back(&row);
    std::stable_sort(gone.begin(), gone.end(), [](const Row* a, const Row* b) {
        const std::string* x = a->text("deleted_at");
        const std::string* y = b->text("deleted_at");
        return std::pair(x ? parse_timestamp(*x).value_or(0) : 0, a->id) <
               std::pair(y ? parse_timestamp(*y).value_or(0) : 0, b->id);
    });
    auto count_of = [&](std::string_view table) -> TableCount& {
        for (auto& t : report_.tables)
            if (t.table == table) return t;
        return report_.tables.front();
    };
    for (const Row* row : gone) {
        if (!state_.find(Kind::campaign, row->id)) continue;  // rejected earlier
        const std::string deleted_at = clean_.timestamp(*row, "campaigns", "deleted_at", "");
        auto applied = apply(domain::DeleteEntity{Kind::campaign, row->id, {}}, {},
                             Fields{{"deleted_at", deleted_at}});
        if (!applied) {
            reject(count_of("campaigns"), row->id,
                   "soft-deleted but could not be deleted: " + applied.error().detail);
            continue;
        }
        for (const auto& ev : applied->rows) {
            const auto type = domain::event_type_from_name(ev.type);
            if (!type) continue;
            switch (*type) {
                case domain::EventType::campaign_deleted:
                    ++count_of("campaigns").deleted;
                    break;
                case domain::EventType::content_deleted:
                    ++count_of("content_schedule").deleted;
                    break;
                case domain::EventType::block_removed:
                    ++count_of("storyboard_blocks").deleted;
                    break;
                case domain::EventType::script_deleted:
                    ++count_of("generated_scripts").deleted;
                    break;
                default:
                    break;
            }
        }
        clean_.note(
            "campaigns.deleted_at: soft-deleted campaign imported, then deleted with everything "
            "under it (history kept in the log)");
    }
}

void Importer::report_file(std::string what, const std::string* path) {
    namespace fs = std::filesystem;
    std::string where;
    bool found = false;
    if (path && !path->empty()) {
        fs::path p = fs::path(options_.files_root) / fs::path(*path).relative_path();
        std::error_code ec;
        found = fs::is_regular_file(p, ec);
        where = p.string();
    }
    what += found ? ": found at " + where +
                        ", not attached (the importer does not copy files; upload it through the "
                        "API)"
                  : ": file not found" + (where.empty() ? std::string() : " at " + where) +
                        "; not imported, no checksum invented";
    report_.files.push_back(std::move(what));
}

void Importer::report_resources() {
    TableCount count{"resource_library"};
    for (const Row& row : read_table(legacy_, "resource_library")) {
        ++count.read;
        std::string what = "resource_library " + std::to_string(row.id) + ":";
        if (auto c = row.integer("campaign_id")) what += " campaign " + std::to_string(*c);
        for (auto column : {"resource_type", "file_name", "mime_type", "file_path"})
            if (const std::string* s = row.text(column)) what += " " + *s;
        if (auto size = row.integer("file_size")) what += " (" + std::to_string(*size) + " bytes)";
        report_file(std::move(what), row.text("file_path"));
    }
    report_.tables.push_back(count);
}

ImportReport Importer::run() {
    session_.begin();
    import_clients();
    import_campaigns();
    import_content();
    import_blocks();
    import_scripts();
    delete_soft_deleted();
    report_resources();
    session_.checkpoint();
    // Grouped by what they are about ("content_schedule.keywords: ..."), in
    // the order each group first appeared.
    std::vector<std::string> groups;
    for (const auto& [text, n] : clean_.notes()) {
        const std::string group = text.substr(0, text.find_first_of(": "));
        if (std::find(groups.begin(), groups.end(), group) == groups.end()) groups.push_back(group);
    }
    for (const auto& group : groups)
        for (const auto& [text, n] : clean_.notes())
            if (text.substr(0, text.find_first_of(": ")) == group)
                report_.cleaned.push_back(text + " (" + std::to_string(n) + ")");
    report_.head = session_.head();
    if (report_.rejected.empty() || options_.partial) {
        session_.commit();
        report_.committed = true;
    } else {
        session_.rollback();
    }
    return report_;
}

}  // namespace

Status check_legacy_layout(store::SqliteDb& legacy) {
    try {
        for (auto table : kRequiredTables)
            if (!table_exists(legacy, table))
                return Error::make(ErrorCode::validation_failed,
                                   "it has no table " + std::string(table) +
                                       ", so it is not a database of the previous backend");
        if (table_exists(legacy, "events"))
            return Error::make(ErrorCode::validation_failed,
                               "it has an events table: it is already an omnivibe database");
        return {};
    } catch (const store::SqliteError& e) {
        return e.error();
    }
}

Result<ImportReport> import_legacy(store::SqliteDb& legacy, store::Db& target,
                                   const ImportOptions& options) {
    try {
        if (store::log_head(target) != 0)
            return Error::make(ErrorCode::conflict, "the target database already holds events");
        Importer importer(legacy, target, options);
        return importer.run();
    } catch (const store::SqliteError& e) {
        return e.error();
    }
}

}  // namespace omnivibe::legacy
