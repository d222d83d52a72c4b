package handlers_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"donorbot/datefmt"
	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
	"donorbot/telegramtest"
)

// TestManagedDrivesFollowTheRule: the one query listing a user's drives
// lists exactly the drives the chat commands let them manage — admins by
// configuration or role and organizers without a unit all, a unit's
// organizers and club admins that unit's, a creator theirs, a donor none.
func TestManagedDrivesFollowTheRule(t *testing.T) {
	ids := testenv.TelegramIDs(8)
	cfgAdmin, roleAdmin, orgAll, orgA, clubA, orgB, creator, donor := ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[7]
	b := bottest.Start(t, bottest.Admins(cfgAdmin))
	ctx := context.Background()
	unitA, unitB, unitC := newUnit(t, b, "Công an phường A"), newUnit(t, b, "Nhà máy B"), newUnit(t, b, "Trường C")
	grant(t, b, roleAdmin, storage.RoleAdmin, 0)
	grant(t, b, orgAll, storage.RoleOrganizer, 0)
	grant(t, b, orgA, storage.RoleOrganizer, unitA.ID)
	grant(t, b, clubA, storage.RoleClubAdmin, unitA.ID)
	grant(t, b, orgB, storage.RoleOrganizer, unitB.ID)
	grant(t, b, creator, storage.RoleOrganizer, unitC.ID)
	camp, err := b.Store.CreateCampaign(ctx, "Quy tắc "+strconv.FormatInt(cfgAdmin, 10), cfgAdmin)
	if err != nil {
		t.Fatal(err)
	}
	day := b.Now().Add(48 * time.Hour)
	drives := map[string]drive.Drive{
		"A":      unitDrive(t, b, "Ngày hội A", day, unitA.ID, cfgAdmin, camp.ID),
		"B":      unitDrive(t, b, "Ngày hội B", day.Add(time.Hour), unitB.ID, cfgAdmin, camp.ID),
		"open":   unitDrive(t, b, "Ngày hội mở", day.Add(2*time.Hour), 0, creator, camp.ID),
		"A by B": unitDrive(t, b, "Ngày hội A của B", day.Add(-72*time.Hour), unitA.ID, orgB, camp.ID),
	}
	h := b.Handlers()
	for _, c := range []struct {
		name string
		user int64
		sees []string
	}{
		{"configured admin", cfgAdmin, []string{"A", "B", "open", "A by B"}},
		{"admin by role", roleAdmin, []string{"A", "B", "open", "A by B"}},
		{"organizer without a unit", orgAll, []string{"A", "B", "open", "A by B"}},
		{"organizer of A", orgA, []string{"A", "A by B"}},
		{"club admin of A", clubA, []string{"A", "A by B"}},
		{"organizer of B, creator of one for A", orgB, []string{"B", "A by B"}},
		{"organizer of C, creator of the open one", creator, []string{"open"}},
		{"donor", donor, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			admin, err := h.IsAdminForTest(ctx, c.user)
			if err != nil {
				t.Fatal(err)
			}
			got, total, err := b.Store.ManagedDrives(ctx, storage.ManagedQuery{UserID: c.user, Admin: admin,
				Today: b.Now(), CampaignID: camp.ID})
			if err != nil {
				t.Fatal(err)
			}
			var listed []int64
			for _, d := range got {
				listed = append(listed, d.ID)
			}
			if total != len(listed) {
				t.Errorf("total %d for %d drives", total, len(listed))
			}
			for name, d := range drives {
				want := slices.Contains(c.sees, name)
				if slices.Contains(listed, d.ID) != want {
					t.Errorf("drive %q listed = %v, want %v", name, !want, want)
				}
				mine, err := h.Organizes(ctx, c.user, d)
				if err != nil {
					t.Fatal(err)
				}
				if mine != want {
					t.Errorf("organizes(drive %q) = %v but the list says %v", name, mine, want)
				}
			}
		})
	}
	// Upcoming first by date, then past ones most recent first.
	got, _, err := b.Store.ManagedDrives(ctx, storage.ManagedQuery{UserID: cfgAdmin, Admin: true, Today: b.Now(), CampaignID: camp.ID})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, d := range got {
		order = append(order, d.Title)
	}
	if want := []string{"Ngày hội A", "Ngày hội B", "Ngày hội mở", "Ngày hội A của B"}; !slices.Equal(order, want) {
		t.Errorf("order %q, want %q", order, want)
	}
	page, total, err := b.Store.ManagedDrives(ctx, storage.ManagedQuery{UserID: cfgAdmin, Admin: true, Today: b.Now(),
		CampaignID: camp.ID, Offset: 1, Limit: 2})
	if err != nil || total != 4 || len(page) != 2 || page[0].Title != "Ngày hội B" {
		t.Errorf("page 2 of 2: %d of %d, %v", len(page), total, err)
	}
}

// pickerTexts are what an organizer reads after each command without a
// code, and after the drive is picked.
type pickerTexts struct {
	lang, ask, checkin, export, stats, qr, editdrive, canceldrive, notYours, stale, next string
}

// TestPickersJourney: an organizer types /checkin, /export, /stats, /qr,
// /editdrive and /canceldrive without a code, picks one of their unit's
// drives from the buttons — today's first for /checkin — and the command
// goes on as if its code had been typed; a typed code still works, and a
// forged or stale drive in a button is refused as a typed one is.
func TestPickersJourney(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range []pickerTexts{{
		lang: "vi", ask: "Chọn ngày hội cho", checkin: "Điểm danh «", export: "Xuất danh sách đăng ký «",
		stats: "📊 ", qr: "Áp phích A4 «", editdrive: "Sửa mục nào?", canceldrive: "Bạn có chắc muốn hủy",
		notYours: "Bạn không phụ trách ngày hội này.", stale: "Nút này không còn hiệu lực.", next: "Trang sau ›",
	}, {
		lang: "en", ask: "a drive for", checkin: "Check-in for “", export: "Export the registrations of “",
		stats: "📊 ", qr: "A4 poster of “", editdrive: "What do you want to change?",
		canceldrive: "Are you sure you want to cancel", notYours: "You do not organize this drive.",
		stale: "This button is no longer active.", next: "Next ›",
	}} {
		t.Run(tc.lang, func(t *testing.T) { pickersIn(t, b, tc) })
	}
}

func pickersIn(t *testing.T, b *bottest.Bot, tc pickerTexts) {
	org := b.NewPhone(tc.lang)
	seedDonorIn(t, b, org.User.ID, tc.lang, "Trần Văn Tổ")
	unit, other := newUnit(t, b, "Công an phường Chọn"), newUnit(t, b, "Công an phường Khác")
	grant(t, b, org.User.ID, storage.RoleOrganizer, unit.ID)
	now := b.Now()
	later := unitDrive(t, b, "Ngày hội Sau "+tc.lang, now.Add(72*time.Hour), unit.ID, 1, 0)
	today := unitDrive(t, b, "Ngày hội Hôm nay "+tc.lang, now.Add(time.Hour), unit.ID, 1, 0)
	past := unitDrive(t, b, "Ngày hội Trước "+tc.lang, now.Add(-7*24*time.Hour), unit.ID, 1, 0)
	foreign := unitDrive(t, b, "Ngày hội Khác "+tc.lang, now.Add(2*time.Hour), other.ID, 1, 0)
	donor := testenv.TelegramID()
	seedDonor(t, b, seededDonor{id: donor, name: "Lê Thị Mai", phone: "+84912000777"})
	slots, err := b.Store.DriveSlots(context.Background(), today.ID)
	if err != nil {
		t.Fatal(err)
	}
	registerScreened(t, b, donor, slots[0].ID, `[]`, 350)
	label := func(d drive.Drive, registered int) string {
		return datefmt.Short(tc.lang, d.Start.In(now.Location())) + " · " + d.Title + " · " + strconv.Itoa(registered) + "/6"
	}
	if tc.lang == "vi" && !strings.HasPrefix(label(today, 1), "Thứ Năm 16/05 · ") {
		t.Fatalf("label %q", label(today, 1))
	}

	// /checkin: today's drive first, no past one (its desk is shut).
	org.Send("/checkin")
	m := org.Expect(tc.ask, "/checkin")
	if got, want := slices.Concat(m.Buttons()...), []string{label(today, 1), label(later, 0)}; !slices.Equal(got, want) {
		t.Fatalf("/checkin picker %q, want %q", got, want)
	}
	org.Tap(label(today, 1))
	org.Expect(tc.checkin + today.Title)
	org.Send("/cancel")
	org.Settle()

	// /export: upcoming by date, then the past one; never another unit's.
	org.Send("/export")
	m = org.Expect(tc.ask, "/export")
	if got, want := slices.Concat(m.Buttons()...), []string{label(today, 1), label(later, 0), label(past, 0)}; !slices.Equal(got, want) {
		t.Fatalf("/export picker %q, want %q", got, want)
	}
	org.Tap(label(later, 0))
	org.Expect(tc.export + later.Title)

	// A button naming another unit's drive, or none, is refused.
	upd := org.TapStale(m.ID, "pick:v1:export:d"+strconv.FormatInt(foreign.ID, 10))
	b.API.WaitUntil(t, "foreign drive refused", func() bool { _, ok := b.API.CallbackAnswer(upd); return ok })
	if a, _ := b.API.CallbackAnswer(upd); a.Text != tc.notYours {
		t.Errorf("another unit's drive in a button: answered %q", a.Text)
	}
	upd = org.TapStale(m.ID, "pick:v1:export:d999999999999")
	b.API.WaitUntil(t, "gone drive refused", func() bool { _, ok := b.API.CallbackAnswer(upd); return ok })
	if a, _ := b.API.CallbackAnswer(upd); a.Text != tc.stale {
		t.Errorf("a drive that is gone in a button: answered %q", a.Text)
	}

	for _, c := range []struct{ command, want string }{
		{"/stats", tc.stats + past.Title}, {"/qr", tc.qr + today.Title},
		{"/editdrive", tc.editdrive}, {"/canceldrive", tc.canceldrive},
	} {
		org.Send(c.command)
		org.Expect(tc.ask, c.command)
		if c.command == "/stats" {
			org.Tap(label(past, 0))
		} else {
			org.Tap(label(today, 1))
		}
		org.ExpectMatch(func(m telegramtest.Message) bool {
			return strings.Contains(m.Text, c.want) || strings.Contains(m.Caption, c.want)
		})
		if c.command == "/editdrive" {
			org.Send("/cancel")
			org.Settle()
		}
	}

	// A typed code still works.
	org.Send("/export " + today.Code)
	org.Expect(tc.export + today.Title)
}

// TestPickerPages: an organizer with more drives than a picker shows pages
// through them, the nearest first, in the same message; one with none is
// told so.
func TestPickerPages(t *testing.T) {
	b := bottest.Start(t)
	org := b.NewPhone("vi")
	unit := newUnit(t, b, "Công an phường Trang")
	grant(t, b, org.User.ID, storage.RoleOrganizer, unit.ID)
	for i := range 7 {
		unitDrive(t, b, "Ngày hội trang "+strconv.Itoa(i+1), b.Now().Add(time.Duration(i+1)*24*time.Hour), unit.ID, 1, 0)
	}
	org.Send("/qr")
	m := org.Expect("Chọn ngày hội cho /qr (bạn quản lý 7 ngày hội")
	first := slices.Concat(m.Buttons()...)
	if len(first) != 7 || !strings.Contains(first[0], "Ngày hội trang 1 ·") || first[6] != "Trang sau ›" {
		t.Fatalf("page 1: %q", first)
	}
	org.TapIn(m.ID, "Trang sau ›")
	var second []string
	b.API.WaitUntil(t, "page 2", func() bool {
		got, _ := b.API.Message(org.User.ID, m.ID)
		second = slices.Concat(got.Buttons()...)
		return len(second) > 0 && second[len(second)-1] == "‹ Trang trước"
	})
	if len(second) != 2 || !strings.Contains(second[0], "Ngày hội trang 7 ·") {
		t.Fatalf("page 2: %q", second)
	}
	org.TapIn(m.ID, second[0])
	org.ExpectMatch(func(m telegramtest.Message) bool { return strings.Contains(m.Caption, "«Ngày hội trang 7»") })

	// An organizer of a unit with no drive yet is told so, not shown a usage line.
	empty := b.NewPhone("en")
	grant(t, b, empty.User.ID, storage.RoleOrganizer, newUnit(t, b, "Empty unit").ID)
	empty.Send("/stats")
	empty.Expect("You manage no drive yet.")
}
