package handlers

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"donorbot/locales"
)

// typedCommand is a command a text tells its reader to type: "/drives",
// "(/start)", «/mycode».
var typedCommand = regexp.MustCompile(`(^|[\s(«“"])/[a-z]+\b`)

// commandsLeftIn are the texts that still name a command, and why.
var commandsLeftIn = map[string]string{
	"start_intro":          "the consent text: how to erase your data (/forget) is part of what you agree to",
	"checkin_ask":          "the organizer's desk: where donors find their code",
	"checkin_desk_closed":  "the organizer's desk: reopening it takes the drive's code",
	"hosp_list_hint":       "the admins' hospital directory: its own commands",
	"hosp_not_saved":       "the admins' hospital directory: its own commands",
	"hosp_err_duplicate":   "the admins' hospital directory: its own commands",
	"checkin_code_invalid": "the organizer's desk: what to ask of the donor",
}

// TestTextsEndInButtonsNotCommands: no text tells its reader to type a
// command, outside the command references (help_*, *_usage, cmd_*) and the
// few listed above: the next step is a button or the menu.
func TestTextsEndInButtonsNotCommands(t *testing.T) {
	files, err := fs.Glob(locales.FS, "*.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		raw, err := locales.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if err := toml.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for key, v := range m {
			if strings.HasPrefix(key, "help_") || strings.HasPrefix(key, "cmd_") || strings.HasSuffix(key, "_usage") ||
				commandsLeftIn[key] != "" {
				continue
			}
			if cmd := typedCommand.FindString(fmt.Sprint(v)); cmd != "" {
				t.Errorf("%s: %s tells the reader to type %s", name, key, strings.TrimSpace(cmd))
			}
		}
	}
}
