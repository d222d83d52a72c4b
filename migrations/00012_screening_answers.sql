-- +goose Up

-- The donor's latest answer to each screening question (health data: never
-- logged, erased with the donor). A later screening replaces the answers of
-- the questions it asks, so a mistaken tap is corrected by answering again,
-- and answers given recently can be offered again instead of the questions.
-- answer is the screening.Answer as JSON with the "no date" mark;
-- answered_at is the handlers' clock, not now().
CREATE TABLE screening_answers (
    donor_id        bigint      NOT NULL REFERENCES donors (id) ON DELETE CASCADE,
    question        text        NOT NULL CHECK (question ~ '^[a-z0-9_]{1,32}$'),
    answer          jsonb       NOT NULL,
    answered_at     timestamptz NOT NULL,
    registration_id bigint      REFERENCES registrations (id) ON DELETE SET NULL,
    PRIMARY KEY (donor_id, question)
);

-- Every answer a later screening changed: which, old and new, when (the
-- handlers' clock), for which registration. The staff can see what a donor
-- corrected after a deferral.
CREATE TABLE screening_answer_changes (
    id              bigserial   PRIMARY KEY,
    donor_id        bigint      NOT NULL REFERENCES donors (id) ON DELETE CASCADE,
    question        text        NOT NULL,
    old_answer      jsonb       NOT NULL,
    new_answer      jsonb       NOT NULL,
    changed_at      timestamptz NOT NULL,
    registration_id bigint      REFERENCES registrations (id) ON DELETE SET NULL
);
CREATE INDEX screening_answer_changes_donor_idx ON screening_answer_changes (donor_id, changed_at);

-- +goose Down
DROP TABLE screening_answer_changes;
DROP TABLE screening_answers;
