-- +goose Up

-- Scheduled messages (reminders before a slot, thank-yous, "eligible again")
-- are queued as deliveries in the transaction that marks them due, so the
-- delivery queue's guarantees hold for them too. Each one is worded for its
-- recipient (drive, slot, language, buttons), so a delivery may carry its own
-- text and keyboard; NULL means the broadcast's.
ALTER TABLE broadcast_deliveries
    ADD COLUMN text text CHECK (text IS NULL OR length(text) BETWEEN 1 AND 4096),
    ADD COLUMN reply_markup jsonb;

-- Reminder kinds name their offset ("reminder_24h").
ALTER TABLE broadcasts DROP CONSTRAINT broadcasts_kind_check;
ALTER TABLE broadcasts ADD CONSTRAINT broadcasts_kind_check CHECK (kind ~ '^[a-z0-9_]{1,32}$');

-- +goose Down
DELETE FROM broadcasts WHERE kind !~ '^[a-z_]{1,32}$';
ALTER TABLE broadcasts DROP CONSTRAINT broadcasts_kind_check;
ALTER TABLE broadcasts ADD CONSTRAINT broadcasts_kind_check CHECK (kind ~ '^[a-z_]{1,32}$');
ALTER TABLE broadcast_deliveries DROP COLUMN reply_markup, DROP COLUMN text;
