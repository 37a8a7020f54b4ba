-- Foundation: accounts, keys, throttling, audit, change journal, idempotency,
-- localities and organisations. Ids are UUID text, instants UTC TIMESTAMP,
-- JSON documents TEXT, so the same diesel code serves SQLite and PostgreSQL.

CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- A single row that every SQLite write transaction touches first, so the
-- transaction takes the write lock at its start (as BEGIN IMMEDIATE would) and
-- waits on busy_timeout instead of failing on a stale read snapshot.
CREATE TABLE write_lock (
    id INTEGER PRIMARY KEY NOT NULL,
    n INTEGER NOT NULL
);
INSERT INTO write_lock (id, n) VALUES (1, 0);

CREATE TABLE localities (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id TEXT REFERENCES localities (id),
    path TEXT NOT NULL,
    established_on DATE,
    dissolved_on DATE,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX localities_code_live ON localities (code) WHERE deleted_at IS NULL;
CREATE INDEX localities_path ON localities (path);
CREATE INDEX localities_parent ON localities (parent_id);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id TEXT REFERENCES organisations (id),
    path TEXT NOT NULL,
    locality_id TEXT REFERENCES localities (id),
    established_on DATE,
    dissolved_on DATE,
    merged_into_id TEXT REFERENCES organisations (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX organisations_code_live ON organisations (code) WHERE deleted_at IS NULL;
CREATE INDEX organisations_path ON organisations (path);
CREATE INDEX organisations_parent ON organisations (parent_id);
CREATE INDEX organisations_locality ON organisations (locality_id);

-- Dated moves of an organisation under another parent (merges, re-parenting),
-- so a report for a past date can rebuild the tree as it stood.
CREATE TABLE organisation_moves (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    from_parent_id TEXT REFERENCES organisations (id),
    to_parent_id TEXT REFERENCES organisations (id),
    moved_on DATE NOT NULL,
    decision_number TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX organisation_moves_organisation ON organisation_moves (organisation_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    full_name TEXT,
    role TEXT NOT NULL,
    scope_organisation_id TEXT REFERENCES organisations (id),
    disabled BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX users_username_live ON users (username) WHERE deleted_at IS NULL;

CREATE TABLE api_clients (
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    scope_organisation_id TEXT REFERENCES organisations (id),
    disabled BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);

-- Failed logins per account name, shared by every instance on the database.
CREATE TABLE login_failures (
    login TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_type TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT,
    organisation_path TEXT,
    request_id TEXT,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_events_resource ON audit_events (resource_type, resource_id);

-- The change journal behind the sync feed: one row per committed create,
-- update or delete, with the record's scope path at that moment.
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    op TEXT NOT NULL,
    version BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    organisation_path TEXT,
    data TEXT
);
CREATE INDEX changes_record ON changes (record_type, record_id);

CREATE TABLE idempotency_keys (
    caller TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    response_status INTEGER,
    response_location TEXT,
    response_body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (caller, idempotency_key)
);
