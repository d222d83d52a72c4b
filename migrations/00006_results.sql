-- +goose Up

-- Arrival at the venue, stamped by an organizer at check-in (issue 7). A
-- confirmed registration of an ended drive without it becomes a no-show.
ALTER TABLE registrations ADD COLUMN checked_in_at timestamptz;
ALTER TABLE registrations ADD COLUMN checked_in_by bigint;
-- Lookups by donor (check-in, /forget's cascade) had only the partial
-- index of live registrations.
CREATE INDEX registrations_donor_idx ON registrations (donor_id);

-- A donation or on-site deferral recorded for a registration points at it;
-- the unique indexes make a result impossible to record twice.
ALTER TABLE donations ADD COLUMN registration_id bigint REFERENCES registrations (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX donations_registration_idx ON donations (registration_id)
    WHERE registration_id IS NOT NULL;
ALTER TABLE deferrals ADD COLUMN registration_id bigint REFERENCES registrations (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX deferrals_registration_idx ON deferrals (registration_id)
    WHERE registration_id IS NOT NULL;
-- Free text of an on-site deferral, as medical staff gave it ("Hb thấp").
ALTER TABLE deferrals ADD COLUMN note text CHECK (length(note) <= 200);

-- Every registration list that left the bot: who pulled it, when, which
-- drive (and slot), how many rows. Personal data went out with it (Decree
-- 13/2023/ND-CP asks to account for that); kept when the drive is deleted.
CREATE TABLE export_audit (
    id          bigserial   PRIMARY KEY,
    telegram_id bigint      NOT NULL,
    drive_id    bigint      REFERENCES drives (id) ON DELETE SET NULL,
    drive_code  text        NOT NULL,
    slot_id     bigint,
    row_count   int         NOT NULL CHECK (row_count >= 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX export_audit_created_idx ON export_audit (created_at DESC);

-- +goose Down
DROP TABLE export_audit;
ALTER TABLE deferrals DROP COLUMN note;
ALTER TABLE deferrals DROP COLUMN registration_id;
ALTER TABLE donations DROP COLUMN registration_id;
DROP INDEX registrations_donor_idx;
ALTER TABLE registrations DROP COLUMN checked_in_by;
ALTER TABLE registrations DROP COLUMN checked_in_at;
