-- +goose Up

-- The closed loop of an urgent need (issue 19). An accepted alert may be
-- withdrawn ("I can no longer go"): the place is released and the donor is
-- no longer expected. A need the admin cancels (as opposed to closing it
-- with the donors who accepted still expected) is 'cancelled': its donors
-- are told not to come and are no longer committed to it.
ALTER TABLE need_alerts DROP CONSTRAINT need_alerts_answer_check;
ALTER TABLE need_alerts ADD CONSTRAINT need_alerts_answer_check
    CHECK (answer IN ('accepted', 'declined', 'late', 'withdrawn'));
ALTER TABLE needs DROP CONSTRAINT needs_status_check;
ALTER TABLE needs ADD CONSTRAINT needs_status_check
    CHECK (status IN ('open', 'filled', 'closed', 'cancelled'));

-- +goose Down
UPDATE needs SET status = 'closed' WHERE status = 'cancelled';
ALTER TABLE needs DROP CONSTRAINT needs_status_check;
ALTER TABLE needs ADD CONSTRAINT needs_status_check CHECK (status IN ('open', 'filled', 'closed'));
UPDATE need_alerts SET answer = 'declined' WHERE answer = 'withdrawn';
ALTER TABLE need_alerts DROP CONSTRAINT need_alerts_answer_check;
ALTER TABLE need_alerts ADD CONSTRAINT need_alerts_answer_check CHECK (answer IN ('accepted', 'declined', 'late'));
