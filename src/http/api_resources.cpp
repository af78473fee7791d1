// REST handlers for campaign resources: the intro clip, the ending clip and the
// background music of a campaign (SPEC section 5).
//
// An upload is streamed, never held in memory: the route's opener runs on the
// request head alone (campaign exists, Content-Type acceptable, size within
// --max-upload-mb) so a refused upload is answered before its body is sent;
// then the body flows through an upload::Receiver into a temporary file while
// being hashed; the file's first bytes decide its format (a lying type is
// 415). Only a complete, accepted file is moved into the content-addressed
// store, and only then is `campaign.resource_attached` submitted. If that
// write fails the placement removes the file again, so a refused or
// interrupted upload leaves neither an event nor a stray file.
//
// The stored file is served back from disk with Range support for players.

#include <cmath>
#include <cstdlib>
#include <string>

#include "api.hpp"
#include "api_common.hpp"
#include "omnivibe/core/sha256.hpp"
#include "omnivibe/domain/commands.hpp"
#include "omnivibe/http/range.hpp"
#include "omnivibe/projection/responses.hpp"
#include "omnivibe/upload/file_store.hpp"
#include "omnivibe/upload/media.hpp"
#include "omnivibe/upload/receiver.hpp"

namespace omnivibe::http {

namespace {

using domain::Kind;

/// Room for the boundaries, part headers and small fields around the file.
constexpr std::uint64_t kFormOverhead = 64 * 1024;

std::string path(std::string_view tail) { return std::string(kApi) + std::string(tail); }

std::string file_url(std::int64_t campaign_id, std::string_view type) {
    return path("/campaigns/" + std::to_string(campaign_id) + "/resources/" + std::string(type) +
                "/file");
}

upload::MediaClass media_class(std::string_view slot) {
    return slot == "bgm" ? upload::MediaClass::audio : upload::MediaClass::video;
}

std::string slot_names() {
    std::string names;
    for (const auto& s : domain::resource_slots()) (names += names.empty() ? "" : ", ") += s.type;
    return names;
}

/// The slot named in a path: 404 for a type that does not exist.
Result<const domain::ResourceSlot*> path_slot(std::string_view type) {
    if (const auto* slot = domain::resource_slot(type)) return slot;
    return Error::make(ErrorCode::not_found, "No resource type " + std::string(type) +
                                                 "; the types are " + slot_names() + ".");
}

/// The body of an upload route: a Receiver behind the session's BodySink.
class UploadBody final : public BodySink {
  public:
    UploadBody(std::uint64_t limit, upload::ReceiverOptions options,
               upload::Receiver::HeadCheck check)
        : limit_(limit), receiver_(std::move(options), std::move(check)) {}
    std::uint64_t limit() const override { return limit_; }
    Status write(std::string_view bytes) override { return receiver_.write(bytes); }
    Status finish() override { return receiver_.finish(); }
    upload::Receiver& receiver() { return receiver_; }

  private:
    std::uint64_t limit_;
    upload::Receiver receiver_;
};

struct Resources {
    Service& svc;
    std::shared_ptr<upload::FileStore> files;

    // ---- uploads ----------------------------------------------------------------

    /// Checks on the head shared by both upload routes: the campaign and If-Match.
    Result<std::int64_t> check_campaign(Request& req, const PathParams& p) {
        auto id = parse_id(p[0], "campaign");
        if (!id) return std::move(id).error();
        if (auto m = parse_if_match(req); !m) return std::move(m).error();
        auto exists = svc.reads.with_snapshot([&](store::Db& db) {
            return projection::load_entity(db, Kind::campaign, *id).has_value();
        });
        if (!exists) return std::move(exists).error();
        if (!*exists) return not_found(Kind::campaign, *id);
        return *id;
    }

    upload::ReceiverOptions receiver_options() const {
        upload::ReceiverOptions o;
        o.temp_dir = files->temp_dir();
        o.max_file_bytes = svc.options.max_upload_bytes;
        return o;
    }

    // POST /campaigns/{id}/resources, multipart/form-data.
    Result<std::shared_ptr<BodySink>> open_form(Request& req, const PathParams& p) {
        if (auto id = check_campaign(req, p); !id) return std::move(id).error();
        auto boundary = upload::form_data_boundary(req.header("content-type"));
        if (!boundary) return std::move(boundary).error();
        upload::ReceiverOptions o = receiver_options();
        o.boundary = std::move(boundary).value();
        o.text_fields = {"resource_type", "duration"};
        // When resource_type came before the file, the file's kind is judged
        // from its first bytes; otherwise once the whole body is in.
        auto check = [](const upload::Receiver& r, std::string_view head,
                        std::string_view declared) -> Status {
            auto type = r.field("resource_type");
            if (!type) return {};
            const auto* slot = domain::resource_slot(*type);
            if (!slot) return fields_error({{"resource_type", "must be one of " + slot_names()}});
            auto media = upload::check_media(media_class(slot->type), head, declared);
            if (!media) return std::move(media).error();
            return {};
        };
        return std::shared_ptr<BodySink>(std::make_shared<UploadBody>(
            svc.options.max_upload_bytes + kFormOverhead, std::move(o), check));
    }

    // PUT /campaigns/{id}/resources/{type}, the raw file as the body.
    Result<std::shared_ptr<BodySink>> open_raw(Request& req, const PathParams& p) {
        auto slot = path_slot(p[1]);
        if (!slot) return std::move(slot).error();
        if (auto id = check_campaign(req, p); !id) return std::move(id).error();
        const auto cls = media_class((*slot)->type);
        const std::string declared(req.header("content-type"));
        if (auto st = upload::check_declared_type(cls, declared); !st) return std::move(st).error();
        upload::ReceiverOptions o = receiver_options();
        o.declared_type = declared;
        auto check = [cls](const upload::Receiver&, std::string_view head,
                           std::string_view type) -> Status {
            auto media = upload::check_media(cls, head, type);
            if (!media) return std::move(media).error();
            return {};
        };
        return std::shared_ptr<BodySink>(
            std::make_shared<UploadBody>(svc.options.max_upload_bytes, std::move(o), check));
    }

    /// Both upload routes once the body is in: validate, store, record.
    void attach(Request& req, const PathParams& p, std::optional<std::string> path_type,
                Reply reply) {
        auto* body = dynamic_cast<UploadBody*>(req.body_sink.get());
        if (!body)
            return reply(fail(req, Error::make(ErrorCode::internal, "upload without a body sink")));
        upload::Receiver& received = body->receiver();
        const std::int64_t campaign_id = parse_id(p[0], "campaign").value();
        auto if_match = parse_if_match(req);
        if (!if_match) return reply(fail(req, if_match.error()));

        std::vector<FieldError> errors;
        const std::optional<std::string> type =
            path_type ? path_type : received.field("resource_type");
        if (!type)
            errors.push_back({"resource_type", "is required"});
        else if (!domain::resource_slot(*type))
            errors.push_back({"resource_type", "must be one of " + slot_names()});
        // The form carries the duration as a field; a raw PUT as ?duration=.
        const auto duration_text =
            path_type ? req.query_param("duration") : received.field("duration");
        domain::Value duration = domain::Null{};
        if (duration_text) {
            char* end = nullptr;
            const double d = std::strtod(duration_text->c_str(), &end);
            if (duration_text->empty() || end != duration_text->c_str() + duration_text->size() ||
                !std::isfinite(d) || d <= 0 || d > 86400)
                errors.push_back({"duration", "must be a number of seconds greater than 0"});
            else
                duration = d;
        }
        auto& file = received.file();
        if (!file)
            errors.push_back({"file", "is required"});
        else if (file->size == 0)
            errors.push_back({"file", "must not be empty"});
        if (!errors.empty()) return reply(fail(req, fields_error(std::move(errors))));

        auto content_type =
            upload::check_media(media_class(*type), file->head, file->declared_type);
        if (!content_type) return reply(fail(req, content_type.error()));
        auto placed = files->place(file->temp, file->sha256);
        if (!placed) return reply(fail(req, placed.error()));

        domain::Fields resource{
            {"resource_type", *type},
            {"filename", file->filename.empty() ? *type : file->filename},
            {"content_type", std::move(content_type).value()},
            {"size", static_cast<std::int64_t>(file->size)},
            {"sha256", file->sha256},
            {"duration", duration},
            {"path", file_url(campaign_id, *type)},
        };
        writer::WriteRequest w;
        w.command = domain::AttachResource{campaign_id, resource, *if_match};
        w.view = writer::View::resource;
        w.resource_type = *type;
        // What the request asked for, since its body is not kept: for
        // Idempotency-Key, the same file with the same fields is the same request.
        w.fingerprint =
            sha256_hex(std::string(to_string(req.method)) + '\n' + req.path + '\n' + *type + '\n' +
                       file->sha256 + '\n' + duration_text.value_or("") + '\n' + file->filename);
        // The placement ends before the answer leaves: a refused write has
        // removed its file by the time the client hears of it.
        submit_write(svc, req, std::move(w),
                     [placement = std::move(placed).value(),
                      reply = std::move(reply)](Response resp) mutable {
                         if (resp.status < 300) placement->keep();
                         placement.reset();
                         reply(std::move(resp));
                     });
    }

    // ---- reads and detach ---------------------------------------------------------

    void list(Request& req, const PathParams& p, Reply reply) {
        auto id = parse_id(p[0], "campaign");
        if (!id) return reply(fail(req, id.error()));
        read_snapshot(svc, req, reply, [&](store::Db& db, std::int64_t) -> Result<Response> {
            auto campaign = projection::load_entity(db, Kind::campaign, *id);
            if (!campaign) return not_found(Kind::campaign, *id);
            // Every attach and detach is an event of the campaign, so its
            // version is a validator of this view too.
            return entity_response(req, campaign->version, projection::resources_body(db, *id));
        });
    }

    void serve_file(Request& req, const PathParams& p, Reply reply) {
        auto id = parse_id(p[0], "campaign");
        if (!id) return reply(fail(req, id.error()));
        auto slot = path_slot(p[1]);
        if (!slot) return reply(fail(req, slot.error()));
        read_snapshot(svc, req, reply, [&](store::Db& db, std::int64_t) -> Result<Response> {
            if (!projection::load_entity(db, Kind::campaign, *id))
                return not_found(Kind::campaign, *id);
            std::optional<projection::ResourceRow> row;
            for (auto& r : projection::campaign_resources(db, *id))
                if (r.resource_type == (*slot)->type) row = std::move(r);
            if (!row)
                return Error::make(
                    ErrorCode::not_found,
                    "The campaign has no " + std::string((*slot)->type) + " resource.");
            auto where = files->path_of(row->sha256);
            if (!where) return Error::make(ErrorCode::internal, "stored digest is not a digest");
            const auto size = static_cast<std::uint64_t>(row->size);
            Response r;
            r.content_type = row->content_type;
            r.set("Accept-Ranges", "bytes");
            const std::string etag = "\"" + row->sha256 + "\"";
            r.set("ETag", etag);
            const std::string_view inm = req.header("if-none-match");
            if (!inm.empty() && (inm == etag || inm == "W/" + etag || inm == "*")) {
                r.status = 304;
                r.content_type.clear();
                return r;
            }
            const RangeRequest range = parse_range(req.header("range"), size);
            switch (range.kind) {
                case RangeRequest::Kind::unsatisfiable: {
                    Response e = fail(req, Error::make(ErrorCode::range_not_satisfiable,
                                                       "The range is outside the file of " +
                                                           std::to_string(size) + " bytes."));
                    e.set("Content-Range", "bytes */" + std::to_string(size));
                    e.set("Accept-Ranges", "bytes");
                    return e;
                }
                case RangeRequest::Kind::partial:
                    r.status = 206;
                    r.set("Content-Range", "bytes " + std::to_string(range.offset) + "-" +
                                               std::to_string(range.offset + range.length - 1) +
                                               "/" + std::to_string(size));
                    r.file = FileBody{where->string(), range.offset, range.length};
                    return r;
                case RangeRequest::Kind::whole:
                    break;
            }
            r.file = FileBody{where->string(), 0, size};
            return r;
        });
    }

    void detach(Request& req, const PathParams& p, Reply reply) {
        auto id = parse_id(p[0], "campaign");
        if (!id) return reply(fail(req, id.error()));
        auto slot = path_slot(p[1]);
        if (!slot) return reply(fail(req, slot.error()));
        auto if_match = parse_if_match(req);
        if (!if_match) return reply(fail(req, if_match.error()));
        writer::WriteRequest w;
        w.command = domain::DetachResource{*id, std::string((*slot)->type), *if_match};
        w.view = writer::View::id_only;
        submit_write(svc, req, std::move(w), std::move(reply));
    }
};

}  // namespace

Status register_resource_routes(Router& r, Service& svc) {
    auto files = upload::FileStore::open(svc.options.uploads_dir);
    if (!files) return std::move(files).error();
    auto res = std::make_shared<Resources>(Resources{svc, std::move(files).value()});

    const std::string collection = path("/campaigns/{id}/resources");
    const std::string item = collection + "/{type}";
    r.add_streaming(
        Method::post, collection, kStreamedWrite,
        [res](Request& req, const PathParams& p) { return res->open_form(req, p); },
        [res](Request& req, const PathParams& p, Reply reply) {
            res->attach(req, p, std::nullopt, std::move(reply));
        });
    r.add(Method::get, collection, kSnapshotRead,
          [res](Request& req, const PathParams& p, Reply reply) {
              res->list(req, p, std::move(reply));
          });
    r.add_streaming(
        Method::put, item, kStreamedWrite,
        [res](Request& req, const PathParams& p) { return res->open_raw(req, p); },
        [res](Request& req, const PathParams& p, Reply reply) {
            res->attach(req, p, p[1], std::move(reply));
        });
    r.add(Method::del, item, kBodilessWrite, [res](Request& req, const PathParams& p, Reply reply) {
        res->detach(req, p, std::move(reply));
    });
    r.add(Method::get, item + "/file", kSnapshotRead,
          [res](Request& req, const PathParams& p, Reply reply) {
              res->serve_file(req, p, std::move(reply));
          });
    return {};
}

}  // namespace omnivibe::http
