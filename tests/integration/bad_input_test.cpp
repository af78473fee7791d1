// Hostile input against the real omnivibe-server (SPEC section 11): every
// case of the corpus in tests/corpus/*.cases (format in tests/corpus/README.md)
// is sent on its own connection, byte for byte, and must get the answer its
// line expects. After each case the server still answers /healthz, and a
// refused request leaves the log head where it was. Accepted cases marked
// "+verbatim" must come back byte-identical, in the answer and in a later GET.

#include <signal.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "integration/api_helpers.hpp"
#include "omnivibe/json/decode.hpp"
#include "support/test_server.hpp"

using namespace omnivibe;
using namespace omnivibe::test;

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

struct Case {
    std::string where;  ///< file:line
    std::string expect;
    bool verbatim = false;
    bool raw = false;
    std::string method;
    std::string target;
    std::string body;
    std::string bytes;  ///< what goes on the wire
};

// Decodes the corpus escapes: <CR> <LF> <CRLF> <TAB> <NUL> <SP> <xHH>, and
// <*N:TEXT> for TEXT (itself decoded) repeated N times. Anything else is literal.
std::string decode(std::string_view s, const std::string& where) {
    std::string out;
    std::size_t i = 0;
    auto starts = [&](std::string_view tok) { return s.substr(i, tok.size()) == tok; };
    while (i < s.size()) {
        if (s[i] != '<') {
            out += s[i++];
            continue;
        }
        static const std::pair<std::string_view, std::string_view> kNamed[] = {
            {"<CRLF>", "\r\n"}, {"<CR>", "\r"}, {"<LF>", "\n"},
            {"<TAB>", "\t"},    {"<SP>", " "},  {"<NUL>", std::string_view("\0", 1)}};
        bool named = false;
        for (const auto& [tok, bytes] : kNamed)
            if (starts(tok)) {
                out += bytes;
                i += tok.size();
                named = true;
                break;
            }
        if (named) continue;
        if (i + 5 <= s.size() && starts("<x") && s[i + 4] == '>' &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 3]))) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 2, 2)), nullptr, 16));
            i += 5;
            continue;
        }
        if (starts("<*")) {
            const auto colon = s.find(':', i);
            if (colon == std::string_view::npos) throw std::runtime_error(where + ": bad <*N:...>");
            const auto count = std::stoul(std::string(s.substr(i + 2, colon - i - 2)));
            std::size_t depth = 1, j = colon + 1;
            for (; j < s.size() && depth; ++j) {
                if (s[j] == '<') ++depth;
                if (s[j] == '>') --depth;
            }
            if (depth) throw std::runtime_error(where + ": unbalanced <*N:...>");
            const std::string text = decode(s.substr(colon + 1, j - 1 - colon - 1), where);
            for (std::size_t k = 0; k < count; ++k) out += text;
            i = j;
            continue;
        }
        out += s[i++];
    }
    return out;
}

std::string corpus_dir() {
    const char* src = std::getenv("OMNIVIBE_SOURCE_DIR");
    return (std::filesystem::path(src ? src : ".") / "tests" / "corpus").string();
}

std::vector<Case> load_corpus() {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(corpus_dir()))
        if (entry.path().extension() == ".cases") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    std::vector<Case> cases;
    for (const auto& file : files) {
        std::ifstream in(file);
        std::string line;
        for (int n = 1; std::getline(in, line); ++n) {
            if (line.empty() || line[0] == '#') continue;
            Case c;
            c.where = file.filename().string() + ":" + std::to_string(n);
            std::size_t pos = 0;
            auto token = [&] {
                while (pos < line.size() && line[pos] == ' ') ++pos;
                const auto end = std::min(line.find(' ', pos), line.size());
                std::string t = line.substr(pos, end - pos);
                pos = end;
                return t;
            };
            c.expect = token();
            if (const auto plus = c.expect.find("+verbatim"); plus != std::string::npos) {
                c.verbatim = true;
                c.expect.erase(plus);
            }
            c.method = token();
            if (c.expect.empty() || c.method.empty())
                throw std::runtime_error(c.where + ": expected 'EXPECT METHOD TARGET [BODY]'");
            const std::string rest = pos < line.size() ? line.substr(pos + 1) : std::string();
            if (c.method == "raw") {
                c.raw = true;
                c.bytes = decode(rest, c.where);
            } else {
                const std::string& tail = rest;
                const auto sp = tail.find(' ');
                c.target = decode(tail.substr(0, sp), c.where);
                if (sp != std::string::npos) c.body = decode(tail.substr(sp + 1), c.where);
                c.bytes = c.method + " " + c.target + " HTTP/1.1\r\nHost: corpus\r\n";
                if (sp != std::string::npos) {
                    c.bytes += "Content-Type: application/json\r\nContent-Length: " +
                               std::to_string(c.body.size()) + "\r\n";
                }
                c.bytes += "\r\n" + c.body;
            }
            cases.push_back(std::move(c));
        }
    }
    return cases;
}

// Sends the bytes on a fresh connection, closes the sending side (so the
// server sees the end of the input) and reads until the server closes.
std::string exchange(std::uint16_t port, const std::string& bytes) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    beast::error_code ec;
    stream.expires_after(std::chrono::seconds(30));
    net::write(stream.socket(), net::buffer(bytes), ec);
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    std::string out;
    char buf[16384];
    for (;;) {
        stream.expires_after(std::chrono::seconds(30));
        const auto n = stream.read_some(net::buffer(buf), ec);
        out.append(buf, n);
        if (ec) break;
    }
    return out;
}

struct Answer {
    int status = 0;
    std::string content_type;
    std::string body;
    bool retry_after = false;
};

// Splits what came back into the responses it holds.
std::vector<Answer> parse_answers(const std::string& bytes, bool head_request,
                                  std::string& problem) {
    std::vector<Answer> out;
    std::size_t offset = 0;
    while (offset < bytes.size()) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.eager(true);
        parser.skip(head_request);
        parser.body_limit(64 << 20);
        beast::error_code ec;
        while (!parser.is_done() && offset < bytes.size()) {
            const auto n =
                parser.put(net::buffer(bytes.data() + offset, bytes.size() - offset), ec);
            if (ec == bhttp::error::need_more) {
                ec = {};
                if (n == 0) break;
            }
            if (ec) break;
            offset += n;
            if (n == 0) break;
        }
        if (ec || !parser.is_done()) {
            problem = "unparseable response bytes: " + (ec ? ec.message() : "truncated");
            return out;
        }
        auto msg = parser.release();
        if (msg.result_int() / 100 == 1) continue;  // interim (100 Continue): not an answer
        Answer a;
        a.status = static_cast<int>(msg.result_int());
        a.content_type = std::string(msg[bhttp::field::content_type]);
        a.retry_after = msg.count(bhttp::field::retry_after) > 0;
        a.body = std::move(msg.body());
        out.push_back(std::move(a));
    }
    return out;
}

// "400|413" matches 400 or 413; "close" matches the absence of an answer.
bool matches(std::string_view alternatives, const Answer* a) {
    std::size_t pos = 0;
    while (pos <= alternatives.size()) {
        auto end = alternatives.find('|', pos);
        if (end == std::string_view::npos) end = alternatives.size();
        const auto alt = alternatives.substr(pos, end - pos);
        if (alt == "close" && !a) return true;
        if (a && alt == std::to_string(a->status)) return true;
        pos = end + 1;
    }
    return false;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    for (;;) {
        auto end = s.find(sep, pos);
        out.push_back(s.substr(pos, end - pos));
        if (end == std::string::npos) return out;
        pos = end + 1;
    }
}

// Error answers keep the one shape and never show internals.
void check_error_shape(const Answer& a) {
    if (a.status < 400 || a.body.empty()) return;
    BOOST_TEST(a.content_type == "application/json");
    BOOST_TEST(json_has(a.body, "/detail"));
    BOOST_TEST(json_has(a.body, "/code"));
    BOOST_TEST(json_has(a.body, "/errors"));
    BOOST_TEST(json_has(a.body, "/request_id"));
    std::string lowered = a.body;
    for (auto& ch : lowered) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    BOOST_TEST(lowered.find("sqlite") == std::string::npos, a.body);
    BOOST_TEST(lowered.find("omnivibe_writer_only") == std::string::npos, a.body);
    if (a.status == 503) BOOST_TEST(a.retry_after);
}

// The fields sent are the fields stored: same bytes in the answer and in a GET.
void check_verbatim(HttpClient& c, const Case& k, const Answer& a) {
    auto sent = json::parse_object(k.body);
    BOOST_REQUIRE(sent);
    const std::string prefix = k.target.starts_with("/api/v1/content-schedule") ? "/content" : "";
    const std::string item = k.method == "POST"
                                 ? k.target + "/" + std::to_string(json_int(a.body, prefix + "/id"))
                                 : k.target;
    auto stored = c.get(item);
    BOOST_TEST_REQUIRE(stored.status == 200);
    for (const auto& body : {a.body, stored.body}) {
        for (const auto& f : *sent) {
            const std::string ptr = prefix + "/" + f.name;
            BOOST_TEST_CONTEXT("field " << f.name) {
                if (auto* s = std::get_if<std::string>(&f.value))
                    BOOST_TEST(json_string(body, ptr) == *s);
                else
                    BOOST_TEST(json_raw(body, ptr) == json_raw(k.body, "/" + f.name));
            }
        }
    }
}

// Entities the corpus refers to: client 1, campaign 1, content 1.
void seed(HttpClient& c) {
    create_client(c, "Corpus client");
    create_campaign(c, 1, "Corpus campaign");
    create_content(c, 1, "Corpus content");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bad_input)

BOOST_AUTO_TEST_CASE(every_corpus_case_gets_its_answer_and_the_server_stays_up) {
    const auto cases = load_corpus();
    // Distinct requests, so the count below means what it says.
    std::set<std::string> distinct;
    for (const auto& k : cases)
        BOOST_TEST(distinct.insert(k.bytes).second, "duplicate request at " << k.where);
    BOOST_TEST_MESSAGE("bad-input corpus: " << cases.size() << " cases");
    BOOST_TEST(cases.size() >= 150u);

    TempDir dir;
    ServerProcess p(fresh_store(dir.file("omnivibe.db")), dir.file("uploads"));
    HttpClient c(p.port());
    seed(c);
    std::string head = c.get("/api/v1/clients").header("X-Event-Seq");
    std::size_t accepted = 0;

    for (const auto& k : cases) {
        BOOST_TEST_CONTEXT(k.where << " expecting " << k.expect) {
            const std::string received = exchange(p.port(), k.bytes);
            std::string problem;
            const bool head_request = !k.raw && k.method == "HEAD";
            const auto answers = parse_answers(received, head_request, problem);
            BOOST_TEST(problem.empty(), problem << ": " << received.substr(0, 300));
            const auto expected = split(k.expect, ',');
            BOOST_TEST(answers.size() <= expected.size(),
                       "more answers than expected: " << received.substr(0, 600));
            bool any_success = false;
            for (std::size_t i = 0; i < expected.size(); ++i) {
                const Answer* a = i < answers.size() ? &answers[i] : nullptr;
                BOOST_TEST(matches(expected[i], a),
                           "answer "
                               << i << " was "
                               << (a ? std::to_string(a->status) + " " + a->body.substr(0, 300)
                                     : std::string("no answer (closed)")));
                if (a) {
                    check_error_shape(*a);
                    any_success = any_success || a->status / 100 == 2;
                }
            }
            if (k.verbatim && !answers.empty() && answers[0].status / 100 == 2)
                check_verbatim(c, k, answers[0]);

            // Still up, and only an accepted write moves the head.
            BOOST_TEST_REQUIRE(c.get("/healthz").status == 200);
            const std::string now = c.get("/api/v1/clients").header("X-Event-Seq");
            const bool writes = k.raw || k.method != "GET";
            if (any_success && writes) {
                ++accepted;
            } else {
                BOOST_TEST(now == head, "the log head moved from " << head << " to " << now);
            }
            head = now;
        }
    }
    BOOST_TEST_MESSAGE("bad-input corpus: " << accepted << " accepted writes");
    BOOST_TEST(p.signal_and_wait(SIGTERM) == 0);
}

// Regression (bad-input corpus): with "Transfer-Encoding: gzip" the body was
// read as empty and its bytes served as the next request, so a request could
// be smuggled past anything that framed the stream correctly.
BOOST_AUTO_TEST_CASE(a_transfer_encoding_not_ending_in_chunked_is_refused_and_closed) {
    TestServer s;
    const std::string smuggling =
        "POST /api/v1/clients HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"
        "POST /api/v1/clients HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n{\"name\":\"S\"}";
    std::string problem;
    const auto answers = parse_answers(exchange(s.port(), smuggling), false, problem);
    BOOST_TEST(problem.empty(), problem);
    BOOST_REQUIRE(answers.size() == 1u);
    BOOST_TEST(answers[0].status == 400);
    BOOST_TEST(s.client().get("/api/v1/clients").header("X-Event-Seq") == "0");
}

BOOST_AUTO_TEST_SUITE_END()
