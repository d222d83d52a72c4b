-- +goose Up

-- Every correction of a recorded result (issue 16): who changed it, when,
-- and the result before and after. A result moves the donor's next
-- eligible date, so a change must be accountable. The results are stored
-- as kind, volume, component and deferral end only: the on-site reason is
-- health data in free text and stays with the deferral, which /forget
-- deletes; an audit row left behind names nobody.
CREATE TABLE result_corrections (
    id              bigserial   PRIMARY KEY,
    registration_id bigint      REFERENCES registrations (id) ON DELETE SET NULL,
    drive_id        bigint      REFERENCES drives (id) ON DELETE SET NULL,
    changed_by      bigint      NOT NULL,
    changed_at      timestamptz NOT NULL,
    old_result      jsonb       NOT NULL,
    new_result      jsonb       NOT NULL
);
CREATE INDEX result_corrections_registration_idx ON result_corrections (registration_id);

-- +goose Down
DROP TABLE result_corrections;
