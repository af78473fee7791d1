-- Roles and privileges for an omnivibe database on PostgreSQL (docs/SCALING.md,
-- "Setting up PostgreSQL"). Run it as a superuser, connected to the database
-- the servers will use, once after creating it; running it again is harmless:
--
--   createdb --encoding=UTF8 --locale=C --template=template0 omnivibe
--   psql -X -v ON_ERROR_STOP=1 -d omnivibe -f scripts/postgresql-setup.sql
--
-- Roles (cluster-wide, created only if missing):
--   omnivibe_writer  group role (no login): the only role whose members may
--                    write the event log and the read tables. The schema's
--                    triggers check membership on every write, in addition
--                    to the grants below.
--   omnivibe_server  login role of the servers and tools (--db
--                    postgresql://omnivibe_server@host:port/omnivibe): a member
--                    of omnivibe_writer, owner of the database and of its
--                    public schema; the servers create the tables at start
--                    (migrations). Give it a password with \password
--                    omnivibe_server and pass it in PGPASSWORD or ~/.pgpass.
--   omnivibe_reader  group role (no login) with SELECT only, for everyone else
--                    (reports, a frontend reading directly):
--                    CREATE ROLE alice LOGIN IN ROLE omnivibe_reader;
--
-- Nothing is granted to PUBLIC: a role not named here cannot even connect.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'omnivibe_writer') THEN
        CREATE ROLE omnivibe_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'omnivibe_server') THEN
        CREATE ROLE omnivibe_server LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'omnivibe_reader') THEN
        CREATE ROLE omnivibe_reader NOLOGIN;
    END IF;
    IF NOT pg_has_role('omnivibe_server', 'omnivibe_writer', 'MEMBER') THEN
        GRANT omnivibe_writer TO omnivibe_server;
    END IF;
END
$$;

-- The database: owned by the servers' role, closed to PUBLIC.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I OWNER TO omnivibe_server', current_database());
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO omnivibe_writer, omnivibe_reader',
                   current_database());
END
$$;

-- The schema the tables live in.
ALTER SCHEMA public OWNER TO omnivibe_server;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO omnivibe_writer, omnivibe_reader;

-- Tables the servers create from now on (every migration) ...
ALTER DEFAULT PRIVILEGES FOR ROLE omnivibe_server IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO omnivibe_writer;
ALTER DEFAULT PRIVILEGES FOR ROLE omnivibe_server IN SCHEMA public
    GRANT SELECT ON TABLES TO omnivibe_reader;

-- ... and those that exist already (when this script runs on a used database).
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO omnivibe_writer;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO omnivibe_reader;
