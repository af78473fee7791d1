-- The event log: the source of truth. Everything else can be rebuilt from it.
-- PostgreSQL dialect of migrations/0001_events.sql: the same tables, columns
-- and JSON text; the invariants SQLite's triggers and the writer keep are
-- enforced here by PL/pgSQL triggers, so that no instance, tool or person can
-- break them, whichever connection they use.
-- Never edit this file once released; add a new numbered migration instead.

-- The hash covers exact bytes and lists are compared as SQLite compares them
-- (bytewise): refuse a database that would change either.
DO $$
BEGIN
    IF current_setting('server_encoding') <> 'UTF8' THEN
        RAISE EXCEPTION 'the omnivibe database must use the UTF8 encoding, not %',
            current_setting('server_encoding')
            USING HINT = 'createdb --encoding=UTF8 --locale=C --template=template0 ...';
    END IF;
    IF (SELECT datcollate FROM pg_database WHERE datname = current_database())
       NOT IN ('C', 'POSIX') THEN
        RAISE EXCEPTION 'the omnivibe database must use the C collation (bytewise order, as SQLite)'
            USING HINT = 'createdb --encoding=UTF8 --locale=C --template=template0 ...';
    END IF;
END
$$;

-- Only the servers may write: members of the group role omnivibe_writer
-- (scripts/postgresql-setup.sql). Grants already keep other roles out; this
-- guard holds even when a grant is given by mistake. A role that does not
-- exist fails closed. (Superusers are members of every role.)
CREATE FUNCTION omnivibe_writer_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_has_role(current_user, 'omnivibe_writer', 'MEMBER') THEN
        RAISE EXCEPTION 'only the omnivibe servers may change %: role % is not a member of omnivibe_writer',
            TG_TABLE_NAME, current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;  -- statement-level: the value is ignored
END
$$;

-- The hash of an event: SHA-256 hex of prev_hash, "\n" and the canonical row,
-- the fields in a fixed order separated by the unit separator (0x1F), numbers
-- in decimal, an absent campaign_id as nothing. The same bytes as
-- canonical_row() and chain_hash() in src/store/event_store.cpp.
CREATE FUNCTION omnivibe_event_hash(prev_hash text, seq bigint, stream text,
                                    stream_version bigint, type text, data text, meta text,
                                    campaign_id bigint, recorded_at text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT encode(sha256(convert_to(
        prev_hash || E'\n' ||
        seq::text || chr(31) || stream || chr(31) || stream_version::text || chr(31) ||
        type || chr(31) || data || chr(31) || meta || chr(31) ||
        coalesce(campaign_id::text, '') || chr(31) || recorded_at,
        'UTF8')), 'hex')
$$;

CREATE TABLE events (
    seq            bigint PRIMARY KEY,            -- global position 1, 2, 3... with no gaps
    stream         text   NOT NULL,               -- "campaign-3"
    stream_version bigint NOT NULL,               -- 1, 2, 3... per stream
    type           text   NOT NULL,               -- "campaign.updated"
    data           text   NOT NULL,               -- JSON, as text: the hash covers these bytes
    meta           text   NOT NULL,               -- JSON: actor, request_id, idempotency_key, source, cause
    campaign_id    bigint,                        -- denormalised for feed filtering; NULL for clients
    recorded_at    text   NOT NULL,               -- RFC 3339 UTC with milliseconds
    prev_hash      text   NOT NULL,               -- hash of seq-1 (64 zeros for seq 1)
    hash           text   NOT NULL,               -- SHA-256 over prev_hash and this row's canonical bytes
    UNIQUE (stream, stream_version)
);

CREATE INDEX events_by_campaign ON events (campaign_id, seq) WHERE campaign_id IS NOT NULL;
CREATE INDEX events_by_type ON events (type, seq);

-- Append-only: no row is ever changed or removed, whoever asks.
CREATE FUNCTION events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events is append-only: an event can never be %d', lower(TG_OP)
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

CREATE TRIGGER events_writer_only BEFORE INSERT ON events
FOR EACH STATEMENT EXECUTE FUNCTION omnivibe_writer_only();

-- No gaps and an intact chain: seq follows the last one, stream_version
-- follows the stream's last one, prev_hash is the last event's hash and hash
-- is the hash of this row. Concurrent appenders are serialised by the
-- servers' advisory lock; without it the primary keys still refuse the
-- second of two rows that claim the same position.
CREATE FUNCTION events_chained() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last_seq     bigint := 0;
    last_hash    text   := repeat('0', 64);
    last_version bigint;
BEGIN
    SELECT e.seq, e.hash INTO last_seq, last_hash FROM events e ORDER BY e.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        last_seq := 0;
        last_hash := repeat('0', 64);
    END IF;
    SELECT coalesce(max(e.stream_version), 0) INTO last_version
        FROM events e WHERE e.stream = NEW.stream;
    IF NEW.seq IS DISTINCT FROM last_seq + 1
       OR NEW.stream_version IS DISTINCT FROM last_version + 1 THEN
        RAISE EXCEPTION 'events must be appended without gaps in seq or stream_version: got seq %, version % of %; expected seq %, version %',
            NEW.seq, NEW.stream_version, NEW.stream, last_seq + 1, last_version + 1
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.prev_hash IS DISTINCT FROM last_hash THEN
        RAISE EXCEPTION 'the prev_hash of event % is not the hash of event %', NEW.seq, last_seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.hash IS DISTINCT FROM omnivibe_event_hash(NEW.prev_hash, NEW.seq, NEW.stream,
            NEW.stream_version, NEW.type, NEW.data, NEW.meta, NEW.campaign_id, NEW.recorded_at) THEN
        RAISE EXCEPTION 'the hash of event % does not match its contents', NEW.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER events_chained BEFORE INSERT ON events
FOR EACH ROW EXECUTE FUNCTION events_chained();

-- Idempotency keys: stored in the same transaction as the events they produced,
-- so a retry after a crash finds them. Not derived from the log; replay leaves them.
CREATE TABLE idempotency_keys (
    actor       text    NOT NULL,
    key         text    NOT NULL,
    fingerprint text    NOT NULL,   -- SHA-256 of method, path and body
    status      integer NOT NULL,
    body        text    NOT NULL,
    version     bigint,
    seq         bigint,
    created_ms  bigint  NOT NULL,
    PRIMARY KEY (actor, key)
);

CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_ms);

CREATE TRIGGER idempotency_keys_writer_only
BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON idempotency_keys
FOR EACH STATEMENT EXECUTE FUNCTION omnivibe_writer_only();

-- The record of applied migrations is the servers' too.
CREATE TRIGGER schema_migrations_writer_only
BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON schema_migrations
FOR EACH STATEMENT EXECUTE FUNCTION omnivibe_writer_only();
