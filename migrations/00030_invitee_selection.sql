-- +goose Up

-- Selecting a drive's invitees (issue 21) reads each candidate's last
-- donation: with id in the key, "latest first, then the latest recorded"
-- is one index probe instead of a sort per donor.
CREATE INDEX donations_donor_last_idx ON donations (donor_id, donated_on DESC, id DESC);

-- The donors of a drive's province: a small province is an index range,
-- not a scan of every donor.
CREATE INDEX donors_province_idx ON donors (province) WHERE province IS NOT NULL;

-- +goose Down
DROP INDEX donors_province_idx;
DROP INDEX donations_donor_last_idx;
