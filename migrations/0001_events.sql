-- The event log: the source of truth. Everything else can be rebuilt from it.
-- Never edit this file once released; add a new numbered migration instead.

CREATE TABLE events (
    seq            INTEGER PRIMARY KEY,          -- global position 1, 2, 3... with no gaps
    stream         TEXT    NOT NULL,             -- "campaign-3"
    stream_version INTEGER NOT NULL,             -- 1, 2, 3... per stream
    type           TEXT    NOT NULL,             -- "campaign.updated"
    data           TEXT    NOT NULL,             -- JSON
    meta           TEXT    NOT NULL,             -- JSON: actor, request_id, idempotency_key, source, cause
    campaign_id    INTEGER,                      -- denormalised for feed filtering; NULL for clients
    recorded_at    TEXT    NOT NULL,             -- RFC 3339 UTC with milliseconds
    prev_hash      TEXT    NOT NULL,             -- hash of seq-1 (64 zeros for seq 1)
    hash           TEXT    NOT NULL,             -- SHA-256 over prev_hash and this row's canonical bytes
    UNIQUE (stream, stream_version)
);

CREATE INDEX events_by_campaign ON events (campaign_id, seq) WHERE campaign_id IS NOT NULL;
CREATE INDEX events_by_type ON events (type, seq);

-- Append-only: no row is ever changed or removed.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events is append-only: an event can never be updated'); END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events is append-only: an event can never be deleted'); END;

-- Only the service's writer may append: the function exists on its connection alone,
-- so any other connection (the sqlite3 shell, the frontend) fails to insert.
CREATE TRIGGER events_writer_only BEFORE INSERT ON events
BEGIN SELECT omnivibe_writer_only(); END;

-- No gaps: seq follows the last one, stream_version follows the stream's last one.
CREATE TRIGGER events_contiguous BEFORE INSERT ON events
WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM events)
  OR NEW.stream_version IS NOT
     (SELECT coalesce(max(stream_version), 0) + 1 FROM events WHERE stream = NEW.stream)
BEGIN SELECT RAISE(ABORT, 'events must be appended without gaps in seq or stream_version'); END;

-- Idempotency keys: stored in the same transaction as the events they produced,
-- so a retry after a crash finds them. Not derived from the log; replay leaves them.
CREATE TABLE idempotency_keys (
    actor       TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,   -- SHA-256 of method, path and body
    status      INTEGER NOT NULL,
    body        TEXT    NOT NULL,
    version     INTEGER,
    seq         INTEGER,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (actor, key)
) WITHOUT ROWID;

CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_ms);

CREATE TRIGGER idempotency_keys_writer_only_insert BEFORE INSERT ON idempotency_keys
BEGIN SELECT omnivibe_writer_only(); END;
CREATE TRIGGER idempotency_keys_writer_only_update BEFORE UPDATE ON idempotency_keys
BEGIN SELECT omnivibe_writer_only(); END;
CREATE TRIGGER idempotency_keys_writer_only_delete BEFORE DELETE ON idempotency_keys
BEGIN SELECT omnivibe_writer_only(); END;
