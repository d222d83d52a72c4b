package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"donorbot/drive"
	"donorbot/screening"
)

// ScreeningAnswer is the donor's latest answer to one question, as kept
// between screenings. NoDate marks a Yes whose month the donor did not
// remember (When then stays nil).
type ScreeningAnswer struct {
	screening.Answer
	NoDate bool `json:",omitempty"`
	// AnsweredAt is when it was last given (by the handlers' clock); set
	// by the store on reading, ignored on saving.
	AnsweredAt time.Time `json:"-"`
}

// ScreeningChange is one answer a later screening changed.
type ScreeningChange struct {
	Question       screening.QuestionID
	Old, New       ScreeningAnswer
	ChangedAt      time.Time
	RegistrationID int64
}

// screeningCTEs store a finished screening in one statement, when the
// CTE gate, which the statement defines first, has a row: a round trip
// for each part was most of the screening turn's cost. $1 is the donor,
// $2 and $3 the questions and answers, $4 the time, $5 the registration
// (0: none). The donor's earlier answers are read in one index range
// (MATERIALIZED: joined to the new ones, the planner probed the index
// once per question, three blocks each). The changes CTE reads them as
// they were before the statement (a data-modifying CTE sees the snapshot
// the statement started with), so each change is written with the old
// and the new answer before the upsert replaces it; for the same reason
// the deferrals dropped are the earlier screening's only, never those the
// statement adds (no unique index lets the two collide: only
// registration_id is unique, and these have none).
const screeningCTEs = `new AS (
		SELECT * FROM unnest($2::text[], $3::jsonb[]) AS n (question, answer) WHERE EXISTS (SELECT FROM gate)),
	old AS MATERIALIZED (
		SELECT question, answer FROM screening_answers WHERE donor_id = $1),
	changes AS (
		INSERT INTO screening_answer_changes
			(donor_id, question, old_answer, new_answer, changed_at, registration_id)
		SELECT $1, o.question, o.answer, n.answer, $4, nullif($5::bigint, 0)
		FROM old o JOIN new n ON n.question = o.question
		WHERE o.answer <> n.answer),
	answers AS (
		INSERT INTO screening_answers (donor_id, question, answer, answered_at, registration_id)
		SELECT $1, question, answer, $4, nullif($5::bigint, 0) FROM new
		ON CONFLICT (donor_id, question) DO UPDATE SET answer = EXCLUDED.answer,
			answered_at = EXCLUDED.answered_at, registration_id = EXCLUDED.registration_id),
	dropped AS (
		DELETE FROM deferrals WHERE donor_id = $1 AND source = 'screening' AND EXISTS (SELECT FROM gate))`

// encodeAnswers returns the questions and their answers as JSON, for
// screeningCTEs. The last answer to a question wins, as when they were
// stored one by one (one statement may not upsert a row twice).
func encodeAnswers(answers []ScreeningAnswer) (questions, raws []string, err error) {
	questions = make([]string, 0, len(answers))
	raws = make([]string, 0, len(answers))
	at := map[string]int{}
	for _, a := range answers {
		raw, err := json.Marshal(a)
		if err != nil {
			return nil, nil, fmt.Errorf("encode answer: %w", err)
		}
		if i, ok := at[string(a.Question)]; ok {
			raws[i] = string(raw)
			continue
		}
		at[string(a.Question)] = len(questions)
		questions, raws = append(questions, string(a.Question)), append(raws, string(raw))
	}
	return questions, raws, nil
}

// SaveScreeningKeepingPlace is SaveScreening with SetScreening for a
// screening that keeps the donor's place (no deferral), in one statement:
// the registration's answers (regAnswers, as SetScreening's) and largest
// bag, and with calendar the
// SEQUENCE of the calendar file sent (as SetScreeningConfirmed). Nothing
// is stored when the registration is not live (ErrNotLive) or not found.
func (s *Store) SaveScreeningKeepingPlace(ctx context.Context, telegramID, registrationID int64,
	answers []ScreeningAnswer, regAnswers json.RawMessage, allowedVolumeML int, calendar bool, now time.Time) (calendarSequence int, err error) {
	// The gate locks the registration alone, as screenLive does: keeping
	// a place changes no seat count.
	const q = `WITH gate AS (
			UPDATE registrations SET screening_answers = $6, allowed_volume_ml = $7, updated_at = now(),
				calendar_sequence = CASE WHEN $8 THEN coalesce(calendar_sequence + 1, 0) ELSE calendar_sequence END
			WHERE id = $5 AND status IN ('confirmed', 'waitlisted') RETURNING coalesce(calendar_sequence, 0) AS seq), ` +
		screeningCTEs + `
		SELECT seq FROM gate`
	wrap := func(err error) error {
		return fmt.Errorf("storage: screening of %d for registration %d: %w", telegramID, registrationID, err)
	}
	donorID, err := s.donorID(ctx, telegramID)
	if err != nil {
		return 0, wrap(err)
	}
	questions, raws, err := encodeAnswers(answers)
	if err != nil {
		return 0, wrap(err)
	}
	if !json.Valid(regAnswers) {
		return 0, wrap(errors.New("answers are not JSON"))
	}
	volume := sql.NullInt64{Int64: int64(allowedVolumeML), Valid: allowedVolumeML != 0}
	var seq int
	err = s.q(ctx).GetContext(ctx, &seq, q, donorID, pq.Array(questions), pq.Array(raws), now, registrationID,
		string(regAnswers), volume, calendar)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, wrap(s.whyNotLive(ctx, registrationID))
	}
	if err != nil {
		return 0, wrap(err)
	}
	return seq, nil
}

// SaveScreening keeps a finished screening of the donor, in one
// transaction: each answer replaces the donor's earlier answer to the same
// question (a change is written to screening_answer_changes with the old
// and new answer, at now), and the deferrals the donor's answers caused
// (source "screening") are replaced by deferrals, so a reason is never
// stored twice and an answer corrected to No lifts its deferral.
// registrationID may be 0 when the screening was for no registration.
func (s *Store) SaveScreening(ctx context.Context, telegramID, registrationID int64,
	answers []ScreeningAnswer, deferrals []screening.Reason, now time.Time) error {
	const store = `WITH gate AS (SELECT), ` + screeningCTEs + `
		INSERT INTO deferrals (donor_id, code, until, permanent, source)
		SELECT $1, f.code, f.until, false, 'screening'
		FROM unnest($6::text[], $7::date[]) WITH ORDINALITY AS f (code, until, n) ORDER BY f.n`
	wrap := func(err error) error { return fmt.Errorf("storage: save screening of %d: %w", telegramID, err) }
	donorID, err := s.donorID(ctx, telegramID)
	if err != nil {
		return wrap(err)
	}
	questions, raws, err := encodeAnswers(answers)
	if err != nil {
		return wrap(err)
	}
	codes := make([]string, len(deferrals))
	untils := make([]sql.NullString, len(deferrals))
	for i, r := range deferrals {
		codes[i] = string(r.Code)
		if !r.Until.IsZero() {
			untils[i] = sql.NullString{String: r.Until.Format(time.DateOnly), Valid: true}
		}
	}
	// One statement, atomic alone: no transaction of its own, nor a
	// savepoint in a unit of work.
	if _, err := s.q(ctx).ExecContext(ctx, store, donorID, pq.Array(questions), pq.Array(raws), now, registrationID,
		pq.Array(codes), pq.Array(untils)); err != nil {
		return wrap(err)
	}
	return nil
}

// LatestScreening returns the donor's latest answer to each question they
// were asked, in no particular order; none for a donor never screened.
func (s *Store) LatestScreening(ctx context.Context, telegramID int64) ([]ScreeningAnswer, error) {
	const q = `SELECT a.answer, a.answered_at FROM screening_answers a JOIN donors d ON d.id = a.donor_id
		WHERE d.telegram_id = $1 ORDER BY a.question`
	rows, err := s.read(ctx).QueryxContext(ctx, q, telegramID)
	if err != nil {
		return nil, fmt.Errorf("storage: latest screening of %d: %w", telegramID, err)
	}
	defer rows.Close()
	var out []ScreeningAnswer
	for rows.Next() {
		var raw []byte
		var at time.Time
		if err := rows.Scan(&raw, &at); err != nil {
			return nil, fmt.Errorf("storage: latest screening of %d: %w", telegramID, err)
		}
		var a ScreeningAnswer
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("storage: latest screening of %d: decode: %w", telegramID, err)
		}
		a.AnsweredAt = at
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: latest screening of %d: %w", telegramID, err)
	}
	return out, nil
}

// ScreeningChanges returns the changes of the donor's answers, oldest first.
func (s *Store) ScreeningChanges(ctx context.Context, telegramID int64) ([]ScreeningChange, error) {
	const q = `SELECT c.old_answer, c.new_answer, c.changed_at, coalesce(c.registration_id, 0)
		FROM screening_answer_changes c JOIN donors d ON d.id = c.donor_id
		WHERE d.telegram_id = $1 ORDER BY c.changed_at, c.id`
	rows, err := s.q(ctx).QueryxContext(ctx, q, telegramID)
	if err != nil {
		return nil, fmt.Errorf("storage: screening changes of %d: %w", telegramID, err)
	}
	defer rows.Close()
	var out []ScreeningChange
	for rows.Next() {
		var c ScreeningChange
		var oldRaw, newRaw []byte
		if err := rows.Scan(&oldRaw, &newRaw, &c.ChangedAt, &c.RegistrationID); err != nil {
			return nil, fmt.Errorf("storage: screening changes of %d: %w", telegramID, err)
		}
		if err := errors.Join(json.Unmarshal(oldRaw, &c.Old), json.Unmarshal(newRaw, &c.New)); err != nil {
			return nil, fmt.Errorf("storage: screening changes of %d: decode: %w", telegramID, err)
		}
		c.Question = c.New.Question
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: screening changes of %d: %w", telegramID, err)
	}
	return out, nil
}

// ScreeningDeferred lists the donor's registrations that their screening
// answers deferred and that answering again may still reopen: deferred by
// the bot (answers stored, no check-in, no deferral recorded on site), in a
// published drive whose slot starts after now.
func (s *Store) ScreeningDeferred(ctx context.Context, telegramID int64, now time.Time) ([]int64, error) {
	const q = `SELECT r.id FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		JOIN drive_slots sl ON sl.id = r.slot_id JOIN drives d ON d.id = r.drive_id
		WHERE dn.telegram_id = $1 AND r.status = 'deferred' AND r.screening_answers IS NOT NULL
		  AND r.checked_in_at IS NULL AND d.status = 'published' AND sl.starts_at > $2
		  AND NOT EXISTS (SELECT 1 FROM deferrals f WHERE f.registration_id = r.id)
		ORDER BY r.id`
	ids := []int64{}
	if err := s.read(ctx).SelectContext(ctx, &ids, q, telegramID, now); err != nil {
		return nil, fmt.Errorf("storage: screening-deferred registrations of %d: %w", telegramID, err)
	}
	return ids, nil
}

// ReopenScreened gives a registration that screening deferred its place
// back after the donor answered again and was found eligible: a seat if
// its slot has one free, else the end of the waitlist; with the new answers
// and largest bag. Only a registration ScreeningDeferred lists can be
// reopened (else ErrNotLive); a donor registered again for the drive
// meanwhile gets ErrAlreadyRegistered.
func (s *Store) ReopenScreened(ctx context.Context, telegramID, registrationID int64, answers json.RawMessage,
	allowedVolumeML int, now time.Time) error {
	const (
		check = `SELECT count(*) FROM registrations r JOIN drive_slots sl ON sl.id = r.slot_id
			JOIN drives d ON d.id = r.drive_id
			WHERE r.id = $1 AND r.status = 'deferred' AND r.screening_answers IS NOT NULL
			  AND r.checked_in_at IS NULL AND d.status = 'published' AND sl.starts_at > $2
			  AND NOT EXISTS (SELECT 1 FROM deferrals f WHERE f.registration_id = r.id)`
		reopen = `UPDATE registrations r SET
				status = CASE WHEN (SELECT count(*) FROM registrations c
					WHERE c.slot_id = r.slot_id AND c.status = 'confirmed') < sl.capacity
					THEN 'confirmed' ELSE 'waitlisted' END,
				queued_at = clock_timestamp(), screening_answers = $2::jsonb, allowed_volume_ml = $3,
				updated_at = now()
			FROM drive_slots sl WHERE sl.id = r.slot_id AND r.id = $1`
	)
	wrap := func(err error) error {
		return fmt.Errorf("storage: reopen registration %d of %d: %w", registrationID, telegramID, err)
	}
	if !json.Valid(answers) {
		return wrap(errors.New("answers are not JSON"))
	}
	volume := sql.NullInt64{Int64: int64(allowedVolumeML), Valid: allowedVolumeML != 0}
	err := s.inTx(ctx, func(tx *dbTx) error {
		r, _, err := lockRegistration(ctx, tx, registrationID, telegramID, 0)
		if err != nil {
			return err
		}
		var n int
		if err := tx.GetContext(ctx, &n, check, r.ID, now); err != nil {
			return err
		}
		if n == 0 || r.Status != drive.RegDeferred {
			return fmt.Errorf("%w: %s", ErrNotLive, r.Status)
		}
		if _, err := tx.ExecContext(ctx, reopen, r.ID, string(answers), volume); err != nil {
			if err := mapErr(err); errors.Is(err, ErrDuplicate) {
				return ErrAlreadyRegistered // registrations_live_idx is the only unique index
			}
			return err
		}
		return nil
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}
