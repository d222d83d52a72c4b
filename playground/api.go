package playground

import (
	"context"
	"embed"
	"encoding/json"
	"hash/fnv"
	"io/fs"
	"mime"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"donorbot/telegramtest"
)

//go:embed web
var webFS embed.FS

// pollWait bounds one long poll of /api/chat; the page polls again at once.
const pollWait = 25 * time.Second

// Handler serves the chat page at /playground/ and its JSON API under
// /playground/api/.
func (p *Playground) Handler() http.Handler {
	mux := http.NewServeMux()
	web, err := fs.Sub(webFS, "web")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	mux.Handle("GET /playground/", http.StripPrefix("/playground/", http.FileServerFS(web)))
	mux.HandleFunc("GET /playground/api/users", p.listUsers)
	mux.HandleFunc("GET /playground/api/chat", p.chat)
	mux.HandleFunc("POST /playground/api/send", p.send)
	mux.HandleFunc("POST /playground/api/tap", p.tap)
	mux.HandleFunc("POST /playground/api/contact", p.contact)
	mux.HandleFunc("GET /playground/api/file/{id}", p.file)
	mux.HandleFunc("POST /playground/api/webapp", p.webApp)
	mux.HandleFunc("GET /playground/api/scannable", p.scannable)
	return mux
}

func (p *Playground) listUsers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, p.users)
}

// chatView is what the page shows of one user's chat.
type chatView struct {
	// Version changes whenever any chat changes; the page passes it back
	// as since to wait for the next change.
	Version  string           `json:"version"`
	User     int64            `json:"user"`
	Messages []messageView    `json:"messages"`
	Keyboard [][]keyboardView `json:"keyboard"` // the reply keyboard shown, or null
	Counts   map[string]int   `json:"counts"`   // bot messages per user id, for unread badges
	Problems []string         `json:"problems"` // requests the real Bot API would refuse
	// Notices are the bot's answers to the user's latest taps that carry
	// a text: Telegram shows them as a toast (or an alert).
	Notices []noticeView `json:"notices"`
	// MenuButton is the chat's menu button when the bot made it a Mini
	// App (the console), else null.
	MenuButton *menuButtonView `json:"menu_button"`
}

type menuButtonView struct {
	Text   string `json:"text"`
	WebApp string `json:"web_app"`
}

type noticeView struct {
	UpdateID int64  `json:"update_id"`
	Text     string `json:"text"`
	Alert    bool   `json:"alert,omitempty"`
}

type messageView struct {
	ID        int            `json:"id"`
	FromBot   bool           `json:"from_bot"`
	Kind      string         `json:"kind"`
	Date      int64          `json:"date"`
	Text      string         `json:"text"`
	Caption   string         `json:"caption,omitempty"`
	ParseMode string         `json:"parse_mode,omitempty"`
	Edited    bool           `json:"edited,omitempty"`
	ReplyTo   int            `json:"reply_to,omitempty"`
	Buttons   [][]buttonView `json:"buttons,omitempty"`
	File      *fileView      `json:"file,omitempty"`
}

type buttonView struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
	// WebApp is a web_app button's Mini App: the page opens it in its panel.
	WebApp string `json:"web_app,omitempty"`
}

type keyboardView struct {
	Text           string `json:"text"`
	RequestContact bool   `json:"request_contact,omitempty"`
}

type fileView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Size int    `json:"size"`
}

// chat answers GET /api/chat?user=<id>&since=<version>: at once if the
// state differs from since, otherwise when it changes or after pollWait.
func (p *Playground) chat(w http.ResponseWriter, r *http.Request) {
	u, ok := p.userParam(w, r.URL.Query().Get("user"))
	if !ok {
		return
	}
	since := r.URL.Query().Get("since")
	ctx, cancel := context.WithTimeout(r.Context(), pollWait)
	defer cancel()
	var v chatView
	err := p.API.Await(ctx, func() bool {
		v = p.view(u.ID)
		return v.Version != since
	})
	if err != nil && r.Context().Err() != nil {
		return // the page went away
	}
	writeJSON(w, http.StatusOK, v)
}

// view renders the chat of user and fingerprints every user's chat, so
// that a message to another user also ends a long poll (for its badge).
func (p *Playground) view(user int64) chatView {
	v := chatView{User: user, Counts: map[string]int{}, Messages: []messageView{}, Problems: p.API.Violations()}
	h := fnv.New64a()
	for _, u := range p.users {
		msgs := p.API.Conversation(u.ID)
		n := 0
		for _, m := range msgs {
			if m.FromBot {
				n++
			}
		}
		v.Counts[strconv.FormatInt(u.ID, 10)] = n
		views := make([]messageView, 0, len(msgs))
		for _, m := range msgs {
			views = append(views, newMessageView(m))
		}
		raw, _ := json.Marshal(views) // only plain values: cannot fail
		h.Write(raw)
		if u.ID == user {
			v.Messages = views
		}
	}
	for _, row := range p.API.ReplyKeyboard(user) {
		var out []keyboardView
		for _, b := range row {
			out = append(out, keyboardView{Text: b.Text, RequestContact: b.RequestContact})
		}
		v.Keyboard = append(v.Keyboard, out)
	}
	v.Notices = p.notices(user)
	if b := p.API.MenuButton(user); b.Type == "web_app" {
		v.MenuButton = &menuButtonView{Text: b.Text, WebApp: b.WebAppURL}
	}
	raw, _ := json.Marshal(struct {
		K [][]keyboardView
		P []string
		N []noticeView
		M *menuButtonView
	}{v.Keyboard, v.Problems, v.Notices, v.MenuButton})
	h.Write(raw)
	v.Version = strconv.FormatUint(h.Sum64(), 36)
	return v
}

func newMessageView(m telegramtest.Message) messageView {
	v := messageView{ID: m.ID, FromBot: m.FromBot, Kind: m.Kind, Date: m.Date.Unix(), Text: m.Text,
		Caption: m.Caption, ParseMode: m.ParseMode, Edited: m.Edited, ReplyTo: m.ReplyToMessageID}
	for _, row := range m.InlineKeyboard {
		var out []buttonView
		for _, b := range row {
			out = append(out, buttonView{Text: b.Text, Data: b.CallbackData, URL: b.URL, WebApp: b.WebAppURL})
		}
		v.Buttons = append(v.Buttons, out)
	}
	for _, f := range []*telegramtest.File{m.Document, m.Photo, m.Attachment} {
		if f != nil {
			v.File = &fileView{ID: f.FileID, Name: f.Name, Size: len(f.Data)}
			break
		}
	}
	return v
}

// maxNotices bounds the taps whose answers a view carries.
const maxNotices = 10

func (p *Playground) notices(user int64) []noticeView {
	p.mu.Lock()
	taps := slices.Clone(p.taps[user])
	p.mu.Unlock()
	out := []noticeView{}
	for _, id := range taps {
		if a, ok := p.API.CallbackAnswer(id); ok && a.Text != "" {
			out = append(out, noticeView{UpdateID: id, Text: a.Text, Alert: a.ShowAlert})
		}
	}
	return out
}

type action struct {
	User      int64  `json:"user"`
	Text      string `json:"text"`
	MessageID int    `json:"message_id"`
	Data      string `json:"data"`
}

func (p *Playground) readAction(w http.ResponseWriter, r *http.Request) (action, User, bool) {
	var a action
	// Only a JSON body: a page of another site can post text/plain to
	// loopback without asking, but not application/json (CORS preflight,
	// which this server never grants), so it cannot play a user.
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "send the action as application/json")
		return a, User{}, false
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&a); err != nil {
		writeError(w, http.StatusBadRequest, "malformed JSON body: "+err.Error())
		return a, User{}, false
	}
	u, ok := p.user(a.User)
	if !ok {
		writeError(w, http.StatusNotFound, "no such playground user")
	}
	return a, u, ok
}

// send types a text message as the user (commands included).
func (p *Playground) send(w http.ResponseWriter, r *http.Request) {
	a, u, ok := p.readAction(w, r)
	if !ok {
		return
	}
	if a.Text == "" || len(a.Text) > 4096 {
		writeError(w, http.StatusBadRequest, "text must be 1-4096 bytes")
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"update_id": p.API.SendText(p.telegramUser(u), a.Text)})
}

// tap presses an inline button under one of the bot's messages.
func (p *Playground) tap(w http.ResponseWriter, r *http.Request) {
	a, u, ok := p.readAction(w, r)
	if !ok {
		return
	}
	id, err := p.API.TryTapButton(p.telegramUser(u), a.MessageID, a.Data)
	if err != nil {
		// The message changed under the page (edited, deleted): a phone
		// would not show that button any more.
		writeError(w, http.StatusConflict, err.Error())
		return
	}
	p.mu.Lock()
	taps := append(p.taps[u.ID], id)
	if len(taps) > maxNotices {
		taps = taps[len(taps)-maxNotices:]
	}
	p.taps[u.ID] = taps
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]int64{"update_id": id})
}

// contact shares the user's own phone number, as a request_contact button
// does on a phone.
func (p *Playground) contact(w http.ResponseWriter, r *http.Request) {
	_, u, ok := p.readAction(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"update_id": p.API.SendContact(p.telegramUser(u), u.Phone, u.ID)})
}

// file serves a file the bot sent (a CSV or XLSX export, a QR poster, a
// chart); ?download=1 makes the browser save it under its name.
func (p *Playground) file(w http.ResponseWriter, r *http.Request) {
	f, ok := p.API.FileByID(r.PathValue("id"))
	if !ok || f.Data == nil {
		writeError(w, http.StatusNotFound, "no such file")
		return
	}
	ctype := mime.TypeByExtension(filepath.Ext(f.Name))
	if ctype == "" {
		ctype = http.DetectContentType(f.Data)
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("download") != "" {
		name := f.Name
		if name == "" {
			name = "file"
		}
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	_, _ = w.Write(f.Data) // a page that went away needs no answer
}

func (p *Playground) userParam(w http.ResponseWriter, raw string) (User, bool) {
	id, err := strconv.ParseInt(raw, 10, 64)
	u, ok := p.user(id)
	if err != nil || !ok {
		writeError(w, http.StatusNotFound, "no such playground user")
	}
	return u, ok && err == nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // only fails when the page went away

}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
