-- +goose Up

-- A donor exists only after explicit consent (Decree 13/2023/ND-CP treats
-- health data as sensitive), so consent_at is NOT NULL. Profile fields fill in
-- one onboarding step at a time; NULL means "not answered yet", which lets a
-- conversation lost from Redis resume from Postgres.
CREATE TABLE donors (
    id               bigserial PRIMARY KEY,
    telegram_id      bigint      NOT NULL UNIQUE,
    chat_id          bigint      NOT NULL,
    language         text        NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en')),
    consent_version  text        NOT NULL,
    consent_at       timestamptz NOT NULL,
    full_name        text,
    phone            text        CHECK (phone ~ '^\+84[35789][0-9]{8}$'),
    sex              text        CHECK (sex IN ('male', 'female')),
    birth_date       date,
    weight_kg        numeric(5,1) CHECK (weight_kg BETWEEN 30 AND 200),
    -- 'unknown' records the answer "I don't know my blood group".
    blood_group      text        CHECK (blood_group IN ('O+','O-','A+','A-','B+','B-','AB+','AB-','unknown')),
    onboarded_at     timestamptz,
    unreachable_at   timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Units and clubs: police units, factories, schools, "Ngân hàng máu sống" clubs.
CREATE TABLE units (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('club', 'unit')),
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 120),
    invite_code text NOT NULL UNIQUE CHECK (invite_code ~ '^[A-Za-z0-9_-]{4,32}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A donor may belong to several units or clubs.
CREATE TABLE unit_members (
    unit_id   bigint NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    donor_id  bigint NOT NULL REFERENCES donors (id) ON DELETE CASCADE,
    joined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_id, donor_id)
);
CREATE INDEX unit_members_donor_idx ON unit_members (donor_id);

-- Roles are keyed by Telegram user id, not donor id: an admin or organizer
-- need not be a donor, and /forget of their donor data keeps their role.
CREATE TABLE roles (
    telegram_id bigint      NOT NULL,
    role        text        NOT NULL CHECK (role IN ('admin', 'organizer', 'club_admin')),
    unit_id     bigint      REFERENCES units (id) ON DELETE CASCADE,
    granted_by  bigint,
    granted_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX roles_unique_idx ON roles (telegram_id, role, coalesce(unit_id, 0));

-- The update inbox: an update is accepted (webhook answers 200, polling
-- advances its offset) only once it is stored here, so a crash between
-- accepting and handling loses nothing. The payload is cleared once handled:
-- it may hold phone numbers or health answers.
CREATE TABLE updates (
    update_id   bigint      PRIMARY KEY,
    chat_id     bigint      NOT NULL,
    user_id     bigint      NOT NULL,
    payload     jsonb,
    received_at timestamptz NOT NULL DEFAULT now(),
    claimed_at  timestamptz NOT NULL DEFAULT now(),
    attempts    int         NOT NULL DEFAULT 1,
    handled_at  timestamptz
);
CREATE INDEX updates_pending_idx ON updates (claimed_at) WHERE handled_at IS NULL;
CREATE INDEX updates_handled_idx ON updates (handled_at) WHERE handled_at IS NOT NULL;
CREATE INDEX updates_user_idx ON updates (user_id);

-- +goose Down
DROP TABLE updates;
DROP TABLE roles;
DROP TABLE unit_members;
DROP TABLE units;
DROP TABLE donors;
