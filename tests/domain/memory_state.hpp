#pragma once
// An in-memory StateView for domain tests: entities in a map, children found
// by their parent field. No database: business rules are tested on their own.

#include <algorithm>
#include <map>

#include "omnivibe/core/text.hpp"
#include "omnivibe/domain/state.hpp"

namespace omnivibe::test {

class MemoryState final : public domain::StateView {
  public:
    domain::Entity& put(domain::Kind kind, std::int64_t id, domain::Fields fields,
                        std::int64_t version = 1) {
        auto& e = entities_[{kind, id}];
        e = domain::Entity{kind,
                           id,
                           version,
                           "2026-01-01T00:00:00.000Z",
                           "2026-01-01T00:00:00.000Z",
                           std::move(fields),
                           {}};
        last_[kind] = std::max(last_[kind], id);
        return e;
    }
    void attach(std::int64_t campaign, std::string type) { resources_[campaign].push_back(type); }
    /// Deletes an entity; its id stays used (last_id counts it).
    void remove(domain::Kind kind, std::int64_t id) { entities_.erase({kind, id}); }

    std::optional<domain::Entity> find(domain::Kind kind, std::int64_t id) const override {
        auto it = entities_.find({kind, id});
        if (it == entities_.end()) return std::nullopt;
        return it->second;
    }
    std::optional<std::int64_t> client_named(std::string_view name) const override {
        for (const auto& [key, e] : entities_)
            if (key.first == domain::Kind::client)
                if (auto* n = domain::get_string(e.fields, "name"); n && iequals(*n, name))
                    return key.second;
        return std::nullopt;
    }
    std::vector<std::int64_t> children(domain::Kind child, std::int64_t parent) const override {
        std::vector<std::pair<std::int64_t, std::int64_t>> found;  // (order, id)
        const auto field = domain::info(child).parent_field;
        for (const auto& [key, e] : entities_)
            if (key.first == child && domain::get_int(e.fields, field) == parent)
                found.emplace_back(child == domain::Kind::block
                                       ? domain::get_int(e.fields, "position").value_or(0)
                                       : key.second,
                                   key.second);
        std::sort(found.begin(), found.end());
        std::vector<std::int64_t> ids;
        for (auto& f : found) ids.push_back(f.second);
        return ids;
    }
    std::int64_t last_id(domain::Kind kind) const override {
        auto it = last_.find(kind);
        return it == last_.end() ? 0 : it->second;
    }
    std::vector<std::string> attached_resources(std::int64_t campaign) const override {
        auto it = resources_.find(campaign);
        return it == resources_.end() ? std::vector<std::string>{} : it->second;
    }

  private:
    std::map<std::pair<domain::Kind, std::int64_t>, domain::Entity> entities_;
    std::map<domain::Kind, std::int64_t> last_;
    std::map<std::int64_t, std::vector<std::string>> resources_;
};

}  // namespace omnivibe::test
