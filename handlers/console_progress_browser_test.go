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
	"donorbot/internal/testenv"
	"donorbot/storage"
	"donorbot/webapp"
)

// consoleBrowser opens the console page in a headless Chromium as user id,
// with a Telegram.WebApp that hands the page initData signed for the bot,
// as Telegram does. Telegram's own script is blocked: the test runs
// offline. A missing browser fails the test rather than skipping it.
func consoleBrowser(t *testing.T, b *bottest.Bot, id int64, lang, hash string) context.Context {
	t.Helper()
	exe := os.Getenv("CHROMIUM")
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if exe == "" {
			exe, _ = exec.LookPath(name)
		}
	}
	if exe == "" {
		t.Fatal("the console's browser test needs Chromium: apt-get install -y chromium (or set CHROMIUM)")
	}
	profile, err := os.MkdirTemp("", "console-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.UserDataDir(profile),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.WindowSize(420, 900))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	ctx, cancelTimeout := context.WithTimeout(ctx, time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		_ = os.RemoveAll(profile)
	})
	initData, err := json.Marshal(webapp.Sign(webapp.User{ID: id, FirstName: "Tester", LanguageCode: lang}, b.Cfg.Token, b.Now()))
	if err != nil {
		t.Fatal(err)
	}
	fake := `window.Telegram = {WebApp: {initData: ` + string(initData) + `, ready() {}, expand() {}}};`
	if err := chromedp.Run(ctx,
		network.Enable(), network.SetBlockedURLs([]string{"*telegram.org*"}),
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(fake).Do(ctx)
			return err
		}),
		chromedp.Navigate("http://"+b.Addr()+"/console/#"+hash),
	); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// funnelShows waits until the page's funnel shows the figures.
func funnelShows(t *testing.T, ctx context.Context, want storage.Progress) {
	t.Helper()
	sel := fmt.Sprintf(`#funnel[data-registered="%d"][data-arrived="%d"][data-donated="%d"]`,
		want.Registered, want.CheckedIn, want.Donated)
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Run(wait, chromedp.WaitVisible(sel, chromedp.ByQuery)); err != nil {
		var html string
		_ = chromedp.Run(ctx, chromedp.OuterHTML("main", &html, chromedp.ByQuery))
		t.Fatalf("the page never showed %s: %v\n%s", sel, err, html)
	}
}

// TestConsoleProgressPage: an organizer opens a drive's progress in the
// console: the funnel, a chart with its target line and the slots table
// show the plain counts; when a donation is recorded and the page comes
// back into view, it shows it without a reload; the campaign's screen
// shows its share of the plan with a target line too.
func TestConsoleProgressPage(t *testing.T) {
	adminID, orgID := testenv.TelegramID(), testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	ctx := context.Background()
	s := b.Store
	if err := s.GrantRole(ctx, orgID, storage.RoleOrganizer, 0, adminID); err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateCampaign(ctx, fmt.Sprintf("Giọt hồng %d", orgID), adminID)
	if err != nil {
		t.Fatal(err)
	}
	d, slot := campaignDrive(t, b, c.ID, "Đợt 1", 4, 2)
	donors := testenv.TelegramIDs(3)
	var regs []drive.Registration
	for i, id := range donors {
		seedDonor(t, b, seededDonor{id: id, name: fmt.Sprintf("Người hiến trang %d", i), phone: fmt.Sprintf("+8494%03d%04d", i, orgID%10000)})
		reg := registerScreened(t, b, id, slot.ID, `[]`, 450)
		regs = append(regs, reg)
		if i == 0 {
			checkInAndDonate(t, b, reg, orgID, 350)
		}
	}

	browser := consoleBrowser(t, b, orgID, "vi", fmt.Sprintf("/drive/%d/progress", d.ID))
	funnelShows(t, browser, counted(t, b, `r.drive_id = $1`, d.ID))
	var target string
	var rows int
	if err := chromedp.Run(browser,
		chromedp.TextContent(`svg#chart`, &target, chromedp.ByQuery),
		chromedp.WaitVisible(`svg#chart line.target`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("main table tbody tr").length`, &rows),
	); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(target, "Chỉ tiêu mỗi khung giờ: 4") || rows != 1 {
		t.Errorf("chart text %q, %d slot rows", target, rows)
	}

	// Another donation; the page refreshes when it comes back into view.
	checkInAndDonate(t, b, regs[1], orgID, 450)
	if err := chromedp.Run(browser, chromedp.Evaluate(`document.dispatchEvent(new Event("visibilitychange"))`, nil)); err != nil {
		t.Fatal(err)
	}
	funnelShows(t, browser, counted(t, b, `r.drive_id = $1`, d.ID))

	var plan string
	if err := chromedp.Run(browser,
		chromedp.Click(`[data-nav="campaign"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#plan[data-percent="50"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`svg#chart line.target`, chromedp.ByQuery),
		chromedp.Text(`#plan`, &plan, chromedp.ByQuery),
	); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "2 đơn vị máu qua 1 đợt = 50% kế hoạch") {
		t.Errorf("campaign plan: %q", plan)
	}
}
