package bot_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path"
	"sync"
	"testing"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
)

// apiRecorder stands between the bot and the fake Bot API and notes how
// each call's body was framed.
type apiRecorder struct {
	mu      sync.Mutex
	chunked []string // methods whose body came without a Content-Length
	calls   map[string]int
}

func (r *apiRecorder) front(t *testing.T, target string) string {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		method := path.Base(req.URL.Path)
		r.mu.Lock()
		r.calls[method]++
		if req.ContentLength < 0 || len(req.TransferEncoding) > 0 {
			r.chunked = append(r.chunked, method)
		}
		r.mu.Unlock()
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestBotAPICallsGoOutWhole: the calls of a user's first steps reach the Bot
// API with a Content-Length, not chunked (a chunked call costs the bot a
// write per form part), and the user sees the same journey.
func TestBotAPICallsGoOutWhole(t *testing.T) {
	b := bottest.Start(t)
	rec := &apiRecorder{calls: map[string]int{}}
	b.Stop()
	b.Cfg.APIURL = rec.front(t, b.API.URL())
	b.Restart()

	p := b.Phone(testenv.TelegramID(), "vi")
	p.Send("/start")
	p.Tap("✅ Tôi đồng ý")
	p.Expect("Bước 1/7")
	p.Settle()

	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, m := range []string{"sendMessage", "answerCallbackQuery"} {
		if rec.calls[m] == 0 {
			t.Errorf("no %s went through the recorder: not a test of it (calls %v)", m, rec.calls)
		}
	}
	if len(rec.chunked) > 0 {
		t.Errorf("calls sent chunked, without a Content-Length: %v", rec.chunked)
	}
}
