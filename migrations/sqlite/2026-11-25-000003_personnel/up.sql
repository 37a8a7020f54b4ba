-- Personnel and party-building work: cadres and their oversight, positions
-- and appointments, rotations, training, ratings, awards, study campaigns,
-- and members in charge of villages.

CREATE TABLE cadres (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES people (id),
    -- The organisation whose cadre register holds the cadre (scope).
    organisation_id TEXT REFERENCES organisations (id),
    category TEXT,
    full_time BOOLEAN NOT NULL,
    in_planning BOOLEAN NOT NULL,
    planned_positions TEXT NOT NULL,
    notes TEXT,
    search_name TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX cadres_person_live ON cadres (person_id) WHERE deleted_at IS NULL;
CREATE INDEX cadres_organisation ON cadres (organisation_id);

CREATE TABLE cadre_oversights (
    id TEXT PRIMARY KEY NOT NULL,
    cadre_id TEXT NOT NULL REFERENCES cadres (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    starts_on DATE NOT NULL,
    ends_on DATE,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX cadre_oversights_cadre ON cadre_oversights (cadre_id);
CREATE INDEX cadre_oversights_organisation ON cadre_oversights (organisation_id);

CREATE TABLE positions (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    search_name TEXT NOT NULL,
    body TEXT NOT NULL,
    organisation_id TEXT REFERENCES organisations (id),
    locality_id TEXT REFERENCES localities (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX positions_organisation ON positions (organisation_id);

CREATE TABLE appointments (
    id TEXT PRIMARY KEY NOT NULL,
    cadre_id TEXT NOT NULL REFERENCES cadres (id),
    position_id TEXT NOT NULL REFERENCES positions (id),
    starts_on DATE NOT NULL,
    ends_on DATE,
    kind TEXT,
    decision_number TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX appointments_cadre ON appointments (cadre_id);
CREATE INDEX appointments_position ON appointments (position_id);
CREATE INDEX appointments_starts_on ON appointments (starts_on);

CREATE TABLE rotations (
    id TEXT PRIMARY KEY NOT NULL,
    cadre_id TEXT NOT NULL REFERENCES cadres (id),
    kind TEXT NOT NULL,
    purpose TEXT,
    from_position_id TEXT REFERENCES positions (id),
    to_position_id TEXT REFERENCES positions (id),
    to_organisation_id TEXT REFERENCES organisations (id),
    decision_number TEXT,
    decided_on DATE,
    starts_on DATE NOT NULL,
    planned_ends_on DATE,
    ended_on DATE,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX rotations_cadre ON rotations (cadre_id);
CREATE INDEX rotations_starts_on ON rotations (starts_on);

CREATE TABLE training_classes (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    search_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    organiser_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    provider TEXT,
    venue TEXT,
    starts_on DATE NOT NULL,
    ends_on DATE,
    capacity INTEGER,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX training_classes_code_live ON training_classes (code) WHERE deleted_at IS NULL;
CREATE INDEX training_classes_organiser ON training_classes (organiser_organisation_id);
CREATE INDEX training_classes_starts_on ON training_classes (starts_on);

CREATE TABLE enrolments (
    id TEXT PRIMARY KEY NOT NULL,
    class_id TEXT NOT NULL REFERENCES training_classes (id),
    person_id TEXT NOT NULL REFERENCES people (id),
    status TEXT NOT NULL,
    completed_on DATE,
    certificate_number TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX enrolments_person_live ON enrolments (class_id, person_id) WHERE deleted_at IS NULL;
CREATE INDEX enrolments_person ON enrolments (person_id);

CREATE TABLE assessments (
    id TEXT PRIMARY KEY NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    -- The organisation the subject belongs to (itself, or the member's cell
    -- when rated), for scope and for the per-organisation summary.
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    year INTEGER NOT NULL,
    rating TEXT NOT NULL,
    points INTEGER,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX assessments_subject_year_live ON assessments (subject_type, subject_id, year) WHERE deleted_at IS NULL;
CREATE INDEX assessments_organisation_year ON assessments (organisation_id, year);

CREATE TABLE awards (
    id TEXT PRIMARY KEY NOT NULL,
    recipient_type TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    year INTEGER NOT NULL,
    form TEXT NOT NULL,
    issuer TEXT,
    decision_number TEXT,
    decided_on DATE,
    reason TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX awards_organisation_year ON awards (organisation_id, year);

CREATE TABLE study_campaigns (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    search_name TEXT NOT NULL,
    year INTEGER NOT NULL,
    documents TEXT NOT NULL,
    -- The organisation that runs the campaign (scope).
    organisation_id TEXT REFERENCES organisations (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX study_campaigns_year ON study_campaigns (year);

CREATE TABLE participations (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES study_campaigns (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    held BOOLEAN NOT NULL,
    members_attended INTEGER NOT NULL,
    masses_invited INTEGER NOT NULL,
    masses_attended INTEGER NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX participations_live ON participations (campaign_id, organisation_id) WHERE deleted_at IS NULL;

CREATE TABLE village_charges (
    id TEXT PRIMARY KEY NOT NULL,
    member_id TEXT NOT NULL REFERENCES members (id),
    locality_id TEXT NOT NULL REFERENCES localities (id),
    starts_on DATE NOT NULL,
    ends_on DATE,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX village_charges_member ON village_charges (member_id);
CREATE INDEX village_charges_locality ON village_charges (locality_id);
