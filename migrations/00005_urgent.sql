-- +goose Up

-- "Ngân hàng máu sống" (living blood bank) clubs answer urgent needs. Being
-- on call is the donor's own say, apart from medical eligibility: nobody off
-- call is alerted. until is the last day on call (NULL: until they say
-- otherwise). urgent_opt_in lets the donor be alerted for needs of clubs
-- they are not a member of, when a club admin widens a need to the whole bot.
CREATE TABLE availability (
    donor_id      bigint      PRIMARY KEY REFERENCES donors (id) ON DELETE CASCADE,
    on_call       boolean     NOT NULL DEFAULT false,
    until         date,
    urgent_opt_in boolean     NOT NULL DEFAULT false,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (on_call OR until IS NULL)
);

-- An urgent need raised by a club admin for one patient. accepted counts the
-- donors whose "I can go" was counted; it never exceeds units_needed (the
-- CHECK backs the row lock taken by every accept, see storage.AnswerAlert).
CREATE TABLE needs (
    id               bigserial   PRIMARY KEY,
    club_id          bigint      NOT NULL REFERENCES units (id),
    created_by       bigint      NOT NULL,
    blood_group      text        NOT NULL CHECK (blood_group IN ('O+','O-','A+','A-','B+','B-','AB+','AB-')),
    component        text        NOT NULL CHECK (component IN ('whole_blood', 'platelets', 'plasma')),
    units_needed     int         NOT NULL CHECK (units_needed BETWEEN 1 AND 50),
    hospital         text        NOT NULL CHECK (length(hospital) BETWEEN 1 AND 200),
    address          text        NOT NULL CHECK (length(address) BETWEEN 1 AND 300),
    deadline         timestamptz NOT NULL,
    contact_name     text        NOT NULL CHECK (length(contact_name) BETWEEN 1 AND 120),
    -- Shown only to donors who accepted; never logged.
    contact_phone    text        NOT NULL CHECK (contact_phone ~ '^\+84[0-9]{9,10}$'),
    note             text        NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    -- Who is alerted: 'same' ABO and Rh, 'compatible' by the component's
    -- table, 'all' compatible donors of the bot who opted in.
    audience         text        NOT NULL DEFAULT 'same' CHECK (audience IN ('same', 'compatible', 'all')),
    accepted         int         NOT NULL DEFAULT 0 CHECK (accepted >= 0 AND accepted <= units_needed),
    status           text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'filled', 'closed')),
    -- The club admin's live status message.
    admin_chat_id    bigint      NOT NULL,
    admin_message_id bigint,
    admin_lang       text        NOT NULL DEFAULT 'vi' CHECK (admin_lang IN ('vi', 'en')),
    -- When the admin is offered to widen an unfilled need; offered once.
    widen_at         timestamptz,
    widen_offered_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    closed_at        timestamptz,
    CHECK ((status = 'open') = (closed_at IS NULL))
);
CREATE INDEX needs_club_idx ON needs (club_id, created_at DESC);
CREATE INDEX needs_widen_idx ON needs (widen_at) WHERE status = 'open' AND widen_offered_at IS NULL;

-- One alert per donor per need. broadcast_id links the alert to its
-- delivery (broadcast_deliveries.broadcast_id, chat_id), whose message_id is
-- edited to "covered" when the need closes. answer 'late' is an accept that
-- came after the need closed: thanked, not counted.
CREATE TABLE need_alerts (
    need_id      bigint      NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    donor_id     bigint      NOT NULL REFERENCES donors (id) ON DELETE CASCADE,
    rank         int         NOT NULL,
    broadcast_id bigint      REFERENCES broadcasts (id) ON DELETE SET NULL,
    answer       text        CHECK (answer IN ('accepted', 'declined', 'late')),
    answered_at  timestamptz,
    covered_at   timestamptz,
    donated_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (need_id, donor_id),
    CHECK ((answer IS NULL) = (answered_at IS NULL)),
    CHECK (donated_at IS NULL OR answer = 'accepted')
);
CREATE INDEX need_alerts_donor_idx ON need_alerts (donor_id);
CREATE INDEX need_alerts_uncovered_idx ON need_alerts (need_id) WHERE answer IS NULL AND covered_at IS NULL;

-- Donations recorded for an urgent need reuse donations.source = 'urgent'.

-- +goose Down
DROP TABLE need_alerts;
DROP TABLE needs;
DROP TABLE availability;
