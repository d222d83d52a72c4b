package storage

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"

	"donorbot/mobilize"
	"donorbot/profile"
	"donorbot/screening"
)

// inviteePool is the query behind InviteeCandidates. The pool: members of
// the drive's audience unit (local), then donors whose address or one of
// whose units is in the unit's province; every donor for a drive open to
// everyone. The cheap conditions of screening.Evaluate prune it, each a
// superset of Evaluate's (the Go rule decides): the interval since the
// last donation in the history ($2 days after whole blood or an unknown
// kind, $3 after apheresis; an answer about a later donation only makes
// it longer), a deferral open on the drive's date, and age with two days
// to spare on each side of the 18th and 61st birthdays (29 February).
// Last contact counts only what was sent on the injected clock: recalls
// and the announcements of drives open to the donor.
const inviteePool = `
	WITH dr AS (
		SELECT d.id, (d.starts_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS on_day, d.audience_unit_id, u.province
		FROM drives d LEFT JOIN units u ON u.id = d.audience_unit_id WHERE d.id = $1),
	pool AS (
		SELECT m.donor_id, true AS local FROM unit_members m JOIN dr ON m.unit_id = dr.audience_unit_id
		UNION ALL
		SELECT dn.id, dr.audience_unit_id IS NULL FROM donors dn JOIN dr
			ON dr.audience_unit_id IS NULL OR dn.province = dr.province
		UNION ALL
		SELECT m.donor_id, false FROM units u JOIN dr ON u.province = dr.province
			JOIN unit_members m ON m.unit_id = u.id),
	cand AS (SELECT donor_id, bool_or(local) AS local FROM pool GROUP BY donor_id),
	open_announced AS (
		SELECT max(a.announced_at) AS at FROM drive_announcements a JOIN drives d ON d.id = a.drive_id
		WHERE d.audience_unit_id IS NULL)
	SELECT dn.telegram_id, dn.chat_id, dn.language, dn.birth_date, dn.sex, dn.weight_kg,
		ld.donated_on, ld.kind, c.local,
		EXISTS (SELECT 1 FROM registrations g WHERE g.donor_id = dn.id AND g.drive_id <> dr.id
			AND (g.recall_id IS NOT NULL
			     OR EXISTS (SELECT 1 FROM drive_announcements a WHERE a.drive_id = g.drive_id))) AS responded,
		greatest((SELECT max(r.sent_at) FROM recalls r WHERE r.donor_id = dn.id),
			(SELECT max(a.announced_at) FROM unit_members m JOIN drives d ON d.audience_unit_id = m.unit_id
				JOIN drive_announcements a ON a.drive_id = d.id WHERE m.donor_id = dn.id),
			(SELECT at FROM open_announced)) AS last_contact
	FROM cand c JOIN donors dn ON dn.id = c.donor_id CROSS JOIN dr
	LEFT JOIN LATERAL (SELECT n.donated_on, n.kind FROM donations n WHERE n.donor_id = dn.id
		ORDER BY n.donated_on DESC, n.id DESC LIMIT 1) ld ON true
	WHERE dn.onboarded_at IS NOT NULL AND dn.unreachable_at IS NULL
	  AND NOT EXISTS (SELECT 1 FROM registrations g WHERE g.donor_id = dn.id AND g.drive_id = dr.id
			AND g.status IN ('confirmed', 'waitlisted'))
	  AND (ld.donated_on IS NULL OR ld.donated_on + CASE WHEN ld.kind IN ('platelets', 'plasma')
			THEN $3::int ELSE $2::int END <= dr.on_day)
	  AND NOT EXISTS (SELECT 1 FROM deferrals f WHERE f.donor_id = dn.id
			AND (f.permanent OR f.until IS NULL OR f.until > dr.on_day))
	  AND (dn.birth_date IS NULL OR (dn.birth_date <= dr.on_day - interval '18 years' + interval '2 days'
			AND dn.birth_date > dr.on_day - interval '61 years' - interval '2 days'))
	ORDER BY dn.telegram_id`

// InviteeCandidates returns the donors an invitation wave for the drive
// may reach, unranked (see mobilize.Rank), and the drive's date: onboarded,
// reachable, not registered for it (confirmed or waitlisted), and eligible
// on its date by eligible, the caller's one eligibility rule
// (screening.Evaluate under cfg, the intervals the SQL prunes with).
func (s *Store) InviteeCandidates(ctx context.Context, driveID int64, cfg screening.Config,
	eligible func(d screening.Donor, on time.Time) bool) ([]mobilize.Candidate, time.Time, error) {
	wrap := func(err error) error { return fmt.Errorf("storage: invitees of drive %d: %w", driveID, err) }
	var onDay time.Time
	if err := s.q(ctx).GetContext(ctx, &onDay,
		`SELECT (starts_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date FROM drives WHERE id = $1`, driveID); err != nil {
		return nil, time.Time{}, wrap(mapErr(err))
	}
	onDay = calendarDate(onDay)
	def := screening.DefaultConfig()
	whole, apheresis := cmp.Or(cfg.WholeBloodDays, def.WholeBloodDays), cmp.Or(cfg.ApheresisDays, def.ApheresisDays)
	rows, err := s.q(ctx).QueryxContext(ctx, inviteePool, driveID, whole, apheresis)
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
	if err := s.inviteeFacts(ctx, all, byID, onDay); err != nil {
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
	var sex, kind sql.NullString
	var weight sql.NullFloat64
	if err := scan(&c.TelegramID, &c.ChatID, &c.Language, &birth, &sex, &weight, &donated, &kind,
		&c.Local, &c.Responded, &lastContact); err != nil {
		return c, err
	}
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

// inviteeFacts adds what the SQL did not judge: the deferrals open on the
// drive's date (none passed the pruning, but the rule is the judge) and
// the latest answer about the last donation.
func (s *Store) inviteeFacts(ctx context.Context, out []mobilize.Candidate, byID map[int64]int, onDay time.Time) error {
	if len(out) == 0 {
		return nil
	}
	ids := make([]int64, len(out))
	for i, c := range out {
		ids[i] = c.TelegramID
	}
	const q = `SELECT d.telegram_id, f.code, f.until, f.permanent
		FROM deferrals f JOIN donors d ON d.id = f.donor_id
		WHERE d.telegram_id = ANY($1) AND (f.permanent OR f.until IS NULL OR f.until > $2)
		ORDER BY f.id`
	rows, err := s.q(ctx).QueryxContext(ctx, q, pq.Array(ids), onDay.Format(time.DateOnly))
	if err != nil {
		return fmt.Errorf("deferrals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tid int64
		var f screening.Deferral
		var until sql.NullTime
		if err := rows.Scan(&tid, &f.Code, &until, &f.Permanent); err != nil {
			return fmt.Errorf("deferrals: %w", err)
		}
		if until.Valid {
			f.Until = calendarDate(until.Time)
		}
		c := &out[byID[tid]]
		c.Donor.Deferrals = append(c.Donor.Deferrals, f)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("deferrals: %w", err)
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
