package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"donorbot/profile"
)

// Answers to an alert, as stored.
const (
	AnswerAccepted = "accepted"
	AnswerDeclined = "declined"
	// AnswerLate is an accept that came once the need was closed: the donor
	// is thanked and not counted.
	AnswerLate = "late"
)

// AnswerOutcome is what an answer to an alert did.
type AnswerOutcome int

// Outcomes of AnswerAlert.
const (
	// Counted: the accept took one of the units still needed.
	Counted AnswerOutcome = iota + 1
	// Declined: "I can't" was recorded.
	Declined
	// Late: the need was closed already; the accept is not counted.
	Late
	// AlreadyAccepted: the donor had accepted before; nothing changed.
	AlreadyAccepted
)

// AnswerResult is the outcome of an answer with the need as it now stands.
type AnswerResult struct {
	Outcome AnswerOutcome
	Need    Need
	// Filled is true for the accept that took the last unit needed.
	Filled bool
}

// AnswerAlert records the donor's answer to their alert for the need. The
// need's row is locked for the whole transaction, so concurrent accepts are
// counted one after the other and never beyond units_needed (the table's
// CHECK backs this). A donor with no alert for the need gets ErrNotFound:
// nobody answers an alert that was not sent to them.
func (s *Store) AnswerAlert(ctx context.Context, needID, telegramID int64, accept bool) (AnswerResult, error) {
	wrap := func(err error) error {
		return fmt.Errorf("storage: answer of %d to need %d: %w", telegramID, needID, err)
	}
	tx, err := s.begin(ctx, nil)
	if err != nil {
		return AnswerResult{}, wrap(err)
	}
	defer tx.Rollback()
	var nr needRow
	if err := tx.GetContext(ctx, &nr, `SELECT `+needColumns+` FROM needs WHERE id = $1 FOR UPDATE`, needID); err != nil {
		return AnswerResult{}, wrap(mapErr(err))
	}
	const qAlert = `SELECT a.donor_id, a.answer FROM need_alerts a JOIN donors d ON d.id = a.donor_id
		WHERE a.need_id = $1 AND d.telegram_id = $2 FOR UPDATE OF a`
	var donorID int64
	var prev sql.NullString
	if err := tx.QueryRowxContext(ctx, qAlert, needID, telegramID).Scan(&donorID, &prev); err != nil {
		return AnswerResult{}, wrap(mapErr(err))
	}
	n := nr.need()
	res := AnswerResult{Need: n}
	var answer string
	switch {
	case prev.String == AnswerAccepted:
		res.Outcome = AlreadyAccepted
		return res, nil
	case !accept:
		answer, res.Outcome = AnswerDeclined, Declined
	case !n.Open() || n.Accepted >= n.UnitsNeeded:
		answer, res.Outcome = AnswerLate, Late
	default:
		answer, res.Outcome = AnswerAccepted, Counted
		const qCount = `UPDATE needs SET accepted = accepted + 1,
				status = CASE WHEN accepted + 1 >= units_needed THEN 'filled' ELSE status END,
				closed_at = CASE WHEN accepted + 1 >= units_needed THEN now() ELSE closed_at END
			WHERE id = $1 RETURNING ` + needColumns
		if err := tx.GetContext(ctx, &nr, qCount, needID); err != nil {
			return AnswerResult{}, wrap(err)
		}
		res.Need = nr.need()
		res.Filled = !res.Need.Open()
	}
	const qAnswer = `UPDATE need_alerts SET answer = $3, answered_at = now() WHERE need_id = $1 AND donor_id = $2`
	if _, err := tx.ExecContext(ctx, qAnswer, needID, donorID, answer); err != nil {
		return AnswerResult{}, wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return AnswerResult{}, wrap(err)
	}
	return res, nil
}

// SentAlert is an alert message in a donor's chat.
type SentAlert struct {
	NeedID     int64  `db:"need_id"`
	TelegramID int64  `db:"telegram_id"`
	ChatID     int64  `db:"chat_id"`
	Language   string `db:"language"`
	MessageID  int    `db:"message_id"`
	// NeedStatus tells a covered need from a closed or cancelled one.
	NeedStatus string `db:"need_status"`
}

// UncoveredAlerts lists sent alerts of closed needs (of needID, or of any
// need when needID is 0) that nobody answered and that still show their
// buttons: they are to be edited to "covered".
func (s *Store) UncoveredAlerts(ctx context.Context, needID int64, limit int) ([]SentAlert, error) {
	const q = `SELECT a.need_id, d.telegram_id, d.chat_id, d.language, bd.message_id, n.status AS need_status
		FROM need_alerts a
		JOIN needs n ON n.id = a.need_id
		JOIN donors d ON d.id = a.donor_id
		JOIN broadcast_deliveries bd ON bd.broadcast_id = a.broadcast_id AND bd.chat_id = d.chat_id
		WHERE ($1 = 0 OR a.need_id = $1) AND n.status <> 'open'
		  AND a.answer IS NULL AND a.covered_at IS NULL AND bd.status = 'sent'
		ORDER BY a.need_id, a.rank LIMIT $2`
	out := []SentAlert{}
	if err := s.q(ctx).SelectContext(ctx, &out, q, needID, limit); err != nil {
		return nil, fmt.Errorf("storage: uncovered alerts of need %d: %w", needID, err)
	}
	return out, nil
}

// MarkAlertCovered records that the donor's alert was edited to "covered".
func (s *Store) MarkAlertCovered(ctx context.Context, needID, telegramID int64) error {
	const q = `UPDATE need_alerts a SET covered_at = now() FROM donors d
		WHERE a.need_id = $1 AND a.donor_id = d.id AND d.telegram_id = $2`
	if _, err := s.q(ctx).ExecContext(ctx, q, needID, telegramID); err != nil {
		return fmt.Errorf("storage: cover alert of %d for need %d: %w", telegramID, needID, err)
	}
	return nil
}

// AlertView is one alerted donor as the club admin sees them.
type AlertView struct {
	TelegramID int64
	Name       string
	Phone      string
	Group      profile.BloodGroup
	Answer     string // "" while unanswered
	// Delivery is the alert's broadcast delivery status: pending, sent,
	// failed, blocked or cancelled (the need closed before it went out).
	Delivery string
	Donated  bool
}

// AlertCounts sums up the answers to a need's alerts. NoAnswer counts the
// unanswered alerts sent or still queued; Unreached those that never went
// out (cancelled when the need closed, failed, or blocked); Withdrawn the
// accepts taken back.
type AlertCounts struct {
	Alerted, Accepted, Declined, Late, NoAnswer, Unreached, Withdrawn int
}

// NeedAlerts lists the need's alerted donors, most suitable first.
func (s *Store) NeedAlerts(ctx context.Context, needID int64) ([]AlertView, error) {
	const q = `SELECT d.telegram_id, coalesce(d.full_name, ''), coalesce(d.phone, ''), coalesce(d.blood_group, ''),
			coalesce(a.answer, ''), coalesce(bd.status, 'pending'), a.donated_at IS NOT NULL
		FROM need_alerts a JOIN donors d ON d.id = a.donor_id
		LEFT JOIN broadcast_deliveries bd ON bd.broadcast_id = a.broadcast_id AND bd.chat_id = d.chat_id
		WHERE a.need_id = $1 ORDER BY a.rank`
	rows, err := s.q(ctx).QueryxContext(ctx, q, needID)
	if err != nil {
		return nil, fmt.Errorf("storage: alerts of need %d: %w", needID, err)
	}
	defer rows.Close()
	out := []AlertView{}
	for rows.Next() {
		var v AlertView
		var group string
		if err := rows.Scan(&v.TelegramID, &v.Name, &v.Phone, &group, &v.Answer, &v.Delivery, &v.Donated); err != nil {
			return nil, fmt.Errorf("storage: alerts of need %d: %w", needID, err)
		}
		v.Group = profile.BloodGroup(group)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: alerts of need %d: %w", needID, err)
	}
	return out, nil
}

// CountAlerts sums up views.
func CountAlerts(views []AlertView) AlertCounts {
	var c AlertCounts
	for _, v := range views {
		c.Alerted++
		switch v.Answer {
		case AnswerAccepted:
			c.Accepted++
		case AnswerDeclined:
			c.Declined++
		case AnswerLate:
			c.Late++
		case AnswerWithdrawn:
			c.Withdrawn++
		default:
			if v.Delivery == "pending" || v.Delivery == "sent" {
				c.NoAnswer++
			} else {
				c.Unreached++
			}
		}
	}
	return c
}

// MarkDonated records that a donor who accepted the need donated on day:
// a donation of kind enters their history (source 'urgent'), once. It
// reports false if the donor had not accepted or was already marked.
func (s *Store) MarkDonated(ctx context.Context, needID, telegramID int64, day time.Time, kind string, recordedBy int64) (bool, error) {
	wrap := func(err error) error {
		return fmt.Errorf("storage: mark %d donated for need %d: %w", telegramID, needID, err)
	}
	tx, err := s.begin(ctx, nil)
	if err != nil {
		return false, wrap(err)
	}
	defer tx.Rollback()
	const qMark = `UPDATE need_alerts a SET donated_at = now() FROM donors d
		WHERE a.need_id = $1 AND a.donor_id = d.id AND d.telegram_id = $2
		  AND a.answer = 'accepted' AND a.donated_at IS NULL
		RETURNING a.donor_id`
	var donorID int64
	err = tx.QueryRowxContext(ctx, qMark, needID, telegramID).Scan(&donorID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, wrap(err)
	}
	const qDonation = `INSERT INTO donations (donor_id, donated_on, kind, source, recorded_by)
		VALUES ($1, $2, $3, 'urgent', nullif($4::bigint, 0))`
	if _, err := tx.ExecContext(ctx, qDonation, donorID, day.Format(time.DateOnly), kind, recordedBy); err != nil {
		return false, wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return false, wrap(err)
	}
	return true, nil
}
