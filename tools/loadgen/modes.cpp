#include "modes.hpp"

#include <algorithm>

#include "api.hpp"

namespace omnivibe::loadgen {

Target target_of(const Options& o) { return Target{o.host, o.port, o.token, o.timeout_s}; }

namespace {

RunReport failed(RunReport rep, const Error& e) {
    rep.fatal = e.detail;
    rep.exit_code = e.code == ErrorCode::unavailable ? 3 : 1;
    return rep;
}

std::int64_t pick(Connection& c, const std::pair<std::int64_t, std::int64_t>& range) {
    std::uniform_int_distribution<std::int64_t> d(range.first, range.second);
    return d(c.rng);
}

std::string patch_body(const Connection& c, std::uint64_t ticket) {
    return "{\"description\":\"Patched by omnivibe-loadgen (" + std::to_string(c.index) + "/" +
           std::to_string(ticket) + ")\"}";
}

RequestSpec get_by_id(Connection& c, const std::pair<std::int64_t, std::int64_t>& range) {
    return {"GET", std::string(kCampaigns) + "/" + std::to_string(pick(c, range)), {}};
}

RequestSpec patch_by_id(Connection& c, std::uint64_t ticket,
                        const std::pair<std::int64_t, std::int64_t>& range) {
    return {"PATCH", std::string(kCampaigns) + "/" + std::to_string(pick(c, range)),
            patch_body(c, ticket)};
}

// Seeds clients, then campaigns spread over them; reports both phases.
RunReport seed(const Options& o, RunReport rep) {
    const Target target = target_of(o);
    const std::string token = run_token();
    std::vector<std::vector<std::int64_t>> client_ids(o.connections);
    {
        Budget budget(o.clients, o.duration_s, o.rate);
        LoadHooks hooks;
        hooks.make = [&token](Connection&, std::uint64_t ticket) {
            return RequestSpec{"POST", "/api/v1/clients",
                               "{\"name\":\"Seed client " + token + "-" + std::to_string(ticket) +
                                   "\",\"industry\":\"retail\"}"};
        };
        hooks.on_answer = [&client_ids](Connection& c, const Answer& a) {
            if (a.status == 201)
                if (auto id = id_of(a.body)) client_ids[c.index].push_back(*id);
        };
        rep.phases.push_back(
            {"clients", run_load(target, o.connections, o.threads, budget, hooks)});
    }
    std::vector<std::int64_t> clients;
    for (auto& v : client_ids) clients.insert(clients.end(), v.begin(), v.end());
    if (clients.empty())
        return failed(std::move(rep), Error::make(ErrorCode::internal, "no client was created"));
    std::sort(clients.begin(), clients.end());

    std::vector<std::pair<std::int64_t, std::int64_t>> ranges(o.connections,
                                                              {INT64_MAX, INT64_MIN});
    Budget budget(o.requests, o.duration_s, o.rate);
    LoadHooks hooks;
    hooks.make = [&clients, &token](Connection&, std::uint64_t ticket) {
        const std::int64_t client = clients[ticket % clients.size()];
        return RequestSpec{"POST", std::string(kCampaigns),
                           campaign_body(client, "Seed campaign " + std::to_string(ticket),
                                         "Seeded by omnivibe-loadgen run " + token +
                                             " for the benchmark; a description of ordinary "
                                             "length, like the ones the planners write.")};
    };
    hooks.on_answer = [&ranges](Connection& c, const Answer& a) {
        if (a.status != 201) return;
        if (auto id = id_of(a.body)) {
            auto& r = ranges[c.index];
            r.first = std::min(r.first, *id);
            r.second = std::max(r.second, *id);
        }
    };
    rep.phases.push_back({"campaigns", run_load(target, o.connections, o.threads, budget, hooks)});
    std::pair<std::int64_t, std::int64_t> all{INT64_MAX, INT64_MIN};
    for (auto& r : ranges) {
        all.first = std::min(all.first, r.first);
        all.second = std::max(all.second, r.second);
    }
    rep.facts.emplace_back("clients_created", static_cast<std::int64_t>(clients.size()));
    if (all.first <= all.second) {
        rep.facts.emplace_back("first_campaign_id", all.first);
        rep.facts.emplace_back("last_campaign_id", all.second);
    }
    return rep;
}

}  // namespace

RunReport run_requests(const Options& o) {
    RunReport rep;
    rep.options = o;
    const Target target = target_of(o);
    if (o.mode == Mode::seed) {
        rep = seed(o, std::move(rep));
    } else {
        LoadHooks hooks;
        std::int64_t client_id = 0;
        std::pair<std::int64_t, std::int64_t> range{0, 0};
        if (o.mode == Mode::create) {
            auto id = create_client(target, "Load client " + run_token());
            if (!id) return failed(std::move(rep), id.error());
            client_id = *id;
            rep.facts.emplace_back("client_id", client_id);
        } else if (o.mode != Mode::list) {
            if (o.id_range) {
                range = *o.id_range;
            } else {
                auto r = campaign_id_range(target);
                if (!r) return failed(std::move(rep), r.error());
                range = *r;
            }
            rep.facts.emplace_back("first_campaign_id", range.first);
            rep.facts.emplace_back("last_campaign_id", range.second);
        }
        switch (o.mode) {
            case Mode::create:
                hooks.make = [client_id](Connection& c, std::uint64_t ticket) {
                    return RequestSpec{
                        "POST", std::string(kCampaigns),
                        campaign_body(client_id, "Load campaign " + std::to_string(ticket),
                                      "Written by omnivibe-loadgen on connection " +
                                          std::to_string(c.index) + ".")};
                };
                break;
            case Mode::patch:
                hooks.make = [range](Connection& c, std::uint64_t ticket) {
                    return patch_by_id(c, ticket, range);
                };
                break;
            case Mode::get:
                hooks.make = [range](Connection& c, std::uint64_t) { return get_by_id(c, range); };
                break;
            case Mode::list:
                hooks.make = [pages = o.list_pages](Connection& c, std::uint64_t) {
                    std::uniform_int_distribution<unsigned> d(1, pages);
                    return RequestSpec{"GET",
                                       std::string(kCampaigns) +
                                           "?page=" + std::to_string(d(c.rng)) + "&page_size=20",
                                       {}};
                };
                break;
            case Mode::mixed:
                hooks.make = [range, ratio = o.read_ratio](Connection& c, std::uint64_t ticket) {
                    std::uniform_real_distribution<double> d(0, 1);
                    return d(c.rng) < ratio ? get_by_id(c, range) : patch_by_id(c, ticket, range);
                };
                break;
            default:
                break;
        }
        Budget budget(o.requests, o.duration_s, o.rate);
        rep.phases.push_back(
            {"requests", run_load(target, o.connections, o.threads, budget, hooks)});
    }
    for (const auto& p : rep.phases)
        if (p.result.tally.errors() > 0) rep.exit_code = 1;
    return rep;
}

}  // namespace omnivibe::loadgen
