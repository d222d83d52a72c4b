-- +goose Up

-- What a donor answered on a slot reminder and what their calendar holds.
-- attendance_confirmed_at: when they tapped "I'll be there" (the handlers'
-- clock); organizers' lists may show it. calendar_sequence: the SEQUENCE of
-- the last .ics file sent for the registration, NULL when none was sent; a
-- file sent after a move or a cancellation carries the next one, so the
-- donor's calendar replaces the event it has (RFC 5545 3.8.7.4).
ALTER TABLE registrations ADD COLUMN attendance_confirmed_at timestamptz;
ALTER TABLE registrations ADD COLUMN calendar_sequence integer CHECK (calendar_sequence >= 0);

-- +goose Down
ALTER TABLE registrations DROP COLUMN calendar_sequence;
ALTER TABLE registrations DROP COLUMN attendance_confirmed_at;
