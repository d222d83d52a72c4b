package handlers_test

import (
	"context"
	"testing"
	"time"

	"donorbot/internal/bottest"
)

// TestEligibility: /eligibility counts 12 weeks (84 days) after a
// whole-blood donation (Thông tư 26/2013/TT-BYT Điều 6) and lists open
// deferrals with their dates.
func TestEligibility(t *testing.T) {
	b := bottest.Start(t)
	p := b.NewPhone("vi")
	onboard(t, b, p, "Lý Thị Thu")
	p.Expect("Cảm ơn")
	p.Send("/eligibility")
	p.Expect("có thể hiến máu từ hôm nay", "tối đa 450 ml", "Bạn chưa hiến máu lần nào.", "nhân viên y tế")

	ctx := context.Background()
	today := calendarDay(t, b.Now())
	donated := today.AddDate(0, 0, -30)
	if err := b.Store.AddDonation(ctx, p.User.ID, donated, "whole_blood", 350, "drive", 0); err != nil {
		t.Fatal(err)
	}
	want := shownDate(t, "vi", donated.AddDate(0, 0, 84))
	p.Send("/eligibility")
	p.Expect("hiến máu lại từ ngày "+want, "Chưa đủ thời gian", "đã hiến máu 1 lần", shownDate(t, "vi", donated), "máu toàn phần")

	if err := b.Store.AddDeferral(ctx, p.User.ID, "on_site", today.AddDate(0, 6, 0), false, "on_site"); err != nil {
		t.Fatal(err)
	}
	p.Send("/eligibility")
	p.Expect("hiến máu lại từ ngày "+shownDate(t, "vi", today.AddDate(0, 6, 0)), "theo quyết định của nhân viên y tế")

	if err := b.Store.AddDeferral(ctx, p.User.ID, "on_site", time.Time{}, false, "on_site"); err != nil {
		t.Fatal(err)
	}
	p.Send("/eligibility")
	p.Expect("chưa thể tính được")
}
