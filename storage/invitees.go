package storage

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"time"

	"donorbot/mobilize"
	"donorbot/profile"
	"donorbot/screening"
)

// inviteePool is the query behind InviteeCandidates ($1 the drive, $4 its
// audience unit or NULL, $5 that unit's province or NULL, $6 its date).
// The pool: members of the audience unit (local), then donors whose
// address or one of whose units is in the unit's province; every donor
// for a drive open to everyone. The cheap conditions of
// screening.Evaluate prune it, each a superset of Evaluate's (the Go rule
// decides): the interval since the last donation in the history ($2 days
// after whole blood or an unknown kind, $3 after apheresis; an answer
// about a later donation only makes it longer), a deferral open on the
// drive's date, and age with two days to spare on each side of the 18th
// and 61st birthdays (29 February). Last contact is the donor's latest
// row in the contacts ledger (announcements, recalls, invitations, on the
// injected clock, written as each is queued). Set-wise (hash) joins, not a
// subquery per donor: a
// province's pool is tens of thousands (BENCHMARKS.md).
const inviteePool = `
	WITH unit_pool AS (
		SELECT m.donor_id FROM unit_members m JOIN units u ON u.id = m.unit_id
		WHERE m.unit_id = $4 OR u.province = $5),
	last_donation AS (
		SELECT DISTINCT ON (n.donor_id) n.donor_id, n.donated_on, n.kind
		FROM donations n ORDER BY n.donor_id, n.donated_on DESC, n.id DESC),
	responded AS (
		SELECT DISTINCT g.donor_id FROM registrations g
		WHERE g.drive_id <> $1 AND (g.recall_id IS NOT NULL
			OR EXISTS (SELECT 1 FROM drive_announcements a WHERE a.drive_id = g.drive_id))),
	contacted AS (SELECT c.donor_id, max(c.sent_at) AS at FROM contacts c GROUP BY c.donor_id)
	SELECT dn.telegram_id, dn.chat_id, dn.language, dn.full_name, dn.birth_date, dn.sex, dn.weight_kg,
		ld.donated_on, ld.kind,
		$4::bigint IS NULL OR dn.id IN (SELECT m.donor_id FROM unit_members m WHERE m.unit_id = $4),
		rs.donor_id IS NOT NULL,
		ct.at
	FROM donors dn
	LEFT JOIN last_donation ld ON ld.donor_id = dn.id
	LEFT JOIN responded rs ON rs.donor_id = dn.id
	LEFT JOIN contacted ct ON ct.donor_id = dn.id
	WHERE ($4::bigint IS NULL OR dn.province = $5 OR dn.id IN (SELECT donor_id FROM unit_pool))
	  AND dn.onboarded_at IS NOT NULL AND dn.unreachable_at IS NULL AND dn.invitations
	  AND NOT EXISTS (SELECT 1 FROM registrations g WHERE g.donor_id = dn.id AND g.drive_id = $1
			AND g.status IN ('confirmed', 'waitlisted'))
	  AND NOT EXISTS (SELECT 1 FROM drive_invitations i WHERE i.drive_id = $1 AND i.donor_id = dn.id)
	  AND (ld.donated_on IS NULL OR ld.donated_on + CASE WHEN ld.kind IN ('platelets', 'plasma')
			THEN $3::int ELSE $2::int END <= $6::date)
	  AND NOT EXISTS (SELECT 1 FROM deferrals f WHERE f.donor_id = dn.id
			AND (f.permanent OR f.until IS NULL OR f.until > $6::date))
	  AND (dn.birth_date IS NULL OR (dn.birth_date <= $6::date - interval '18 years' + interval '2 days'
			AND dn.birth_date > $6::date - interval '61 years' - interval '2 days'))
	ORDER BY dn.telegram_id`

// InviteeCandidates returns the donors an invitation wave for the drive
// may reach, unranked (see mobilize.Rank), and the drive's date: onboarded,
// reachable, taking invitations (/settings), not registered for it
// (confirmed or waitlisted) nor invited to it already, and eligible
// on its date by eligible, the caller's one eligibility rule
// (screening.Evaluate under cfg, the intervals the SQL prunes with).
func (s *Store) InviteeCandidates(ctx context.Context, driveID int64, cfg screening.Config,
	eligible func(d screening.Donor, on time.Time) bool) ([]mobilize.Candidate, time.Time, error) {
	wrap := func(err error) error { return fmt.Errorf("storage: invitees of drive %d: %w", driveID, err) }
	var dr struct {
		OnDay    time.Time      `db:"on_day"`
		Unit     sql.NullInt64  `db:"audience_unit_id"`
		Province sql.NullString `db:"province"`
	}
	const driveQ = `SELECT (d.starts_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS on_day, d.audience_unit_id, u.province
		FROM drives d LEFT JOIN units u ON u.id = d.audience_unit_id WHERE d.id = $1`
	if err := s.q(ctx).GetContext(ctx, &dr, driveQ, driveID); err != nil {
		return nil, time.Time{}, wrap(mapErr(err))
	}
	onDay := calendarDate(dr.OnDay)
	def := screening.DefaultConfig()
	whole, apheresis := cmp.Or(cfg.WholeBloodDays, def.WholeBloodDays), cmp.Or(cfg.ApheresisDays, def.ApheresisDays)
	rows, err := s.q(ctx).QueryxContext(ctx, inviteePool, driveID, whole, apheresis, dr.Unit, dr.Province,
		onDay.Format(time.DateOnly))
	if err != nil {
		return nil, time.Time{}, wrap(err)
	}
	defer rows.Close()
	var all []mobilize.Candidate
	byID := map[int64]int{}
	for rows.Next() {
		c, err := scanInvitee(rows.Scan)
		if err != nil {
			return nil, time.Time{}, wrap(err)
		}
		byID[c.TelegramID] = len(all)
		all = append(all, c)
	}
	if err := rows.Err(); err != nil {
		return nil, time.Time{}, wrap(err)
	}
	if err := s.inviteeFacts(ctx, all, byID); err != nil {
		return nil, time.Time{}, wrap(err)
	}
	out := []mobilize.Candidate{}
	for _, c := range all {
		if eligible(c.Donor, onDay) {
			out = append(out, c)
		}
	}
	return out, onDay, nil
}

func scanInvitee(scan func(...any) error) (mobilize.Candidate, error) {
	var c mobilize.Candidate
	var birth, donated, lastContact sql.NullTime
	var name, sex, kind sql.NullString
	var weight sql.NullFloat64
	if err := scan(&c.TelegramID, &c.ChatID, &c.Language, &name, &birth, &sex, &weight, &donated, &kind,
		&c.Local, &c.Responded, &lastContact); err != nil {
		return c, err
	}
	c.Name = name.String
	c.Donor.Female = sex.String == string(profile.SexFemale)
	c.Donor.WeightKg = weight.Float64
	if birth.Valid {
		c.Donor.BirthDate = calendarDate(birth.Time)
	}
	if donated.Valid {
		c.Donor.LastDonation = &screening.Donation{Date: calendarDate(donated.Time), Kind: screening.DonationKind(kind.String)}
	}
	if lastContact.Valid {
		c.LastContact = lastContact.Time
	}
	return c, nil
}

// inviteeFacts adds the latest answer about the last donation, which the
// SQL cannot judge. Deferrals are not read: the SQL leaves out every donor
// with one open on the drive's date, and the rule ignores the others.
func (s *Store) inviteeFacts(ctx context.Context, out []mobilize.Candidate, byID map[int64]int) error {
	if len(out) == 0 {
		return nil
	}
	ids := make([]int64, len(out))
	for i, c := range out {
		ids[i] = c.TelegramID
	}
	answered, err := s.LastDonationAnswers(ctx, ids)
	if err != nil {
		return err
	}
	for id, a := range answered {
		out[byID[id]].Donor.Answered = &a
	}
	return nil
}
