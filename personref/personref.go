// Package personref parses how an admin names a person in /grant and
// /revoke: an @username, a phone number in any common Vietnamese form, or a
// numeric Telegram id, followed by the role and, for a club admin, the club.
// A forwarded message, the fourth way, is not text and is read by the
// handler from the update.
package personref

import (
	"errors"
	"strconv"
	"strings"
	"unicode"

	"donorbot/profile"
)

// Kind says how a person was named.
type Kind int

// The ways of naming a person in text.
const (
	None Kind = iota
	ByID
	ByUsername
	ByPhone
)

// Ref names a person: by Telegram id, by username (without the @, as
// typed: usernames compare without case) or by phone (E.164).
type Ref struct {
	Kind     Kind
	ID       int64
	Username string
	Phone    string
}

// The role words of the command, as stored.
const (
	RoleAdmin     = "admin"
	RoleOrganizer = "organizer"
	RoleClubAdmin = "club_admin"
)

// Command is "/grant <person> [role [club]]" parsed; every part may be
// missing, and the handler asks for what is.
type Command struct {
	Who  Ref
	Role string
	Club string
}

var (
	// ErrUnrecognized: the text is neither an @username, a phone nor an id.
	ErrUnrecognized = errors.New("personref: not a username, phone or Telegram id")
	// ErrPhone: digits that are not a Vietnamese mobile number.
	ErrPhone = errors.New("personref: not a Vietnamese mobile number")
	// ErrExtra: words after the role that the role does not take.
	ErrExtra = errors.New("personref: unexpected words after the role")
)

// maxInput bounds the work on pasted junk; a person and a role fit well
// within it.
const maxInput = 200

// Parse reads one person's reference. Bare digits not starting with 0 are
// a Telegram id (ids never start with 0); a leading 0 or +, or grouping
// spaces and dots, make a phone number.
func Parse(s string) (Ref, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Ref{}, nil
	}
	if len(s) > maxInput {
		return Ref{}, ErrUnrecognized
	}
	if name, ok := usernameOf(s); ok {
		return Ref{Kind: ByUsername, Username: name}, nil
	}
	if isDigits(s) && s[0] != '0' {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return Ref{}, ErrUnrecognized
		}
		return Ref{Kind: ByID, ID: id}, nil
	}
	if strings.ContainsFunc(s, unicode.IsLetter) {
		return Ref{}, ErrUnrecognized
	}
	phone, err := profile.ParsePhone(s)
	if err != nil {
		return Ref{}, ErrPhone
	}
	return Ref{Kind: ByPhone, Phone: phone}, nil
}

// ParseCommand reads /grant's or /revoke's arguments: the person is
// everything before the first role word (a phone may be typed with
// spaces), the club follows club_admin.
func ParseCommand(args string) (Command, error) {
	if len(args) > maxInput {
		return Command{}, ErrUnrecognized
	}
	f := strings.Fields(args)
	i := 0
	for i < len(f) && roleWord(f[i]) == "" {
		i++
	}
	who, err := Parse(strings.Join(f[:i], " "))
	if err != nil {
		return Command{}, err
	}
	c := Command{Who: who}
	if i == len(f) {
		return c, nil
	}
	c.Role = roleWord(f[i])
	rest := f[i+1:]
	switch {
	case len(rest) == 0:
	case len(rest) == 1 && c.Role == RoleClubAdmin:
		c.Club = rest[0]
	default:
		return Command{}, ErrExtra
	}
	return c, nil
}

// Username returns a username as Telegram allows it (5 to 32 letters,
// digits and underscores; a few old ones have 4), or "".
func Username(s string) string {
	if len(s) < 4 || len(s) > 32 {
		return ""
	}
	for _, r := range s {
		if !isLetter(r) && (r < '0' || r > '9') && r != '_' {
			return ""
		}
	}
	return s
}

// usernameOf reads "@name", or a t.me link to it.
func usernameOf(s string) (string, bool) {
	for _, prefix := range []string{"https://t.me/", "http://t.me/", "t.me/", "@"} {
		if len(s) > len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
			name := Username(s[len(prefix):])
			return name, name != ""
		}
	}
	return "", false
}

func roleWord(s string) string {
	switch strings.ToLower(s) {
	case RoleOrganizer:
		return RoleOrganizer
	case RoleAdmin:
		return RoleAdmin
	case RoleClubAdmin:
		return RoleClubAdmin
	}
	return ""
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// isLetter is an ASCII letter, as usernames have.
func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
