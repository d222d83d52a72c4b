package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/lib/pq"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// TestFunnelCountsAHandBuiltCampaign checks every count of the funnel of a
// drive, of its invitation waves, of a campaign's waves and of the
// campaign against a data set whose answers are counted by hand below.
func TestFunnelCountsAHandBuiltCampaign(t *testing.T) {
	ctx := context.Background()
	s := storage.New(testenv.DB(t))
	donors := newDonors(t, s, 12)
	for _, id := range donors { // only onboarded donors are invited
		if err := s.CompleteOnboarding(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	campaign, err := s.CreateCampaign(ctx, "Funnel "+unique(), 4242)
	if err != nil {
		t.Fatal(err)
	}
	newDrive := func(wave string, target int, day int) (drive.Drive, []drive.Slot) {
		t.Helper()
		in := draft(tomorrow().Add(time.Duration(day)*24*time.Hour), 2, 50)
		in.Wave, in.TargetUnits = wave, target
		d, sl, err := s.CreateDrive(ctx, in, 4242)
		if err != nil {
			t.Fatal(err)
		}
		if d, err = s.PublishDrive(ctx, d.ID, testNow); err != nil {
			t.Fatal(err)
		}
		if err := s.SetDriveCampaign(ctx, d.ID, campaign.ID); err != nil {
			t.Fatal(err)
		}
		return d, sl
	}
	a, aSlots := newDrive("Đợt 1", 10, 0)
	b, bSlots := newDrive("Wave 1", 5, 1)
	e, _ := newDrive("Đợt 2", 8, 7)
	outside, _ := publishedDrive(t, s, tomorrow(), 2, 50)

	if err := s.SetAutofill(ctx, a.ID, storage.Autofill{On: true, Checkpoints: []int{10, 5, 2}}, testNow); err != nil {
		t.Fatal(err)
	}
	wave := func(checkpoint int, invitees []int64) {
		t.Helper()
		invs := make([]storage.Invitation, len(invitees))
		for i, id := range invitees {
			invs[i] = storage.Invitation{TelegramID: id, Message: storage.ScheduledMessage{ChatID: id, Text: "mời"}}
		}
		w := storage.Wave{DriveID: a.ID, Checkpoint: checkpoint, Target: 10, Planned: len(invs), Candidates: len(invs)}
		if got, started, err := s.StartWave(ctx, w, testNow, 100, invs); err != nil || !started || got.Invited != len(invs) {
			t.Fatalf("StartWave(%d) = %+v, %v, %v", checkpoint, got, started, err)
		}
	}
	// Drive A: the first wave invites donors 0-4, the second 5-7.
	wave(10, donors[0:5])
	wave(5, donors[5:8])

	register := func(donor int64, slot int64) drive.Registration {
		t.Helper()
		r, err := s.Register(ctx, donor, slot, testNow)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	arrive := func(d drive.Drive, r drive.Registration) {
		t.Helper()
		if err := s.CheckIn(ctx, d.ID, r.ID, 1, testNow); err != nil {
			t.Fatal(err)
		}
	}
	donate := func(d drive.Drive, r drive.Registration) {
		t.Helper()
		arrive(d, r)
		if _, err := s.RecordDonation(ctx, storage.DonationInput{RegistrationID: r.ID, On: d.Start,
			Kind: "whole_blood", VolumeML: 350, Source: "drive"}); err != nil {
			t.Fatal(err)
		}
	}
	cancel := func(donor int64, r drive.Registration) {
		t.Helper()
		if _, err := s.Cancel(ctx, donor, r.ID, testNow); err != nil {
			t.Fatal(err)
		}
	}
	slotA := aSlots[0].ID
	donate(a, register(donors[0], slotA)) // wave 1: registered, arrived, donated
	arrive(a, register(donors[1], slotA)) // wave 1: registered, arrived
	cancel(donors[2], register(donors[2], slotA))
	register(donors[2], slotA)                    // wave 1: cancelled, then registered again: once
	register(donors[3], slotA)                    // wave 1: registered
	cancel(donors[4], register(donors[4], slotA)) // wave 1: cancelled: not registered
	donate(a, register(donors[5], slotA))         // wave 2: registered, arrived, donated
	donate(a, register(donors[8], slotA))         // not invited: the drive's totals only
	cancel(donors[9], register(donors[9], slotA))
	donate(b, register(donors[10], bSlots[0].ID))
	register(donors[11], bSlots[0].ID)
	register(donors[6], aSlots[1].ID) // invited to A: counts at A, not invited to B

	db := s.DB()
	if _, err := db.Exec(`INSERT INTO drive_announcements (drive_id, announced_at, recipients) VALUES ($1, $2, 40), ($3, $2, 7)`,
		a.ID, testNow, outside.ID); err != nil {
		t.Fatal(err)
	}
	recall := func(donor int64, on string, drives ...int64) {
		t.Helper()
		if _, err := db.Exec(`INSERT INTO recalls (donor_id, eligible_on, drive_ids, sent_at)
			SELECT id, $2, $3, $4 FROM donors WHERE telegram_id = $1`, donor, on, pq.Array(drives), testNow); err != nil {
			t.Fatal(err)
		}
	}
	recall(donors[10], "2030-05-01", a.ID, b.ID) // one message offering two drives of wave 1
	recall(donors[11], "2030-05-01", a.ID)
	recall(donors[10], "2030-05-02", e.ID)
	recall(donors[11], "2030-05-02", outside.ID)

	check := func(name string, got, want storage.Funnel) {
		t.Helper()
		if got != want {
			t.Errorf("%s funnel =\n %+v, want\n %+v", name, got, want)
		}
	}
	fa, err := s.DriveFunnel(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	// A: invited 0-7; registered 0,1,2,3,5,6; arrived 0,1,5; donated 0,5.
	// Totals: live registrations of 0,1,2,3,5,8,6; arrived 0,1,5,8; donated 0,5,8.
	check("drive A", fa, storage.Funnel{Target: 10, Invited: 8, InvitedRegistered: 6, InvitedArrived: 3, InvitedDonated: 2,
		Registered: 7, Arrived: 4, Donated: 3, Announced: 40, Recalled: 2})
	if fa.Messages() != 50 || fa.Percent() != 30 {
		t.Errorf("drive A: %d messages, %d%% of plan, want 50 and 30%%", fa.Messages(), fa.Percent())
	}
	if per, ok := fa.PerUnit(); !ok || per < 16.66 || per > 16.67 {
		t.Errorf("drive A: %v messages per unit (%v), want 50/3", per, ok)
	}

	waves, err := s.InviteWaveFunnels(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(waves) != 2 || waves[0].Checkpoint != 10 || waves[1].Checkpoint != 5 {
		t.Fatalf("invitation waves = %+v, want checkpoints 10 then 5", waves)
	}
	check("wave at 10 days", waves[0].Funnel, storage.Funnel{Invited: 5, InvitedRegistered: 4, InvitedArrived: 2, InvitedDonated: 1})
	check("wave at 5 days", waves[1].Funnel, storage.Funnel{Invited: 3, InvitedRegistered: 2, InvitedArrived: 1, InvitedDonated: 1})
	for i, want := range []float64{5, 3} { // invitations per invitee who donated
		if per, ok := waves[i].PerUnit(); !ok || per != want {
			t.Errorf("wave %d: %v messages per unit (%v), want %v", i, per, ok, want)
		}
	}

	fe, err := s.DriveFunnel(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	check("drive E", fe, storage.Funnel{Target: 8, Recalled: 1})
	if _, ok := fe.PerUnit(); ok {
		t.Error("drive E has no donation: PerUnit must say there is no figure")
	}

	drives, err := s.CampaignDrives(ctx, campaign.ID)
	if err != nil {
		t.Fatal(err)
	}
	byWave := storage.Waves(drives)
	if len(byWave) != 2 {
		t.Fatalf("campaign waves = %+v, want Đợt 1 (A and B) and Đợt 2", byWave)
	}
	w1, err := s.DrivesFunnel(ctx, byWave[0].DriveIDs)
	if err != nil {
		t.Fatal(err)
	}
	// Đợt 1 = A + B; B: registered 10, 11; arrived and donated 10; the
	// recall offering A and B is one message.
	check("Đợt 1", w1, storage.Funnel{Target: 15, Invited: 8, InvitedRegistered: 6, InvitedArrived: 3, InvitedDonated: 2,
		Registered: 9, Arrived: 5, Donated: 4, Announced: 40, Recalled: 2})
	all := []int64{}
	for _, d := range drives {
		all = append(all, d.Key)
	}
	fc, err := s.DrivesFunnel(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	check("campaign", fc, storage.Funnel{Target: 23, Invited: 8, InvitedRegistered: 6, InvitedArrived: 3, InvitedDonated: 2,
		Registered: 9, Arrived: 5, Donated: 4, Announced: 40, Recalled: 3})
}
