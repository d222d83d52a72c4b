package handlers

import (
	"donorbot/urgent"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"donorbot/drive"
	"donorbot/locales"
)

// TestLocalesHaveSameMessages: a message present in one language only would
// show its raw id to the other language's users.
func TestLocalesHaveSameMessages(t *testing.T) {
	keys := map[string][]string{}
	files, err := fs.Glob(locales.FS, "*.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		parts := strings.Split(name, ".")
		lang := parts[len(parts)-2]
		raw, err := locales.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if err := toml.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for k := range m {
			if slices.Contains(keys[lang], k) {
				t.Errorf("%s: message %q defined twice for %s", name, k, lang)
			}
			keys[lang] = append(keys[lang], k)
		}
	}
	for _, lang := range languages {
		slices.Sort(keys[lang])
	}
	if !slices.Equal(keys["vi"], keys["en"]) {
		t.Errorf("vi and en differ:\nvi: %v\nen: %v", keys["vi"], keys["en"])
	}
}

// TestMessageIDsInCodeExist finds every literal message id passed to the
// text helpers and checks that it renders in both languages. Ids built at
// run time ("ask_"+step, "cmd_"+name, "btn_"+sex...) are checked by
// TestComputedMessageIDsExist.
func TestMessageIDsInCodeExist(t *testing.T) {
	tx, err := loadTexts()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	helpers := map[string]bool{"text": true, "textf": true}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !helpers[sel.Sel.Name] {
				return true
			}
			arg := call.Args[0]
			if sel.Sel.Name == "text" && len(call.Args) == 3 { // texts.text(lang, id, data)
				arg = call.Args[1]
			}
			lit, ok := arg.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			id, _ := strconv.Unquote(lit.Value)
			for _, lang := range languages {
				if got := tx.text(lang, id, nil); got == id {
					t.Errorf("%s: message %q missing in %s", fset.Position(lit.Pos()), id, lang)
				}
			}
			return true
		})
	}
}

func TestComputedMessageIDsExist(t *testing.T) {
	tx, err := loadTexts()
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"btn_male", "btn_female", "kind_club", "kind_unit", "need_open", "need_filled", "need_closed"}
	for _, st := range (&Handlers{}).urgentFlow().Steps {
		ids = append(ids, "un_ask_"+st.ID, st.Label)
	}
	for _, c := range urgent.Components {
		ids = append(ids, "component_"+string(c))
	}
	for _, a := range []urgent.Audience{urgent.Same, urgent.Compatible, urgent.All} {
		ids = append(ids, "aud_"+string(a), "btn_aud_"+string(a))
	}
	ids = append(ids, "btn_widen_compatible", "btn_widen_all", "btn_widen_provinces", "btn_edit_"+editPlace)
	for _, st := range (&Handlers{}).hospitalFlow().Steps {
		ids = append(ids, "hosp_ask_"+st.ID, st.Label)
	}
	for _, st := range (&Handlers{}).placeSteps() {
		ids = append(ids, "place_ask_"+st.ID)
	}
	for _, s := range []string{"name", "phone", "sex", "birth", "weight", "blood", "unit"} {
		ids = append(ids, "ask_"+s, "btn_edit_"+s)
	}
	for _, c := range slices.Concat(donorCommands, adminCommands, clubAdminCommands) {
		ids = append(ids, "cmd_"+c)
	}
	for _, p := range inputProblems {
		ids = append(ids, p.id)
	}
	for _, code := range drive.DeferralReasons {
		ids = append(ids, "btn_deferral_"+code, "deferral_reason_"+code)
	}
	for _, id := range ids {
		for _, lang := range languages {
			if got := tx.text(lang, id, nil); got == id {
				t.Errorf("message %q missing in %s", id, lang)
			}
		}
	}
}

// TestNoUserTextInCode: user-facing text lives in the locale files. Any
// string literal in handler code with Vietnamese letters is a text that
// slipped into Go; the language names on the /lang buttons are the only
// exception, since each is written in its own language on purpose.
func TestNoUserTextInCode(t *testing.T) {
	vietnamese := regexp.MustCompile(`[ăâđêôơưĂÂĐÊÔƠƯáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]`)
	files, _ := filepath.Glob("*.go")
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			trimmed := strings.TrimSpace(line)
			if strings.HasPrefix(trimmed, "//") || strings.Contains(line, `"Tiếng Việt"`) {
				continue
			}
			if vietnamese.MatchString(line) {
				t.Errorf("%s:%d: user-facing text in code: %s", name, i+1, trimmed)
			}
		}
	}
}

// TestEnglishPlurals: a count of one is written in the singular, zero as
// nothing yet, and a message with a single form renders for any count.
func TestEnglishPlurals(t *testing.T) {
	tx, err := loadTexts()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang, id string
		data     map[string]any
		want     string
	}{
		{"en", "eligibility_history", map[string]any{"Count": 0}, "You have not donated yet."},
		{"en", "eligibility_history", map[string]any{"Count": 1}, "You have donated once."},
		{"en", "eligibility_history", map[string]any{"Count": 3}, "You have donated 3 times."},
		{"vi", "eligibility_history", map[string]any{"Count": 0}, "Bạn chưa hiến máu lần nào."},
		{"vi", "eligibility_history", map[string]any{"Count": 1}, "đã hiến máu 1 lần"},
		{"en", "urgent_card", map[string]any{"Count": 1, "Units": 1}, "1 donor needed"},
		{"en", "urgent_card", map[string]any{"Count": 2, "Units": 2}, "2 donors needed"},
		{"en", "drive_card", map[string]any{"Count": 1, "Seats": 1}, "💺 1 seat left"},
		{"en", "drive_card", map[string]any{"Count": 0, "Seats": 0}, "💺 0 seats left"},
		{"en", "club_invite", map[string]any{"Count": 1, "Members": 1}, "— 1 member."},
		{"en", "export_caption", map[string]any{"Count": 1}, ": 1 person"},
		{"en", "milestone", map[string]any{"Count": 5}, "on 5 donations"},
		{"en", "urgent_widened", map[string]any{"Count": 1}, "Alerted 1 more donor."},
		{"en", "canceldrive_done", map[string]any{"Count": 1}, "telling its one registrant."},
		{"en", "nd_preview", map[string]any{"Count": 1, "Slots": 1}, "🕐 1 time slot\n"},
		// A single-form message with a Count of one still renders.
		{"en", "donation_thanks", map[string]any{"Count": 1, "Volume": 350}, "donation number 1"},
		{"vi", "urgent_card", map[string]any{"Count": 1, "Units": 1}, "cần 1 người hiến"},
	} {
		if got := tx.text(c.lang, c.id, c.data); !strings.Contains(got, c.want) {
			t.Errorf("%s %s %v = %q; want it to contain %q", c.lang, c.id, c.data, got, c.want)
		}
	}
}

// TestEnglishTextsUseEnglishQuotes: «» are Vietnamese typography; English
// texts quote with “”.
func TestEnglishTextsUseEnglishQuotes(t *testing.T) {
	files, err := fs.Glob(locales.FS, "*.en.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		raw, err := locales.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(raw), "\n") {
			if strings.ContainsAny(line, "«»") {
				t.Errorf("%s:%d: «» in an English text: %s", name, i+1, line)
			}
		}
	}
}

// TestLocaleFilesAreParsedOncePerProcess: the handlers given the texts the
// progress renderer uses keep that parse rather than making their own,
// which would keep another 1.4 MB for the life of the process.
func TestLocaleFilesAreParsedOncePerProcess(t *testing.T) {
	tx, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	_ = NewProgressRenderer(tx)
	h, err := New(Deps{Texts: tx})
	if err != nil {
		t.Fatal(err)
	}
	if h.texts != tx.t {
		t.Error("the handlers parsed the locale files again instead of using the texts they were given")
	}
	own, err := New(Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if own.texts == nil || own.texts == tx.t {
		t.Error("handlers without texts given must parse their own")
	}
}
