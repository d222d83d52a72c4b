-- +goose Up

-- A broadcast is one message (drive announcement, reminder, urgent blood
-- need) to many chats. It is written with one delivery row per recipient, in
-- the same transaction, before the first send: the rows are the work queue,
-- so a crash loses nothing (see package broadcast).
CREATE TABLE broadcasts (
    id                  bigserial   PRIMARY KEY,
    kind                text        NOT NULL CHECK (kind ~ '^[a-z_]{1,32}$'),
    text                text        NOT NULL CHECK (length(text) BETWEEN 1 AND 4096),
    parse_mode          text        NOT NULL DEFAULT '' CHECK (parse_mode IN ('', 'HTML', 'MarkdownV2')),
    reply_markup        jsonb,
    -- Higher first: an urgent need is not queued behind a long announcement.
    priority            int         NOT NULL DEFAULT 0,
    created_by          bigint      NOT NULL,
    -- Language of the progress message shown to created_by.
    lang                text        NOT NULL DEFAULT 'vi',
    progress_chat_id    bigint,
    progress_message_id bigint,
    total               int         NOT NULL CHECK (total >= 0),
    created_at          timestamptz NOT NULL DEFAULT now(),
    cancelled_at        timestamptz,
    -- Set once no delivery is pending; the final progress edit follows it.
    finished_at         timestamptz
);
CREATE INDEX broadcasts_unfinished_idx ON broadcasts (id) WHERE finished_at IS NULL;

-- One row per recipient. A worker claims pending rows with
-- FOR UPDATE SKIP LOCKED and stamps claimed_at; a claim older than the lease
-- belongs to a process that died and is taken over.
CREATE TABLE broadcast_deliveries (
    id              bigserial   PRIMARY KEY,
    broadcast_id    bigint      NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    chat_id         bigint      NOT NULL,
    -- Copied from the broadcast so that the claim reads a single index.
    priority        int         NOT NULL,
    status          text        NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed', 'blocked', 'cancelled')),
    -- Failed sends so far; a 429 is not a failure and is not counted.
    failed_attempts int         NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_at      timestamptz,
    message_id      bigint,
    -- Telegram's description of the last error; never the message text.
    reason          text,
    done_at         timestamptz,
    UNIQUE (broadcast_id, chat_id),
    CHECK ((status = 'sent') = (message_id IS NOT NULL)),
    CHECK ((status = 'pending') = (done_at IS NULL))
);
CREATE INDEX broadcast_deliveries_pending_idx ON broadcast_deliveries (priority DESC, id)
    WHERE status = 'pending';
CREATE INDEX broadcast_deliveries_chat_idx ON broadcast_deliveries (chat_id);

-- +goose Down
DROP TABLE broadcast_deliveries;
DROP TABLE broadcasts;
