package telegramtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"donorbot/telegramtest/apispec"
)

type specField struct {
	Name     string   `json:"name"`
	Types    []string `json:"types"`
	Required bool     `json:"required"`
}

type specMethod struct {
	Name    string      `json:"name"`
	Returns []string    `json:"returns"`
	Fields  []specField `json:"fields"`
	byName  map[string]*specField
}

func (m *specMethod) returns(t string) bool { return slices.Contains(m.Returns, t) }

type specType struct {
	Name     string      `json:"name"`
	Fields   []specField `json:"fields"`
	Subtypes []string    `json:"subtypes"`
	byName   map[string]*specField
}

type spec struct {
	version string
	methods map[string]*specMethod
	types   map[string]*specType
}

// embeddedSpec parses the repository's copy of the spec once per process:
// it is 650 KB and every test builds a Server.
var embeddedSpec = sync.OnceValues(func() (*spec, error) {
	sp, err := parseSpec(apispec.JSON)
	if err != nil {
		return nil, fmt.Errorf("telegramtest: embedded Bot API spec (telegramtest/apispec): %w", err)
	}
	return sp, nil
})

// parseSpec decodes api.min.json and indexes the fields of methods and types.
func parseSpec(raw []byte) (*spec, error) {
	var doc struct {
		Version string                 `json:"version"`
		Methods map[string]*specMethod `json:"methods"`
		Types   map[string]*specType   `json:"types"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if len(doc.Methods) == 0 {
		return nil, errors.New("no methods")
	}
	for _, m := range doc.Methods {
		m.byName = map[string]*specField{}
		for i := range m.Fields {
			m.byName[m.Fields[i].Name] = &m.Fields[i]
		}
	}
	for _, t := range doc.Types {
		t.byName = map[string]*specField{}
		for i := range t.Fields {
			t.byName[t.Fields[i].Name] = &t.Fields[i]
		}
	}
	return &spec{version: doc.Version, methods: doc.Methods, types: doc.Types}, nil
}

// problem is one reason to reject a request: desc is Telegram's error
// description (what the bot sees), detail says what exactly was wrong.
type problem struct{ desc, detail string }

func (p problem) String() string {
	if p.detail == "" {
		return p.desc
	}
	return p.desc + " (" + p.detail + ")"
}

func prob(detail, format string, args ...any) problem {
	return problem{desc: "Bad Request: " + fmt.Sprintf(format, args...), detail: detail}
}

// Lengths are counted in Unicode code points (runes). Telegram documents
// "characters" and in practice measures UTF-16 code units, which differ only
// for characters outside the BMP (most emoji); counting runes is the lenient
// choice, so a bot is never flagged for a message Telegram would accept.
const (
	maxTextLen     = 4096
	maxCaptionLen  = 1024
	maxCallbackLen = 200
)

// requiredMessages gives the real server's wording for the commonest
// missing parameters; others get a generic one naming the parameter.
var requiredMessages = map[string]string{
	"chat_id": "chat_id is empty",
	"text":    "message text is empty",
}

// emptyAllowed lists required parameters the API documents as accepting an
// empty value.
var emptyAllowed = map[string]bool{"setWebhook.url": true}

// check validates one request against the spec and the documented limits.
func (sp *spec) check(m *specMethod, req *request) []problem {
	var probs []problem
	refs := req.attachRefs()
	// Sorted, so that the first problem (the one answered) is stable.
	for _, name := range slices.Sorted(maps.Keys(req.params)) {
		if m.byName[name] == nil {
			probs = append(probs, prob("not in the spec of "+m.Name, "unknown parameter %q", name))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(req.files)) {
		f := m.byName[name]
		switch {
		case f != nil && !slices.Contains(f.Types, "InputFile"):
			probs = append(probs, prob("a file was uploaded for a non-file parameter", "parameter %q can't be a file", name))
		case f == nil && !refs[name]:
			probs = append(probs, prob("file part neither a spec parameter nor referenced as attach://"+name, "unknown parameter %q", name))
		}
	}
	for i := range m.Fields {
		f := &m.Fields[i]
		_, isFile := req.files[f.Name]
		if !req.has(f.Name) && !isFile {
			if f.Required && !emptyAllowed[m.Name+"."+f.Name] {
				msg := requiredMessages[f.Name]
				if msg == "" {
					msg = fmt.Sprintf("parameter %q is required", f.Name)
				}
				probs = append(probs, prob("required parameter "+f.Name+" missing or empty", "%s", msg))
			}
			continue
		}
		if isFile {
			continue
		}
		if detail := checkValueType(f, req.params[f.Name], req); detail != "" {
			probs = append(probs, prob(detail, "wrong parameter %s", f.Name))
		}
	}
	if len(probs) > 0 {
		return probs // limits only make sense on well-typed values
	}
	probs = append(probs, checkLimits(m.Name, req)...)
	if f := m.byName["reply_markup"]; f != nil && req.has("reply_markup") {
		probs = append(probs, sp.checkReplyMarkup(req.params["reply_markup"], f.Types)...)
	}
	switch m.Name {
	case "setMyCommands":
		probs = append(probs, checkCommands(req.params["commands"])...)
	case "setWebhook":
		if req.has("secret_token") && !secretTokenRe.MatchString(req.params["secret_token"]) {
			probs = append(probs, prob("secret_token must be 1-256 of A-Z a-z 0-9 _ -", "secret token contains unallowed characters"))
		}
	case "sendChatAction":
		if !chatActions[req.params["action"]] {
			probs = append(probs, prob("action "+strconv.Quote(req.params["action"])+" is not one of the documented actions", "wrong parameter action in request"))
		}
	}
	return probs
}

var secretTokenRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true,
}

// checkValueType reports why v does not fit any of the field's types, or "".
func checkValueType(f *specField, v string, req *request) string {
	for _, t := range f.Types {
		switch {
		case t == "String":
			return ""
		case t == "Integer":
			if _, err := strconv.ParseInt(v, 10, 64); err == nil {
				return ""
			}
		case t == "Float":
			if _, err := strconv.ParseFloat(v, 64); err == nil {
				return ""
			}
		case t == "Boolean":
			switch strings.ToLower(v) {
			case "true", "false", "1", "0":
				return ""
			}
		case t == "InputFile":
			if name, ok := strings.CutPrefix(v, "attach://"); ok {
				if _, has := req.files[name]; has {
					return ""
				}
				return fmt.Sprintf("%s refers to attach://%s but no such file part was sent", f.Name, name)
			}
		case strings.HasPrefix(t, "Array of "):
			var a []json.RawMessage
			if json.Unmarshal([]byte(v), &a) == nil {
				return ""
			}
		default: // an object type, sent as JSON text
			var o map[string]json.RawMessage
			if json.Unmarshal([]byte(v), &o) == nil && o != nil {
				return ""
			}
		}
	}
	return fmt.Sprintf("%s=%q is not %s", f.Name, truncate(v, 80), strings.Join(f.Types, " or "))
}

// checkLimits applies the documented length limits. Text is measured after
// entity parsing as Telegram does: HTML tags do not count (Markdown is
// counted as written, which can only over-count).
func checkLimits(method string, req *request) []problem {
	var probs []problem
	mode := strings.ToLower(req.params["parse_mode"])
	if method == "sendMessage" || method == "editMessageText" {
		text := req.params["text"]
		if mode == "html" {
			if err := checkHTML(text); err != nil {
				return []problem{prob("text: "+err.Error(), "can't parse entities: %v", err)}
			}
		}
		if n := visibleLen(text, mode); n > maxTextLen {
			probs = append(probs, prob(fmt.Sprintf("text is %d characters, limit %d", n, maxTextLen), "message is too long"))
		} else if n == 0 {
			probs = append(probs, prob("text is empty after entity parsing", "message text is empty"))
		}
	}
	if req.has("caption") {
		caption := req.params["caption"]
		if mode == "html" {
			if err := checkHTML(caption); err != nil {
				return []problem{prob("caption: "+err.Error(), "can't parse entities: %v", err)}
			}
		}
		if n := visibleLen(caption, mode); n > maxCaptionLen {
			probs = append(probs, prob(fmt.Sprintf("caption is %d characters, limit %d", n, maxCaptionLen), "message caption is too long"))
		}
	}
	if method == "answerCallbackQuery" {
		if n := utf8.RuneCountInString(req.params["text"]); n > maxCallbackLen {
			probs = append(probs, prob(fmt.Sprintf("text is %d characters, limit %d", n, maxCallbackLen), "MESSAGE_TOO_LONG"))
		}
	}
	if req.has("parse_mode") {
		switch mode {
		case "html", "markdown", "markdownv2":
		default:
			probs = append(probs, prob("parse_mode must be HTML, Markdown or MarkdownV2", "unsupported parse_mode"))
		}
	}
	return probs
}

func visibleLen(s, parseMode string) int {
	if parseMode == "html" {
		s = htmlVisible(s)
	}
	return utf8.RuneCountInString(s)
}

var commandRe = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// checkCommands applies BotCommand's documented limits.
func checkCommands(raw string) []problem {
	var cmds []map[string]any
	if err := json.Unmarshal([]byte(raw), &cmds); err != nil {
		return []problem{prob("commands must be an array of BotCommand objects", "can't parse commands JSON object")}
	}
	if len(cmds) > 100 {
		return []problem{prob(fmt.Sprintf("%d commands, at most 100", len(cmds)), "too many commands")}
	}
	var probs []problem
	for i, c := range cmds {
		cmd, _ := c["command"].(string)
		desc, _ := c["description"].(string)
		if !commandRe.MatchString(cmd) {
			probs = append(probs, prob(fmt.Sprintf("commands[%d].command=%q: 1-32 of a-z 0-9 _", i, cmd), "BOT_COMMAND_INVALID"))
		}
		if n := utf8.RuneCountInString(desc); n < 1 || n > 256 {
			probs = append(probs, prob(fmt.Sprintf("commands[%d].description is %d characters, must be 1-256", i, n), "command description is empty or too long"))
		}
		for _, k := range slices.Sorted(maps.Keys(c)) {
			if k != "command" && k != "description" {
				probs = append(probs, prob(fmt.Sprintf("commands[%d] has unknown field %q", i, k), "can't parse BotCommand"))
			}
		}
	}
	return probs
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
