package playground_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"donorbot/internal/testenv"
	"donorbot/playground"
	"donorbot/telegramtest"
)

// chromium finds the browser the end-to-end test drives. A missing browser
// fails the test: it never skips silently.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("the playground's browser test needs Chromium: apt-get install -y chromium " +
		"(or set CHROMIUM to a Chrome/Chromium binary); .ci/run installs it")
	return ""
}

// browser opens a headless Chromium with a fresh profile for the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := chromium(t)
	// Not t.TempDir: Chromium may still be writing its profile when
	// TempDir's own cleanup runs, which would fail the test.
	profile, err := os.MkdirTemp("", "playground-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(900, 1000),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc() // waits for the browser to exit
		for range 50 {
			if err = os.RemoveAll(profile); err == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("left the browser profile %s: %v", profile, err)
	})
	return ctx
}

// page plays one user on the chat page through the browser.
type page struct {
	t   *testing.T
	ctx context.Context
	pg  *playground.Instance
}

func (p page) run(what string, actions ...chromedp.Action) {
	p.t.Helper()
	if err := chromedp.Run(p.ctx, actions...); err != nil {
		msgs := p.pg.API.Conversation(910001)
		if len(msgs) > 4 {
			msgs = msgs[len(msgs)-4:]
		}
		var answers []string
		for _, c := range p.pg.API.CallsOf("answerCallbackQuery") {
			answers = append(answers, c.Params["text"])
		}
		p.t.Fatalf("%s: %v\nscreen:\n%s\nthe emulator's last messages: %+v\ncallback answers: %q, pending updates %d",
			what, err, p.screen(), msgs, answers, p.pg.API.PendingUpdates())
	}
}

// screen is the chat's text as shown.
func (p page) screen() string {
	var s string
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	var status string
	if err := chromedp.Run(ctx, chromedp.Text("#chat", &s, chromedp.ByID), chromedp.Text("#status", &status, chromedp.ByID)); err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	return s + "\nstatus line: " + status
}

// expect waits until a message of the bot on the screen shows text.
func (p page) expect(text string) {
	p.t.Helper()
	js := fmt.Sprintf(`[...document.querySelectorAll("#chat .msg.bot")].some(m => m.innerText.includes(%s))`, strconv.Quote(text))
	p.run("wait for "+strconv.Quote(text), chromedp.Poll(js, nil, chromedp.WithPollingTimeout(20*time.Second)))
}

// send types text into the composer and sends it.
func (p page) send(text string) {
	p.t.Helper()
	p.run("send "+text,
		chromedp.SetValue("#input", text, chromedp.ByID),
		chromedp.Click("#send", chromedp.ByID))
}

// tap clicks the newest button labelled label: inline or reply keyboard.
func (p page) tap(label string) {
	p.t.Helper()
	xp := fmt.Sprintf(`(//button[normalize-space(.)=%s])[last()]`, xpathString(label))
	p.run("tap "+label, chromedp.Click(xp, chromedp.BySearch))
}

// tapIn clicks the button labelled label under the bot message with id.
func (p page) tapIn(id int, label string) {
	p.t.Helper()
	xp := fmt.Sprintf(`//div[@data-id="%d"]//button[normalize-space(.)=%s]`, id, xpathString(label))
	p.run("tap "+label, chromedp.Click(xp, chromedp.BySearch))
}

func xpathString(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return "'" + s + "'"
}

// TestBrowserOnboardingAndRegistration clicks through onboarding and a
// drive registration as the donor Lan in headless Chromium, reading what the
// page shows: messages, inline buttons, the contact button of the reply
// keyboard and the calendar file the bot sends.
func TestBrowserOnboardingAndRegistration(t *testing.T) {
	pg := start(t)
	ctx := browser(t)
	p := page{t: t, ctx: ctx, pg: pg}
	p.run("open the page",
		chromedp.Navigate(pg.URL+"#910001"),
		chromedp.WaitVisible(`//nav/button[contains(., "Lan")][contains(@class, "active")]`, chromedp.BySearch))

	p.send("/start")
	p.expect("Nghị định 13/2023")
	p.tap("✅ Tôi đồng ý")
	p.expect("Bước 1/7")
	p.send("Nguyễn Thị Lan")
	p.expect("Bước 2/7")
	p.run("tap the contact button",
		chromedp.WaitVisible("#keyboard button.contact", chromedp.ByQuery),
		chromedp.Click("#keyboard button.contact", chromedp.ByQuery))
	p.expect("0901 000 001")
	p.expect("Bước 3/7")
	p.tap("Nữ")
	p.expect("Bước 4/7")
	p.send("25/03/1995")
	p.expect("Bước 5/7")
	p.send("52,5 kg")
	p.expect("Bước 6/7")
	p.tap("O+")
	p.expect("Bước 7/7") // the demo clubs exist
	p.tap("Bỏ qua")
	p.expect("Cảm ơn Lan!")

	p.send("/drives")
	p.expect("Ngày hội hiến máu Chủ nhật Đỏ")
	p.tap("Đăng ký: Ngày hội hiến máu Chủ nhật Đỏ")
	p.expect("Chọn khung giờ")
	// The first slot holds two demo donors of three seats.
	p.run("tap the first slot", chromedp.Click(
		`(//div[contains(@class,"msg")][contains(., "Chọn khung giờ")])[last()]//button[contains(., "(còn 1)")]`, chromedp.BySearch))
	p.expect("câu hỏi sàng lọc")
	p.answerScreening()
	p.expect("Đã xác nhận")
	p.run("calendar file shown as a download",
		chromedp.WaitVisible(`//a[contains(@class,"file")][contains(@href,"download=1")][contains(., ".ics")]`, chromedp.BySearch))

	// Lan's chat as a whole: her own messages on the right, nothing
	// unreadable, and the other users untouched (but Bình, whom the
	// scheduler recalls at the start).
	var userMsgs, badges int
	p.run("count",
		chromedp.Evaluate(`document.querySelectorAll("#chat .msg.user").length`, &userMsgs),
		chromedp.Evaluate(`document.querySelectorAll("nav button:not([data-user='910005']) .badge").length`, &badges))
	if userMsgs < 6 || badges != 0 {
		t.Errorf("%d user messages, %d unread badges; want at least 6 and none", userMsgs, badges)
	}
	// Edited messages are replaced in place: each answered screening
	// question (question 1, then the others asked together) was edited to
	// drop its buttons.
	var edited, editedWithButtons int
	p.run("count edited",
		chromedp.Evaluate(`[...document.querySelectorAll("#chat .msg.bot")].filter(m => m.querySelector(".meta").textContent.startsWith("edited") && m.innerText.startsWith("Câu ")).length`, &edited),
		chromedp.Evaluate(`[...document.querySelectorAll("#chat .msg.bot")].filter(m => m.querySelector(".meta").textContent.startsWith("edited") && m.innerText.startsWith("Câu ") && m.querySelector(".inline button")).length`, &editedWithButtons))
	if edited != 2 || editedWithButtons != 0 {
		t.Errorf("%d edited questions, %d answered questions still with buttons; want 2 and none", edited, editedWithButtons)
	}

	// Another user gets a message while Lan's chat is open: a badge on
	// their tab, and their chat when switched to.
	mai := playground.Users()[3]
	pg.API.SendText(telegramtest.User{ID: mai.ID, FirstName: mai.Name, LanguageCode: mai.Lang}, "/help")
	// The tabs are drawn anew whenever a message arrives, so the click
	// finds and presses the tab in one step inside the page: a node found
	// by one protocol call may be gone by the next.
	const openMai = `(() => {
		const b = [...document.querySelectorAll("nav button")].find(b => b.textContent.includes("Mai"));
		if (!b) return false;
		if (b.classList.contains("active")) return true;
		b.click();
		return false;
	})()`
	p.run("badge on the organizer's tab",
		chromedp.WaitVisible(`//nav/button[contains(., "Mai")]/span[@class="badge"][normalize-space(.)="1"]`, chromedp.BySearch),
		chromedp.Poll(openMai, nil, chromedp.WithPollingTimeout(10*time.Second)))
	p.expect("/newdrive")
	var lanBadge int
	p.run("no badge on the open chat", chromedp.Evaluate(`document.querySelectorAll("nav button:not([data-user='910005']) .badge").length`, &lanBadge))
	if lanBadge != 0 {
		t.Errorf("%d badges after switching to the organizer, want none", lanBadge)
	}

	// A picture sent as a file: the A4 poster of the half-full demo drive,
	// previewed above its download link.
	var code string
	if err := testenv.DB(t).Get(&code, `SELECT code FROM drives WHERE wave = 'Đợt 1'`); err != nil {
		t.Fatal(err)
	}
	p.send("/qr " + code)
	p.run("the poster previewed with its download link",
		chromedp.Poll(`[...document.querySelectorAll("#chat .msg.bot")].some(m => { const i = m.querySelector("img.preview"), a = m.querySelector("a.file");
			return i && i.complete && i.naturalWidth >= 2480 && a && a.download.endsWith(".png"); })`, nil,
			chromedp.WithPollingTimeout(20*time.Second)))

	// Markup the bot sends with parse_mode HTML is shown with Telegram's
	// tags only: no element or link from the text can run script.
	form := url.Values{"chat_id": {strconv.FormatInt(mai.ID, 10)}, "parse_mode": {"HTML"},
		"text": {`<b>đậm</b> &lt;img src=x onerror="document.title='pwned'"&gt; <a href="javascript:document.title='pwned'">link</a> <i>nghiêng</i>`}}
	res, err := http.PostForm(pg.API.URL()+"/bot"+pg.API.Token()+"/sendMessage", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	p.expect("nghiêng")
	var html struct {
		Bold, Italic, Imgs, Scripted int
		Title                        string
	}
	p.run("inspect the HTML message", chromedp.Evaluate(`(() => {
		const m = [...document.querySelectorAll("#chat .msg.bot")].pop();
		return {
			Bold: m.querySelectorAll("b").length,
			Italic: m.querySelectorAll("i").length,
			Imgs: m.querySelectorAll("img").length,
			Scripted: [...m.querySelectorAll("a")].filter(a => a.href.startsWith("javascript")).length,
			Title: document.title,
		};
	})()`, &html))
	if html.Bold != 1 || html.Italic != 1 || html.Imgs != 0 || html.Scripted != 0 || html.Title != "donorbot playground" {
		t.Errorf("HTML message rendered as %+v; want one <b>, one <i>, no <img>, no javascript: link, title untouched", html)
	}
	// What a user types is text, never markup.
	p.send("<b>not bold</b>")
	p.run("user text shown as typed", chromedp.Poll(
		`[...document.querySelectorAll("#chat .msg.user")].some(m => m.innerText.includes("<b>not bold</b>") && !m.querySelector("b"))`, nil,
		chromedp.WithPollingTimeout(10*time.Second)))

	// The QR poster's deep link, "scanned" by Lan: her chat opens with
	// /start d_<code>, and the bot answers with that drive. (Lan, whom this
	// test onboarded: the other tests of the package share the database.)
	p.run("open the deep link as Lan",
		chromedp.Click(`(//a[@class="deeplink"][contains(., "start=d_`+code+`")])[last()]`, chromedp.BySearch),
		chromedp.Click(`//span[@class="open-as"]/button[normalize-space(.)="Lan"]`, chromedp.BySearch),
		chromedp.WaitVisible(`//nav/button[contains(., "Lan")][contains(@class, "active")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//div[contains(@class,"msg user")][contains(., "/start d_`+code+`")]`, chromedp.BySearch),
		chromedp.Poll(`(() => {
			const ms = [...document.querySelectorAll("#chat .msg")];
			const i = ms.findIndex(m => m.classList.contains("user") && m.innerText.includes("/start d_"));
			return i >= 0 && ms.slice(i + 1).some(m => m.classList.contains("bot") && m.innerText.includes("Chủ nhật Đỏ"));
		})()`, nil, chromedp.WithPollingTimeout(20*time.Second)))

	if path := os.Getenv("PLAYGROUND_SCREENSHOT"); path != "" {
		var png []byte
		p.run("screenshot", chromedp.FullScreenshot(&png, 100))
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// answerScreening answers "Không" to every screening question, each in the
// message that asks it ("Không có điều nào" to those asked together), and confirms the answers at the review, until the
// bot concludes.
func (p page) answerScreening() {
	p.t.Helper()
	// The newest question with a "Không" button ("q:<id>") or review with a
	// "✅ Xác nhận" button ("r:<id>"), once the message answered before
	// (last) has lost its buttons: then both the bot's edit and its next
	// message are on the screen, and nothing moves under the click.
	const next = `(last) => {
		const ms = [...document.querySelectorAll("#chat .msg.bot")];
		if (ms.some(m => m.innerText.includes("Theo câu trả lời") || m.innerText.includes("Đã xác nhận"))) return "done";
		const prev = ms.find(m => Number(m.dataset.id) === last);
		if (prev && prev.querySelector(".inline button")) return "";
		const has = (m, label) => [...m.querySelectorAll(".inline button")].some(b => b.textContent.trim() === label);
		for (let i = ms.length - 1; i >= 0; i--) {
			const id = Number(ms[i].dataset.id), text = ms[i].innerText.trim();
			if (id <= last) break;
			if (has(ms[i], "Không") && text.startsWith("Câu ")) return "q:" + id;
			if (has(ms[i], "✅ Không có điều nào") && text.startsWith("Câu ")) return "g:" + id;
			if (has(ms[i], "✅ Xác nhận") && text.startsWith("Bạn xem lại")) return "r:" + id;
		}
		return "";
	}`
	last := 0
	for range 20 {
		var found string
		p.run("next question", chromedp.Poll(fmt.Sprintf("(%s)(%d)", next, last),
			&found, chromedp.WithPollingTimeout(20*time.Second)))
		if found == "done" {
			return
		}
		kind, n, _ := strings.Cut(found, ":")
		id, err := strconv.Atoi(n)
		if err != nil {
			p.t.Fatalf("next question: %q", found)
		}
		switch kind {
		case "r":
			p.tapIn(id, "✅ Xác nhận")
		case "g": // the questions asked together
			p.tapIn(id, "✅ Không có điều nào")
		default:
			p.tapIn(id, "Không")
		}
		last = id
	}
	p.t.Fatalf("screening did not end; screen:\n%s", p.screen())
}

// TestBrowserReturningDonor plays Bình, the regular donor of the demo data,
// in headless Chromium: the recall of the day they may donate again, the
// home menu (a reply keyboard) and what it opens, their history and the
// donor card the bot draws.
func TestBrowserReturningDonor(t *testing.T) {
	pg := start(t)
	ctx := browser(t)
	p := page{t: t, ctx: ctx, pg: pg}
	p.run("open the page",
		chromedp.Navigate(pg.URL+"#910005"),
		chromedp.WaitVisible(`//nav/button[contains(., "Bình")][contains(@class, "active")]`, chromedp.BySearch))

	// Whole blood 12 weeks ago: the scheduler's first run recalls them.
	p.expect("bạn đã có thể hiến máu lại")

	p.send("/start")
	p.expect("Chào Bình")
	p.run("the home menu is on screen",
		chromedp.WaitVisible(`//div[@id="keyboard"]//button[normalize-space(.)="📜 Lịch sử"]`, chromedp.BySearch))
	p.tap("📜 Lịch sử")
	p.expect("Lịch sử hiến máu của bạn")
	p.expect("Tổng cộng: 3 lần hiến máu")

	p.tap("🪪 Thẻ người hiến máu")
	var card struct{ Width, Height int }
	p.run("the donor card shown as an image", chromedp.Poll(`(() => {
		const img = [...document.querySelectorAll("#chat .msg.bot img")].pop();
		return img && img.complete && img.naturalWidth > 0 ? {Width: img.naturalWidth, Height: img.naturalHeight} : null;
	})()`, &card, chromedp.WithPollingTimeout(20*time.Second)))
	if card.Width < 1000 || card.Height < 600 {
		t.Errorf("donor card of %dx%d pixels; want one large enough to show at a drive", card.Width, card.Height)
	}

	p.tap("✅ Tôi hiến được chưa?")
	p.expect("bạn có thể hiến máu từ hôm nay")
}
