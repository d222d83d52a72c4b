package handlers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"donorbot/internal/bottest"
	"donorbot/storage"
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
		"addmember": clubAdminsOnly,
	}
	authzCallbacks = map[string][]string{
		"consent": anyone, "step": anyone, "unitpg": anyone, "edit": anyone, "forget": anyone,
		"lang": anyone, "scr": anyone, "drv": anyone, "drvpg": anyone, "remind": anyone, "rchk": anyone,
		"nd": organizersOnly, "cdrv": organizersOnly, "bcx": organizersOnly, "edrv": organizersOnly,
		"exp": organizersOnly, "ci": organizersOnly, "res": organizersOnly, "resk": organizersOnly,
		"resd": organizersOnly, "resfix": organizersOnly,
		// urg answers only the tapper's own alert (TestUrgentRights); urgadm
		// also checks the need's club.
		"avail": anyone, "urg": anyone, "un": clubAdminsOnly, "urgadm": clubAdminsOnly,
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
	b := bottest.Start(t, bottest.Admins(88405))
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
		p := b.Phone(int64(88401+i), "vi")
		phones[role] = p
		if role != stranger {
			onboard(t, b, p, "Người Dùng "+strings.ToUpper(role[:1]))
			p.Expect("Cảm ơn")
		}
	}
	if err := b.Store.GrantRole(ctx, 88403, storage.RoleClubAdmin, unit.ID, 0); err != nil {
		t.Fatal(err)
	}
	if err := b.Store.GrantRole(ctx, 88404, storage.RoleOrganizer, 0, 0); err != nil {
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
