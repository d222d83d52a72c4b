package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Invitation statuses, as stored in club_invitations.
const (
	InvitationPending  = "pending"
	InvitationAccepted = "accepted"
	InvitationDeclined = "declined"
	InvitationExpired  = "expired"
)

// NewInvitation is what InviteToClub writes.
type NewInvitation struct {
	ClubID      int64
	Phone       string // normalized, +84...
	InvitedBy   int64
	AdminChatID int64
	AdminLang   string
	Now         time.Time
	TTL         time.Duration // how long the donor may answer
	// Cooldown is how long a decline keeps the club from inviting the
	// donor again, so a "no" is not answered with a stream of invitations.
	Cooldown time.Duration
}

// SentInvitation is an invitation to deliver to the donor.
type SentInvitation struct {
	ID          int64
	DonorChatID int64
	DonorLang   string
	ExpiresAt   time.Time
}

// InviteToClub records an invitation of the donor with the phone number
// to the club. ok is false when there is nobody to invite: no onboarded
// donor has the number, they are a member already, an invitation of the
// club is still open, or they declined one within the cooldown. Callers
// must not tell the admin which, so the command cannot probe numbers.
func (s *Store) InviteToClub(ctx context.Context, in NewInvitation) (inv SentInvitation, ok bool, err error) {
	wrap := func(err error) error { return fmt.Errorf("storage: invite to club %d: %w", in.ClubID, err) }
	tx, err := s.begin(ctx, nil)
	if err != nil {
		return inv, false, wrap(err)
	}
	defer tx.Rollback()
	var donor struct {
		ID     int64  `db:"id"`
		ChatID int64  `db:"chat_id"`
		Lang   string `db:"language"`
	}
	const qDonor = `SELECT d.id, d.chat_id, d.language FROM donors d
		WHERE d.phone = $1 AND d.onboarded_at IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM unit_members m WHERE m.unit_id = $2 AND m.donor_id = d.id)
		ORDER BY d.id LIMIT 1`
	err = tx.GetContext(ctx, &donor, qDonor, in.Phone, in.ClubID)
	if errors.Is(err, sql.ErrNoRows) {
		return inv, false, nil
	}
	if err != nil {
		return inv, false, wrap(err)
	}
	const expire = `UPDATE club_invitations SET status = 'expired', closed_at = $3
		WHERE club_id = $1 AND donor_id = $2 AND status = 'pending' AND expires_at <= $3`
	if _, err := tx.ExecContext(ctx, expire, in.ClubID, donor.ID, in.Now); err != nil {
		return inv, false, wrap(err)
	}
	const insert = `INSERT INTO club_invitations (club_id, donor_id, invited_by, admin_chat_id, admin_lang,
			created_at, expires_at)
		SELECT $1, $2, $3, $4, $5, $6, $7
		WHERE NOT EXISTS (SELECT 1 FROM club_invitations
			WHERE club_id = $1 AND donor_id = $2 AND status = 'declined' AND closed_at > $8)
		ON CONFLICT DO NOTHING
		RETURNING id, expires_at`
	err = tx.QueryRowxContext(ctx, insert, in.ClubID, donor.ID, in.InvitedBy, in.AdminChatID, in.AdminLang,
		in.Now, in.Now.Add(in.TTL), in.Now.Add(-in.Cooldown)).Scan(&inv.ID, &inv.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return SentInvitation{}, false, tx.Commit() // keeps the expiry of a stale one
	}
	if err != nil {
		return SentInvitation{}, false, wrap(mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return SentInvitation{}, false, wrap(err)
	}
	inv.DonorChatID, inv.DonorLang = donor.ChatID, donor.Lang
	return inv, true, nil
}

// InvitationAnswer is the outcome of a donor's answer to an invitation.
type InvitationAnswer struct {
	ClubID      int64
	ClubName    string
	InvitedBy   int64
	AdminChatID int64
	AdminLang   string
	DonorName   string
	// Status is the invitation's status after the answer.
	Status string
	// Changed is false when the invitation was closed already (an accept
	// tapped twice, an answer after a decline): nothing was written.
	Changed bool
}

// AnswerInvitation records the donor's answer and, on accept, makes them a
// member, in one transaction under the invitation's row lock, so an accept
// delivered twice joins once and reports Changed once. An invitation past
// its expiry becomes expired instead. ErrNotFound: no such invitation for
// this user.
func (s *Store) AnswerInvitation(ctx context.Context, invitationID, telegramID int64, accept bool, now time.Time) (InvitationAnswer, error) {
	wrap := func(err error) error {
		return fmt.Errorf("storage: answer of %d to invitation %d: %w", telegramID, invitationID, err)
	}
	tx, err := s.begin(ctx, nil)
	if err != nil {
		return InvitationAnswer{}, wrap(err)
	}
	defer tx.Rollback()
	var row struct {
		DonorID     int64          `db:"donor_id"`
		ClubID      int64          `db:"club_id"`
		ClubName    string         `db:"club_name"`
		InvitedBy   int64          `db:"invited_by"`
		AdminChatID int64          `db:"admin_chat_id"`
		AdminLang   string         `db:"admin_lang"`
		DonorName   sql.NullString `db:"full_name"`
		Status      string         `db:"status"`
		ExpiresAt   time.Time      `db:"expires_at"`
	}
	const q = `SELECT i.donor_id, i.club_id, u.name AS club_name, i.invited_by, i.admin_chat_id, i.admin_lang,
			d.full_name, i.status, i.expires_at
		FROM club_invitations i JOIN donors d ON d.id = i.donor_id JOIN units u ON u.id = i.club_id
		WHERE i.id = $1 AND d.telegram_id = $2
		FOR UPDATE OF i`
	if err := tx.GetContext(ctx, &row, q, invitationID, telegramID); err != nil {
		return InvitationAnswer{}, wrap(mapErr(err))
	}
	a := InvitationAnswer{ClubID: row.ClubID, ClubName: row.ClubName, InvitedBy: row.InvitedBy,
		AdminChatID: row.AdminChatID, AdminLang: row.AdminLang, DonorName: row.DonorName.String, Status: row.Status}
	if row.Status != InvitationPending {
		return a, nil
	}
	a.Changed = true
	switch {
	case !now.Before(row.ExpiresAt):
		a.Status = InvitationExpired
	case accept:
		a.Status = InvitationAccepted
		const join = `INSERT INTO unit_members (unit_id, donor_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`
		if _, err := tx.ExecContext(ctx, join, row.ClubID, row.DonorID); err != nil {
			return InvitationAnswer{}, wrap(err)
		}
	default:
		a.Status = InvitationDeclined
	}
	const closeQ = `UPDATE club_invitations SET status = $2, closed_at = $3 WHERE id = $1`
	if _, err := tx.ExecContext(ctx, closeQ, invitationID, a.Status, now); err != nil {
		return InvitationAnswer{}, wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return InvitationAnswer{}, wrap(err)
	}
	return a, nil
}
