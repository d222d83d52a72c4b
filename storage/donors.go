package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"donorbot/profile"
	"donorbot/regsearch"
)

// donorRow mirrors the donors table; NULLs become zero values of profile.Donor.
type donorRow struct {
	ID             int64           `db:"id"`
	TelegramID     int64           `db:"telegram_id"`
	ChatID         int64           `db:"chat_id"`
	Language       string          `db:"language"`
	ConsentVersion string          `db:"consent_version"`
	ConsentAt      time.Time       `db:"consent_at"`
	FullName       sql.NullString  `db:"full_name"`
	Phone          sql.NullString  `db:"phone"`
	Sex            sql.NullString  `db:"sex"`
	BirthDate      sql.NullTime    `db:"birth_date"`
	WeightKg       sql.NullFloat64 `db:"weight_kg"`
	BloodGroup     sql.NullString  `db:"blood_group"`
	OnboardedAt    sql.NullTime    `db:"onboarded_at"`
	UnreachableAt  sql.NullTime    `db:"unreachable_at"`
	Username       sql.NullString  `db:"username"`
}

const donorColumns = `id, telegram_id, chat_id, language, consent_version, consent_at,
	full_name, phone, sex, birth_date, weight_kg, blood_group, onboarded_at, unreachable_at, username`

func (r donorRow) donor() profile.Donor {
	d := profile.Donor{
		ID:             r.ID,
		TelegramID:     r.TelegramID,
		ChatID:         r.ChatID,
		Language:       r.Language,
		ConsentVersion: r.ConsentVersion,
		ConsentAt:      r.ConsentAt,
		FullName:       r.FullName.String,
		Phone:          r.Phone.String,
		Sex:            profile.Sex(r.Sex.String),
		WeightKg:       r.WeightKg.Float64,
		OnboardedAt:    r.OnboardedAt.Time,
		UnreachableAt:  r.UnreachableAt.Time,
		Username:       r.Username.String,
	}
	if r.BirthDate.Valid {
		d.BirthDate = calendarDate(r.BirthDate.Time)
	}
	if r.BloodGroup.Valid {
		d.BloodGroupAnswered = true
		if r.BloodGroup.String != "unknown" {
			d.BloodGroup = profile.BloodGroup(r.BloodGroup.String)
		}
	}
	return d
}

// Donor returns the donor with the given Telegram user id.
func (s *Store) Donor(ctx context.Context, telegramID int64) (profile.Donor, error) {
	const q = `SELECT ` + donorColumns + ` FROM donors WHERE telegram_id = $1`
	var r donorRow
	if err := s.read(ctx).GetContext(ctx, &r, q, telegramID); err != nil {
		return profile.Donor{}, fmt.Errorf("storage: donor %d: %w", telegramID, mapErr(err))
	}
	return r.donor(), nil
}

// CreateDonor records a donor's consent. It is the first write about a person:
// nothing is stored before they agree. Consenting again keeps the profile and
// refreshes the consent record.
func (s *Store) CreateDonor(ctx context.Context, telegramID, chatID int64, lang, consentVersion string) (profile.Donor, error) {
	const q = `
		INSERT INTO donors (telegram_id, chat_id, language, consent_version, consent_at)
		VALUES ($1, $2, $3, $4, now())
		ON CONFLICT (telegram_id) DO UPDATE
		SET chat_id = EXCLUDED.chat_id, consent_version = EXCLUDED.consent_version,
		    consent_at = EXCLUDED.consent_at, updated_at = now()
		RETURNING ` + donorColumns
	var r donorRow
	if err := s.q(ctx).GetContext(ctx, &r, q, telegramID, chatID, lang, consentVersion); err != nil {
		return profile.Donor{}, fmt.Errorf("storage: create donor %d: %w", telegramID, mapErr(err))
	}
	return r.donor(), nil
}

// SetDonorName stores the donor's full name, and the same name folded for
// search (regsearch.FoldName), which only this write keeps in step.
func (s *Store) SetDonorName(ctx context.Context, telegramID int64, name string) error {
	const q = `UPDATE donors SET full_name = $2, search_name = $3, updated_at = now() WHERE telegram_id = $1`
	return s.updateDonor(ctx, "name", q, telegramID, name, regsearch.FoldName(name))
}

// SetDonorPhone stores the donor's phone in E.164 form.
func (s *Store) SetDonorPhone(ctx context.Context, telegramID int64, phone string) error {
	const q = `UPDATE donors SET phone = $2, updated_at = now() WHERE telegram_id = $1`
	return s.updateDonor(ctx, "phone", q, telegramID, phone)
}

// SetDonorSex stores the donor's sex.
func (s *Store) SetDonorSex(ctx context.Context, telegramID int64, sex profile.Sex) error {
	const q = `UPDATE donors SET sex = $2, updated_at = now() WHERE telegram_id = $1`
	return s.updateDonor(ctx, "sex", q, telegramID, string(sex))
}

// SetDonorBirthDate stores the donor's date of birth.
func (s *Store) SetDonorBirthDate(ctx context.Context, telegramID int64, birth time.Time) error {
	const q = `UPDATE donors SET birth_date = $2, updated_at = now() WHERE telegram_id = $1`
	return s.updateDonor(ctx, "birth date", q, telegramID, birth.Format(time.DateOnly))
}

// SetDonorWeight stores the donor's weight in kilograms.
func (s *Store) SetDonorWeight(ctx context.Context, telegramID int64, kg float64) error {
	const q = `UPDATE donors SET weight_kg = $2, updated_at = now() WHERE telegram_id = $1`
	return s.updateDonor(ctx, "weight", q, telegramID, kg)
}

// SetDonorBloodGroup stores the donor's blood group; BloodUnknown records "I don't know".
func (s *Store) SetDonorBloodGroup(ctx context.Context, telegramID int64, g profile.BloodGroup) error {
	const q = `UPDATE donors SET blood_group = $2, updated_at = now() WHERE telegram_id = $1`
	value := string(g)
	if !g.Known() {
		value = "unknown"
	}
	return s.updateDonor(ctx, "blood group", q, telegramID, value)
}

// SetDonorLanguage stores the language the donor chose with /lang.
func (s *Store) SetDonorLanguage(ctx context.Context, telegramID int64, lang string) error {
	const q = `UPDATE donors SET language = $2, updated_at = now() WHERE telegram_id = $1`
	return s.updateDonor(ctx, "language", q, telegramID, lang)
}

// CompleteOnboarding marks the donor's profile complete.
func (s *Store) CompleteOnboarding(ctx context.Context, telegramID int64) error {
	const q = `UPDATE donors SET onboarded_at = coalesce(onboarded_at, now()), updated_at = now() WHERE telegram_id = $1`
	return s.updateDonor(ctx, "onboarding", q, telegramID)
}

// SetDonorReachable clears or sets the mark left when the donor blocked the bot.
func (s *Store) SetDonorReachable(ctx context.Context, telegramID int64, reachable bool) error {
	const q = `UPDATE donors SET unreachable_at = CASE WHEN $2 THEN NULL ELSE now() END
		WHERE telegram_id = $1 AND (unreachable_at IS NULL) = NOT $2`
	if _, err := s.q(ctx).ExecContext(ctx, q, telegramID, reachable); err != nil {
		return fmt.Errorf("storage: set donor %d reachable=%t: %w", telegramID, reachable, err)
	}
	return nil
}

func (s *Store) updateDonor(ctx context.Context, what, q string, args ...any) error {
	res, err := s.q(ctx).ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("storage: set donor %v %s: %w", args[0], what, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("storage: set donor %v %s: %w", args[0], what, err)
	} else if n == 0 {
		return fmt.Errorf("storage: set donor %v %s: %w", args[0], what, ErrNotFound)
	}
	return nil
}

// DeleteDonor erases a donor's personal data: the donor row (memberships
// cascade) and every stored update they sent. Roles are kept: they are not
// donor data and an admin's /forget must not lock them out. In the same
// transaction it records a pending erasure of their Redis keys, requested at
// at, which the caller clears with ErasureDone once Redis confirms.
func (s *Store) DeleteDonor(ctx context.Context, telegramID int64, at time.Time) error {
	if w := workFrom(ctx); w != nil && w.sender != nil && w.sender.telegramID == telegramID {
		w.sender = nil // its id goes with the row
	}
	tx, err := s.begin(ctx, nil)
	if err != nil {
		return fmt.Errorf("storage: delete donor %d: %w", telegramID, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM donors WHERE telegram_id = $1`, telegramID); err != nil {
		return fmt.Errorf("storage: delete donor %d: %w", telegramID, err)
	}
	// Delivery rows tie the person (private chat id = user id) to what they were sent.
	if _, err := tx.ExecContext(ctx, `DELETE FROM broadcast_deliveries WHERE chat_id = $1`, telegramID); err != nil {
		return fmt.Errorf("storage: delete donor %d deliveries: %w", telegramID, err)
	}
	// The inbox keeps update ids for dedupe only; drop what ties them to the person.
	const unlink = `UPDATE updates SET payload = NULL, user_id = 0, chat_id = 0 WHERE user_id = $1`
	if _, err := tx.ExecContext(ctx, unlink, telegramID); err != nil {
		return fmt.Errorf("storage: delete donor %d updates: %w", telegramID, err)
	}
	// Their Redis keys are erased after the commit, when Redis answers:
	// until then the debt is recorded with the deletion it belongs to.
	if _, err := tx.ExecContext(ctx, addPendingErasure, telegramID, at); err != nil {
		return fmt.Errorf("storage: delete donor %d: pending erasure: %w", telegramID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("storage: delete donor %d: commit: %w", telegramID, err)
	}
	return nil
}

// DonorCounts summarises donors for admins: total, onboarded, and per blood group.
type DonorCounts struct {
	Total     int
	Onboarded int
	ByGroup   map[string]int
}

// CountDonors returns DonorCounts over all donors.
func (s *Store) CountDonors(ctx context.Context) (DonorCounts, error) {
	const q = `SELECT coalesce(blood_group, '') AS blood_group, count(*) AS total,
		count(onboarded_at) AS onboarded FROM donors GROUP BY 1`
	rows := []struct {
		Group     string `db:"blood_group"`
		Total     int    `db:"total"`
		Onboarded int    `db:"onboarded"`
	}{}
	if err := s.q(ctx).SelectContext(ctx, &rows, q); err != nil {
		return DonorCounts{}, fmt.Errorf("storage: count donors: %w", err)
	}
	c := DonorCounts{ByGroup: map[string]int{}}
	for _, r := range rows {
		c.Total += r.Total
		c.Onboarded += r.Onboarded
		if r.Group != "" {
			c.ByGroup[r.Group] += r.Total
		}
	}
	return c, nil
}

// Recipient is a donor to message: chat and language.
type Recipient struct {
	ChatID   int64  `db:"chat_id"`
	Language string `db:"language"`
}

// AudienceRecipients lists onboarded donors who have not blocked the bot:
// all of them when unitID is 0, else the unit's members.
func (s *Store) AudienceRecipients(ctx context.Context, unitID int64) ([]Recipient, error) {
	const q = `SELECT d.chat_id, d.language FROM donors d
		WHERE d.onboarded_at IS NOT NULL AND d.unreachable_at IS NULL
		  AND ($1 = 0 OR EXISTS (SELECT 1 FROM unit_members m WHERE m.donor_id = d.id AND m.unit_id = $1))
		ORDER BY d.id`
	out := []Recipient{}
	if err := s.q(ctx).SelectContext(ctx, &out, q, unitID); err != nil {
		return nil, fmt.Errorf("storage: audience of unit %d: %w", unitID, err)
	}
	return out, nil
}

// DonorByPhone returns the onboarded donor with the phone (normalized, as
// profile.ParsePhone gives it).
func (s *Store) DonorByPhone(ctx context.Context, phone string) (profile.Donor, error) {
	const q = `SELECT ` + donorColumns + ` FROM donors WHERE phone = $1 AND onboarded_at IS NOT NULL
		ORDER BY id LIMIT 1`
	var r donorRow
	if err := s.q(ctx).GetContext(ctx, &r, q, phone); err != nil {
		return profile.Donor{}, fmt.Errorf("storage: donor by phone: %w", mapErr(err))
	}
	return r.donor(), nil
}
