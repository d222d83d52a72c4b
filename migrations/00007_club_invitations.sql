-- +goose Up

-- A club admin's /addmember invites a donor found by phone; the donor joins
-- only by accepting, and the admin learns the donor's name only then (issue
-- 16: adding by phone revealed names and joined people without consent).
-- Times come from the bot's clock, not now(). closed_at is when the
-- invitation was accepted, declined or found expired.
CREATE TABLE club_invitations (
    id            bigserial   PRIMARY KEY,
    club_id       bigint      NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    donor_id      bigint      NOT NULL REFERENCES donors (id) ON DELETE CASCADE,
    invited_by    bigint      NOT NULL,
    -- Where and in which language the admin is told of an accept.
    admin_chat_id bigint      NOT NULL,
    admin_lang    text        NOT NULL DEFAULT 'vi' CHECK (admin_lang IN ('vi', 'en')),
    status        text        NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'accepted', 'declined', 'expired')),
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL CHECK (expires_at > created_at),
    closed_at     timestamptz,
    CHECK ((status = 'pending') = (closed_at IS NULL))
);
-- One open invitation per club and donor: inviting again sends nothing.
CREATE UNIQUE INDEX club_invitations_pending_idx ON club_invitations (club_id, donor_id)
    WHERE status = 'pending';
CREATE INDEX club_invitations_donor_idx ON club_invitations (donor_id);

-- +goose Down
DROP TABLE club_invitations;
