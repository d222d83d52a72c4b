-- +goose Up

-- Campaigns group drives, e.g. "Hành trình đỏ 2026".
CREATE TABLE campaigns (
    id         bigserial   PRIMARY KEY,
    name       text        NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 120),
    created_by bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A drive is one donation event at one venue on one day. Its date is the
-- date of starts_at in Asia/Ho_Chi_Minh; callers show and parse it there.
-- The bounds repeat those of drive.ValidateDraft (issue 4).
CREATE TABLE drives (
    id               bigserial   PRIMARY KEY,
    campaign_id      bigint      REFERENCES campaigns (id) ON DELETE SET NULL,
    -- Public code of the deep link t.me/<bot>?start=d_<code> (drive.NewCode).
    code             text        NOT NULL UNIQUE CHECK (code ~ '^[0-9a-z]{6,32}$'),
    wave             text        NOT NULL DEFAULT '' CHECK (length(wave) <= 40),
    title            text        NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    organizer        text        NOT NULL DEFAULT '' CHECK (length(organizer) <= 200),
    hospital         text        NOT NULL DEFAULT '' CHECK (length(hospital) <= 200),
    venue            text        NOT NULL DEFAULT '' CHECK (length(venue) <= 300),
    lat              double precision CHECK (lat BETWEEN -90 AND 90),
    lon              double precision CHECK (lon BETWEEN -180 AND 180),
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz NOT NULL,
    target_units     int         NOT NULL CHECK (target_units BETWEEN 1 AND 10000),
    -- NULL: every donor. No ON DELETE: deleting a unit must not silently
    -- open its drives to everyone, nor delete their registrations.
    audience_unit_id bigint      REFERENCES units (id),
    status           text        NOT NULL DEFAULT 'draft'
                     CHECK (status IN ('draft', 'published', 'closed', 'cancelled')),
    created_by       bigint      NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((lat IS NULL) = (lon IS NULL)),
    CHECK (ends_at > starts_at AND ends_at - starts_at <= interval '16 hours')
);
CREATE INDEX drives_published_idx ON drives (ends_at) WHERE status = 'published';

CREATE TABLE drive_slots (
    id        bigserial   PRIMARY KEY,
    drive_id  bigint      NOT NULL REFERENCES drives (id) ON DELETE CASCADE,
    starts_at timestamptz NOT NULL,
    ends_at   timestamptz NOT NULL CHECK (ends_at > starts_at),
    capacity  int         NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
    UNIQUE (drive_id, starts_at),
    -- Target of the registrations' (slot_id, drive_id) foreign key.
    UNIQUE (id, drive_id)
);
CREATE INDEX drive_slots_starts_idx ON drive_slots (starts_at);

-- One donor's place in one slot. drive_id is copied from the slot (and kept
-- equal to it by the composite foreign key) so that a unique index can allow
-- one live registration per donor per drive.
CREATE TABLE registrations (
    id                bigserial   PRIMARY KEY,
    donor_id          bigint      NOT NULL REFERENCES donors (id) ON DELETE CASCADE,
    drive_id          bigint      NOT NULL,
    slot_id           bigint      NOT NULL,
    status            text        NOT NULL
                      CHECK (status IN ('confirmed', 'waitlisted', 'cancelled', 'attended', 'no_show', 'deferred')),
    -- When the registration took its place in its slot: at creation, and
    -- again on a move. The waitlist is served in this order. clock_timestamp,
    -- not now(): writers hold the slot's lock, so it follows the lock order.
    queued_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Largest bag screening allows (see screening.MaxVolumeML).
    allowed_volume_ml int         CHECK (allowed_volume_ml IN (250, 350, 450)),
    -- Screening answers are health data, sensitive under Decree
    -- 13/2023/ND-CP: never logged, erased with the donor (ON DELETE CASCADE).
    screening_answers jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (slot_id, drive_id) REFERENCES drive_slots (id, drive_id)
);
CREATE UNIQUE INDEX registrations_live_idx ON registrations (donor_id, drive_id)
    WHERE status IN ('confirmed', 'waitlisted');
CREATE INDEX registrations_slot_idx ON registrations (slot_id, status, queued_at);
CREATE INDEX registrations_drive_idx ON registrations (drive_id, status);

-- Reminders claimed by a scheduler, at most once per registration and kind
-- ("24h", "2h", "thanks"). A row is written when the reminder is claimed,
-- before it is sent: two schedulers never send the same reminder, and one
-- that dies after claiming loses it rather than sending it twice. skipped
-- marks a reminder whose time passed without it being sent.
CREATE TABLE reminders_sent (
    registration_id bigint      NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    kind            text        NOT NULL CHECK (kind ~ '^[a-z0-9_]{1,16}$'),
    sent_at         timestamptz NOT NULL,
    skipped         boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (registration_id, kind)
);

-- +goose Down
DROP TABLE reminders_sent;
DROP TABLE registrations;
DROP TABLE drive_slots;
DROP TABLE drives;
DROP TABLE campaigns;
