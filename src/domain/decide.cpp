#include "omnivibe/domain/decide.hpp"

#include <algorithm>
#include <string>

#include "omnivibe/core/text.hpp"
#include "omnivibe/domain/validation.hpp"

namespace omnivibe::domain {

namespace {

Error not_found(Kind kind, std::int64_t id) {
    return Error::make(ErrorCode::not_found, "No " + std::string(info(kind).name) + " with id " +
                                                 std::to_string(id) + ".");
}

Error unknown_reference(std::string_view field, Kind kind, std::int64_t id) {
    Error e = Error::make(ErrorCode::unknown_reference,
                          "The referenced " + std::string(info(kind).name) + " does not exist.");
    e.errors.push_back({std::string(field),
                        "no " + std::string(info(kind).name) + " with id " + std::to_string(id)});
    return e;
}

Error invalid(std::string_view field, std::string message) {
    Error e = Error::make(ErrorCode::validation_failed, "One field is invalid.");
    e.errors.push_back({std::string(field), std::move(message)});
    return e;
}

Status check_version(const Entity& current, const std::optional<std::int64_t>& if_match) {
    if (!if_match || *if_match == current.version) return {};
    Error e = Error::make(ErrorCode::version_mismatch,
                          "The " + std::string(info(current.kind).name) + " is at version " +
                              std::to_string(current.version) + ", not " +
                              std::to_string(*if_match) + ".");
    e.current_version = current.version;
    return e;
}

// The campaign an event of this entity belongs to, for feed filtering.
std::optional<std::int64_t> campaign_of(const StateView& state, Kind kind, const Fields& fields,
                                        std::int64_t id) {
    switch (kind) {
        case Kind::client:
            return std::nullopt;
        case Kind::campaign:
            return id;
        case Kind::content:
            return get_int(fields, "campaign_id");
        case Kind::block:
        case Kind::script: {
            auto content_id = get_int(fields, "content_id");
            if (!content_id) return std::nullopt;
            auto content = state.find(Kind::content, *content_id);
            return content ? get_int(content->fields, "campaign_id") : std::nullopt;
        }
    }
    return std::nullopt;
}

Event make_event(EventType type, Kind kind, std::int64_t id, std::int64_t version,
                 std::optional<std::int64_t> campaign_id, Fields data, std::string cause = {}) {
    Event ev;
    ev.type = type;
    ev.kind = kind;
    ev.entity_id = id;
    ev.stream_version = version;
    ev.campaign_id = campaign_id;
    ev.data = std::move(data);
    ev.meta.cause = std::move(cause);
    return ev;
}

Status check_references(const StateView& state, Kind kind, const Fields& fields) {
    for (const auto& spec : info(kind).fields) {
        if (spec.type != FieldType::reference || spec.access == Access::path) continue;
        auto id = get_int(fields, spec.name);
        if (id && !state.find(spec.ref, *id)) return unknown_reference(spec.name, spec.ref, *id);
    }
    return {};
}

Status check_unique_name(const StateView& state, const Fields& fields,
                         std::optional<std::int64_t> self) {
    const std::string* name = get_string(fields, "name");
    if (!name) return {};
    auto owner = state.client_named(*name);
    if (owner && owner != self)
        return Error::make(ErrorCode::conflict, "A client named \"" + *name + "\" already exists.");
    return {};
}

EventType created_type(Kind k) { return lifecycle_event(k, Lifecycle::created); }
EventType updated_type(Kind k) { return lifecycle_event(k, Lifecycle::updated); }
EventType deleted_type(Kind k) { return lifecycle_event(k, Lifecycle::deleted); }

Result<Decision> create(const StateView& state, const CreateEntity& cmd) {
    Fields fields = cmd.fields;
    const KindInfo& ki = info(cmd.kind);
    if (cmd.kind == Kind::block || cmd.kind == Kind::script) {
        if (!cmd.parent_id || !state.find(Kind::content, *cmd.parent_id))
            return not_found(Kind::content, cmd.parent_id.value_or(0));
        // The parent goes first, so events read naturally.
        fields.insert(fields.begin(), Field{"content_id", *cmd.parent_id});
        const auto siblings = state.children(cmd.kind, *cmd.parent_id);
        const auto count = static_cast<std::int64_t>(siblings.size());
        if (cmd.kind == Kind::block) {
            auto pos = get_int(fields, "position");
            if (pos && (*pos < 0 || *pos > count))
                return invalid("position", "must be between 0 and " + std::to_string(count));
            set(fields, "position", pos.value_or(count));
        } else {
            std::int64_t revision = 0;
            for (auto sid : siblings)
                if (auto s = state.find(Kind::script, sid))
                    revision = std::max(revision, get_int(s->fields, "revision").value_or(0));
            fields.insert(fields.begin() + 1, Field{"revision", revision + 1});
        }
    }
    if (auto st = check_references(state, cmd.kind, fields); !st) return std::move(st).error();
    if (cmd.kind == Kind::client)
        if (auto st = check_unique_name(state, fields, std::nullopt); !st)
            return std::move(st).error();
    if (auto st = check_entity_rules(cmd.kind, fields); !st) return std::move(st).error();

    const std::int64_t id = state.last_id(cmd.kind) + 1;
    Decision d;
    d.outcome = Decision::Outcome::created;
    d.kind = cmd.kind;
    d.id = id;
    auto campaign = campaign_of(state, cmd.kind, fields, id);
    (void)ki;
    d.events.push_back(
        make_event(created_type(cmd.kind), cmd.kind, id, 1, campaign, std::move(fields)));
    return d;
}

Result<Decision> update(const StateView& state, const UpdateEntity& cmd) {
    auto current = state.find(cmd.kind, cmd.id);
    if (!current) return not_found(cmd.kind, cmd.id);
    if (auto st = check_version(*current, cmd.if_match); !st) return std::move(st).error();

    Fields changes;
    for (const auto& f : cmd.fields) {
        const Value* old = find(current->fields, f.name);
        if (!old || *old != f.value) changes.push_back(f);
    }
    Decision d;
    d.kind = cmd.kind;
    d.id = cmd.id;
    if (changes.empty()) return d;  // nothing to record: the entity is already so

    if (auto st = check_references(state, cmd.kind, changes); !st) return std::move(st).error();
    if (cmd.kind == Kind::client)
        if (auto st = check_unique_name(state, changes, cmd.id); !st) return std::move(st).error();
    if (cmd.kind == Kind::block) {
        if (auto pos = get_int(changes, "position")) {
            auto parent = get_int(current->fields, "content_id").value_or(0);
            const auto count =
                static_cast<std::int64_t>(state.children(Kind::block, parent).size());
            if (*pos >= count)
                return invalid("position", "must be between 0 and " + std::to_string(count - 1));
        }
    }
    Fields merged = current->fields;
    for (const auto& f : changes) set(merged, f.name, f.value);
    if (auto st = check_entity_rules(cmd.kind, merged); !st) return std::move(st).error();

    d.outcome = Decision::Outcome::updated;
    d.events.push_back(make_event(updated_type(cmd.kind), cmd.kind, cmd.id, current->version + 1,
                                  campaign_of(state, cmd.kind, merged, cmd.id),
                                  std::move(changes)));
    return d;
}

// Appends the deletion of one entity and, first, of everything under it, so
// subscribers and replays see every removal. `cause` names the stream whose
// deletion was asked for ("" for that entity itself).
void cascade_delete(const StateView& state, const Entity& entity, const std::string& cause,
                    std::vector<Event>& out) {
    const std::string root = cause.empty() ? stream_name(entity.kind, entity.id) : cause;
    auto campaign = campaign_of(state, entity.kind, entity.fields, entity.id);
    std::int64_t version = entity.version;
    if (entity.kind == Kind::campaign) {
        for (auto content_id : state.children(Kind::content, entity.id))
            if (auto c = state.find(Kind::content, content_id))
                cascade_delete(state, *c, root, out);
        for (const auto& type : state.attached_resources(entity.id))
            out.push_back(make_event(EventType::campaign_resource_detached, Kind::campaign,
                                     entity.id, ++version, campaign,
                                     Fields{{"resource_type", type}}, root));
    } else if (entity.kind == Kind::content) {
        auto blocks = state.children(Kind::block, entity.id);
        // Last position first, so no remaining block ever has to shift.
        for (auto it = blocks.rbegin(); it != blocks.rend(); ++it)
            if (auto b = state.find(Kind::block, *it)) cascade_delete(state, *b, root, out);
        for (auto script_id : state.children(Kind::script, entity.id))
            if (auto s = state.find(Kind::script, script_id)) cascade_delete(state, *s, root, out);
    }
    Fields data;
    if (!info(entity.kind).parent_field.empty())
        if (auto parent = get_int(entity.fields, info(entity.kind).parent_field))
            data.push_back({std::string(info(entity.kind).parent_field), *parent});
    out.push_back(make_event(deleted_type(entity.kind), entity.kind, entity.id, version + 1,
                             campaign, std::move(data), cause));
}

Result<Decision> remove(const StateView& state, const DeleteEntity& cmd) {
    auto current = state.find(cmd.kind, cmd.id);
    if (!current) return not_found(cmd.kind, cmd.id);
    if (auto st = check_version(*current, cmd.if_match); !st) return std::move(st).error();
    if (cmd.kind == Kind::client && !state.children(Kind::campaign, cmd.id).empty())
        return Error::make(ErrorCode::conflict,
                           "The client still has campaigns; delete or move them first.");
    Decision d;
    d.outcome = Decision::Outcome::deleted;
    d.kind = cmd.kind;
    d.id = cmd.id;
    cascade_delete(state, *current, "", d.events);
    return d;
}

Result<Decision> reorder(const StateView& state, const ReorderBlocks& cmd) {
    auto content = state.find(Kind::content, cmd.content_id);
    if (!content) return not_found(Kind::content, cmd.content_id);
    if (auto st = check_version(*content, cmd.if_match); !st) return std::move(st).error();
    const auto current = state.children(Kind::block, cmd.content_id);
    auto given = cmd.block_ids;
    auto sorted_current = current;
    std::sort(given.begin(), given.end());
    std::sort(sorted_current.begin(), sorted_current.end());
    if (given != sorted_current)
        return invalid("block_ids", "must list each of the content's " +
                                        std::to_string(current.size()) + " blocks exactly once");
    Decision d;
    d.kind = Kind::content;
    d.id = cmd.content_id;
    if (cmd.block_ids == current) return d;
    d.outcome = Decision::Outcome::updated;
    d.events.push_back(make_event(EventType::blocks_reordered, Kind::content, cmd.content_id,
                                  content->version + 1, get_int(content->fields, "campaign_id"),
                                  Fields{{"block_ids", cmd.block_ids}}));
    return d;
}

Result<Decision> attach(const StateView& state, const AttachResource& cmd) {
    auto campaign = state.find(Kind::campaign, cmd.campaign_id);
    if (!campaign) return not_found(Kind::campaign, cmd.campaign_id);
    if (auto st = check_version(*campaign, cmd.if_match); !st) return std::move(st).error();
    Decision d;
    // An attachment creates the campaign's resource (201), even when it
    // replaces an earlier file of the same slot.
    d.outcome = Decision::Outcome::created;
    d.kind = Kind::campaign;
    d.id = cmd.campaign_id;
    d.events.push_back(make_event(EventType::campaign_resource_attached, Kind::campaign,
                                  cmd.campaign_id, campaign->version + 1, cmd.campaign_id,
                                  cmd.resource));
    return d;
}

Result<Decision> detach(const StateView& state, const DetachResource& cmd) {
    auto campaign = state.find(Kind::campaign, cmd.campaign_id);
    if (!campaign) return not_found(Kind::campaign, cmd.campaign_id);
    if (auto st = check_version(*campaign, cmd.if_match); !st) return std::move(st).error();
    auto attached = state.attached_resources(cmd.campaign_id);
    if (std::find(attached.begin(), attached.end(), cmd.resource_type) == attached.end())
        return Error::make(ErrorCode::not_found,
                           "The campaign has no " + cmd.resource_type + " resource.");
    Decision d;
    d.outcome = Decision::Outcome::updated;
    d.kind = Kind::campaign;
    d.id = cmd.campaign_id;
    d.events.push_back(make_event(EventType::campaign_resource_detached, Kind::campaign,
                                  cmd.campaign_id, campaign->version + 1, cmd.campaign_id,
                                  Fields{{"resource_type", cmd.resource_type}}));
    return d;
}

}  // namespace

Result<Decision> decide(const StateView& state, const Command& command) {
    return std::visit(
        [&](const auto& cmd) -> Result<Decision> {
            using T = std::decay_t<decltype(cmd)>;
            if constexpr (std::is_same_v<T, CreateEntity>)
                return create(state, cmd);
            else if constexpr (std::is_same_v<T, UpdateEntity>)
                return update(state, cmd);
            else if constexpr (std::is_same_v<T, DeleteEntity>)
                return remove(state, cmd);
            else if constexpr (std::is_same_v<T, ReorderBlocks>)
                return reorder(state, cmd);
            else if constexpr (std::is_same_v<T, AttachResource>)
                return attach(state, cmd);
            else
                return detach(state, cmd);
        },
        command);
}

}  // namespace omnivibe::domain
