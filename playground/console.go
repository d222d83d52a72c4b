package playground

import (
	"context"
	"net/http"

	"donorbot/handlers"
	"donorbot/webapp"
)

// The console in the playground: the page shows it in a panel beside the
// chat of whoever the bot gave a web_app menu button or button (organizers
// and admins), with a simulated Telegram.WebApp. Its initData is signed
// here with the emulator's bot token, as Telegram signs it, and its QR
// scanner "reads" the people's /mycode codes, made by the bot's own code.

// consoleURL is the console's address on the playground's listener: the
// emulator, not Telegram, opens it, so plain http on this machine will do.
func consoleURL(listen string) string {
	return origin(listen) + handlers.ConsolePath
}

// codeSource makes a person's /mycode text, or says they have none.
type codeSource func(ctx context.Context, userID int64) (code string, ok bool, err error)

type webAppView struct {
	InitData string      `json:"init_data"`
	User     webapp.User `json:"user"`
	AuthDate int64       `json:"auth_date"`
}

// webApp signs initData for the page's active user, now: what
// Telegram.WebApp.initData holds when that user opens the console.
func (p *Playground) webApp(w http.ResponseWriter, r *http.Request) {
	_, u, ok := p.readAction(w, r)
	if !ok {
		return
	}
	tu := p.telegramUser(u)
	user := webapp.User{ID: u.ID, FirstName: tu.FirstName, LastName: tu.LastName, LanguageCode: u.Lang}
	now := p.now()
	writeJSON(w, http.StatusOK, webAppView{InitData: webapp.Sign(user, p.API.Token(), now), User: user, AuthDate: now.Unix()})
}

type scannableView struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Code string `json:"code"`
}

// scannable lists the people whose check-in QR (/mycode) the simulated
// scanner can read: those with a finished profile, as /mycode requires.
func (p *Playground) scannable(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	codes := p.codes
	p.mu.Unlock()
	if codes == nil {
		writeError(w, http.StatusServiceUnavailable, "the bot is not running")
		return
	}
	out := []scannableView{}
	for _, u := range p.users {
		code, ok, err := codes(r.Context(), u.ID)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "check-in codes unavailable")
			return
		}
		if ok {
			out = append(out, scannableView{ID: u.ID, Name: u.Name, Code: code})
		}
	}
	writeJSON(w, http.StatusOK, out)
}
