package storage

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

// Person is someone an admin names in /grant, /revoke or reads in /audit:
// their donor record if they have one (Name empty if they never onboarded).
type Person struct {
	TelegramID int64  `db:"telegram_id"`
	ChatID     int64  `db:"chat_id"`
	Name       string `db:"name"`
	Phone      string `db:"phone"` // E.164, or ""
	Language   string `db:"language"`
	// Units are the names of the units and clubs they belong to, by name.
	Units pq.StringArray `db:"units"`
}

const personColumns = `d.telegram_id, d.chat_id, coalesce(d.full_name, '') AS name,
	coalesce(d.phone, '') AS phone, d.language,
	array(SELECT u.name FROM unit_members m JOIN units u ON u.id = m.unit_id
		WHERE m.donor_id = d.id ORDER BY u.name) AS units`

// onboardedPerson is the condition that a donor finished onboarding: only
// they are found by username or phone.
const onboardedPerson = `d.onboarded_at IS NOT NULL AND d.full_name IS NOT NULL`

// PersonByID returns the person with the Telegram id, ErrNotFound if they
// never consented.
func (s *Store) PersonByID(ctx context.Context, telegramID int64) (Person, error) {
	q := `SELECT ` + personColumns + ` FROM donors d WHERE d.telegram_id = $1`
	var p Person
	if err := s.q(ctx).GetContext(ctx, &p, q, telegramID); err != nil {
		return Person{}, fmt.Errorf("storage: person %d: %w", telegramID, mapErr(err))
	}
	return p, nil
}

// PersonByUsername returns the onboarded donor last seen with the
// username (compared without case), ErrNotFound if none.
func (s *Store) PersonByUsername(ctx context.Context, username string) (Person, error) {
	q := `SELECT ` + personColumns + ` FROM donors d
		WHERE lower(d.username) = lower($1) AND d.username IS NOT NULL AND ` + onboardedPerson + `
		ORDER BY d.updated_at DESC, d.id DESC LIMIT 1`
	var p Person
	if err := s.q(ctx).GetContext(ctx, &p, q, username); err != nil {
		return Person{}, fmt.Errorf("storage: person by username: %w", mapErr(err))
	}
	return p, nil
}

// PeopleByPhone lists the onboarded donors with the phone (E.164), at most
// two: more than one is an ambiguity the admin must resolve another way.
func (s *Store) PeopleByPhone(ctx context.Context, phone string) ([]Person, error) {
	q := `SELECT ` + personColumns + ` FROM donors d WHERE d.phone = $1 AND ` + onboardedPerson + `
		ORDER BY d.id LIMIT 2`
	people := []Person{}
	if err := s.q(ctx).SelectContext(ctx, &people, q, phone); err != nil {
		return nil, fmt.Errorf("storage: people by phone: %w", err)
	}
	return people, nil
}

// People returns the donors among the Telegram ids, by id; ids without a
// donor record are missing from the map.
func (s *Store) People(ctx context.Context, telegramIDs []int64) (map[int64]Person, error) {
	q := `SELECT ` + personColumns + ` FROM donors d WHERE d.telegram_id = ANY($1)`
	var people []Person
	if err := s.q(ctx).SelectContext(ctx, &people, q, pq.Int64Array(telegramIDs)); err != nil {
		return nil, fmt.Errorf("storage: %d people: %w", len(telegramIDs), err)
	}
	out := make(map[int64]Person, len(people))
	for _, p := range people {
		out[p.TelegramID] = p
	}
	return out, nil
}

// NoteUsername records the username a donor's update came with ("" for
// none). It writes only when the username changed; the one seen last wins,
// cleared from any other donor who held it before.
func (s *Store) NoteUsername(ctx context.Context, telegramID int64, username string) error {
	const q = `WITH me AS (
			UPDATE donors SET username = nullif($2, '')
			WHERE telegram_id = $1 AND username IS DISTINCT FROM nullif($2, '')
			RETURNING id)
		UPDATE donors SET username = NULL
		WHERE $2 <> '' AND lower(username) = lower($2) AND telegram_id <> $1 AND EXISTS (SELECT 1 FROM me)`
	if _, err := s.q(ctx).ExecContext(ctx, q, telegramID, username); err != nil {
		return fmt.Errorf("storage: username of %d: %w", telegramID, err)
	}
	return nil
}
