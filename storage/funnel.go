package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// Funnel is what mobilizing a set of drives (one drive, a wave "Đợt N" of
// a campaign, a whole campaign) gave, from the messages sent to the units
// collected. Every screen (chat /stats, console, export) reads it from
// funnelQuery, so they agree. The definitions:
//
//   - Invited: rows of drive_invitations, one per donor and drive.
//   - InvitedRegistered: invited donors holding a registration for the
//     drive they were invited to that took a seat or went past it
//     (confirmed, attended, deferred, no_show), as Progress.Registered
//     counts it. A cancelled registration does not count, whenever it was
//     cancelled: the schema keeps no cancellation time, and a donor cannot
//     cancel once the drive has started. A waitlisted one does not count
//     either: it holds no seat. Each donor counts once.
//   - InvitedArrived: invited donors checked in at the drive.
//   - InvitedDonated: invited donors with a donation recorded for their
//     registration at the drive.
//   - Registered, Arrived, Donated: every registration of the drives, the
//     drive's totals exactly as Progress counts them (Arrived is
//     Progress.CheckedIn).
//   - Announced: recipients of the drives' announcements
//     (drive_announcements.recipients: scheduled ones, and those /newdrive
//     sends at once, RecordAnnouncement).
//   - Recalled: recall messages that offered one of the drives
//     (recalls.drive_ids); a recall offering two drives of the set is one
//     message, counted once.
//
// Messages are Announced + Invited + Recalled.
type Funnel struct {
	Target            int `db:"target"`
	Invited           int `db:"invited"`
	InvitedRegistered int `db:"invited_registered"`
	InvitedArrived    int `db:"invited_arrived"`
	InvitedDonated    int `db:"invited_donated"`
	Registered        int `db:"registered"`
	Arrived           int `db:"arrived"`
	Donated           int `db:"donated"`
	Announced         int `db:"announced"`
	Recalled          int `db:"recalled"`
}

// Messages is every message the drives' mobilization sent.
func (f Funnel) Messages() int { return f.Announced + f.Invited + f.Recalled }

// PerUnit is how many messages each unit collected cost; false with no
// donation, when there is no such figure.
func (f Funnel) PerUnit() (float64, bool) {
	if f.Donated == 0 {
		return 0, false
	}
	return float64(f.Messages()) / float64(f.Donated), true
}

// Percent is Donated against Target as Progress.Percent rounds it.
func (f Funnel) Percent() int {
	return Progress{Target: f.Target, Donated: f.Donated}.Percent()
}

// invitedColumns follows the invitations i of drive_invitations to their
// registration and donation, by the definitions of Funnel.
const invitedColumns = `
	count(*) AS invited,
	count(*) FILTER (WHERE EXISTS (SELECT 1 FROM registrations g WHERE g.drive_id = i.drive_id
		AND g.donor_id = i.donor_id AND g.status NOT IN ('cancelled', 'waitlisted'))) AS invited_registered,
	count(*) FILTER (WHERE EXISTS (SELECT 1 FROM registrations g WHERE g.drive_id = i.drive_id
		AND g.donor_id = i.donor_id AND g.checked_in_at IS NOT NULL)) AS invited_arrived,
	count(*) FILTER (WHERE EXISTS (SELECT 1 FROM registrations g JOIN donations n ON n.registration_id = g.id
		WHERE g.drive_id = i.drive_id AND g.donor_id = i.donor_id)) AS invited_donated`

// funnelQuery is the Funnel of the drives $1.
const funnelQuery = `WITH
	totals AS (SELECT ` + progressColumns + `
		FROM registrations r LEFT JOIN donations n ON n.registration_id = r.id
		WHERE r.drive_id = ANY($1)),
	invited AS (SELECT ` + invitedColumns + `
		FROM drive_invitations i WHERE i.drive_id = ANY($1))
	SELECT
		(SELECT coalesce(sum(d.target_units), 0) FROM drives d WHERE d.id = ANY($1)) AS target,
		invited.invited, invited.invited_registered, invited.invited_arrived, invited.invited_donated,
		totals.registered, totals.checked_in AS arrived, totals.donated,
		(SELECT coalesce(sum(a.recipients), 0) FROM drive_announcements a WHERE a.drive_id = ANY($1)) AS announced,
		(SELECT count(*) FROM recalls c WHERE c.drive_ids && $1) AS recalled
	FROM totals, invited`

// DrivesFunnel returns the Funnel of the drives (one, a wave's, a
// campaign's).
func (s *Store) DrivesFunnel(ctx context.Context, driveIDs []int64) (Funnel, error) {
	if driveIDs == nil {
		driveIDs = []int64{}
	}
	var f Funnel
	if err := s.q(ctx).GetContext(ctx, &f, funnelQuery, pq.Array(driveIDs)); err != nil {
		return Funnel{}, fmt.Errorf("storage: funnel of drives %v: %w", driveIDs, err)
	}
	return f, nil
}

// DriveFunnel returns the Funnel of one drive.
func (s *Store) DriveFunnel(ctx context.Context, driveID int64) (Funnel, error) {
	return s.DrivesFunnel(ctx, []int64{driveID})
}

// InviteWaveFunnel is the funnel of one invitation wave of a drive: its
// invitees (the Invited* fields of Funnel, the others zero) and where they
// went. A wave's messages are its invitations.
type InviteWaveFunnel struct {
	WaveID     int64     `db:"wave_id"`
	Checkpoint int       `db:"checkpoint"`
	StartedAt  time.Time `db:"started_at"`
	Funnel
}

// PerUnit is the wave's invitations per unit its invitees donated; false
// when none donated.
func (w InviteWaveFunnel) PerUnit() (float64, bool) {
	return Funnel{Invited: w.Invited, Donated: w.InvitedDonated}.PerUnit()
}

// InviteWaveFunnels returns the funnel of each invitation wave of the
// drive that invited someone, the earliest first: a wave that invited
// nobody has no funnel (the wave log says why).
func (s *Store) InviteWaveFunnels(ctx context.Context, driveID int64) ([]InviteWaveFunnel, error) {
	const q = `SELECT w.id AS wave_id, w.checkpoint, w.started_at, ` + invitedColumns + `
		FROM invitation_waves w JOIN drive_invitations i ON i.wave_id = w.id
		WHERE w.drive_id = $1
		GROUP BY w.id
		ORDER BY w.started_at, w.id`
	out := []InviteWaveFunnel{}
	if err := s.q(ctx).SelectContext(ctx, &out, q, driveID); err != nil {
		return nil, fmt.Errorf("storage: invitation wave funnels of drive %d: %w", driveID, err)
	}
	return out, nil
}
