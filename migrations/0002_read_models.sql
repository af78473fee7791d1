-- The read model: the tables the frontend reads, projected from the log by the
-- writer in the same transaction as the events. Every row here can be rebuilt
-- from `events` (omnivibe-replay). Column names follow the entity fields of the
-- API; timestamps are RFC 3339 text, keywords a JSON array.
-- Never edit this file once released; add a new numbered migration instead.

-- Every stream ever written: its current version and whether it was deleted.
-- Ids are never reused, so the next id of a kind is max(entity_id) + 1.
CREATE TABLE streams (
    stream    TEXT    PRIMARY KEY,
    kind      TEXT    NOT NULL,
    entity_id INTEGER NOT NULL,
    version   INTEGER NOT NULL,
    deleted   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX streams_by_kind ON streams (kind, entity_id);

-- Which layout the read tables have and how far into the log they are.
CREATE TABLE projection_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    head    INTEGER NOT NULL
);

CREATE TABLE clients (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    contact_email TEXT,
    industry      TEXT,
    notes         TEXT,
    version       INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
-- Client names are unique ignoring case (ASCII), enforced here as well as by the writer.
CREATE UNIQUE INDEX clients_by_name ON clients (name COLLATE NOCASE);

CREATE TABLE campaigns (
    id               INTEGER PRIMARY KEY,
    client_id        INTEGER NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT,
    status           TEXT NOT NULL,
    concept_gender   TEXT,
    concept_tone     TEXT,
    concept_style    TEXT,
    target_duration  INTEGER,
    voice_id         TEXT,
    voice_name       TEXT,
    bgm_volume       REAL NOT NULL,
    auto_deploy      INTEGER NOT NULL,
    start_date       TEXT,
    end_date         TEXT,
    intro_video_path TEXT,
    intro_duration   REAL,
    outro_video_path TEXT,
    outro_duration   REAL,
    bgm_path         TEXT,
    version          INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX campaigns_by_client ON campaigns (client_id);
CREATE INDEX campaigns_by_status ON campaigns (status);

CREATE TABLE content_schedule (
    id              INTEGER PRIMARY KEY,
    campaign_id     INTEGER NOT NULL,
    topic           TEXT NOT NULL,
    subtitle        TEXT,
    platform        TEXT,
    publish_date    TEXT,
    status          TEXT NOT NULL,
    target_audience TEXT,
    keywords        TEXT NOT NULL DEFAULT '[]',
    notes           TEXT,
    version         INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX content_by_campaign ON content_schedule (campaign_id, publish_date);
CREATE INDEX content_by_platform ON content_schedule (platform);
CREATE INDEX content_by_status ON content_schedule (status);
CREATE INDEX content_by_date ON content_schedule (publish_date);

CREATE TABLE storyboard_blocks (
    id             INTEGER PRIMARY KEY,
    content_id     INTEGER NOT NULL,
    position       INTEGER NOT NULL,
    block_type     TEXT NOT NULL,
    script_text    TEXT,
    duration_sec   REAL,
    visual_prompt  TEXT,
    background_url TEXT,
    transition     TEXT NOT NULL,
    version        INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX blocks_by_content ON storyboard_blocks (content_id, position);

CREATE TABLE generated_scripts (
    id         INTEGER PRIMARY KEY,
    content_id INTEGER NOT NULL,
    revision   INTEGER NOT NULL,
    title      TEXT,
    body       TEXT NOT NULL,
    model      TEXT,
    tone       TEXT,
    status     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX scripts_by_content ON generated_scripts (content_id, revision);

-- The resource attached to each slot (intro, ending, bgm) of a campaign.
CREATE TABLE campaign_resources (
    campaign_id   INTEGER NOT NULL,
    resource_type TEXT NOT NULL,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    duration      REAL,
    path          TEXT NOT NULL,
    uploaded_at   TEXT NOT NULL,
    PRIMARY KEY (campaign_id, resource_type)
) WITHOUT ROWID;

-- Every stored file, content-addressed: one row per distinct SHA-256.
CREATE TABLE resource_library (
    sha256       TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    created_at   TEXT NOT NULL
) WITHOUT ROWID;

-- Only the service's writer may change the read model (see events_writer_only).

CREATE TRIGGER streams_writer_only_insert BEFORE INSERT ON streams
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER streams_writer_only_update BEFORE UPDATE ON streams
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER streams_writer_only_delete BEFORE DELETE ON streams
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER projection_state_writer_only_insert BEFORE INSERT ON projection_state
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER projection_state_writer_only_update BEFORE UPDATE ON projection_state
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER projection_state_writer_only_delete BEFORE DELETE ON projection_state
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER clients_writer_only_insert BEFORE INSERT ON clients
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER clients_writer_only_update BEFORE UPDATE ON clients
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER clients_writer_only_delete BEFORE DELETE ON clients
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER campaigns_writer_only_insert BEFORE INSERT ON campaigns
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER campaigns_writer_only_update BEFORE UPDATE ON campaigns
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER campaigns_writer_only_delete BEFORE DELETE ON campaigns
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER content_schedule_writer_only_insert BEFORE INSERT ON content_schedule
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER content_schedule_writer_only_update BEFORE UPDATE ON content_schedule
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER content_schedule_writer_only_delete BEFORE DELETE ON content_schedule
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER storyboard_blocks_writer_only_insert BEFORE INSERT ON storyboard_blocks
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER storyboard_blocks_writer_only_update BEFORE UPDATE ON storyboard_blocks
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER storyboard_blocks_writer_only_delete BEFORE DELETE ON storyboard_blocks
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER generated_scripts_writer_only_insert BEFORE INSERT ON generated_scripts
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER generated_scripts_writer_only_update BEFORE UPDATE ON generated_scripts
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER generated_scripts_writer_only_delete BEFORE DELETE ON generated_scripts
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER campaign_resources_writer_only_insert BEFORE INSERT ON campaign_resources
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER campaign_resources_writer_only_update BEFORE UPDATE ON campaign_resources
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER campaign_resources_writer_only_delete BEFORE DELETE ON campaign_resources
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER resource_library_writer_only_insert BEFORE INSERT ON resource_library
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER resource_library_writer_only_update BEFORE UPDATE ON resource_library
BEGIN SELECT omnivibe_writer_only(); END;

CREATE TRIGGER resource_library_writer_only_delete BEFORE DELETE ON resource_library
BEGIN SELECT omnivibe_writer_only(); END;
