package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/lib/pq"
)

// figures are one strategy's results, read from the database the bot
// wrote (and the fake server's count of sent messages).
type figures struct {
	Strategy                             string
	Target, Registered, Arrived, Donated int
	// Drives counts the campaign's drives, AtTarget those whose donations
	// reached their target, Reached the donations up to each drive's
	// target: over-collection at one drive does not make up for another.
	Drives, AtTarget, Reached int
	// Sent counts the messages delivered, by the broadcast's kind;
	// FakeSent the sendMessage calls the fake Bot API server received.
	Sent     map[string]int
	FakeSent int
	// Skipped counts donors skipped at the contact cap, by kind (the bot's
	// own counter); AtCap the donors who reached the cap in some 30 days.
	Skipped     map[string]int
	AtCap       int
	Answers     answerCounts
	Waves       []waveFigures
	Elapsed     time.Duration
	Checkpoints map[int]int // invited, by checkpoint
}

// waveFigures are the figures of one "Đợt", its drives together.
type waveFigures struct {
	Name                                 string
	Target, Registered, Arrived, Donated int
	Drives, AtTarget, Reached            int
	Announced, Invited, SkippedCap       int
}

// Mobilizing is the messages sent to bring donors: announcements,
// invitations and recalls (reminders, thanks and no-show notices go to
// donors already registered).
func (f figures) Mobilizing() int {
	return f.Sent[kindAnnouncement] + f.Sent[kindInvitation] + f.Sent[kindRecall]
}

func (f figures) SentTotal() int {
	n := 0
	for _, k := range f.Sent {
		n += k
	}
	return n
}

func (f figures) SkippedTotal() int {
	n := 0
	for _, k := range f.Skipped {
		n += k
	}
	return n
}

func percent(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}

func perUnit(messages, donated int) float64 {
	if donated == 0 {
		return 0
	}
	return float64(messages) / float64(donated)
}

// collect reads the figures of the campaign's drives.
func (c *campaign) collect(ctx context.Context, strategy string, members []int, contactCap int) (figures, error) {
	f := figures{Strategy: strategy, Sent: map[string]int{}, Answers: c.answers, Checkpoints: map[int]int{}}
	ids := make([]int64, len(c.drives))
	for k, d := range c.drives {
		ids[k] = d.ID
	}
	var rows []struct {
		ID         int64 `db:"id"`
		Target     int   `db:"target_units"`
		Registered int   `db:"registered"`
		Arrived    int   `db:"arrived"`
		Donated    int   `db:"donated"`
		Announced  int   `db:"announced"`
		Invited    int   `db:"invited"`
		Skipped    int   `db:"skipped"`
		Announce   bool  `db:"announce"`
	}
	const q = `SELECT d.id, d.target_units,
			(SELECT count(*) FROM registrations r WHERE r.drive_id = d.id
				AND r.status NOT IN ('cancelled', 'waitlisted')) AS registered,
			(SELECT count(*) FROM registrations r WHERE r.drive_id = d.id AND r.checked_in_at IS NOT NULL) AS arrived,
			(SELECT count(*) FROM donations n JOIN registrations r ON r.id = n.registration_id
				WHERE r.drive_id = d.id) AS donated,
			coalesce((SELECT a.recipients FROM drive_announcements a WHERE a.drive_id = d.id), 0) AS announced,
			EXISTS (SELECT 1 FROM drive_announcements a WHERE a.drive_id = d.id) AS announce,
			coalesce((SELECT sum(w.invited) FROM invitation_waves w WHERE w.drive_id = d.id), 0) AS invited,
			coalesce((SELECT sum(w.skipped_cap) FROM invitation_waves w WHERE w.drive_id = d.id), 0) AS skipped
		FROM drives d WHERE d.id = ANY($1) ORDER BY d.id`
	if err := c.store.DB().SelectContext(ctx, &rows, q, pq.Array(ids)); err != nil {
		return f, fmt.Errorf("drive figures: %w", err)
	}
	for range c.pop.Params.DriveDays {
		f.Waves = append(f.Waves, waveFigures{Name: fmt.Sprintf("Đợt %d", len(f.Waves)+1)})
	}
	for _, r := range rows {
		d := c.byID[r.ID]
		w := &f.Waves[d.Wave]
		w.Target += r.Target
		w.Registered += r.Registered
		w.Arrived += r.Arrived
		w.Donated += r.Donated
		w.Announced += r.Announced
		w.Invited += r.Invited
		w.SkippedCap += r.Skipped
		w.Drives++
		w.Reached += min(r.Donated, r.Target)
		if r.Donated >= r.Target {
			w.AtTarget++
		}
		if r.Announce {
			// The audience is the unit's members, every one reachable.
			w.SkippedCap += members[d.Unit] - r.Announced
		}
	}
	for _, w := range f.Waves {
		f.Target += w.Target
		f.Registered += w.Registered
		f.Arrived += w.Arrived
		f.Donated += w.Donated
		f.Drives += w.Drives
		f.AtTarget += w.AtTarget
		f.Reached += w.Reached
	}
	var sent []struct {
		Kind string `db:"kind"`
		N    int    `db:"n"`
	}
	if err := c.store.DB().SelectContext(ctx, &sent, `SELECT b.kind, count(*) AS n FROM broadcast_deliveries bd
		JOIN broadcasts b ON b.id = bd.broadcast_id WHERE bd.status = 'sent' GROUP BY b.kind`); err != nil {
		return f, fmt.Errorf("messages sent: %w", err)
	}
	for _, s := range sent {
		f.Sent[s.Kind] = s.N
	}
	var cps []struct {
		Checkpoint int `db:"checkpoint"`
		N          int `db:"n"`
	}
	if err := c.store.DB().SelectContext(ctx, &cps, `SELECT checkpoint, sum(invited) AS n FROM invitation_waves
		WHERE drive_id = ANY($1) GROUP BY checkpoint`, pq.Array(ids)); err != nil {
		return f, fmt.Errorf("invitations by checkpoint: %w", err)
	}
	for _, cp := range cps {
		f.Checkpoints[cp.Checkpoint] = cp.N
	}
	// A donor reached the cap when some contact was their contactCap-th in
	// the 30 days ending at it (mobilize.CapWindow: after now-30d).
	const atCap = `SELECT count(DISTINCT donor_id) FROM (
			SELECT donor_id, count(*) OVER (PARTITION BY donor_id ORDER BY sent_at
				RANGE BETWEEN interval '30 days' - interval '1 microsecond' PRECEDING AND CURRENT ROW) AS n
			FROM contacts) c WHERE n >= $1`
	if err := c.store.DB().GetContext(ctx, &f.AtCap, atCap, contactCap); err != nil {
		return f, fmt.Errorf("donors at the cap: %w", err)
	}
	skipped, err := c.bot.contactSkipped(ctx)
	if err != nil {
		return f, err
	}
	f.Skipped = skipped
	f.FakeSent = c.bot.inbox.sentMessages()
	return f, nil
}

// sortedKinds lists the kinds of f.Sent, for a stable print.
func (f figures) sortedKinds() []string {
	var out []string
	for k := range f.Sent {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
