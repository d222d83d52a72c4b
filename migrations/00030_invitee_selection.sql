-- +goose Up

-- Selecting a drive's invitees (issue 21) reads every donor's last
-- donation: with id in the key, "latest first, then the latest recorded"
-- is read in index order instead of sorting every donation.
CREATE INDEX donations_donor_last_idx ON donations (donor_id, donated_on DESC, id DESC);

-- +goose Down
DROP INDEX donations_donor_last_idx;
