-- +goose Up

-- A donor's settings (/settings). recall: tell them the day they may
-- donate again. quiet_hours: hold their non-urgent scheduled messages
-- during QUIET_HOURS; a donor may turn it off to get them at night too.
ALTER TABLE donors
    ADD COLUMN recall      boolean NOT NULL DEFAULT true,
    ADD COLUMN quiet_hours boolean NOT NULL DEFAULT true;

-- One recall per donor and day they became eligible again: the key makes
-- a re-run or a restart of the scheduler send nothing twice. drive_ids are
-- the drives the message offered, for the organizers' funnel.
CREATE TABLE recalls (
    id          bigserial   PRIMARY KEY,
    donor_id    bigint      NOT NULL REFERENCES donors (id) ON DELETE CASCADE,
    eligible_on date        NOT NULL,
    drive_ids   bigint[]    NOT NULL DEFAULT '{}',
    sent_at     timestamptz NOT NULL,
    UNIQUE (donor_id, eligible_on)
);
CREATE INDEX recalls_drives_idx ON recalls USING gin (drive_ids);

-- The recall that led to a registration: the donor's latest recall that
-- offered the drive, sent before they registered.
ALTER TABLE registrations ADD COLUMN recall_id bigint REFERENCES recalls (id) ON DELETE SET NULL;

-- Days whose recall scan is done, by scope: 'night' looks only at donors
-- who turned quiet hours off, 'day' at everyone. A donor becomes eligible
-- at a day's start, so one scan of each scope a day finds them all.
CREATE TABLE recall_scans (
    day   date NOT NULL,
    scope text NOT NULL CHECK (scope IN ('night', 'day')),
    PRIMARY KEY (day, scope)
);

-- +goose Down
DROP TABLE recall_scans;
ALTER TABLE registrations DROP COLUMN recall_id;
DROP TABLE recalls;
ALTER TABLE donors DROP COLUMN quiet_hours, DROP COLUMN recall;
