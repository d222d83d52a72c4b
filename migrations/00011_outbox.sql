-- +goose Up

-- The effects of handling one update on the user's own chat (replies,
-- button edits, the answer to a tapped button, the conversation state to
-- put in Redis) are written here in the transaction that changes the state
-- and marks the update handled, so the two commit together. The process
-- that committed them inserts them claimed and sends them at once; rows
-- whose claim outlived the lease are taken over by another process.
CREATE TABLE outbox (
    id         bigserial   PRIMARY KEY,
    update_id  bigint      NOT NULL,
    chat_id    bigint      NOT NULL,
    seq        int         NOT NULL,
    method     text        NOT NULL CHECK (method ~ '^[a-zA-Z]{1,40}$'),
    params     jsonb       NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    attempts   int         NOT NULL DEFAULT 0,
    last_error text,
    UNIQUE (update_id, seq)
);
CREATE INDEX outbox_unsent_idx ON outbox (chat_id, id) WHERE sent_at IS NULL;
CREATE INDEX outbox_claim_idx ON outbox (claimed_at) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL;

-- +goose Down
DROP TABLE outbox;
