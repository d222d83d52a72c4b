package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"donorbot/mobilize"
)

// ErrAtContactCap is returned when the one donor a message was for is at
// the contact cap: nothing was queued or recorded.
var ErrAtContactCap = errors.New("storage: donor at the contact cap")

// capContacts keeps those of msgs whose donor is under the contact cap
// (mobilize.UnderCap, limit per mobilize.CapWindow; 0: no cap) and records
// each kept one in the donor's ledger of non-urgent contacts at now, inside
// tx, the transaction that queues them; it returns the kept messages and how
// many it skipped. The donors' rows are locked, in id order, for the rest
// of tx: two fan-outs at once then count each other's contacts and cannot
// push a donor past the cap. NO KEY UPDATE leaves registrations, which
// only reference the row, free to be written meanwhile. A chat that is no
// donor's is kept and not recorded.
func capContacts(ctx context.Context, tx *dbTx, kind string, now time.Time, limit int,
	msgs []ScheduledMessage) ([]ScheduledMessage, int, error) {
	chats := make([]int64, len(msgs))
	for i, m := range msgs {
		chats[i] = m.ChatID
	}
	keep, skipped, err := capChats(ctx, tx, kind, now, limit, chats)
	if err != nil {
		return nil, 0, err
	}
	kept := make([]ScheduledMessage, 0, len(msgs)-skipped)
	for i, m := range msgs {
		if keep[i] {
			kept = append(kept, m)
		}
	}
	return kept, skipped, nil
}

// capChats is capContacts over chat ids: keep[i] says whether chats[i]
// may be sent to.
func capChats(ctx context.Context, tx *dbTx, kind string, now time.Time, limit int,
	chats []int64) (keep []bool, skipped int, err error) {
	keep = make([]bool, len(chats))
	if len(chats) == 0 {
		return keep, 0, nil
	}
	const lock = `SELECT id, telegram_id FROM donors WHERE telegram_id = ANY($1) ORDER BY id FOR NO KEY UPDATE`
	var donors []struct {
		ID         int64 `db:"id"`
		TelegramID int64 `db:"telegram_id"`
	}
	if err := tx.SelectContext(ctx, &donors, lock, pq.Array(chats)); err != nil {
		return nil, 0, fmt.Errorf("lock donors for the contact cap: %w", err)
	}
	donorOf := make(map[int64]int64, len(donors))
	ids := make([]int64, len(donors))
	for i, d := range donors {
		donorOf[d.TelegramID], ids[i] = d.ID, d.ID
	}
	const recent = `SELECT donor_id, sent_at FROM contacts WHERE donor_id = ANY($1) AND sent_at > $2`
	var rows []struct {
		DonorID int64     `db:"donor_id"`
		SentAt  time.Time `db:"sent_at"`
	}
	if err := tx.SelectContext(ctx, &rows, recent, pq.Array(ids), now.Add(-mobilize.CapWindow)); err != nil {
		return nil, 0, fmt.Errorf("contacts in the cap window: %w", err)
	}
	sent := map[int64][]time.Time{}
	for _, r := range rows {
		sent[r.DonorID] = append(sent[r.DonorID], r.SentAt)
	}
	var recorded []int64
	for i, chat := range chats {
		id, ok := donorOf[chat]
		switch {
		case !ok:
			keep[i] = true
		case mobilize.UnderCap(sent[id], now, limit):
			keep[i] = true
			recorded = append(recorded, id)
			sent[id] = append(sent[id], now)
		default:
			skipped++
		}
	}
	const record = `INSERT INTO contacts (donor_id, kind, sent_at) SELECT unnest($1::bigint[]), $2, $3`
	if _, err := tx.ExecContext(ctx, record, pq.Array(recorded), kind, now); err != nil {
		return nil, 0, fmt.Errorf("record contacts: %w", err)
	}
	return keep, skipped, nil
}

// ContactsSince lists when the donor was sent non-urgent messages of kind
// after since, the earliest first.
func (s *Store) ContactsSince(ctx context.Context, telegramID int64, kind string, since time.Time) ([]time.Time, error) {
	const q = `SELECT c.sent_at FROM contacts c JOIN donors d ON d.id = c.donor_id
		WHERE d.telegram_id = $1 AND c.kind = $2 AND c.sent_at > $3 ORDER BY c.sent_at`
	out := []time.Time{}
	if err := s.q(ctx).SelectContext(ctx, &out, q, telegramID, kind, since); err != nil {
		return nil, fmt.Errorf("storage: contacts of %d: %w", telegramID, err)
	}
	return out, nil
}
