package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
	"donorbot/webapp"
)

// TestConsoleSignIn: the console answers only requests whose initData
// Telegram signed for this bot recently, and only organizers and admins;
// it speaks the user's language.
func TestConsoleSignIn(t *testing.T) {
	adminID, orgID, donorID := testenv.TelegramID(), testenv.TelegramID(), testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	if err := b.Store.GrantRole(context.Background(), orgID, storage.RoleOrganizer, 0, adminID); err != nil {
		t.Fatal(err)
	}

	var me struct {
		ID    int64
		Lang  string
		Admin bool
		Texts map[string]any
	}
	res := b.Console(orgID, "en").Get("/me")
	if res.Status != http.StatusOK {
		t.Fatalf("organizer: %d %s", res.Status, res.Body)
	}
	res.Decode(t, &me)
	if me.ID != orgID || me.Lang != "en" || me.Admin || me.Texts["console_title"] != "Console" {
		t.Fatalf("organizer's /me = %+v", me)
	}
	res = b.Console(adminID, "vi").Get("/me")
	res.Decode(t, &me)
	if res.Status != http.StatusOK || !me.Admin || me.Texts["console_title"] != "Bảng điều khiển" {
		t.Fatalf("admin's /me = %d %+v", res.Status, me)
	}

	refused := func(name string, c *bottest.Console, status int, code string) {
		t.Helper()
		res := c.Get("/me")
		if res.Status != status || res.Error() != code {
			t.Errorf("%s: %d %s, want %d %s", name, res.Status, res.Body, status, code)
		}
	}
	refused("a donor", b.Console(donorID, "vi"), http.StatusForbidden, "forbidden")

	forged := b.Console(donorID, "vi")
	// The donor's own signed data with the organizer's id put in.
	forged.InitData = webapp.Sign(webapp.User{ID: donorID, FirstName: "Tester"}, b.Cfg.Token, b.Now())
	forged.InitData = replaceUser(t, forged.InitData, orgID)
	refused("a forged user", forged, http.StatusUnauthorized, "unauthorized")

	stale := b.Console(orgID, "vi")
	stale.InitData = webapp.Sign(stale.User, b.Cfg.Token, b.Now().Add(-25*time.Hour))
	refused("stale initData", stale, http.StatusUnauthorized, "unauthorized")

	otherBot := b.Console(orgID, "vi")
	otherBot.InitData = webapp.Sign(otherBot.User, "999999:another-bots-token", b.Now())
	refused("another bot's initData", otherBot, http.StatusUnauthorized, "unauthorized")

	none := b.Console(orgID, "vi")
	none.InitData = " "
	refused("no initData", none, http.StatusUnauthorized, "unauthorized")

	if res := b.Console(orgID, "vi").Get("/nothing-here"); res.Status != http.StatusNotFound {
		t.Errorf("unknown endpoint: %d", res.Status)
	}
}

// TestConsolePageServed: the page and its scripts come from the binary.
func TestConsolePageServed(t *testing.T) {
	b := bottest.Start(t)
	for _, path := range []string{"/console/", "/console/app.js", "/console/style.css"} {
		res, err := http.Get("http://" + b.Addr() + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
	}
}

// replaceUser swaps the user id in signed initData, keeping the hash.
func replaceUser(t *testing.T, raw string, id int64) string {
	t.Helper()
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	v.Set("user", fmt.Sprintf(`{"id":%d,"first_name":"Tester"}`, id))
	return v.Encode()
}
