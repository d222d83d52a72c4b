package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"donorbot/drive"
	"donorbot/locales"
	"donorbot/storage"
	"donorbot/webapp"
)

// ConsolePath is where the organizer console (a Telegram Mini App) is
// served, on the same listener as the webhook.
const ConsolePath = "/console/"

// consoleMaxBody bounds a console request's JSON body: the largest is a
// drive form with its slots.
const consoleMaxBody = 64 << 10

// consoleCall is one authenticated console request: who sent it (from the
// validated initData, never from the body) and in which language to answer.
type consoleCall struct {
	User webapp.User
	Lang string
	Req  *http.Request
}

// consoleFunc answers a console request with a value sent as JSON, or an
// error: a *consoleErr is the user's mistake, anything else is internal.
type consoleFunc func(ctx context.Context, c *consoleCall) (any, error)

// consoleRoute is one API endpoint: Pattern is a net/http pattern relative
// to /console/api (e.g. "GET /drives/{id}").
type consoleRoute struct {
	Pattern string
	Fn      consoleFunc
}

// consoleErr is a refusal the console shows: Code names a locale message
// "console_err_<code>" and the HTTP status.
type consoleErr struct {
	Status int
	Code   string
	// Fields are texts shown beside a form's inputs, by input name.
	Fields map[string]string
}

func (e *consoleErr) Error() string { return fmt.Sprintf("console: %d %s", e.Status, e.Code) }

// consoleRefuse builds a refusal.
func consoleRefuse(status int, code string) error { return &consoleErr{Status: status, Code: code} }

var (
	errConsoleNotFound  = consoleRefuse(http.StatusNotFound, "not_found")
	errConsoleForbidden = consoleRefuse(http.StatusForbidden, "forbidden")
	errConsoleBadInput  = consoleRefuse(http.StatusBadRequest, "bad_input")
)

// Console serves the organizer console: its page under /console/ and its
// API under /console/api/, to organizers and admins only. botToken checks
// the initData each API request carries (Authorization: tma <initData>);
// there are no cookies, so a request counts only with Telegram's signature.
func (h *Handlers) Console(botToken string) http.Handler {
	mux := http.NewServeMux()
	for _, r := range h.consoleRoutes() {
		method, path, _ := strings.Cut(r.Pattern, " ")
		mux.Handle(method+" "+strings.TrimSuffix(ConsolePath, "/")+"/api"+path, h.consoleAPI(botToken, r.Fn))
	}
	mux.Handle(ConsolePath+"api/", h.consoleAPI(botToken, func(context.Context, *consoleCall) (any, error) {
		return nil, errConsoleNotFound
	}))
	mux.Handle(ConsolePath, http.StripPrefix(ConsolePath, consoleStatic()))
	return mux
}

// consoleRoutes is the console's whole API.
func (h *Handlers) consoleRoutes() []consoleRoute {
	routes := []consoleRoute{
		{"GET /me", h.consoleMe},
		{"GET /drives/{id}/registrations", h.consoleRegistrations},
		{"POST /drives/{id}/export", h.consoleExport},
	}
	routes = append(routes, h.consoleProgressRoutes()...)
	routes = append(routes, h.consoleFormRoutes()...)
	routes = append(routes, h.consoleDrivesRoutes()...)
	routes = append(routes, h.consoleGateRoutes()...)
	routes = append(routes, h.consoleAutofillRoutes()...)
	return routes
}

// ConsoleMaxAge is how long an initData is accepted after Telegram issued
// it: a console left open at a gate for a drive day still works, a leaked
// one does not act for its user for long.
const ConsoleMaxAge = 24 * time.Hour

func (h *Handlers) consoleAPI(botToken string, fn consoleFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		w.Header().Set("Cache-Control", "no-store")
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "tma ")
		if !ok {
			h.consoleWrite(w, "vi", nil, consoleRefuse(http.StatusUnauthorized, "unauthorized"))
			return
		}
		init, err := webapp.Validate(raw, botToken, h.d.Now(), ConsoleMaxAge)
		if err != nil {
			h.d.Log.Info("console: initData refused", "err", err)
			h.consoleWrite(w, "vi", nil, consoleRefuse(http.StatusUnauthorized, "unauthorized"))
			return
		}
		c := &consoleCall{User: init.User, Req: r}
		c.Lang, err = h.consoleLang(ctx, init.User)
		if err == nil {
			var ok bool
			if ok, err = h.isOrganizer(ctx, init.User.ID); err == nil && !ok {
				err = errConsoleForbidden
			}
		}
		var v any
		if err == nil {
			r.Body = http.MaxBytesReader(w, r.Body, consoleMaxBody)
			v, err = fn(ctx, c)
		}
		h.consoleWrite(w, c.Lang, v, err)
	})
}

// consoleLang is the user's language as in chat: the one stored with their
// donor record, else the one chosen before consent, else Telegram's.
func (h *Handlers) consoleLang(ctx context.Context, u webapp.User) (string, error) {
	d, err := h.d.Store.Donor(ctx, u.ID)
	switch {
	case err == nil && d.Language != "":
		return d.Language, nil
	case err != nil && !errors.Is(err, storage.ErrNotFound):
		return "", err
	}
	if lang, err := h.d.State.Language(ctx, u.ID); err == nil && lang != "" {
		return lang, nil
	}
	return languageFor(u.LanguageCode), nil
}

func (h *Handlers) consoleWrite(w http.ResponseWriter, lang string, v any, err error) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if err != nil {
		var refusal *consoleErr
		if !errors.As(err, &refusal) {
			h.d.Log.Error("console", "err", err)
			if h.d.OnError != nil {
				h.d.OnError()
			}
			refusal = &consoleErr{Status: http.StatusInternalServerError, Code: "internal"}
		}
		w.WriteHeader(refusal.Status)
		body := map[string]any{"error": refusal.Code, "message": h.texts.text(lang, "console_err_"+refusal.Code, nil)}
		if refusal.Fields != nil {
			body["fields"] = refusal.Fields
		}
		v = body
	}
	if err := json.NewEncoder(w).Encode(v); err != nil {
		h.d.Log.Debug("console: write", "err", err)
	}
}

// decode reads the request's JSON body into v; unknown fields are refused
// so that a misspelt field is an error, not a silently missing value.
func (c *consoleCall) decode(v any) error {
	dec := json.NewDecoder(c.Req.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errConsoleBadInput
	}
	return nil
}

// pathID is the positive integer of a {name} path segment.
func (c *consoleCall) pathID(name string) (int64, error) {
	id, err := strconv.ParseInt(c.Req.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errConsoleNotFound
	}
	return id, nil
}

// query is a query-string parameter.
func (c *consoleCall) query(name string) string { return c.Req.URL.Query().Get(name) }

// consoleDrive loads drive id for a user who may manage it under the same
// rule as the chat commands (organizes); anyone else learns nothing, not
// even that it exists.
func (h *Handlers) consoleDrive(ctx context.Context, c *consoleCall, id int64) (drive.Drive, error) {
	d, err := h.d.Store.Drive(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return drive.Drive{}, errConsoleNotFound
	}
	if err != nil {
		return drive.Drive{}, err
	}
	mine, err := h.organizes(ctx, c.User.ID, d)
	if err != nil {
		return drive.Drive{}, err
	}
	if !mine {
		return drive.Drive{}, errConsoleNotFound
	}
	return d, nil
}

// consoleDriveOf is consoleDrive of the drive the request's {id} names.
func (h *Handlers) consoleDriveOf(ctx context.Context, c *consoleCall) (drive.Drive, error) {
	id, err := c.pathID("id")
	if err != nil {
		return drive.Drive{}, err
	}
	return h.consoleDrive(ctx, c, id)
}

// consoleMeReply is the console's first answer: who is signed in and
// every console text in their language.
type consoleMeReply struct {
	ID    int64          `json:"id"`
	Name  string         `json:"name"`
	Lang  string         `json:"lang"`
	Admin bool           `json:"admin"`
	Texts map[string]any `json:"texts"`
}

func (h *Handlers) consoleMe(ctx context.Context, c *consoleCall) (any, error) {
	admin, err := h.d.IsAdmin(ctx, c.User.ID)
	if err != nil {
		return nil, err
	}
	texts, err := consoleTexts(c.Lang)
	if err != nil {
		return nil, err
	}
	return consoleMeReply{ID: c.User.ID, Name: c.User.FirstName, Lang: c.Lang, Admin: admin, Texts: texts}, nil
}

// consoleTexts are the messages of the console_*.<lang>.toml locale files
// as the page needs them: a string, or {one, other} for plural forms.
func consoleTexts(lang string) (map[string]any, error) {
	files, err := fs.Glob(locales.FS, "console*."+lang+".toml")
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, name := range files {
		raw, err := fs.ReadFile(locales.FS, name)
		if err != nil {
			return nil, fmt.Errorf("console texts %s: %w", name, err)
		}
		var msgs map[string]any
		if err := toml.Unmarshal(raw, &msgs); err != nil {
			return nil, fmt.Errorf("console texts %s: %w", name, err)
		}
		for k, v := range msgs {
			out[k] = v
		}
	}
	return out, nil
}

// consoleStatic serves the page. index.html is never cached, so that a
// new release's page and its API arrive together.
func consoleStatic() http.Handler {
	files := http.FileServerFS(webapp.Files())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || r.URL.Path == "index.html" {
			w.Header().Set("Cache-Control", "no-cache")
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}
