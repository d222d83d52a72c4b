-- +goose Up

-- Donations recorded at drives, for urgent needs, or reported by the donor.
-- They drive the donation interval (TT26 Điều 6), counts and milestones.
CREATE TABLE donations (
    id          bigserial PRIMARY KEY,
    donor_id    bigint      NOT NULL REFERENCES donors (id) ON DELETE CASCADE,
    donated_on  date        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('whole_blood', 'red_cells', 'platelets', 'plasma')),
    volume_ml   int         CHECK (volume_ml BETWEEN 50 AND 1000),
    source      text        NOT NULL CHECK (source IN ('self_report', 'drive', 'urgent')),
    recorded_by bigint,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX donations_donor_idx ON donations (donor_id, donated_on DESC);

-- Deferrals from screening answers or decided on site by medical staff.
-- until NULL means the end is unknown: the staff must lift it.
CREATE TABLE deferrals (
    id         bigserial PRIMARY KEY,
    donor_id   bigint      NOT NULL REFERENCES donors (id) ON DELETE CASCADE,
    code       text        NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
    until      date,
    permanent  boolean     NOT NULL DEFAULT false,
    source     text        NOT NULL CHECK (source IN ('screening', 'on_site')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deferrals_donor_idx ON deferrals (donor_id);

-- Reminders a donor asked for on a given day, e.g. when a deferral ends.
CREATE TABLE date_reminders (
    donor_id  bigint      NOT NULL REFERENCES donors (id) ON DELETE CASCADE,
    remind_on date        NOT NULL,
    kind      text        NOT NULL CHECK (kind IN ('eligible_again')),
    sent_at   timestamptz,
    PRIMARY KEY (donor_id, remind_on, kind)
);
CREATE INDEX date_reminders_due_idx ON date_reminders (remind_on) WHERE sent_at IS NULL;

-- +goose Down
DROP TABLE date_reminders;
DROP TABLE deferrals;
DROP TABLE donations;
