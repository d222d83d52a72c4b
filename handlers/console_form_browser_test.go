package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/webapp"
)

// TestConsoleFormInBrowser: an organizer fills the drive form in the
// console as a phone shows it: the slot preview follows the times as they
// are typed, a partial last slot and a missing title are explained beside
// their inputs, and the saved drive opens its page.
func TestConsoleFormInBrowser(t *testing.T) {
	exe := os.Getenv("CHROMIUM")
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if exe == "" {
			exe, _ = exec.LookPath(name)
		}
	}
	if exe == "" {
		t.Fatal("the console's browser test needs Chromium: apt-get install -y chromium (or set CHROMIUM)")
	}
	b := bottest.Start(t)
	ctx := context.Background()
	orgID, unit := unitOrganizer(t, b)
	hospitals, err := b.Store.Hospitals(ctx)
	if err != nil || len(hospitals) == 0 {
		t.Fatalf("hospitals: %v %v", hospitals, err)
	}

	profile, err := os.MkdirTemp("", "console-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.UserDataDir(profile),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.WindowSize(420, 900))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	bctx, cancelTimeout := context.WithTimeout(bctx, 2*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		_ = os.RemoveAll(profile)
	})

	// Telegram's script is not fetched: the page gets the WebApp object a
	// phone's Telegram would give it, with initData signed for the organizer.
	initData := webapp.Sign(webapp.User{ID: orgID, FirstName: "Lan", LanguageCode: "vi"}, b.Cfg.Token, b.Now())
	quoted, _ := json.Marshal(initData)
	fake := `window.Telegram = {WebApp: {initData: ` + string(quoted) + `, ready() {}, expand() {},
		BackButton: {show() {}, hide() {}, onClick() {}}}};`
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(bctx, actions...); err != nil {
			var screen string
			_ = chromedp.Run(bctx, chromedp.Evaluate(`document.body.innerText`, &screen))
			t.Fatalf("%s: %v\nscreen:\n%s", what, err, screen)
		}
	}
	poll := func(js string) chromedp.Action {
		return chromedp.Poll(js, nil, chromedp.WithPollingTimeout(20*time.Second))
	}
	set := func(name, value string) chromedp.Action {
		return chromedp.Evaluate(fmt.Sprintf(`(() => { const e = document.querySelector('[name=%q]');
			e.value = %q; e.dispatchEvent(new Event('input')); e.dispatchEvent(new Event('change')); })()`, name, value), nil)
	}
	preview := func(want string) chromedp.Action {
		return poll(fmt.Sprintf(`document.getElementById('slot-preview').textContent.includes(%q)`, want))
	}
	errorBeside := func(field, want string) chromedp.Action {
		return poll(fmt.Sprintf(`(() => { const p = document.querySelector('[data-error-for=%q]');
			return !!p && !p.hidden && p.textContent.includes(%q); })()`, field, want))
	}

	run("open the form",
		network.Enable(),
		network.SetBlockedURLs([]string{"*telegram.org*"}),
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(fake).Do(ctx)
			return err
		}),
		chromedp.Navigate("http://"+b.Addr()+"/console/#/drives/new"),
		chromedp.WaitVisible("#save-drive", chromedp.ByID),
		preview("8 khung giờ 30 phút, 80 chỗ"))
	run("the preview follows the fields",
		set("every", "60"), preview("4 khung giờ 60 phút, 40 chỗ"),
		set("to", "11:15"), preview("khung cuối sẽ bị lẻ"),
		set("every", "45"), preview("5 khung giờ 45 phút, 50 chỗ"))
	run("field errors beside their inputs",
		set("title", ""), chromedp.Click("#save-drive", chromedp.ByID),
		errorBeside("title", "Hãy nhập tên ngày hội"), errorBeside("hospital", "Hãy chọn bệnh viện"),
		errorBeside("venue", "Hãy chọn địa điểm"))

	title := "Ngày hội trên điện thoại " + itoa(orgID)
	// The drive's page is another part's screen: note where the form goes.
	run("watch navigation", chromedp.Evaluate(`window.wentTo = []; const go = console_.go;
		console_.go = (path) => { window.wentTo.push(path); go(path); };`, nil))
	run("fill the form and save",
		set("title", title), set("venue", "new"),
		set("venue_name", "Nhà văn hóa"), set("venue_address", "5 Trần Phú"), set("venue_province", "hn"),
		set("hospital", fmt.Sprint(hospitals[0].ID)), set("unit", fmt.Sprint(unit.ID)),
		set("date", b.Now().AddDate(0, 0, 7).Format(time.DateOnly)), set("to", "11:30"), set("every", "30"),
		chromedp.Click("#save-drive", chromedp.ByID),
		poll(`window.wentTo.some((p) => /^\/drive\/\d+$/.test(p))`))
	var went string
	run("read where it went", chromedp.Evaluate(`window.wentTo.find((p) => /^\/drive\/\d+$/.test(p))`, &went))
	var driveID int64
	if _, err := fmt.Sscanf(strings.TrimPrefix(went, "/drive/"), "%d", &driveID); err != nil {
		t.Fatalf("went to %q: %v", went, err)
	}
	d, err := b.Store.Drive(ctx, driveID)
	if err != nil {
		t.Fatal(err)
	}
	slots, err := b.Store.DriveSlots(ctx, driveID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != title || d.AudienceUnitID != unit.ID || d.Venue != "Nhà văn hóa, 5 Trần Phú, Hà Nội" ||
		len(slots) != 8 || drive.Seats(slots) != 80 || d.Status != drive.StatusPublished {
		t.Fatalf("saved %+v with %d slots", d, len(slots))
	}

	// A copy opens prefilled but for the date.
	run("open a copy",
		chromedp.Evaluate(fmt.Sprintf(`location.hash = "#/drives/new?copy=%d"`, driveID), nil),
		poll(fmt.Sprintf(`(() => { const f = document.getElementById('drive-form');
			return !!f && f.elements.title.value === %q && f.elements.date.value === "" &&
				f.elements.venue.value === %q; })()`, title, fmt.Sprint(d.VenueID))))
}
