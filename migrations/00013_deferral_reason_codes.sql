-- +goose Up

-- An on-site deferral's reason picked from the preset list is stored as a
-- code (drive.DeferralReasons), so the donor and every organizer read it in
-- their own language; a reason typed instead stays in note, as typed. Like
-- the note, it is health data: erased with the donor, never in the audit.
ALTER TABLE deferrals ADD COLUMN reason_code text
    CHECK (reason_code IN ('low_hb', 'high_bp', 'low_bp', 'underweight', 'unwell', 'medication'));

-- +goose Down
ALTER TABLE deferrals DROP COLUMN reason_code;
