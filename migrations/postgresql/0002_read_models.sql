-- The read model: the tables the frontend reads, projected from the log by the
-- writer in the same transaction as the events. Every row here can be rebuilt
-- from `events` (omnivibe-replay). Column names follow the entity fields of the
-- API; timestamps are RFC 3339 text, keywords a JSON array.
-- PostgreSQL dialect of migrations/0002_read_models.sql: the same tables and
-- columns (SQLite's INTEGER is bigint here, REAL double precision; flags stay
-- integers 0/1 as on SQLite).
-- Never edit this file once released; add a new numbered migration instead.

-- Every stream ever written: its current version and whether it was deleted.
-- Ids are never reused, so the next id of a kind is max(entity_id) + 1.
CREATE TABLE streams (
    stream    text    PRIMARY KEY,
    kind      text    NOT NULL,
    entity_id bigint  NOT NULL,
    version   bigint  NOT NULL,
    deleted   integer NOT NULL DEFAULT 0
);
CREATE INDEX streams_by_kind ON streams (kind, entity_id);

-- Which layout the read tables have and how far into the log they are.
CREATE TABLE projection_state (
    id      integer PRIMARY KEY CHECK (id = 1),
    version bigint  NOT NULL,
    head    bigint  NOT NULL
);

CREATE TABLE clients (
    id            bigint PRIMARY KEY,
    name          text   NOT NULL,
    contact_email text,
    industry      text,
    notes         text,
    version       bigint NOT NULL,
    created_at    text   NOT NULL,
    updated_at    text   NOT NULL
);
-- Client names are unique ignoring case (ASCII only, as SQLite's NOCASE),
-- enforced here as well as by the writer.
CREATE UNIQUE INDEX clients_by_name ON clients (lower(name COLLATE "C"));

CREATE TABLE campaigns (
    id               bigint           PRIMARY KEY,
    client_id        bigint           NOT NULL,
    name             text             NOT NULL,
    description      text,
    status           text             NOT NULL,
    concept_gender   text,
    concept_tone     text,
    concept_style    text,
    target_duration  bigint,
    voice_id         text,
    voice_name       text,
    bgm_volume       double precision NOT NULL,
    auto_deploy      integer          NOT NULL,
    start_date       text,
    end_date         text,
    intro_video_path text,
    intro_duration   double precision,
    outro_video_path text,
    outro_duration   double precision,
    bgm_path         text,
    version          bigint           NOT NULL,
    created_at       text             NOT NULL,
    updated_at       text             NOT NULL
);
CREATE INDEX campaigns_by_client ON campaigns (client_id);
CREATE INDEX campaigns_by_status ON campaigns (status);

CREATE TABLE content_schedule (
    id              bigint PRIMARY KEY,
    campaign_id     bigint NOT NULL,
    topic           text   NOT NULL,
    subtitle        text,
    platform        text,
    publish_date    text,
    status          text   NOT NULL,
    target_audience text,
    keywords        text   NOT NULL DEFAULT '[]',
    notes           text,
    version         bigint NOT NULL,
    created_at      text   NOT NULL,
    updated_at      text   NOT NULL
);
CREATE INDEX content_by_campaign ON content_schedule (campaign_id, publish_date);
CREATE INDEX content_by_platform ON content_schedule (platform);
CREATE INDEX content_by_status ON content_schedule (status);
CREATE INDEX content_by_date ON content_schedule (publish_date);

CREATE TABLE storyboard_blocks (
    id             bigint           PRIMARY KEY,
    content_id     bigint           NOT NULL,
    position       bigint           NOT NULL,
    block_type     text             NOT NULL,
    script_text    text,
    duration_sec   double precision,
    visual_prompt  text,
    background_url text,
    transition     text             NOT NULL,
    version        bigint           NOT NULL,
    created_at     text             NOT NULL,
    updated_at     text             NOT NULL
);
CREATE INDEX blocks_by_content ON storyboard_blocks (content_id, position);

CREATE TABLE generated_scripts (
    id         bigint PRIMARY KEY,
    content_id bigint NOT NULL,
    revision   bigint NOT NULL,
    title      text,
    body       text   NOT NULL,
    model      text,
    tone       text,
    status     text   NOT NULL,
    version    bigint NOT NULL,
    created_at text   NOT NULL,
    updated_at text   NOT NULL
);
CREATE UNIQUE INDEX scripts_by_content ON generated_scripts (content_id, revision);

-- The resource attached to each slot (intro, ending, bgm) of a campaign.
CREATE TABLE campaign_resources (
    campaign_id   bigint           NOT NULL,
    resource_type text             NOT NULL,
    filename      text             NOT NULL,
    content_type  text             NOT NULL,
    size          bigint           NOT NULL,
    sha256        text             NOT NULL,
    duration      double precision,
    path          text             NOT NULL,
    uploaded_at   text             NOT NULL,
    PRIMARY KEY (campaign_id, resource_type)
);

-- Every stored file, content-addressed: one row per distinct SHA-256.
CREATE TABLE resource_library (
    sha256       text   PRIMARY KEY,
    content_type text   NOT NULL,
    size         bigint NOT NULL,
    created_at   text   NOT NULL
);

-- Only the servers may change the read model (see omnivibe_writer_only in 0001).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['streams', 'projection_state', 'clients', 'campaigns',
                             'content_schedule', 'storyboard_blocks', 'generated_scripts',
                             'campaign_resources', 'resource_library'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION omnivibe_writer_only()',
                       t || '_writer_only', t);
    END LOOP;
END
$$;
