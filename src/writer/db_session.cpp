#include "omnivibe/writer/db_session.hpp"

#include "omnivibe/projection/read_model.hpp"

namespace omnivibe::writer {

// ---- DbState --------------------------------------------------------------------

// decide() never reads computed fields (StateView leaves them "empty when not
// known"), and counting them is O(children): with them, every campaign created
// for a client counted all of that client's campaigns to check the reference.
std::optional<domain::Entity> DbState::find(domain::Kind kind, std::int64_t id) const {
    return projection::load_entity(db_, kind, id, projection::Computed::omit);
}

std::optional<std::int64_t> DbState::client_named(std::string_view name) const {
    return projection::client_named(db_, name);
}

std::vector<std::int64_t> DbState::children(domain::Kind child, std::int64_t parent_id) const {
    return projection::child_ids(db_, child, parent_id);
}

std::int64_t DbState::last_id(domain::Kind kind) const { return projection::last_id(db_, kind); }

std::vector<std::string> DbState::attached_resources(std::int64_t campaign_id) const {
    std::vector<std::string> out;
    for (auto& r : projection::campaign_resources(db_, campaign_id))
        out.push_back(std::move(r.resource_type));
    return out;
}

// ---- DbSession ------------------------------------------------------------------

DbSession::DbSession(store::Db& db, projection::Projector::StreamWrites streams)
    : db_(db), events_(db_), projector_(db_, streams), state_(db_) {
    events_.load_head();
}

DbSession::DbSession(std::unique_ptr<store::Db> db)
    : own_(std::move(db)), db_(*own_), events_(db_), projector_(db_), state_(db_) {
    events_.load_head();
}

DbSession::~DbSession() {
    unit_.reset();
    tx_.reset();
}

void DbSession::close() {
    unit_.reset();
    tx_.reset();
}

void DbSession::begin() {
    head_at_begin_ = events_.head();
    tx_.emplace(db_);
}

void DbSession::reload_head() {
    events_.load_head();
    head_at_begin_ = events_.head();
}

void DbSession::commit() {
    tx_->commit();
    tx_.reset();
}

void DbSession::rollback() noexcept {
    unit_.reset();
    tx_.reset();
    events_.restore_head(head_at_begin_);
}

void DbSession::begin_unit() {
    head_at_unit_ = events_.head();
    unit_.emplace(db_);
}

void DbSession::keep_unit() {
    unit_->release();
    unit_.reset();
}

void DbSession::undo_unit() noexcept {
    unit_.reset();  // rolls back to the savepoint and releases it
    events_.restore_head(head_at_unit_);
}

bool DbSession::transaction_lost() const noexcept { return tx_ && !db_.in_transaction(); }

store::EventRow DbSession::append(domain::Event& ev) {
    store::EventRow row = events_.append(ev);
    projector_.apply(ev);
    return row;
}

std::optional<domain::Entity> DbSession::entity(domain::Kind kind, std::int64_t id) {
    return projection::load_entity(db_, kind, id);
}

std::vector<domain::Entity> DbSession::blocks(std::int64_t content_id) {
    return projection::storyboard_blocks(db_, content_id);
}

std::optional<projection::ResourceRow> DbSession::resource(std::int64_t campaign_id,
                                                           std::string_view type) {
    for (auto& r : projection::campaign_resources(db_, campaign_id))
        if (r.resource_type == type) return std::move(r);
    return std::nullopt;
}

std::optional<store::KeptAnswer> DbSession::find_answer(std::string_view actor,
                                                        std::string_view key,
                                                        UnixMillis not_before) {
    return store::find_kept_answer(db_, actor, key, not_before);
}

void DbSession::keep_answer(std::string_view actor, std::string_view key,
                            const store::KeptAnswer& answer) {
    store::keep_answer(db_, actor, key, answer);
}

void DbSession::forget_answers_before(UnixMillis cutoff) {
    store::forget_answers_before(db_, cutoff);
}

void DbSession::checkpoint() { projector_.checkpoint(events_.head().seq); }

}  // namespace omnivibe::writer
