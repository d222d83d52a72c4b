package handlers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/storage"
	"donorbot/telegramtest"
)

// Roles of the authorization matrix.
const (
	stranger  = "stranger" // never onboarded
	donor     = "donor"
	clubAdmin = "club_admin"
	organizer = "organizer"
	admin     = "admin"
)

var allRoles = []string{stranger, donor, clubAdmin, organizer, admin}

var (
	anyone         = allRoles
	organizersOnly = []string{organizer, admin}
	adminsOnly     = []string{admin}
	clubAdminsOnly = []string{clubAdmin}
)

// authzCommands and authzCallbacks say who may use each command and each
// callback action. Every entry of Handlers.Surface must be listed: a new
// command or button action fails TestAuthorizationMatrix until its row is
// added here. "Allowed" means the role check lets the user through (the
// handler may still ask for a profile or call a button stale); "refused"
// means the user gets a role refusal and nothing else.
var (
	authzCommands = map[string][]string{
		"start": anyone, "help": anyone, "profile": anyone, "lang": anyone, "cancel": anyone,
		"forget": anyone, "eligibility": anyone, "drives": anyone, "mydrives": anyone,
		"donors": adminsOnly, "newunit": adminsOnly, "grant": adminsOnly, "revoke": adminsOnly,
		"newdrive": organizersOnly, "qr": organizersOnly, "canceldrive": organizersOnly, "editdrive": organizersOnly,
		"export": organizersOnly, "audit": adminsOnly, "checkin": organizersOnly, "mycode": anyone,
		"stats": organizersOnly, "campaign": organizersOnly,
		"available": anyone, "urgent": clubAdminsOnly, "needs": clubAdminsOnly, "invite": clubAdminsOnly,
		"addmember": clubAdminsOnly, "history": anyone, "card": anyone, "settings": anyone,
		"hospitals": adminsOnly, "hospital": adminsOnly, "unitprovince": adminsOnly,
	}
	authzCallbacks = map[string][]string{
		"consent": anyone, "edit": anyone, "forget": anyone,
		"lang": anyone, "drv": anyone, "drvpg": anyone, "remind": anyone, "rchk": anyone,
		"rmd": anyone, "dinv": anyone, "cdrv": organizersOnly, "bcx": organizersOnly,
		"qrb": organizersOnly, "pick": organizersOnly,
		"exp": organizersOnly, "ci": organizersOnly, "res": organizersOnly, "resk": organizersOnly,
		"resd": organizersOnly, "resfix": organizersOnly, "resundo": organizersOnly,
		// urg answers only the tapper's own alert (TestUrgentRights); urgadm
		// also checks the need's club.
		"avail": anyone, "urg": anyone, "urgadm": clubAdminsOnly,
		// cinv answers only the tapper's own invitation (TestOwnershipMatrix).
		"cinv": anyone,
		// fl answers only the tapper's own conversation; a flow's Guard
		// checks its role (TestFlowGuardStopsRevokedOrganizer).
		"fl": anyone,
		// hist shows only the tapper's own history, card and link.
		"hist": anyone,
		// home runs the tapper's own donor commands.
		"home": anyone,
		// rcl and set change only the tapper's own settings.
		"rcl": anyone, "set": anyone,
		// rnx runs a command offered under the news of a role; the command
		// checks the tapper's role as when typed.
		"rnx": anyone,
		// afc also checks that the tapper manages the drive (TestAutofillScreenRefusesOthers).
		"afc": organizersOnly,
	}
)

// refusals are the role refusals a user can get (Vietnamese locale).
var refusals = []string{
	"Lệnh này chỉ dành cho quản trị viên.",
	"Lệnh này chỉ dành cho ban tổ chức.",
	"Lệnh này chỉ dành cho quản lý câu lạc bộ Ngân hàng máu sống.",
}

// TestAuthorizationMatrix: every command and every callback action, tried by
// every role, is refused exactly to the roles the matrix above excludes.
func TestAuthorizationMatrix(t *testing.T) {
	ids := testenv.TelegramIDs(len(allRoles)) // in the order of allRoles
	b := bottest.Start(t, bottest.Admins(ids[slices.Index(allRoles, admin)]))
	commands, callbacks := b.Handlers().Surface()
	complete := true
	for _, c := range commands {
		if _, ok := authzCommands[c]; !ok {
			t.Errorf("command /%s has no row in authzCommands (handlers/authz_test.go): say which roles may use it", c)
			complete = false
		}
	}
	for _, c := range callbacks {
		if _, ok := authzCallbacks[c]; !ok {
			t.Errorf("callback action %q has no row in authzCallbacks (handlers/authz_test.go): say which roles may use it", c)
			complete = false
		}
	}
	for c := range authzCommands {
		if !slices.Contains(commands, c) {
			t.Errorf("authzCommands lists /%s, which the router no longer has", c)
		}
	}
	for c := range authzCallbacks {
		if !slices.Contains(callbacks, c) {
			t.Errorf("authzCallbacks lists %q, which the router no longer has", c)
		}
	}
	if !complete {
		t.FailNow()
	}

	ctx := context.Background()
	unit, err := b.Store.CreateUnit(ctx, "club", "CLB Ma trận", "authz88")
	if err != nil {
		t.Fatal(err)
	}
	phones := map[string]*bottest.Phone{}
	for i, role := range allRoles {
		p := b.Phone(ids[i], "vi")
		phones[role] = p
		if role != stranger {
			onboard(t, b, p, "Người Dùng "+strings.ToUpper(role[:1]))
			p.Expect("Cảm ơn")
		}
	}
	if err := b.Store.GrantRole(ctx, phones[clubAdmin].User.ID, storage.RoleClubAdmin, unit.ID, 0); err != nil {
		t.Fatal(err)
	}
	if err := b.Store.GrantRole(ctx, phones[organizer].User.ID, storage.RoleOrganizer, 0, 0); err != nil {
		t.Fatal(err)
	}

	// try reports whether the action got past the role check: no refusal in
	// a new message nor in the button's answer.
	try := func(role string, act func(p *bottest.Phone) int64) bool {
		p := phones[role]
		before := len(p.Messages())
		updateID := act(p)
		b.Settle()
		texts := []string{}
		if a, ok := b.API.CallbackAnswer(updateID); ok {
			texts = append(texts, a.Text)
		}
		for _, m := range p.Messages()[before:] {
			texts = append(texts, m.Text)
		}
		for _, text := range texts {
			for _, r := range refusals {
				if strings.Contains(text, r) {
					return false
				}
			}
		}
		return true
	}
	check := func(what string, allowed []string, act func(p *bottest.Phone) int64) {
		for _, role := range allRoles {
			got := try(role, act)
			if want := slices.Contains(allowed, role); got != want {
				t.Errorf("%s by %s: allowed=%v, want %v", what, role, got, want)
			}
			// Leave whatever dialog the action opened.
			phones[role].Send("/cancel")
			b.Settle()
		}
	}
	for _, c := range commands {
		check("/"+c, authzCommands[c], func(p *bottest.Phone) int64 { return p.Send("/" + c) })
	}
	for _, c := range callbacks {
		data := fmt.Sprintf("%s:v1:1", c)
		check("button "+data, authzCallbacks[c], func(p *bottest.Phone) int64 { return p.TapStale(1, data) })
	}
}

// The "other owner" column of the matrix: an object-scoped command or
// button, used by someone with the right role who does not own the object
// (an organizer of another unit, an admin of another club, anyone but the
// one who started a broadcast), is refused with a message saying so, and
// changes nothing. Every entry of Handlers.Surface is either in
// ownedCommands/ownedCallbacks or named in notObjectScoped with the reason.
var (
	ownedCommands   = []string{"qr", "canceldrive", "editdrive", "export", "checkin", "stats", "campaign"}
	ownedCallbacks  = []string{"cdrv", "exp", "ci", "res", "resk", "resd", "resfix", "resundo", "bcx", "urgadm", "cinv", "qrb", "pick", "afc"}
	notObjectScoped = map[string]string{
		"start": "own chat", "help": "own chat", "profile": "own profile", "lang": "own settings", "dinv": "own settings",
		"cancel": "own conversation", "forget": "own data", "eligibility": "own data", "drives": "public list",
		"mydrives": "own registrations", "donors": "admins only", "newunit": "admins only", "grant": "admins only",
		"revoke": "admins only", "newdrive": "creates", "audit": "admins only", "mycode": "own code",
		"available": "own settings", "urgent": "creates, club checked at send", "needs": "own clubs only",
		"invite": "own clubs only", "addmember": "own clubs only (TestAddMemberInvites)",
		"hospitals": "admins only", "hospital": "admins only", "unitprovince": "admins only",
		"consent": "own data", "edit": "own profile",
		"drv": "own registrations (TestTamperedCallbacksChangeNothing)", "drvpg": "public list",
		"remind": "own reminders", "rchk": "own registrations (TestTamperedCallbacksChangeNothing)",
		"rmd": "own registrations (TestTamperedCallbacksChangeNothing)", "avail": "own settings",
		"settings": "own settings", "rcl": "own settings", "set": "own settings",
		"rnx": "runs a command, which checks its own role and object",
		"urg": "own alert (TestUrgentRights)", "fl": "own conversation (TestFlowEngine)",
		"history": "own data", "card": "own data", "hist": "own data",
		"home": "own data, as its commands",
	}
)

// ownershipRefusals are the "not yours" answers (Vietnamese locale).
var ownershipRefusals = []string{
	"Bạn không phụ trách ngày hội này.",
	"Chỉ người đã bắt đầu đợt gửi này hoặc quản trị viên mới dừng được nó.",
	"Yêu cầu này thuộc một câu lạc bộ khác",
	"Lời mời này không gửi cho bạn.",
}

func TestOwnershipMatrix(t *testing.T) {
	ids := testenv.TelegramIDs(7)
	orgA, orgB, donorA, adminC, adminD, memberD, rootID := ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6]
	b := bottest.Start(t, bottest.Admins(rootID))
	commands, callbacks := b.Handlers().Surface()
	for _, c := range commands {
		if !slices.Contains(ownedCommands, c) && notObjectScoped[c] == "" {
			t.Errorf("command /%s is in neither ownedCommands nor notObjectScoped (handlers/authz_test.go)", c)
		}
	}
	for _, c := range callbacks {
		if !slices.Contains(ownedCallbacks, c) && notObjectScoped[c] == "" {
			t.Errorf("callback %q is in neither ownedCallbacks nor notObjectScoped (handlers/authz_test.go)", c)
		}
	}
	ctx := context.Background()
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Unit A's drive, made by A's organizer, with a checked-in donor.
	unitA, err := b.Store.CreateUnit(ctx, "unit", "Trạm Ma trận A", "owna88431")
	check(err)
	unitB, err := b.Store.CreateUnit(ctx, "unit", "Trạm Ma trận B", "ownb88432")
	check(err)
	check(b.Store.GrantRole(ctx, orgA, storage.RoleOrganizer, unitA.ID, 0))
	check(b.Store.GrantRole(ctx, orgB, storage.RoleOrganizer, unitB.ID, 0))
	start := b.Now().Add(72 * time.Hour).Truncate(time.Minute)
	d, slots, err := b.Store.CreateDrive(ctx, drive.DraftInput{
		Title: "Ngày hội Đơn vị A", Wave: "Đợt 1", Organizer: "Công an phường A", Hospital: "Bệnh viện Bạch Mai",
		Venue: "78 Giải Phóng, Hà Nội", Start: start, End: start.Add(time.Hour),
		SlotLength: 30 * time.Minute, SlotCapacity: 5, TargetUnits: 20, AudienceUnitID: unitA.ID,
	}, orgA)
	check(err)
	_, err = b.Store.PublishDrive(ctx, d.ID, b.Now())
	check(err)
	seedDonor(t, b, seededDonor{id: donorA, name: "Người Hiến Đơn Vị A", phone: "+84912088433"})
	check(b.Store.JoinUnit(ctx, donorA, unitA.ID))
	reg := registerScreened(t, b, donorA, slots[0].ID, "", 0)
	check(b.Store.CheckIn(ctx, d.ID, reg.ID, orgA, b.Now()))

	// Club D's urgent need and its alert broadcast, raised by D's admin.
	newClub(t, b, "Thanh nien So huu C 88434", adminC)
	clubD := newClub(t, b, "Thanh nien So huu D 88435", adminD)
	seedDonor(t, b, seededDonor{id: memberD, name: "Thành Viên CLB D", phone: "+84912088436"})
	check(b.Store.JoinUnit(ctx, memberD, clubD.ID))
	need, err := b.Store.CreateNeed(ctx, storage.Need{ClubID: clubD.ID, CreatedBy: adminD, BloodGroup: profile.BloodOPos,
		Component: "whole_blood", UnitsNeeded: 2, Hospital: "Bệnh viện Chợ Rẫy", Address: "201B Nguyễn Chí Thanh",
		Deadline: b.Now().Add(24 * time.Hour), ContactName: "BS Lan", ContactPhone: "+84987654321",
		Audience: "same", AdminChatID: adminD, AdminLang: "vi"})
	check(err)
	alert, err := b.Store.CreateBroadcast(ctx, storage.NewBroadcast{Kind: "urgent", Text: "CẦN MÁU KHẨN CẤP",
		Priority: 10, CreatedBy: adminD, Recipients: []int64{memberD}})
	check(err)
	check(b.Store.SetAlertsBroadcast(ctx, need.ID, alert.ID, []int64{memberD}))
	// Club D invites A's donor; D's member is another donor.
	inv, sent, err := b.Store.InviteToClub(ctx, storage.NewInvitation{ClubID: clubD.ID, Phone: "+84912088433",
		InvitedBy: adminD, AdminChatID: adminD, AdminLang: "vi", Now: b.Now(), TTL: time.Hour})
	check(err)
	if !sent {
		t.Fatal("no invitation")
	}
	b.Settle()

	otherOrganizer, otherClubAdmin, otherDonor := b.Phone(orgB, "vi"), b.Phone(adminC, "vi"), b.Phone(memberD, "vi")
	// The engine sends the alert whenever it gets to it; waiting for it here
	// keeps it out of the answers to the attempts below.
	otherDonor.Expect("CẦN MÁU KHẨN CẤP")
	code, dr, rg, n := d.Code, itoa(d.ID), itoa(reg.ID), itoa(need.ID)
	type attempt struct {
		who  *bottest.Phone
		send string // a command, or callback data when it has no leading slash
	}
	attempts := map[string][]attempt{
		"qr": {{otherOrganizer, "/qr " + code}}, "canceldrive": {{otherOrganizer, "/canceldrive " + code}},
		"editdrive": {{otherOrganizer, "/editdrive " + code}}, "export": {{otherOrganizer, "/export " + code}},
		"checkin": {{otherOrganizer, "/checkin " + code}}, "stats": {{otherOrganizer, "/stats " + code}},
		"campaign": {{otherOrganizer, "/campaign " + code + " Hành trình lạ"}},
		"cdrv":     {{otherOrganizer, "cdrv:v1:" + dr}},
		"qrb":      {{otherOrganizer, "qrb:v1:" + dr}},
		"exp":      {{otherOrganizer, "exp:v1:" + dr + ":0"}},
		"pick":     {{otherOrganizer, "pick:v1:export:d" + dr}, {otherOrganizer, "pick:v1:canceldrive:d" + dr}},
		"afc": {{otherOrganizer, "afc:v1:" + dr + ":on"}, {otherOrganizer, "afc:v1:" + dr + ":ob:1"},
			{otherOrganizer, "afc:v1:" + dr + ":slot"}, {otherOrganizer, "afc:v1:" + dr + ":cp:0"}},
		"ci":      {{otherOrganizer, "ci:v1:" + rg}},
		"res":     {{otherOrganizer, "res:v1:" + rg + ":350"}},
		"resk":    {{otherOrganizer, "resk:v1:" + rg + ":350:whole_blood"}},
		"resd":    {{otherOrganizer, "resd:v1:" + rg}, {otherOrganizer, "resd:v1:" + rg + ":fix"}},
		"resfix":  {{otherOrganizer, "resfix:v1:" + rg}, {otherOrganizer, "res:v1:" + rg + ":350:fix"}},
		"resundo": {{otherOrganizer, "resundo:v1:" + rg}},
		"bcx":     {{otherOrganizer, "bcx:v1:" + itoa(alert.ID)}},
		"urgadm": {{otherClubAdmin, "urgadm:v1:" + n + ":fill"}, {otherClubAdmin, "urgadm:v1:" + n + ":compatible"},
			{otherClubAdmin, "urgadm:v1:" + n + ":all"}, {otherClubAdmin, "urgadm:v1:" + n + ":show"},
			{otherClubAdmin, "urgadm:v1:" + n + ":don:" + itoa(memberD)}},
		"cinv": {{otherDonor, "cinv:v1:" + itoa(inv.ID) + ":y"}, {otherDonor, "cinv:v1:" + itoa(inv.ID) + ":n"}},
	}
	before := ownershipSnapshot(t, b)
	for _, name := range append(slices.Clone(ownedCommands), ownedCallbacks...) {
		if len(attempts[name]) == 0 {
			t.Errorf("%s has no attempt by another owner", name)
		}
		for _, a := range attempts[name] {
			seen := len(a.who.Messages())
			var updateID int64
			if strings.HasPrefix(a.send, "/") {
				updateID = a.who.Send(a.send)
			} else {
				updateID = a.who.TapStale(1, a.send)
			}
			b.Settle()
			texts := []string{}
			if ans, ok := b.API.CallbackAnswer(updateID); ok {
				texts = append(texts, ans.Text)
			}
			for _, m := range a.who.Messages()[seen:] {
				texts = append(texts, m.Text+m.Caption)
				if m.Kind != "text" {
					t.Errorf("%q by another owner sent a %s", a.send, m.Kind)
				}
			}
			refused := slices.ContainsFunc(texts, func(s string) bool {
				return slices.ContainsFunc(ownershipRefusals, func(r string) bool { return strings.Contains(s, r) })
			})
			if !refused || len(texts) != 1 {
				t.Errorf("%q by another owner: got %q, want one ownership refusal", a.send, texts)
			}
			// A conversation the action might have opened would take the next text.
			a.who.Send("/cancel")
			b.Settle()
		}
	}
	if after := ownershipSnapshot(t, b); after != before {
		t.Errorf("actions by another owner changed the database:\nbefore: %s\nafter:  %s", before, after)
	}

	// The owners still may: an admin stops the club's alert, A's organizer
	// gets the poster of A's drive.
	root := b.Phone(rootID, "vi")
	upd := root.TapStale(1, "bcx:v1:"+itoa(alert.ID))
	b.Settle()
	if ans, ok := b.API.CallbackAnswer(upd); !ok || !strings.Contains(ans.Text, "Đã dừng") {
		t.Errorf("bcx by an admin: %+v", ans)
	}
	owner := b.Phone(orgA, "vi")
	owner.Send("/qr " + code)
	owner.ExpectMatch(func(m telegramtest.Message) bool { return m.Document != nil })
}

// ownershipSnapshot renders what an action on another owner's object could
// change: drives, registrations and results, campaigns, exports, needs and
// their alerts, broadcast cancellations,, club memberships and invitations.
func ownershipSnapshot(t *testing.T, b *bottest.Bot) string {
	t.Helper()
	var s string
	const q = `SELECT concat_ws(' | ',
		(SELECT string_agg(concat_ws(',', id, status, title, venue, hospital, target_units, starts_at, ends_at, campaign_id), ';' ORDER BY id) FROM drives),
		(SELECT string_agg(concat_ws(',', id, autofill, autofill_paused, invite_checkpoints), ';' ORDER BY id) FROM drives),
		(SELECT string_agg(concat_ws(',', id, capacity), ';' ORDER BY id) FROM drive_slots),
		(SELECT string_agg(concat_ws(',', id, status, checked_in_at), ';' ORDER BY id) FROM registrations),
		(SELECT count(*) FROM donations), (SELECT count(*) FROM deferrals), (SELECT count(*) FROM campaigns),
		(SELECT count(*) FROM export_audit),
		(SELECT string_agg(concat_ws(',', id, status, audience, accepted, closed_at), ';' ORDER BY id) FROM needs),
		(SELECT string_agg(concat_ws(',', need_id, donor_id, answer, covered_at, donated_at), ';' ORDER BY need_id, donor_id) FROM need_alerts),
		(SELECT string_agg(concat_ws(',', id, cancelled_at), ';' ORDER BY id) FROM broadcasts),
		(SELECT count(*) FROM broadcast_deliveries WHERE status = 'cancelled'),
		(SELECT string_agg(concat_ws(',', unit_id, donor_id), ';' ORDER BY unit_id, donor_id) FROM unit_members),
		(SELECT string_agg(concat_ws(',', id, status, closed_at), ';' ORDER BY id) FROM club_invitations))`
	if err := b.Store.DB().Get(&s, q); err != nil {
		t.Fatal(err)
	}
	return s
}
