-- +goose Up

-- A drive saved with an announcement time stays a draft until then; the
-- scheduler publishes and announces it (issue 20). NULL: announced when
-- published, as before.
ALTER TABLE drives ADD COLUMN announce_at timestamptz;
CREATE INDEX drives_announce_idx ON drives (announce_at) WHERE status = 'draft' AND announce_at IS NOT NULL;

-- A drive's announcement, claimed at most once: the row is written in the
-- transaction that publishes the drive and queues the announcement's
-- deliveries, so a crash loses all three or none, and two schedulers never
-- announce one drive twice.
CREATE TABLE drive_announcements (
    drive_id     bigint      PRIMARY KEY REFERENCES drives (id) ON DELETE CASCADE,
    announced_at timestamptz NOT NULL,
    recipients   int         NOT NULL
);

-- +goose Down
DROP TABLE drive_announcements;
DROP INDEX drives_announce_idx;
ALTER TABLE drives DROP COLUMN announce_at;
