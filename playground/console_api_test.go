package playground_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"donorbot/handlers"
	"donorbot/playground"
	"donorbot/webapp"
)

// TestConsoleAPI: the page's console session is initData for the active
// user, signed now with the bot's token (webapp.Validate accepts it with
// the bot's token, not another's), only for a playground person and only
// as JSON; the console's address is this server's own /console/, given as
// Mai's menu button and not Lan's; the scanner lists Bình's /mycode text.
func TestConsoleAPI(t *testing.T) {
	pg := start(t)
	base := pg.URL

	status, body := call(t, "POST", base+"api/webapp", map[string]any{"user": 910004})
	var s struct {
		InitData string      `json:"init_data"`
		User     webapp.User `json:"user"`
	}
	if err := json.Unmarshal(body, &s); status != http.StatusOK || err != nil {
		t.Fatalf("webapp: %d %s %v", status, body, err)
	}
	got, err := webapp.Validate(s.InitData, pg.API.Token(), time.Now(), handlers.ConsoleMaxAge)
	if err != nil || got.User.ID != 910004 || got.User.FirstName != "Mai" || s.User.ID != 910004 {
		t.Errorf("initData for Mai: %+v, %v", got, err)
	}
	if _, err := webapp.Validate(s.InitData, "123:another-bot", time.Now(), handlers.ConsoleMaxAge); err == nil {
		t.Error("the initData validates with another bot's token")
	}
	if status, body := call(t, "POST", base+"api/webapp", map[string]any{"user": 42}); status != http.StatusNotFound {
		t.Errorf("initData for a stranger: %d %s", status, body)
	}
	req, _ := http.NewRequest("POST", base+"api/webapp", strings.NewReader(`{"user":910004}`))
	req.Header.Set("Content-Type", "text/plain")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("initData for a text/plain post (another site's form): %v %v", res, err)
	} else {
		res.Body.Close()
	}

	var mai, lan struct {
		MenuButton *struct {
			Text   string `json:"text"`
			WebApp string `json:"web_app"`
		} `json:"menu_button"`
	}
	for _, c := range []struct {
		user string
		v    any
	}{{"910004", &mai}, {"910001", &lan}} {
		status, body := call(t, "GET", base+"api/chat?user="+c.user, nil)
		if err := json.Unmarshal(body, c.v); status != http.StatusOK || err != nil {
			t.Fatalf("chat of %s: %d %v", c.user, status, err)
		}
	}
	console := strings.TrimSuffix(base, "/playground/") + "/console/"
	if mai.MenuButton == nil || mai.MenuButton.WebApp != console || mai.MenuButton.Text != "Bảng điều khiển" {
		t.Errorf("Mai's menu button: %+v, want the console at %s", mai.MenuButton, console)
	}
	if lan.MenuButton != nil {
		t.Errorf("Lan's menu button: %+v, want none", lan.MenuButton)
	}

	status, body = call(t, "GET", base+"api/scannable", nil)
	var people []struct {
		ID   int64  `json:"id"`
		Code string `json:"code"`
	}
	if err := json.Unmarshal(body, &people); status != http.StatusOK || err != nil {
		t.Fatalf("scannable: %d %s %v", status, body, err)
	}
	if len(people) != 1 || people[0].ID != playground.ReturningDonorID || people[0].Code == "" {
		t.Errorf("scannable people %+v, want Bình alone (the others have no profile yet)", people)
	}
}
