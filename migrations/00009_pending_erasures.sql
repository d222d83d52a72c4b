-- +goose Up

-- /forget deletes a donor's rows at once, but their Redis keys (an
-- unfinished conversation may hold screening answers) can only go when
-- Redis answers. Each row is an erasure still owed: written in the same
-- transaction as the donor's deletion, retried by every process's sweep
-- until Redis confirms the keys are gone, then deleted. The Telegram id is
-- all it keeps, and only for as long as the erasure is pending.
CREATE TABLE pending_erasures (
    telegram_id     bigint      PRIMARY KEY,
    requested_at    timestamptz NOT NULL,
    attempts        int         NOT NULL DEFAULT 0,
    last_attempt_at timestamptz
);

-- +goose Down
DROP TABLE pending_erasures;
