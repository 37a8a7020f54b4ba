-- Membership: people, members with their dated events, candidates, quotas.

CREATE TABLE people (
    id TEXT PRIMARY KEY NOT NULL,
    full_name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    gender TEXT NOT NULL,
    date_of_birth DATE NOT NULL,
    ethnicity TEXT NOT NULL,
    religion TEXT,
    national_id TEXT,
    place_of_birth TEXT,
    hometown TEXT,
    residence_locality_id TEXT REFERENCES localities (id),
    address TEXT,
    phone TEXT,
    email TEXT,
    general_education INTEGER,
    professional_level TEXT,
    political_theory TEXT,
    occupation TEXT,
    workplace TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX people_national_id_live ON people (national_id) WHERE deleted_at IS NULL AND national_id IS NOT NULL;
CREATE INDEX people_search_name ON people (search_name);
CREATE INDEX people_residence ON people (residence_locality_id);

CREATE TABLE members (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES people (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    status TEXT NOT NULL,
    member_number TEXT,
    admitted_on DATE NOT NULL,
    official_on DATE,
    card_number TEXT,
    card_issued_on DATE,
    left_on DATE,
    temporary_organisation_id TEXT REFERENCES organisations (id),
    mentor_member_id TEXT REFERENCES members (id),
    search_name TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX members_person_live ON members (person_id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX members_number_live ON members (member_number) WHERE deleted_at IS NULL AND member_number IS NOT NULL;
CREATE UNIQUE INDEX members_card_live ON members (card_number) WHERE deleted_at IS NULL AND card_number IS NOT NULL;
CREATE INDEX members_organisation ON members (organisation_id, id);
CREATE INDEX members_status ON members (status);
CREATE INDEX members_search_name ON members (search_name);

-- Every dated fact of a member, with the member's status and home cell
-- right after it, so the register on any past date is the latest event on
-- or before that date.
CREATE TABLE member_events (
    id TEXT PRIMARY KEY NOT NULL,
    member_id TEXT NOT NULL REFERENCES members (id),
    kind TEXT NOT NULL,
    occurred_on DATE NOT NULL,
    decided_on DATE,
    decision_number TEXT,
    reason TEXT,
    status_after TEXT NOT NULL,
    organisation_after TEXT NOT NULL REFERENCES organisations (id),
    detail TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX member_events_member ON member_events (member_id, occurred_on, id);
CREATE INDEX member_events_kind_day ON member_events (kind, occurred_on);

CREATE TABLE candidates (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES people (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    source TEXT NOT NULL,
    identified_on DATE NOT NULL,
    mentor_member_id TEXT REFERENCES members (id),
    introducer_member_ids TEXT NOT NULL,
    youth_union_introduction BOOLEAN NOT NULL,
    awareness_class_completed_on DATE,
    education_upgrade_required BOOLEAN NOT NULL,
    education_upgrade_enrolled_on DATE,
    education_upgrade_completed_on DATE,
    stage TEXT NOT NULL,
    member_id TEXT REFERENCES members (id),
    search_name TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX candidates_organisation ON candidates (organisation_id, id);
CREATE INDEX candidates_person ON candidates (person_id);

CREATE TABLE admission_quotas (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    year INTEGER NOT NULL,
    target INTEGER NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX admission_quotas_live ON admission_quotas (organisation_id, year) WHERE deleted_at IS NULL;
