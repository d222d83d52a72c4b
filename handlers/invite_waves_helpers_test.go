package handlers_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/mobilize"
	"donorbot/storage"
)

// waveProvince is a province code no other test uses: the pool of a wave
// of its unit's drive is then this test's donors only (tests of the
// package share a database).
func waveProvince() string {
	n := testenv.TelegramID()
	b := make([]byte, 4)
	for i := range b {
		b[i] = byte('a' + n%26)
		n /= 26
	}
	return string(b)
}

// waveUnit is a unit of a province of its own.
func waveUnit(t *testing.T, b *bottest.Bot) (unit storage.Unit, province string) {
	t.Helper()
	unit = newUnit(t, b, "Khu công nghiệp")
	province = waveProvince()
	if err := b.Store.SetUnitProvince(context.Background(), unit.ID, province); err != nil {
		t.Fatal(err)
	}
	return unit, province
}

// autofillDrive publishes a drive of unit on the day daysAhead calendar
// days after today, from 08:00 in slots of 30 minutes of seats seats each,
// for target units, with auto-fill on at the default checkpoints (10, 5
// and 2 days before). Auto-fill is turned off when the test ends, so that
// later tests' scheduler runs leave its donors alone.
func autofillDrive(t *testing.T, b *bottest.Bot, title string, unitID int64, daysAhead, slots, seats, target int) (drive.Drive, []drive.Slot) {
	t.Helper()
	ctx := context.Background()
	today := b.Now().In(loc(t))
	start := time.Date(today.Year(), today.Month(), today.Day()+daysAhead, 8, 0, 0, 0, loc(t))
	d, sl, err := b.Store.CreateDrive(ctx, drive.DraftInput{
		Title: title, Wave: "Đợt 2", Organizer: "Công đoàn khu công nghiệp", Hospital: "Bệnh viện Đa khoa tỉnh",
		Venue: "Nhà văn hóa khu công nghiệp", Start: start, End: start.Add(time.Duration(slots) * 30 * time.Minute),
		SlotLength: 30 * time.Minute, SlotCapacity: seats, TargetUnits: target, AudienceUnitID: unitID,
	}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d, err = b.Store.PublishDrive(ctx, d.ID, b.Now()); err != nil {
		t.Fatal(err)
	}
	on := storage.Autofill{On: true, Checkpoints: mobilize.DefaultCheckpoints}
	if err := b.Store.SetAutofill(ctx, d.ID, on, b.Now()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := b.Store.DB().Exec(`UPDATE drives SET autofill = false WHERE id = $1`, d.ID); err != nil {
			t.Error(err)
		}
	})
	return d, sl
}

// waveDonor is a donor of a wave test: where they belong, what they gave.
type waveDonor struct {
	name       string // full name, Vietnamese order
	lang       string // "" is "vi"
	member     bool   // a member of the drive's unit; else an address in its province
	donatedAgo int    // days before the drive's date of the last whole-blood donation; 0: never
	responded  bool   // registered for an earlier announced drive
	id         int64
}

// seedWaveDonors stores the donors, onboarded, with recall off (a lapsed
// donor would otherwise also get a recall), in their unit or province,
// with their last donation and earlier response, and sets their ids in
// the order given (ascending, as the rank's last tie-break).
func seedWaveDonors(t *testing.T, b *bottest.Bot, unit storage.Unit, province string, day time.Time, donors []*waveDonor) {
	t.Helper()
	ctx := context.Background()
	ids := testenv.TelegramIDs(len(donors))
	var earlier []drive.Slot
	for i, w := range donors {
		w.id = ids[i]
		lang := w.lang
		if lang == "" {
			lang = "vi"
		}
		seedDonorIn(t, b, w.id, lang, w.name)
		var err error
		if w.member {
			err = b.Store.JoinUnit(ctx, w.id, unit.ID)
		} else {
			err = b.Store.SetDonorProvince(ctx, w.id, province)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Store.SetRecall(ctx, w.id, false); err != nil {
			t.Fatal(err)
		}
		if w.donatedAgo > 0 {
			if err := b.Store.AddDonation(ctx, w.id, day.AddDate(0, 0, -w.donatedAgo), "whole_blood", 350, "drive", 0); err != nil {
				t.Fatal(err)
			}
		}
		if !w.responded {
			continue
		}
		if earlier == nil {
			earlier = announcedElsewhere(t, b)
		}
		// Registered after its announcement, then cancelled: a response all the same.
		reg, err := b.Store.Register(ctx, w.id, earlier[0].ID, b.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Store.Cancel(ctx, w.id, reg.ID, b.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

// announcedElsewhere is the slots of a drive of another unit that was
// announced, and closed since, so it reaches no one's /drives.
func announcedElsewhere(t *testing.T, b *bottest.Bot) []drive.Slot {
	t.Helper()
	other := newUnit(t, b, "Trường học")
	d, slots := autofillDrive(t, b, "Ngày hội trước "+itoa(other.ID), other.ID, 20, 1, 50, 10)
	for _, q := range []string{
		`INSERT INTO drive_announcements (drive_id, announced_at, recipients) VALUES ($1, now(), 1)`,
		`UPDATE drives SET autofill = false WHERE id = $1`,
	} {
		if _, err := b.Store.DB().Exec(q, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if _, err := b.Store.DB().Exec(`UPDATE drives SET status = 'closed' WHERE id = $1`, d.ID); err != nil {
			t.Error(err)
		}
	})
	return slots
}

// waveSize is how many donors a wave takes, as the issue words it: enough
// to close gap at the response rate (ceil(gap ÷ rate)), but never more
// than half the candidates left (rounded up), kept for later checkpoints.
func waveSize(gap int, rate float64, candidates int) int {
	want := int(math.Ceil(float64(gap)/rate - 1e-9))
	return min(want, (candidates+1)/2)
}

// invitedTo lists the Telegram ids of the donors invited to the drive.
func invitedTo(t *testing.T, b *bottest.Bot, driveID int64) []int64 {
	t.Helper()
	var ids []int64
	if err := b.Store.DB().Select(&ids, `SELECT dn.telegram_id FROM drive_invitations i
		JOIN donors dn ON dn.id = i.donor_id WHERE i.drive_id = $1 ORDER BY 1`, driveID); err != nil {
		t.Fatal(err)
	}
	return ids
}

// invitationsOf counts the messages about the drive titled title each
// donor received, once the delivery queue sent what it holds for them.
func invitationsOf(t *testing.T, b *bottest.Bot, title string, ids ...int64) map[int64]int {
	t.Helper()
	deliveredTo(t, b, ids...)
	out := map[int64]int{}
	for _, id := range ids {
		for _, m := range b.API.Messages(id) {
			if strings.Contains(m.Text, title) {
				out[id]++
			}
		}
	}
	return out
}

// idsOf is the donors' ids.
func idsOf(ws []*waveDonor) []int64 {
	out := make([]int64, len(ws))
	for i, w := range ws {
		out[i] = w.id
	}
	return out
}

// setContacted records that the bot sent each donor n announcements at at,
// as a fan-out writes them to the contacts ledger.
func setContacted(t *testing.T, b *bottest.Bot, at time.Time, n int, ids ...int64) {
	t.Helper()
	if _, err := b.Store.DB().Exec(`INSERT INTO contacts (donor_id, kind, sent_at)
		SELECT id, 'announcement', $2 FROM donors, generate_series(1, $3) WHERE telegram_id = ANY($1)`,
		pq.Array(ids), at, n); err != nil {
		t.Fatal(err)
	}
}
