package playground_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"donorbot/bot"
	"donorbot/drive"
	"donorbot/playground"
)

// inConsole runs js in the console's page (the panel's iframe), where the
// console's own globals (console_) are in scope, and stores its value.
func inConsole(js string) string {
	return fmt.Sprintf(`(() => { const f = document.getElementById("console-frame"); `+
		`return f && f.contentWindow && f.contentWindow.document.readyState === "complete" ? f.contentWindow.eval(%s) : null; })()`,
		strconv.Quote(js))
}

// pollConsole waits until js, run in the console's page, is truthy.
func (p page) pollConsole(what, js string, res any) {
	p.t.Helper()
	err := chromedp.Run(p.ctx, chromedp.Poll(inConsole(js), res, chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		var shown string
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		defer cancel()
		_ = chromedp.Run(ctx, chromedp.Evaluate(inConsole(`location.hash + "\n" + document.getElementById("view").innerText`), &shown))
		p.t.Fatalf("%s: %v\nthe console shows: %s", what, err, shown)
	}
}

// openConsoleAsMai opens Mai's chat, where the bot's menu button (set at
// start for organizers and admins) opens the console in the panel, and
// waits for its first screen: signed in (GET /me answered), greeting her.
func (p page) openConsoleAsMai() {
	p.t.Helper()
	var loaded bool
	p.run("is the page open", chromedp.Evaluate(`!!document.querySelector("nav button")`, &loaded))
	open := chromedp.Navigate(p.pg.URL + "#910004")
	if loaded { // a new hash alone would not switch the chat
		open = chromedp.Click(`//nav/button[contains(., "Mai")]`, chromedp.BySearch)
	}
	p.run("open Mai's chat", open,
		chromedp.WaitVisible(`//nav/button[contains(., "Mai")][contains(@class, "active")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//button[@id="menu-button"][contains(., "Bảng điều khiển")]`, chromedp.BySearch),
		chromedp.WaitVisible("#console-frame", chromedp.ByID))
	p.pollConsole("the console's first screen, signed in as Mai",
		`document.getElementById("title").textContent === "Ngày hội của tôi" && document.getElementById("view").innerText.includes("Chào Mai")`, nil)
	// Offline, nothing of the panel's page waits for telegram.org.
	var fetched bool
	p.run("Telegram's script", chromedp.Evaluate(inConsole(`!!document.querySelector('script[src*="telegram.org"]')`), &fetched))
	if fetched {
		p.t.Error("the console in the panel loads Telegram's script")
	}
}

// TestConsolePanelOpens: as Mai (organizer and admin), the chat's menu
// button is the console and a panel beside the chat shows it, signed in
// with initData the playground signed for her (the console's GET /me
// accepts it); the simulated scanner lists the people with a check-in code
// and hands the console exactly the text of their /mycode QR; Lan, a
// donor, has neither menu button nor panel.
func TestConsolePanelOpens(t *testing.T) {
	pg := start(t)
	p := page{t: t, ctx: browser(t), pg: pg}
	p.openConsoleAsMai()

	var scanned string
	p.run("open the scanner from the console",
		chromedp.Evaluate(inConsole(`window.scanned = null; console_.tg().showScanQrPopup({text: "Quét mã"}, (t) => { window.scanned = t; return true; }); true`), nil),
		chromedp.WaitVisible(`//div[@id="scanner"]//button[@data-person="910005"]`, chromedp.BySearch),
		chromedp.Click(`//div[@id="scanner"]//button[@data-person="910005"]`, chromedp.BySearch),
		chromedp.WaitNotVisible("#scanner", chromedp.ByID))
	p.pollConsole("the scanned text", `window.scanned`, &scanned)
	key := bot.Config{Token: pg.API.Token()}.CheckinKey()
	if id, err := drive.ParseCheckinCode(key, scanned, time.Now()); err != nil || id != playground.ReturningDonorID {
		t.Errorf("scanned %q: Telegram id %d, %v; want Bình's check-in code", scanned, id, err)
	}
	var listed []string
	p.run("who can be scanned", chromedp.Evaluate(`[...document.querySelectorAll("#scanner-people button")].map(b => b.dataset.person)`, &listed))
	if len(listed) != 1 || listed[0] != "910005" {
		t.Errorf("scannable people %v; want only Bình, the one with a finished profile", listed)
	}

	// Closed, it stays closed; her /help's "Open console" button opens it.
	p.run("close the panel",
		chromedp.Click("#console-close", chromedp.ByID),
		chromedp.WaitNotVisible("#console", chromedp.ByID))
	p.send("/help")
	p.expect("Bảng điều khiển:")
	p.tap("Mở bảng điều khiển")
	p.run("the panel again", chromedp.WaitVisible("#console-frame", chromedp.ByID))
	p.pollConsole("the console's first screen again", `document.getElementById("view").innerText.includes("Chào Mai")`, nil)

	var hidden bool
	p.run("Lan's chat has no console",
		chromedp.Click(`//nav/button[contains(., "Lan")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//nav/button[contains(., "Lan")][contains(@class, "active")]`, chromedp.BySearch),
		chromedp.Poll(`document.getElementById("console").hidden && document.getElementById("menu-button").hidden`, &hidden,
			chromedp.WithPollingTimeout(10*time.Second)))
}

// TestConsoleDriveDay is issue 20's drive day in the browser: Mai creates
// a drive for today in the console's form, Lan registers for it in the
// chat, Mai checks her in at the gate by "scanning" her /mycode, records
// her donation, and the drive's progress shows one donation.
func TestConsoleDriveDay(t *testing.T) {
	// The drive starts today inside the check-in window whenever the test
	// runs: the bot's clock reads 09:00 in Vietnam today and runs on.
	wall := time.Now().In(vietnam(t))
	nine := time.Date(wall.Year(), wall.Month(), wall.Day(), 9, 0, 0, 0, wall.Location())
	offset := nine.Sub(wall)
	clock := func() time.Time { return time.Now().Add(offset) }
	now := clock().In(vietnam(t))
	from := nine.Add(30 * time.Minute)
	pg := start(t, playground.WithClock(clock))
	p := page{t: t, ctx: browser(t), pg: pg}
	const title = "Ngày hội thử bảng điều khiển"

	p.openConsoleAsMai()
	p.run("open the new drive form", chromedp.Evaluate(inConsole(`console_.go("/drives/new"); true`), nil))
	p.pollConsole("the form", `!!document.querySelector("[name=title]") && !!document.getElementById("save-drive")`, nil)
	fields := map[string]string{"title": title, "date": now.Format("2006-01-02"), "from": from.Format("15:04"),
		"to": from.Add(time.Hour).Format("15:04"), "every": "30", "seats": "10", "target": "20", "announce_at": ""}
	// The first choice of each picker (the demo data's), once loaded; the
	// drive is for every donor (the unit picker's "0"), so Lan sees it.
	for _, name := range []string{"campaign", "wave", "venue", "hospital"} {
		p.pollConsole("pick "+name, fmt.Sprintf(`(() => {
			const s = document.querySelector("[name=%s]");
			if (!s) return false;
			const o = [...s.options].find(o => o.value && o.value !== "0" && o.value !== "new");
			if (!o) return false;
			s.value = o.value;
			s.dispatchEvent(new Event("change", {bubbles: true}));
			return true;
		})()`, name), nil)
	}
	for name, v := range fields {
		p.pollConsole("fill "+name, fmt.Sprintf(`(() => {
			const i = document.querySelector("[name=%s]");
			if (!i) return false;
			i.value = %s;
			i.dispatchEvent(new Event("input", {bubbles: true}));
			i.dispatchEvent(new Event("change", {bubbles: true}));
			return true;
		})()`, name, strconv.Quote(v)), nil)
	}
	var driveID string
	p.run("save the drive", chromedp.Evaluate(inConsole(`document.getElementById("save-drive").click(); true`), nil))
	p.pollConsole("the drive's home", `(location.hash.match(/^#\/drive\/(\d+)$/) || [])[1]`, &driveID)

	p.run("open Lan's chat",
		chromedp.Click(`//nav/button[contains(., "Lan")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//nav/button[contains(., "Lan")][contains(@class, "active")]`, chromedp.BySearch))
	p.onboardLan()
	p.send("/drives")
	p.expect(title)
	p.tap("Đăng ký: " + title)
	p.expect("Chọn khung giờ")
	p.run("tap the first slot", chromedp.Click(
		`(//div[contains(@class,"msg")][contains(., "Chọn khung giờ")])[last()]//div[@class="inline"]//button[1]`, chromedp.BySearch))
	p.expect("câu hỏi sàng lọc")
	p.answerScreening()
	p.expect("Đã xác nhận")

	p.openConsoleAsMai()
	p.run("open the gate", chromedp.Evaluate(inConsole(`console_.go("/drive/`+driveID+`/gate"); true`), nil))
	p.pollConsole("the scan button", `!!document.getElementById("scan")`, nil)
	p.run("scan Lan's /mycode",
		chromedp.Evaluate(inConsole(`document.getElementById("scan").click(); true`), nil),
		chromedp.WaitVisible(`//div[@id="scanner"]//button[@data-person="910001"]`, chromedp.BySearch),
		chromedp.Click(`//div[@id="scanner"]//button[@data-person="910001"]`, chromedp.BySearch))
	p.pollConsole("Lan's card", `!!document.getElementById("desk-card")`, nil)
	// The one tap at the gate (absent if the scan already checked her in).
	p.run("mark her arrived", chromedp.Evaluate(inConsole(`const b = document.getElementById("mark-arrived"); if (b) b.click(); true`), nil))
	p.pollConsole("arrived", `document.getElementById("desk-card").dataset.status === "arrived" && !!document.querySelector("[data-volume]")`, nil)
	p.run("record her donation", chromedp.Evaluate(inConsole(`document.querySelector("[data-volume]").click(); true`), nil))
	p.pollConsole("donated", `document.getElementById("desk-card").dataset.status === "donated"`, nil)

	p.run("open the progress", chromedp.Evaluate(inConsole(`console_.go("/drive/`+driveID+`/progress"); true`), nil))
	p.pollConsole("one donation in the funnel", `(document.getElementById("funnel") || {dataset: {}}).dataset.donated === "1"`, nil)
}

// onboardLan gives Lan a profile in her chat, as in the registration test.
func (p page) onboardLan() {
	p.t.Helper()
	p.send("/start")
	p.tap("✅ Tôi đồng ý")
	p.expect("Bước 1/7")
	p.send("Nguyễn Thị Lan")
	p.expect("Bước 2/7")
	p.run("tap the contact button",
		chromedp.WaitVisible("#keyboard button.contact", chromedp.ByQuery),
		chromedp.Click("#keyboard button.contact", chromedp.ByQuery))
	p.expect("Bước 3/7")
	p.tap("Nữ")
	p.expect("Bước 4/7")
	p.send("25/03/1995")
	p.expect("Bước 5/7")
	p.send("52,5 kg")
	p.expect("Bước 6/7")
	p.tap("O+")
	p.expect("Bước 7/7")
	p.tap("Bỏ qua")
	p.expect("Cảm ơn Lan!")
}

func vietnam(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
