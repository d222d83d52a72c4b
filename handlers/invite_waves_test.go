package handlers_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"donorbot/bot"
	"donorbot/internal/bottest"
	"donorbot/mobilize"
)

// TestWaveInvitesTheRightDonorsOnce: a unit's drive, 10 days ahead, needs
// 2 units and has one donor registered. At its first checkpoint the
// scheduler invites just enough of the 22 donors it may reach, in rank
// order: the unit's lapsed donors, its past donors, then its donors who
// never gave (those who answered an earlier announcement first), and the
// province's donors only after all of the unit's; nobody deferred, past
// the age limit on the drive's date, opted out or registered. Running the
// scheduler again that day, and the next, sends nothing more; at 5 days
// the next wave takes the next donors by rank, none of the first again.
func TestWaveInvitesTheRightDonorsOnce(t *testing.T) {
	b, clock := recallBot(t, "")
	ctx := context.Background()
	unit, province := waveUnit(t, b)
	title := "Ngày hội Lấp đầy " + itoa(unit.ID)
	const target = 2
	d, slots := autofillDrive(t, b, title, unit.ID, 10, 2, 5, target)
	day := calendarDay(t, d.Start)

	member := func(name string, donatedAgo int, responded bool) *waveDonor {
		return &waveDonor{name: name, member: true, donatedAgo: donatedAgo, responded: responded}
	}
	inProvince := func(name string, donatedAgo int) *waveDonor {
		return &waveDonor{name: name, donatedAgo: donatedAgo}
	}
	// In the order they rank; the English speaker is one of the first wave.
	ranked := []*waveDonor{
		member("Nguyễn Thị Lan", 400, true), member("Trần Văn Hùng", 500, false), // lapsed
		member("Lê Thị Mai", 150, true), member("Phạm Văn Nam", 100, false), member("Hoàng Thị Hoa", 200, false), // past donors
		member("Vũ Thị Thu", 0, true), member("Đặng Văn Minh", 0, true), // never gave, answered before
		member("Bùi Thị Hà", 0, false), {name: "Mary Nguyen", lang: "en", member: true}, member("Đỗ Văn Long", 0, false),
		member("Ngô Thị Yến", 0, false), member("Dương Văn Tú", 0, false), member("Lý Thị Ngọc", 0, false),
		inProvince("Đinh Văn Sơn", 450), inProvince("Đào Thị Vân", 120), // the province's: lapsed, past donor
		inProvince("Mai Văn An", 0), inProvince("Cao Thị Bích", 0), inProvince("Hà Văn Cường", 0),
		inProvince("Lưu Thị Dung", 0), inProvince("Tạ Văn Giang", 0), inProvince("Kiều Thị Hạnh", 0),
		inProvince("Chu Văn Khoa", 0),
	}
	// Each would rank first if it were a candidate.
	deferred, aged, optedOut, registered := member("Quách Thị Deferred", 400, true), member("Tăng Văn Aged", 400, true),
		member("Thái Thị OptedOut", 400, true), member("Lâm Văn Registered", 400, true)
	excluded := []*waveDonor{deferred, aged, optedOut, registered}
	seedWaveDonors(t, b, unit, province, day, append(slices.Clone(ranked), excluded...))
	if err := b.Store.AddDeferral(ctx, deferred.id, "on_site", day.AddDate(0, 0, 30), false, "on_site"); err != nil {
		t.Fatal(err)
	}
	// Turns 61 the day before the drive: eligible today, not on its date.
	if err := b.Store.SetDonorBirthDate(ctx, aged.id, day.AddDate(-61, 0, -1)); err != nil {
		t.Fatal(err)
	}
	if err := b.Store.SetInvitations(ctx, optedOut.id, false); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store.Register(ctx, registered.id, slots[0].ID, b.Now()); err != nil {
		t.Fatal(err)
	}
	everyone := idsOf(append(slices.Clone(ranked), excluded...))

	// The unit has no finished drive and no answered invitation: the
	// default rates apply. One registered donor is expected to donate
	// round(0.95) = 1 unit; the waves aim for the target 2 plus a margin
	// of ceil(1.2816 × sqrt(2 × 0.05)) = 1, so the gap is 2; at one in
	// ten, 20 invitees, bounded by half of the 22 candidates: 11.
	expected := int(math.Round(1 * mobilize.DefaultRate))
	gap := target + 1 - expected
	first := waveSize(gap, mobilize.DefaultResponseRate, len(ranked))
	if first != 11 {
		t.Fatalf("the seeds make a first wave of %d; the test expects 11", first)
	}
	runJobs(t, b, false)
	runJobs(t, b, false)
	wantFirst := idsOf(ranked[:first])
	if got := invitedTo(t, b, d.ID); !slices.Equal(got, wantFirst) {
		t.Fatalf("first wave invited %v, want %v", got, wantFirst)
	}
	lan := b.Phone(ranked[0].id, "vi")
	lan.Expect("Chào Lan,", title, "Theo hồ sơ, bạn có thể hiến máu vào "+shownDate(t, "vi", d.Start))
	b.Phone(ranked[8].id, "en").Expect("Hi Mary,", title, "From your profile, you can donate on "+shownDate(t, "en", d.Start))
	got := invitationsOf(t, b, title, everyone...)
	for i, w := range ranked {
		if want := map[bool]int{true: 1}[i < first]; got[w.id] != want {
			t.Errorf("%s (rank %d) got %d invitations after the first wave, want %d", w.name, i+1, got[w.id], want)
		}
	}
	for _, w := range excluded {
		if got[w.id] != 0 {
			t.Errorf("%s was invited", w.name)
		}
	}

	// The next day: checkpoint 10 ran, 5 is not reached.
	clock.Advance(24 * time.Hour)
	runJobs(t, b, false)
	if got := invitedTo(t, b, d.ID); len(got) != first {
		t.Fatalf("%d invited the day after the first wave, want %d", len(got), first)
	}

	// 5 days before: nobody registered, so the same gap, among the 11 left.
	clock.Advance(4 * 24 * time.Hour)
	runJobs(t, b, false)
	runJobs(t, b, false)
	second := waveSize(gap, mobilize.DefaultResponseRate, len(ranked)-first)
	want := idsOf(ranked[:first+second])
	slices.Sort(want)
	if got := invitedTo(t, b, d.ID); !slices.Equal(got, want) {
		t.Fatalf("after the second wave invited %v, want %v", got, want)
	}
	got = invitationsOf(t, b, title, everyone...)
	for i, w := range ranked {
		if want := map[bool]int{true: 1}[i < first+second]; got[w.id] != want {
			t.Errorf("%s (rank %d) got %d invitations after the second wave, want %d", w.name, i+1, got[w.id], want)
		}
	}
	for _, w := range excluded {
		if got[w.id] != 0 {
			t.Errorf("%s was invited", w.name)
		}
	}
	log, err := b.Store.Waves(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || log[0].Checkpoint != 10 || log[1].Checkpoint != 5 ||
		log[0].Candidates != len(ranked) || log[0].Invited != first || log[0].Gap != gap ||
		log[1].Candidates != len(ranked)-first || log[1].Invited != second {
		t.Errorf("wave log %+v: want checkpoint 10 (%d candidates, %d invited) then 5 (%d, %d)",
			log, len(ranked), first, len(ranked)-first, second)
	}
}

// TestWaveSkipsDonorAtContactCap: under a cap of 2 messages in 30 days,
// the wave of a drive far from its target plans half of its 4 candidates,
// the first two by rank: a lapsed donor who got 2 announcements this week
// and a past donor. The first is skipped, and counted in the wave log; the
// second is invited; the two ranked after them are not.
func TestWaveSkipsDonorAtContactCap(t *testing.T) {
	b, _ := recallBot(t, "", bottest.Config(func(c *bot.Config) { c.ContactCap = 2 }))
	ctx := context.Background()
	unit, province := waveUnit(t, b)
	title := "Ngày hội Giới hạn " + itoa(unit.ID)
	d, _ := autofillDrive(t, b, title, unit.ID, 10, 2, 5, 10)
	capped := &waveDonor{name: "Nguyễn Thị Bận", member: true, donatedAgo: 400}
	past := &waveDonor{name: "Trần Văn Rảnh", member: true, donatedAgo: 100}
	never := &waveDonor{name: "Lê Thị Mới", member: true}
	never2 := &waveDonor{name: "Phạm Văn Sau", member: true}
	seedWaveDonors(t, b, unit, province, calendarDay(t, d.Start), []*waveDonor{capped, past, never, never2})
	setContacted(t, b, b.Now().Add(-3*24*time.Hour), 2, capped.id)

	runJobs(t, b, false)
	if got, want := invitedTo(t, b, d.ID), []int64{past.id}; !slices.Equal(got, want) {
		t.Fatalf("invited %v, want only the donor under the cap %v", got, want)
	}
	got := invitationsOf(t, b, title, capped.id, past.id, never.id, never2.id)
	if got[capped.id] != 0 || got[past.id] != 1 || got[never.id] != 0 || got[never2.id] != 0 {
		t.Errorf("invitations %v: want one, to the past donor", got)
	}
	log, err := b.Store.Waves(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Planned != 2 || log[0].Invited != 1 || log[0].SkippedCap != 1 {
		t.Errorf("wave log %+v: want 2 planned, 1 invited, 1 skipped at the cap", log)
	}
}

// TestWaveHonoursOptOut: a donor who tapped "No more invitations" under a
// drive's invitation, and one who turned invitations off in /settings,
// are not invited by the next drive's wave; a third donor, ranked after
// both, is.
func TestWaveHonoursOptOut(t *testing.T) {
	for _, tc := range []struct{ lang, stop, stopped, settingsOff, off string }{
		{"vi", "🚫 Không nhận lời mời nữa", "Bạn sẽ không nhận lời mời hiến máu nữa",
			"📭 Không nhận lời mời hiến máu", "Nhận lời mời hiến máu: tắt"},
		{"en", "🚫 No more invitations", "You will get no more invitations to donate",
			"📭 No invitations to donate", "Invitations to donate: off"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			b, _ := recallBot(t, "")
			unit, province := waveUnit(t, b)
			stopper := &waveDonor{name: "Nguyễn Thị Dừng", lang: tc.lang, member: true, donatedAgo: 400}
			setter := &waveDonor{name: "Trần Văn Tắt", lang: tc.lang, member: true, donatedAgo: 100}
			keeper := &waveDonor{name: "Lê Thị Nhận", lang: tc.lang, member: true}
			first := "Ngày hội Lời mời 1 " + itoa(unit.ID)
			d, _ := autofillDrive(t, b, first, unit.ID, 10, 2, 5, 10)
			seedWaveDonors(t, b, unit, province, calendarDay(t, d.Start), []*waveDonor{stopper, setter, keeper})

			ps := b.Phone(setter.id, tc.lang)
			ps.Send("/settings")
			ps.Tap(tc.settingsOff)
			waitEdited(t, b, ps, tc.off)

			// Of the two candidates left, the wave takes one: the lapsed donor.
			runJobs(t, b, false)
			p := b.Phone(stopper.id, tc.lang)
			m := p.Expect(first)
			p.TapIn(m.ID, tc.stop)
			p.Expect(tc.stopped)

			second := "Ngày hội Lời mời 2 " + itoa(unit.ID)
			d2, _ := autofillDrive(t, b, second, unit.ID, 10, 2, 5, 10)
			runJobs(t, b, false)
			if got, want := invitedTo(t, b, d2.ID), []int64{keeper.id}; !slices.Equal(got, want) {
				t.Fatalf("the second drive's wave invited %v, want only %v", got, want)
			}
			got := invitationsOf(t, b, second, stopper.id, setter.id, keeper.id)
			if got[stopper.id] != 0 || got[setter.id] != 0 || got[keeper.id] != 1 {
				t.Errorf("invitations to the second drive %v: want one, to the donor who kept them", got)
			}
		})
	}
}

// TestWaveWaitsForQuietHours: with quiet hours 21:00-07:00, a drive whose
// first checkpoint is reached at 22:00 gets no wave then, nor at 06:59
// the next morning; at 07:00 its wave goes out.
func TestWaveWaitsForQuietHours(t *testing.T) {
	clock := clockAtLocal(t, 22, 0)
	b := bottest.Start(t, bottest.Clock(clock.Now), bottest.Config(func(c *bot.Config) {
		c.ReminderInterval = time.Hour
		c.QuietHours = "21:00-07:00"
	}))
	ctx := context.Background()
	unit, province := waveUnit(t, b)
	title := "Ngày hội Ban đêm " + itoa(unit.ID)
	d, _ := autofillDrive(t, b, title, unit.ID, 10, 2, 5, 10)
	donor := &waveDonor{name: "Nguyễn Thị Sớm", member: true, donatedAgo: 400}
	seedWaveDonors(t, b, unit, province, calendarDay(t, d.Start), []*waveDonor{donor})

	for _, step := range []time.Duration{0, 8*time.Hour + 59*time.Minute} {
		clock.Advance(step)
		runJobs(t, b, false)
		if log, err := b.Store.Waves(ctx, d.ID); err != nil || len(log) != 0 {
			t.Fatalf("at %s the wave log is %+v %v, want no wave in quiet hours",
				clock.Now().In(loc(t)).Format("15:04"), log, err)
		}
		if n := invitationsOf(t, b, title, donor.id)[donor.id]; n != 0 {
			t.Fatalf("invited in quiet hours, at %s", clock.Now().In(loc(t)).Format("15:04"))
		}
	}
	clock.Advance(time.Minute)
	runJobs(t, b, false)
	b.Phone(donor.id, "vi").Expect("Chào Sớm,", title)
}

// TestInvitationRegistersInOneTap: the invitation names the drive with its
// date and weekday, says the donor may donate then, and offers its free
// slots as buttons, not the full one, in the donor's language. Tapping a
// slot starts the screening; answered, the seat is booked.
func TestInvitationRegistersInOneTap(t *testing.T) {
	for _, tc := range []struct {
		lang, greeting, intro, eligible, seat, seats, drive, stop, question string
	}{
		{"vi", "Chào Lan,", "đang cần thêm người hiến", "Theo hồ sơ, bạn có thể hiến máu vào ", "(còn 1 chỗ)", "(còn 2 chỗ)",
			"📋 Xem chi tiết ngày hội", "🚫 Không nhận lời mời nữa", "Câu 1/11"},
		{"en", "Hi Lan,", "The drive below needs more donors", "From your profile, you can donate on ", "(1 seat left)", "(2 seats left)",
			"📋 See the drive", "🚫 No more invitations", "Question 1/11"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			b, _ := recallBot(t, "")
			ctx := context.Background()
			unit, province := waveUnit(t, b)
			title := "Ngày hội Một chạm " + itoa(unit.ID)
			d, slots := autofillDrive(t, b, title, unit.ID, 10, 3, 2, 10)
			day := calendarDay(t, d.Start)
			lan := &waveDonor{name: "Nguyễn Thị Lan", lang: tc.lang, member: true, donatedAgo: 400}
			booked := []*waveDonor{{name: "Trần Văn Một", member: true}, {name: "Lê Văn Hai", member: true}, {name: "Vũ Thị Ba", member: true}}
			seedWaveDonors(t, b, unit, province, day, append([]*waveDonor{lan}, booked...))
			// The first slot full, one seat left in the second.
			for i, w := range booked {
				if _, err := b.Store.Register(ctx, w.id, slots[[]int{0, 0, 1}[i]].ID, b.Now()); err != nil {
					t.Fatal(err)
				}
			}

			runJobs(t, b, false)
			p := b.Phone(lan.id, tc.lang)
			m := p.Expect(tc.greeting, tc.intro, title, shownDate(t, tc.lang, d.Start), tc.eligible+shownDate(t, tc.lang, d.Start))
			label := func(s int, seats string) string {
				return "✍️ " + slots[s].Start.In(loc(t)).Format("15:04") + "–" + slots[s].End.In(loc(t)).Format("15:04") + " " + seats
			}
			for _, want := range []string{label(1, tc.seat), label(2, tc.seats), tc.drive, tc.stop} {
				if !m.HasButtonText(want) {
					t.Errorf("the invitation lacks the button %q: %+v", want, m.InlineKeyboard)
				}
			}
			for _, row := range m.InlineKeyboard {
				for _, btn := range row {
					if strings.Contains(btn.Text, slots[0].Start.In(loc(t)).Format("15:04")+"–") {
						t.Errorf("the invitation offers the full slot: %q", btn.Text)
					}
				}
			}

			p.TapIn(m.ID, label(2, tc.seats))
			p.Expect(tc.question)
			if tc.lang == "vi" {
				answerScreening(t, b, p, "")
				p.Expect("Đã xác nhận", title, slots[2].Start.In(loc(t)).Format("15:04"))
			}
			var status string
			if err := b.Store.DB().Get(&status, `SELECT r.status FROM registrations r JOIN donors dn ON dn.id = r.donor_id
				WHERE dn.telegram_id = $1 AND r.drive_id = $2 AND r.slot_id = $3`, lan.id, d.ID, slots[2].ID); err != nil {
				t.Fatalf("no registration from the invitation's slot: %v", err)
			}
			if tc.lang == "vi" && status != "confirmed" {
				t.Errorf("registration %s after the screening, want confirmed", status)
			}
		})
	}
}

// TestProvinceInviteeMayRegister: a wave reaches a donor of the drive's
// province who is not a member of its unit; the invitation's slot button
// lets them register. A donor of the province the wave did not invite is
// still told the drive is for the unit's members.
func TestProvinceInviteeMayRegister(t *testing.T) {
	b, _ := recallBot(t, "")
	unit, province := waveUnit(t, b)
	title := "Ngày hội Cả tỉnh " + itoa(unit.ID)
	d, slots := autofillDrive(t, b, title, unit.ID, 10, 2, 5, 10)
	invitee := &waveDonor{name: "Nguyễn Thị Xa", donatedAgo: 400}
	other := &waveDonor{name: "Trần Văn Gần", donatedAgo: 100}
	seedWaveDonors(t, b, unit, province, calendarDay(t, d.Start), []*waveDonor{invitee, other})
	// Of the two candidates the wave takes one, the lapsed donor.
	runJobs(t, b, false)

	p := b.Phone(invitee.id, "vi")
	m := p.Expect("Chào Xa,", title)
	p.TapIn(m.ID, "✍️ "+slots[0].Start.In(loc(t)).Format("15:04")+"–"+slots[0].End.In(loc(t)).Format("15:04")+" (còn 5 chỗ)")
	p.Expect("Câu 1/11")
	var n int
	if err := b.Store.DB().Get(&n, `SELECT count(*) FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		WHERE dn.telegram_id = $1 AND r.drive_id = $2`, invitee.id, d.ID); err != nil || n != 1 {
		t.Fatalf("the invitee has %d registrations for the drive (%v), want 1", n, err)
	}

	o := b.Phone(other.id, "vi")
	o.Send("/start")
	o.Settle()
	o.TapStale(m.ID, "drv:v1:slot:"+itoa(d.ID)+":"+itoa(slots[0].ID))
	o.Expect("Ngày hội này chỉ dành cho thành viên của đơn vị tổ chức.")
}
