-- +goose Up

-- Invite a friend (issue 18): each donor's personal link
-- t.me/<bot>?start=r_<referral_code>, made the first time they look at it,
-- and the donor whose link a friend onboarded through. Set once, never to
-- oneself; a donor who deletes their data (/forget) leaves their friends
-- uncredited rather than deleted.
ALTER TABLE donors ADD COLUMN referral_code text UNIQUE CHECK (referral_code ~ '^[0-9a-z]{6,32}$');
ALTER TABLE donors ADD COLUMN referred_by bigint REFERENCES donors (id) ON DELETE SET NULL;
ALTER TABLE donors ADD CONSTRAINT donors_not_self_referred CHECK (referred_by <> id);
CREATE INDEX donors_referred_by_idx ON donors (referred_by) WHERE referred_by IS NOT NULL;

-- +goose Down
DROP INDEX donors_referred_by_idx;
ALTER TABLE donors DROP CONSTRAINT donors_not_self_referred;
ALTER TABLE donors DROP COLUMN referred_by;
ALTER TABLE donors DROP COLUMN referral_code;
