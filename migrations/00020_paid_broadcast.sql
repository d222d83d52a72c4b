-- +goose Up

-- Telegram's paid broadcasts for urgent needs (issue 19): a delivery marked
-- paid is sent with allow_paid_broadcast, beyond the free rate and billed
-- in Stars. Only the first URGENT_PAID_BROADCAST_CAP alerts of a need are.
ALTER TABLE broadcast_deliveries ADD COLUMN paid boolean NOT NULL DEFAULT false;
-- The need an alert broadcast sends, for its progress.
CREATE INDEX need_alerts_broadcast_idx ON need_alerts (broadcast_id) WHERE broadcast_id IS NOT NULL;

-- +goose Down
DROP INDEX need_alerts_broadcast_idx;
ALTER TABLE broadcast_deliveries DROP COLUMN paid;
