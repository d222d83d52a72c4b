-- +goose Up

-- Every non-urgent message the bot sends a donor on its own initiative
-- (announcements, recalls, invitations), written in the transaction that
-- queues it: the contact cap (package mobilize) counts these rows.
CREATE TABLE contacts (
    donor_id bigint      NOT NULL REFERENCES donors (id) ON DELETE CASCADE,
    kind     text        NOT NULL,
    sent_at  timestamptz NOT NULL
);
CREATE INDEX contacts_donor_idx ON contacts (donor_id, sent_at);

-- "Nhận lời mời hiến máu" in /settings: off stops invitations (issue 21).
ALTER TABLE donors ADD COLUMN invitations boolean NOT NULL DEFAULT true;

-- +goose Down
ALTER TABLE donors DROP COLUMN invitations;
DROP TABLE contacts;
