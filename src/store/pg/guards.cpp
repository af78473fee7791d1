// omnivibe-audit's check of the PostgreSQL schema's guards: what a role with
// enough power could switch off (a trigger disabled or dropped, a guard
// function replaced) to rewrite the log or the read tables unnoticed.

#include <map>
#include <regex>

#include "omnivibe/projection/projector.hpp"
#include "omnivibe/store/pg/migrations.hpp"

namespace omnivibe::store::pg {

namespace {

// Trigger name -> the function it must execute.
std::map<std::string, std::string> expected_triggers() {
    std::map<std::string, std::string> out = {
        {"events_append_only", "events_append_only"},
        {"events_writer_only", "omnivibe_writer_only"},
        {"events_chained", "events_chained"},
        {"idempotency_keys_writer_only", "omnivibe_writer_only"},
        {"schema_migrations_writer_only", "omnivibe_writer_only"},
    };
    for (auto table : projection::read_tables())
        out[std::string(table) + "_writer_only"] = "omnivibe_writer_only";
    out["projection_state_writer_only"] = "omnivibe_writer_only";
    return out;
}

// Function name -> its body ($$ ... $$), as the embedded migrations define it.
std::map<std::string, std::string> expected_functions() {
    static const std::regex kFunction(R"(CREATE FUNCTION (\w+)\([\s\S]*?AS \$\$([\s\S]*?)\$\$;)");
    std::map<std::string, std::string> out;
    for (const auto& m : embedded_migrations())
        for (std::cregex_iterator it(m.sql.data(), m.sql.data() + m.sql.size(), kFunction), end;
             it != end; ++it)
            out[(*it)[1].str()] = (*it)[2].str();
    return out;
}

}  // namespace

std::vector<std::string> check_guards(Connection& conn) {
    std::vector<std::string> problems;
    if (auto st = check_migrations(conn); !st) problems.push_back(st.error().detail);

    std::map<std::string, std::pair<std::string, bool>> actual;  // name -> (function, enabled)
    const Rows triggers = conn.query(
        "SELECT t.tgname, p.proname, t.tgenabled <> 'D' FROM pg_trigger t "
        "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal");
    for (int i = 0; i < triggers.size(); ++i)
        actual[std::string(triggers.text(i, 0))] = {std::string(triggers.text(i, 1)),
                                                    triggers.boolean(i, 2)};
    for (const auto& [name, function] : expected_triggers()) {
        auto it = actual.find(name);
        if (it == actual.end())
            problems.push_back("trigger " + name + " is missing");
        else if (it->second.first != function)
            problems.push_back("trigger " + name + " calls " + it->second.first + ", not " +
                               function);
        else if (!it->second.second)
            problems.push_back("trigger " + name + " is disabled");
    }
    for (const auto& [name, body] : expected_functions()) {
        const Rows found = conn.query("SELECT prosrc FROM pg_proc WHERE proname = $1", {name});
        if (found.empty())
            problems.push_back("function " + name + " is missing");
        else if (found.text(0, 0) != body)
            problems.push_back("function " + name + " differs from the one the migrations create");
    }
    return problems;
}

}  // namespace omnivibe::store::pg
