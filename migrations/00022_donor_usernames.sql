-- +goose Up

-- A donor's Telegram @username, as last seen in their updates, so that an
-- admin can name them in /grant (issue 20). Usernames move between accounts,
-- so the one seen last wins and is cleared from whoever held it before;
-- /forget deletes it with the donor row.
ALTER TABLE donors ADD COLUMN username text CHECK (username ~ '^[A-Za-z0-9_]{4,32}$');
CREATE INDEX donors_username_idx ON donors (lower(username)) WHERE username IS NOT NULL;

-- +goose Down
DROP INDEX donors_username_idx;
ALTER TABLE donors DROP COLUMN username;
