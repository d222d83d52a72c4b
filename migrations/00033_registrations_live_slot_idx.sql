-- +goose Up

-- The drive screens count each slot's confirmed and waitlisted
-- registrations. This index holds the live registrations alone, ordered by
-- drive and slot, with their status: a drive's counts are one index range
-- read without the table, whatever the drive's cancelled and past
-- registrations and the other drives' number.
CREATE INDEX registrations_live_slot_idx ON registrations (drive_id, slot_id, status)
    WHERE status IN ('confirmed', 'waitlisted');

-- +goose Down
DROP INDEX registrations_live_slot_idx;
