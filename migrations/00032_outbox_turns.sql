-- +goose Up

-- One outbox row per turn rather than one per call (issue 22): a row per
-- call was inserted into five indexes and marked sent with an update that
-- wrote every index again, ~3.7 times a turn. A turn's calls are kept in
-- order in calls; done has a bit per call, set once it is sent or given up
-- (calls to different chats finish independently: a failed one stops only
-- its own chat); sent_at is set once every bit is. attempts counts the
-- failures of each call, by position.
CREATE TABLE outbox_turns (
    update_id  bigint      PRIMARY KEY,
    calls      jsonb       NOT NULL, -- [{chat_id, method, params}]
    done       varbit      NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    attempts   int[]       NOT NULL DEFAULT '{}',
    last_error text
);

-- The unsent calls of a running system carry over, those already done as
-- done bits, so that none is lost or made twice. Rows of a turn done
-- entirely are dropped: they served only pruning.
LOCK TABLE outbox IN EXCLUSIVE MODE;
INSERT INTO outbox_turns (update_id, calls, done, claimed_at, attempts, last_error)
SELECT update_id,
       jsonb_agg(jsonb_build_object('chat_id', chat_id, 'method', method, 'params', params) ORDER BY seq),
       string_agg(CASE WHEN sent_at IS NULL THEN '0' ELSE '1' END, '' ORDER BY seq)::varbit,
       max(claimed_at),
       array_agg(attempts ORDER BY seq),
       (array_agg(last_error ORDER BY seq) FILTER (WHERE sent_at IS NULL AND last_error IS NOT NULL))[1]
FROM outbox
GROUP BY update_id
HAVING bool_or(sent_at IS NULL);

DROP TABLE outbox;
ALTER TABLE outbox_turns RENAME TO outbox;
ALTER INDEX outbox_turns_pkey RENAME TO outbox_pkey;

-- The sweeper's claim and pruning: the only readers that look for rows
-- by anything but their update.
CREATE INDEX outbox_claim_idx ON outbox (claimed_at) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL;

-- +goose Down

CREATE TABLE outbox_calls (
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

LOCK TABLE outbox IN EXCLUSIVE MODE;
INSERT INTO outbox_calls (update_id, chat_id, seq, method, params, claimed_at, sent_at, attempts, last_error)
SELECT o.update_id, (c.call->>'chat_id')::bigint, c.pos - 1, c.call->>'method', c.call->'params', o.claimed_at,
       CASE WHEN get_bit(o.done, (c.pos - 1)::int) = 1 THEN coalesce(o.sent_at, now()) END,
       coalesce(o.attempts[c.pos], 0), o.last_error
FROM outbox o CROSS JOIN LATERAL jsonb_array_elements(o.calls) WITH ORDINALITY AS c(call, pos)
ORDER BY o.update_id, c.pos;

DROP TABLE outbox;
ALTER TABLE outbox_calls RENAME TO outbox;
ALTER INDEX outbox_calls_pkey RENAME TO outbox_pkey;
ALTER INDEX outbox_calls_update_id_seq_key RENAME TO outbox_update_id_seq_key;
ALTER SEQUENCE outbox_calls_id_seq RENAME TO outbox_id_seq;
CREATE INDEX outbox_unsent_idx ON outbox (chat_id, id) WHERE sent_at IS NULL;
CREATE INDEX outbox_claim_idx ON outbox (claimed_at) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL;
