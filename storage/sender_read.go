package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"donorbot/profile"
)

// SenderRead is an update's sender as DonorWithRecord reads them on Day,
// read by the statement that stored the update (AcceptUpdatesWithSenders):
// the update's turn then needs no statement of its own to know who wrote,
// nor, for someone who never consented, that they are no donor.
type SenderRead struct {
	TelegramID int64
	Day        time.Time
	found      bool
	adopted    bool // by a unit of work: a retry's unit reads afresh
	row        donorRow
	rec        EligibilityRecord
}

// Found reports whether the sender is a donor.
func (r *SenderRead) Found() bool { return r.found }

type senderReadKey struct{}

// WithSenderRead has the unit of work begun in ctx take r as its first
// DonorWithRecord of r's sender on r's day, instead of a statement. The
// caller vouches that r is as fresh as that statement would be: nothing
// the turn's chat did may have committed since r's statement began.
func WithSenderRead(ctx context.Context, r *SenderRead) context.Context {
	if r == nil {
		return ctx
	}
	return context.WithValue(ctx, senderReadKey{}, r)
}

// adoptSenderRead returns the read ctx carries for telegramID on day, if
// it may stand in for the unit's first DonorWithRecord: a unit that has
// read no sender and written nothing sees what the read saw, as a plain
// read of the unit would (Work's comment). It is adopted once: a turn run
// again after a deadlock reads afresh, as it did before, since what rolled
// it back may be a write it must now see.
func adoptSenderRead(ctx context.Context, w *Work, telegramID int64, day time.Time) *SenderRead {
	r, _ := ctx.Value(senderReadKey{}).(*SenderRead)
	if r == nil || r.adopted || w == nil || w.tx != nil || w.sender != nil ||
		r.TelegramID != telegramID || !r.Day.Equal(day) {
		return nil
	}
	r.adopted = true
	return r
}

// senderRow scans a fresh update and, when found, its sender's donor row
// and record on the day.
type senderRow struct {
	UpdateID int64 `db:"update_id"`
	Found    bool  `db:"found"`
	donorRow
	eligibilityRow
}

func (row senderRow) read(telegramID int64, day time.Time) (*SenderRead, error) {
	r := &SenderRead{TelegramID: telegramID, Day: day, found: row.Found}
	if !row.Found {
		return r, nil
	}
	rec, err := row.eligibilityRow.record()
	if err != nil {
		return nil, fmt.Errorf("storage: sender %d of update %d: %w", telegramID, row.UpdateID, err)
	}
	r.row, r.rec = row.donorRow, rec
	return r, nil
}

// senderColumns are donorColumns of a donor d that may be missing (LEFT
// JOIN): the NOT NULL ones come back as zero values, which a scan into
// donorRow accepts, and "found" tells a donor from none.
var senderColumns = func() string {
	zero := map[string]string{"id": "0", "telegram_id": "0", "chat_id": "0",
		"language": "''", "consent_version": "''", "consent_at": "'epoch'"}
	cols := strings.Split(donorColumns, ",")
	for i, c := range cols {
		c = strings.TrimSpace(c)
		cols[i] = "d." + c
		if z, ok := zero[c]; ok {
			cols[i] = "coalesce(d." + c + ", " + z + ") AS " + c
		}
	}
	return "d.id IS NOT NULL AS found, " + strings.Join(cols, ", ")
}()

// donorFor is DonorWithRecord's result from an adopted read, with the
// same effect on the unit of work.
func (r *SenderRead) donorFor(w *Work) (profile.Donor, error) {
	if !r.found {
		return profile.Donor{}, fmt.Errorf("storage: donor %d with record: %w", r.TelegramID, ErrNotFound)
	}
	w.sender = &senderID{telegramID: r.TelegramID, id: r.row.ID}
	w.record = &cachedRecord{telegramID: r.TelegramID, day: r.Day, rec: r.rec}
	return r.row.donor(), nil
}

// acceptWithSendersSQL is acceptUpdates' statement reading the fresh
// updates' senders with DonorWithRecord's columns, whose parameters are $2
// (day) and $3 (question). Each sender is looked up by its key (the LIMIT
// keeps the subquery from being joined like a table): in the generic plan
// the insert is taken to return a hundred rows, for which a plain join
// hashed the whole donors table.
var acceptWithSendersSQL = `WITH ins AS (INSERT INTO updates (update_id, chat_id, user_id, payload)
		SELECT * FROM ` + newUpdatesFrom + `
		ON CONFLICT (update_id) DO NOTHING
		RETURNING update_id, user_id)
	SELECT ins.update_id, ` + senderColumns + `, ` + eligibilityColumns + `
	FROM ins LEFT JOIN LATERAL (SELECT ` + donorColumns + ` FROM donors
		WHERE telegram_id = ins.user_id LIMIT 1) d ON true ` + eligibilityFrom
