package handlers_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"donorbot/internal/bottest"
)

// Vietnamese phone numbers as a user gives them: +84/84 then 9 digits, or a
// leading 0 and a mobile prefix (03, 05, 07, 08, 09) then 8 digits, with or
// without separators.
var phonePattern = regexp.MustCompile(`(\+?84|\b0)[ .-]?[35789](\d[ .-]?){8}\b`)

var (
	logTimes = regexp.MustCompile(`"time":"[^"]*"`)
	// The weight typed in onboarding, as a number on its own (not inside 149.53).
	weightPattern = regexp.MustCompile(`(^|[^0-9.])49[.,]5([^0-9]|$)`)
)

// TestLogsCarryNoPhoneOrHealthAnswers runs a whole journey at debug level:
// onboarding (phone shared as a contact and typed), registration, the
// screening questionnaire answered Yes to a health question, the morning-of
// re-check. The captured logs hold no phone number, no name and no answer.
func TestLogsCarryNoPhoneOrHealthAnswers(t *testing.T) {
	b := bottest.Start(t, bottest.Webhook())
	d, _ := publishedDrive(t, b, "Ngày hội Kín tiếng", 48*time.Hour, 5)
	p := b.NewPhone("vi")
	p.Send("/start")
	p.Expect("Nghị định 13/2023")
	agreeAndAnswer(t, b, p, profileAnswers{name: "Bùi Thị Riêng Tư", phone: "0978 654 321", sex: "Nữ",
		birth: "14/02/1990", weight: "49,5", blood: "AB-"})
	p.Expect("Cảm ơn")
	p.Send("/profile")
	p.Expect("0978 654 321")
	p.Send("/drives")
	p.Tap("Đăng ký: " + d.Title)
	p.TapPrefix(d.Start.In(loc(t)).Format("15:04") + "–")
	answerScreening(t, b, p, "mắc bệnh mạn tính")
	b.Settle()

	var answers string
	if err := b.Store.DB().Get(&answers, `SELECT coalesce(r.screening_answers::text, '') FROM registrations r
		JOIN donors dn ON dn.id = r.donor_id WHERE dn.telegram_id = $1`, p.User.ID); err != nil {
		t.Fatal(err)
	}
	// Timestamps are blanked: "…T11:18:49.5…" is a time of day, not the weight.
	logs := logTimes.ReplaceAllString(b.Logs.String(), `"time":""`)
	if !strings.Contains(logs, `"level":"DEBUG"`) || !strings.Contains(logs, `"type":"callback_query"`) {
		t.Fatalf("logs were not captured at debug level")
	}
	if m := phonePattern.FindString(logs); m != "" {
		t.Errorf("logs contain the phone number %q", m)
	}
	if m := weightPattern.FindString(logs); m != "" {
		t.Errorf("logs contain the weight %q", m)
	}
	for _, secret := range []string{"978654321", "Riêng Tư", "14/02/1990", "1990-02-14", "AB-",
		"chronic", "mạn tính", `"Yes"`, `"yes":true`, "screening_answers"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
	if answers != "" && strings.Contains(logs, answers) {
		t.Errorf("logs contain the stored screening answers")
	}
	if !phonePattern.MatchString("gọi 0978 654 321") || !phonePattern.MatchString("+84978654321") {
		t.Fatal("phonePattern misses phone numbers")
	}
}
