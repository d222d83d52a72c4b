-- +goose Up

-- A donor's latest registration (the answers of their last screening,
-- read with every turn's sender) is the last entry of this index's range
-- for the donor. On donor_id alone, the planner could walk the primary
-- key backwards instead, filtering every registration of every donor
-- newer than the one it looks for, and did so when a statement read
-- several senders at once.
CREATE INDEX registrations_donor_id_idx ON registrations (donor_id, id);
DROP INDEX registrations_donor_idx;

-- +goose Down
CREATE INDEX registrations_donor_idx ON registrations (donor_id);
DROP INDEX registrations_donor_id_idx;
