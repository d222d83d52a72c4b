package bot

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// BenchmarkSendMessage: one sendMessage with a keyboard through
// go-telegram/bot, its body streamed (chunked) or sent whole.
func BenchmarkSendMessage(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"}}}`)
	}))
	defer srv.Close()
	params := &tg.SendMessageParams{
		ChatID: int64(123456789), Text: "Bạn đã đăng ký ca 08:00–09:00, Chủ nhật 14/12 tại Viện Huyết học.",
		ReplyMarkup: models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
			{{Text: "Huỷ đăng ký", CallbackData: "reg:cancel:42"}},
			{{Text: "Đổi ca", CallbackData: "reg:move:42"}, {Text: "Lịch", CallbackData: "reg:ics:42"}},
		}},
	}
	for _, tt := range []struct {
		name string
		tr   func(http.RoundTripper) http.RoundTripper
	}{
		{"streamed", func(tr http.RoundTripper) http.RoundTripper { return tr }},
		{"whole", func(tr http.RoundTripper) http.RoundTripper { return newWholeBody(tr) }},
	} {
		b.Run(tt.name, func(b *testing.B) {
			tr := http.DefaultTransport.(*http.Transport).Clone()
			defer tr.CloseIdleConnections()
			api, err := tg.New("1:x", tg.WithServerURL(srv.URL), tg.WithSkipGetMe(),
				tg.WithHTTPClient(0, &http.Client{Transport: tt.tr(tr)}))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := api.SendMessage(context.Background(), params); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
