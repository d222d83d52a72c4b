package telegramtest

import (
	"fmt"
	"html"
	"strings"
)

// htmlTags are the tags Telegram's parse_mode=HTML supports.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "tg-emoji": true, "code": true, "pre": true, "blockquote": true,
	"tg-time": true,
}

// checkHTML applies the rules of Telegram's HTML parse mode that bots most
// often break: every '<' must start a supported tag (user input has to be
// escaped), and tags must be closed in order. It is deliberately lenient
// about '&' and '>', which Telegram tolerates, so it never rejects a text the
// real server accepts for these reasons.
func checkHTML(s string) error {
	var stack []string
	for i := 0; i < len(s); {
		if s[i] != '<' {
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			return fmt.Errorf("unclosed start tag at byte offset %d", i)
		}
		tag := s[i+1 : i+end]
		if name, closing := strings.CutPrefix(tag, "/"); closing {
			name = strings.ToLower(strings.TrimSpace(name))
			if len(stack) == 0 || stack[len(stack)-1] != name {
				return fmt.Errorf("unexpected end tag %q at byte offset %d", name, i)
			}
			stack = stack[:len(stack)-1]
		} else {
			name := strings.ToLower(tag)
			if j := strings.IndexAny(name, " \t\n/"); j >= 0 {
				name = name[:j]
			}
			if !htmlTags[name] {
				return fmt.Errorf("unsupported start tag %q at byte offset %d", name, i)
			}
			if name == "span" && !strings.Contains(tag, "tg-spoiler") {
				return fmt.Errorf("tag \"span\" must have class \"tg-spoiler\" at byte offset %d", i)
			}
			stack = append(stack, name)
		}
		i += end + 1
	}
	if len(stack) > 0 {
		return fmt.Errorf("can't find end tag corresponding to start tag %q", stack[len(stack)-1])
	}
	return nil
}

// htmlVisible is the text a user sees: tags removed, entities decoded.
func htmlVisible(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			b.WriteString(s[i:])
			break
		}
		s = s[i+end+1:]
	}
	return html.UnescapeString(b.String())
}
