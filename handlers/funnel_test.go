package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/lib/pq"
	"github.com/xuri/excelize/v2"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// funnelCount is a funnel funnelCount straight from the tables, by queries of the
// test's own, not the product's.
type funnelCount struct {
	target, invited, invReg, invArr, invDon, registered, arrived, donated, announced, recalled int
}

func (c funnelCount) messages() int { return c.announced + c.invited + c.recalled }

func countFunnel(t *testing.T, b *bottest.Bot, driveIDs ...int64) funnelCount {
	t.Helper()
	ids := pq.Array(driveIDs)
	live := `r.status IN ('confirmed', 'attended', 'no_show', 'deferred')`
	invitee := `FROM drive_invitations i JOIN registrations r ON r.drive_id = i.drive_id AND r.donor_id = i.donor_id`
	var c funnelCount
	for _, q := range []struct {
		n   *int
		sql string
	}{
		{&c.target, `SELECT sum(target_units) FROM drives WHERE id = ANY($1)`},
		{&c.invited, `SELECT count(*) FROM drive_invitations WHERE drive_id = ANY($1)`},
		{&c.invReg, `SELECT count(DISTINCT i.donor_id) ` + invitee + ` WHERE i.drive_id = ANY($1) AND ` + live},
		{&c.invArr, `SELECT count(DISTINCT i.donor_id) ` + invitee + ` WHERE i.drive_id = ANY($1) AND r.checked_in_at IS NOT NULL`},
		{&c.invDon, `SELECT count(DISTINCT i.donor_id) ` + invitee + ` JOIN donations n ON n.registration_id = r.id WHERE i.drive_id = ANY($1)`},
		{&c.registered, `SELECT count(*) FROM registrations r WHERE r.drive_id = ANY($1) AND ` + live},
		{&c.arrived, `SELECT count(*) FROM registrations WHERE drive_id = ANY($1) AND checked_in_at IS NOT NULL`},
		{&c.donated, `SELECT count(*) FROM donations n JOIN registrations r ON r.id = n.registration_id WHERE r.drive_id = ANY($1)`},
		{&c.announced, `SELECT coalesce(sum(recipients), 0) FROM drive_announcements WHERE drive_id = ANY($1)`},
		{&c.recalled, `SELECT count(*) FROM recalls WHERE drive_ids && $1`},
	} {
		if err := b.Store.DB().QueryRow(q.sql, ids).Scan(q.n); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	return c
}

// viPerUnit is messages per unit as a Vietnamese reader writes it.
func viPerUnit(messages, donated int) string {
	if donated == 0 {
		return "—"
	}
	s := strconv.FormatFloat(float64(int(float64(messages)/float64(donated)*10+0.5))/10, 'f', -1, 64)
	return strings.Replace(s, ".", ",", 1)
}

// TestFunnelJourney is issue 21's "the funnel counts match the database":
// an organizer announces a drive of their campaign to their unit in the
// console, a wave invites three donors who joined it later (StartWave, as
// the scheduler does), donors register by tapping the announcement's and the
// invitation's button and answering the screening, and on the day the
// organizer checks them in and records donations at the console's gate.
// The funnel of /stats (drive and campaign), of the console's progress
// and of the export's Phễu sheet all equal counts taken from the tables.
func TestFunnelJourney(t *testing.T) {
	b := bottest.Start(t)
	ctx := context.Background()
	orgID, unit := unitOrganizer(t, b)
	campaign, err := b.Store.CreateCampaign(ctx, "Phễu "+itoa(orgID), orgID)
	if err != nil {
		t.Fatal(err)
	}
	hospitals, err := b.Store.Hospitals(ctx)
	if err != nil || len(hospitals) == 0 {
		t.Fatalf("hospitals: %v %v", hospitals, err)
	}
	ids := testenv.TelegramIDs(5)
	for i, id := range ids {
		seedDonor(t, b, seededDonor{id: id, name: fmt.Sprintf("Người hiến phễu %d", i), phone: fmt.Sprintf("+849140007%02d", i)})
	}
	for _, id := range ids[:2] {
		if err := b.Store.JoinUnit(ctx, id, unit.ID); err != nil {
			t.Fatal(err)
		}
	}
	member, quiet := b.Phone(ids[0], "vi"), b.Phone(ids[1], "vi")
	invitees := []*bottest.Phone{b.Phone(ids[2], "vi"), b.Phone(ids[3], "vi"), b.Phone(ids[4], "vi")}

	console := b.Console(orgID, "vi")
	title := "Ngày hội Phễu " + itoa(orgID)
	res := console.Post("/drives", validFormBody(b, campaign.ID, hospitals[0].ID, unit.ID, title))
	if res.Status != http.StatusOK {
		t.Fatalf("create the drive: %d %s", res.Status, res.Body)
	}
	var saved struct{ ID int64 }
	res.Decode(t, &saved)
	d, err := b.Store.Drive(ctx, saved.ID)
	if err != nil {
		t.Fatal(err)
	}
	ann := member.Expect("Ngày hội hiến máu tình nguyện mới", title)
	quiet.Expect(title)

	// Three donors join the unit after the announcement; a wave, as the
	// scheduler starts it, invites them with the drive's Register button.
	for _, p := range invitees {
		if err := b.Store.JoinUnit(ctx, p.User.ID, unit.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Store.SetAutofill(ctx, d.ID, storage.Autofill{On: true, Checkpoints: []int{10, 5, 2}}, b.Now()); err != nil {
		t.Fatal(err)
	}
	register := ann.InlineKeyboard[0][0]
	markup, err := json.Marshal(map[string]any{"inline_keyboard": [][]map[string]string{{{"text": register.Text, "callback_data": register.CallbackData}}}})
	if err != nil {
		t.Fatal(err)
	}
	var invs []storage.Invitation
	for _, p := range invitees {
		invs = append(invs, storage.Invitation{TelegramID: p.User.ID, Message: storage.ScheduledMessage{
			ChatID: p.User.ID, Text: "Mời bạn tham gia " + title, ReplyMarkup: markup}})
	}
	waveAt := b.Now()
	if w, started, err := b.Store.StartWave(ctx, storage.Wave{DriveID: d.ID, Checkpoint: 10, Target: d.TargetUnits,
		Planned: len(invs), Candidates: len(invs)}, b.Now(), b.Cfg.ContactCap, invs); err != nil || !started || w.Invited != 3 {
		t.Fatalf("StartWave = %+v, %v, %v", w, started, err)
	}

	// The member registers from the announcement, two invitees from the
	// invitation; the third invitee and the other member do nothing.
	tapRegister := func(p *bottest.Phone, msg int) {
		t.Helper()
		p.TapIn(msg, register.Text)
		p.Expect("Chọn khung giờ")
		p.TapPrefix("07:30–08:00")
		answerScreening(t, b, p, "")
		p.Expect("Đã xác nhận", title)
	}
	tapRegister(member, ann.ID)
	for _, p := range invitees[:2] {
		tapRegister(p, p.Expect("Mời bạn tham gia", title).ID)
	}
	invitees[2].Expect("Mời bạn tham gia", title)

	// The drive's day: the gate checks in three and records two donations.
	b.Clock.Set(d.Start.Add(30 * time.Minute))
	regOf := func(p *bottest.Phone) int64 {
		var id int64
		if err := b.Store.DB().QueryRow(`SELECT r.id FROM registrations r JOIN donors dn ON dn.id = r.donor_id
			WHERE dn.telegram_id = $1 AND r.drive_id = $2`, p.User.ID, d.ID).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	for _, p := range []*bottest.Phone{member, invitees[0], invitees[1]} {
		if res := console.Post("/drives/"+itoa(d.ID)+"/checkin", map[string]any{"registration_id": regOf(p)}); res.Status != http.StatusOK {
			t.Fatalf("check-in: %d %s", res.Status, res.Body)
		}
	}
	for _, p := range []*bottest.Phone{member, invitees[0]} {
		res := console.Post("/registrations/"+itoa(regOf(p))+"/result", map[string]any{"kind": "donated", "volume": 350})
		if res.Status != http.StatusOK {
			t.Fatalf("result: %d %s", res.Status, res.Body)
		}
	}

	c := countFunnel(t, b, d.ID)
	story := funnelCount{target: 120, invited: 3, invReg: 2, invArr: 2, invDon: 1, registered: 3, arrived: 3, donated: 2, announced: 2}
	if c != story {
		t.Fatalf("the tables hold %+v, the journey made %+v", c, story)
	}

	org := b.Phone(orgID, "vi")
	org.Send("/stats " + d.Code)
	org.Expect(
		fmt.Sprintf("🔻 Lời mời: đã mời %d → đăng ký %d → đã đến %d → đã hiến %d", c.invited, c.invReg, c.invArr, c.invDon),
		fmt.Sprintf("• Đợt mời trước 10 ngày (%s): %d → %d → %d → %d; %s tin/đơn vị", shownDate(t, "vi", waveAt),
			c.invited, c.invReg, c.invArr, c.invDon, viPerUnit(c.invited, c.invDon)),
		fmt.Sprintf("✉️ Đã gửi %d tin (thông báo %d, lời mời %d, nhắc hiến lại %d) — %s tin cho mỗi đơn vị máu",
			c.messages(), c.announced, c.invited, c.recalled, viPerUnit(c.messages(), c.donated)))
	enOrgID := testenv.TelegramID()
	if err := b.Store.GrantRole(ctx, enOrgID, storage.RoleOrganizer, unit.ID, 0); err != nil {
		t.Fatal(err)
	}
	en := b.Phone(enOrgID, "en")
	en.Send("/stats " + d.Code)
	en.Expect(
		fmt.Sprintf("🔻 Invitations: invited %d → registered %d → arrived %d → donated %d", c.invited, c.invReg, c.invArr, c.invDon),
		fmt.Sprintf("• Wave 10 days before (%s): %d → %d → %d → %d; %s per unit", shownDate(t, "en", waveAt),
			c.invited, c.invReg, c.invArr, c.invDon, strings.Replace(viPerUnit(c.invited, c.invDon), ",", ".", 1)),
		fmt.Sprintf("✉️ %d messages sent (announcements %d, invitations %d, recalls %d) — %s messages per unit collected",
			c.messages(), c.announced, c.invited, c.recalled, strings.Replace(viPerUnit(c.messages(), c.donated), ",", ".", 1)))
	org.Send("/stats " + campaign.Name)
	org.Expect(fmt.Sprintf("• Đợt 1: mời %d → %d → %d → %d; tổng %d → %d → %d/%d (%d%%); %d tin, %s tin/đơn vị",
		c.invited, c.invReg, c.invArr, c.invDon, c.registered, c.arrived, c.donated, c.target, c.donated*100/c.target,
		c.messages(), viPerUnit(c.messages(), c.donated)))

	type mobilization struct {
		Invited           int    `json:"invited"`
		InvitedRegistered int    `json:"invited_registered"`
		InvitedArrived    int    `json:"invited_arrived"`
		InvitedDonated    int    `json:"invited_donated"`
		Registered        int    `json:"registered"`
		Arrived           int    `json:"arrived"`
		Donated           int    `json:"donated"`
		Target            int    `json:"target"`
		Announced         int    `json:"announced"`
		Recalled          int    `json:"recalled"`
		Messages          int    `json:"messages"`
		PerUnitText       string `json:"per_unit_text"`
		Waves             []struct {
			Checkpoint, Invited, Registered, Arrived, Donated int
			PerUnitText                                       string `json:"per_unit_text"`
		} `json:"invite_waves"`
	}
	sameAs := func(what string, m mobilization) {
		t.Helper()
		got := funnelCount{target: m.Target, invited: m.Invited, invReg: m.InvitedRegistered, invArr: m.InvitedArrived,
			invDon: m.InvitedDonated, registered: m.Registered, arrived: m.Arrived, donated: m.Donated,
			announced: m.Announced, recalled: m.Recalled}
		if got != c || m.Messages != c.messages() || m.PerUnitText != viPerUnit(c.messages(), c.donated) {
			t.Errorf("%s: %+v, the tables say %+v", what, m, c)
		}
	}
	var dp struct{ Mobilization mobilization }
	console.Get("/drives/"+itoa(d.ID)+"/progress").Decode(t, &dp)
	sameAs("console drive", dp.Mobilization)
	if w := dp.Mobilization.Waves; len(w) != 1 || w[0].Checkpoint != 10 || w[0].Invited != c.invited ||
		w[0].Registered != c.invReg || w[0].Arrived != c.invArr || w[0].Donated != c.invDon ||
		w[0].PerUnitText != viPerUnit(c.invited, c.invDon) {
		t.Errorf("console invitation waves %+v, the tables say %+v", w, c)
	}
	var cp struct {
		Mobilization mobilization
		Waves        []struct{ Mobilization mobilization }
	}
	console.Get("/campaigns/"+itoa(campaign.ID)+"/progress").Decode(t, &cp)
	sameAs("console campaign", cp.Mobilization)
	if len(cp.Waves) != 1 {
		t.Fatalf("console campaign waves: %+v", cp.Waves)
	}
	sameAs("console campaign wave", cp.Waves[0].Mobilization)

	before := lastID(org)
	org.Send("/export " + d.Code)
	org.Tap("Tất cả khung giờ")
	docs := documents(t, b, org, 2, before)
	book, err := excelize.OpenReader(bytes.NewReader(docs["dang-ky-"+d.Code+".xlsx"]))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	rows, err := book.GetRows("Phễu")
	if err != nil {
		t.Fatal(err)
	}
	n := strconv.Itoa
	want := [][]string{{"Chỉ tiêu (đơn vị)", n(c.target)}, {"Đã mời", n(c.invited)},
		{"Được mời, đã đăng ký", n(c.invReg)}, {"Được mời, đã đến", n(c.invArr)}, {"Được mời, đã hiến", n(c.invDon)},
		{"Tổng đăng ký", n(c.registered)}, {"Tổng đã đến", n(c.arrived)}, {"Tổng đã hiến (đơn vị)", n(c.donated)},
		{"Đạt chỉ tiêu (%)", n(c.donated * 100 / c.target)}, {"Tin thông báo", n(c.announced)},
		{"Tin mời", n(c.invited)}, {"Tin nhắc hiến lại", n(c.recalled)}, {"Tổng số tin đã gửi", n(c.messages())},
		{"Số tin cho mỗi đơn vị máu", strings.Replace(viPerUnit(c.messages(), c.donated), ",", ".", 1)},
		nil,
		{"Đợt mời (số ngày trước)", "Bắt đầu lúc", "Đã mời", "Được mời, đã đăng ký", "Được mời, đã đến", "Được mời, đã hiến",
			"Số tin cho mỗi đơn vị máu"},
	}
	if len(rows) != len(want)+1 {
		t.Fatalf("Phễu sheet rows %q, want %q and the wave", rows, want)
	}
	for i, w := range want {
		if !slices.Equal(rows[i], w) {
			t.Errorf("Phễu row %d = %q, want %q", i+1, rows[i], w)
		}
	}
	// The console's screen: the funnel block, invited at its head, and the
	// messages per unit.
	browser := consoleBrowser(t, b, orgID, "vi", fmt.Sprintf("/drive/%d/progress", d.ID))
	var line string
	if err := chromedp.Run(browser,
		chromedp.WaitVisible(fmt.Sprintf(`#mobilization[data-invited="%d"][data-invited-registered="%d"][data-invited-arrived="%d"][data-invited-donated="%d"]`,
			c.invited, c.invReg, c.invArr, c.invDon), chromedp.ByQuery),
		chromedp.Text(`#mobilization .messages`, &line, chromedp.ByQuery),
	); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("Đã gửi %d tin (thông báo %d, lời mời %d, nhắc hiến lại %d) — %s tin cho mỗi đơn vị máu",
		c.messages(), c.announced, c.invited, c.recalled, viPerUnit(c.messages(), c.donated)); line != want {
		t.Errorf("console messages line %q, want %q", line, want)
	}
	if wave := rows[len(want)]; len(wave) != 7 || wave[0] != "10" || wave[2] != n(c.invited) || wave[3] != n(c.invReg) ||
		wave[4] != n(c.invArr) || wave[5] != n(c.invDon) || wave[6] != strings.Replace(viPerUnit(c.invited, c.invDon), ",", ".", 1) {
		t.Errorf("Phễu wave row %q, the tables say %+v", wave, c)
	}
}
