-- +goose Up

-- Auto-fill (issue 21): per drive, whether the bot invites donors in waves
-- when the forecast falls short of the target, whether the organizer paused
-- it, and the checkpoints (days before the drive) at which it looks.
ALTER TABLE drives
    ADD COLUMN autofill           boolean   NOT NULL DEFAULT false,
    ADD COLUMN autofill_paused    boolean   NOT NULL DEFAULT false,
    ADD COLUMN invite_checkpoints integer[] NOT NULL DEFAULT '{10,5,2}';

-- One row per checkpoint the scheduler judged, whether or not it invited
-- anyone: the organizer's wave log. The unique key is what lets several
-- schedulers run a checkpoint once.
CREATE TABLE invitation_waves (
    id            bigserial        PRIMARY KEY,
    drive_id      bigint           NOT NULL REFERENCES drives (id) ON DELETE CASCADE,
    checkpoint    integer          NOT NULL,
    started_at    timestamptz      NOT NULL,
    target        integer          NOT NULL,
    registered    integer          NOT NULL,
    expected      integer          NOT NULL,
    gap           integer          NOT NULL,
    response_rate double precision NOT NULL,
    candidates    integer          NOT NULL,
    planned       integer          NOT NULL,
    invited       integer          NOT NULL,
    skipped_cap   integer          NOT NULL,
    -- why nobody was invited: '' (someone was), 'no_gap', 'full', 'no_candidates'
    outcome       text             NOT NULL DEFAULT '',
    UNIQUE (drive_id, checkpoint)
);

-- Who was invited to which drive, by which wave: a donor is invited to a
-- drive once, and the funnel follows them to registration and donation.
CREATE TABLE drive_invitations (
    drive_id bigint      NOT NULL REFERENCES drives (id) ON DELETE CASCADE,
    donor_id bigint      NOT NULL REFERENCES donors (id) ON DELETE CASCADE,
    wave_id  bigint      NOT NULL REFERENCES invitation_waves (id) ON DELETE CASCADE,
    sent_at  timestamptz NOT NULL,
    PRIMARY KEY (drive_id, donor_id)
);
CREATE INDEX drive_invitations_wave_idx ON drive_invitations (wave_id);
CREATE INDEX drive_invitations_donor_idx ON drive_invitations (donor_id);

-- +goose Down
DROP TABLE drive_invitations;
DROP TABLE invitation_waves;
ALTER TABLE drives DROP COLUMN invite_checkpoints, DROP COLUMN autofill_paused, DROP COLUMN autofill;
