package handlers_test

import (
	"regexp"
	"strings"
	"testing"

	"donorbot/internal/bottest"
	"donorbot/telegramtest"
)

// referralTexts are what the inviter and the friend read, per language.
type referralTexts struct {
	inviteBtn, shareBtn, agree, male, skip, thanks, joined, friends1, already, openBtn string
}

var referralLang = map[string]referralTexts{
	"vi": {inviteBtn: "💌 Mời bạn bè", shareBtn: "📤 Chia sẻ", agree: "✅ Tôi đồng ý", male: "Nam", skip: "Bỏ qua",
		thanks: "Cảm ơn", joined: "Một người bạn vừa tham gia donorbot qua lời mời của bạn. Bạn bè đã tham gia qua bạn: 1.",
		friends1: "Bạn bè đã tham gia qua lời mời của bạn: 1", already: "Bạn đã có hồ sơ người hiến máu rồi", openBtn: "📖 Xem lịch sử hiến máu"},
	"en": {inviteBtn: "💌 Invite a friend", shareBtn: "📤 Share", agree: "✅ I agree", male: "Male", skip: "Skip",
		thanks: "Thank you", joined: "A friend just joined donorbot through your invitation. Friends who joined through you: 1.",
		friends1: "Friends who joined through you: 1", already: "You already have a donor profile", openBtn: "📖 See my history"},
}

var referralLinkRe = regexp.MustCompile(`https://t\.me/` + telegramtest.DefaultBotUsername + `\?start=(r_[0-9a-z]{10})`)

// inviteLink taps "Invite a friend" under /history and returns the /start
// parameter of the link in the text to share.
func inviteLink(t *testing.T, p *bottest.Phone, w referralTexts) string {
	t.Helper()
	p.Send("/history")
	m := p.ExpectMatch(func(m telegramtest.Message) bool { return m.HasButtonText(w.inviteBtn) })
	p.TapIn(m.ID, w.inviteBtn)
	share := p.ExpectMatch(func(m telegramtest.Message) bool {
		return referralLinkRe.MatchString(m.Text) && m.HasButtonText(w.shareBtn)
	})
	return referralLinkRe.FindStringSubmatch(share.Text)[1]
}

// TestReferralJourney: a donor's invite link is stable; a friend who
// onboards through it is credited to them once, and the inviter is told
// and sees the count in /history. The inviter's own link, or the link
// opened again by a friend already onboarded, credits nobody.
func TestReferralJourney(t *testing.T) {
	b := bottest.Start(t)
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			w := referralLang[lang]
			inviter := b.NewPhone(lang)
			seedDonorIn(t, b, inviter.User.ID, lang, "Nguyễn Thị Lan")
			payload := inviteLink(t, inviter, w)
			if again := inviteLink(t, inviter, w); again != payload {
				t.Fatalf("the link changed: %s, then %s", payload, again)
			}

			friend := b.NewPhone(lang)
			friend.Send("/start " + payload)
			friend.Tap(w.agree)
			friend.Send("Trần Văn Bình")
			friend.Send("0912 345 678")
			friend.Tap(w.male)
			friend.Send("1/2/1990")
			friend.Send("70")
			friend.Tap("O+")
			m := b.API.WaitMessage(t, friend.User.ID, func(m telegramtest.Message) bool {
				return strings.Contains(m.Text, "7/7") || strings.Contains(m.Text, w.thanks)
			})
			if strings.Contains(m.Text, "7/7") {
				friend.Tap(w.skip)
			}
			friend.Expect(w.thanks)
			inviter.Expect(w.joined)
			inviter.Tap(w.openBtn)
			inviter.Expect(w.friends1)

			// Neither the friend's second visit nor the inviter's own
			// click credits anyone again.
			friend.Send("/start " + payload)
			friend.Expect(w.already)
			inviter.Send("/start " + payload)
			inviter.Expect(w.already)
			inviter.Send("/history")
			inviter.Expect(w.friends1)
			if n := len(b.API.Messages(inviter.User.ID)); strings.Count(joinedTexts(b, inviter), w.joined) != 1 {
				t.Fatalf("the inviter was told %d times among %d messages", strings.Count(joinedTexts(b, inviter), w.joined), n)
			}
		})
	}
}

func joinedTexts(b *bottest.Bot, p *bottest.Phone) string {
	var s strings.Builder
	for _, m := range b.API.Messages(p.User.ID) {
		s.WriteString(m.Text + "\n")
	}
	return s.String()
}
