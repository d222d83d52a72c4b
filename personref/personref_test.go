package personref

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Ref
		err  error
	}{
		{"", Ref{}, nil},
		{"910002", Ref{Kind: ByID, ID: 910002}, nil},
		{"@Lan_Nguyen", Ref{Kind: ByUsername, Username: "Lan_Nguyen"}, nil},
		{"https://t.me/lan_nguyen", Ref{Kind: ByUsername, Username: "lan_nguyen"}, nil},
		{"0901 234 567", Ref{Kind: ByPhone, Phone: "+84901234567"}, nil},
		{"+84901234567", Ref{Kind: ByPhone, Phone: "+84901234567"}, nil},
		{"0901.234.567", Ref{Kind: ByPhone, Phone: "+84901234567"}, nil},
		{"(+84) 901-234-567", Ref{Kind: ByPhone, Phone: "+84901234567"}, nil},
		{"0901234567", Ref{Kind: ByPhone, Phone: "+84901234567"}, nil},
		{"@ab", Ref{}, ErrUnrecognized},
		{"Nguyễn Thị Lan", Ref{}, ErrUnrecognized},
		{"024 3869 3731", Ref{}, ErrPhone},
		{"0", Ref{}, ErrPhone},
		{"99999999999999999999", Ref{}, ErrUnrecognized},
	} {
		got, err := Parse(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Command
		err  error
	}{
		{"", Command{}, nil},
		{"0901 234 567 organizer", Command{Who: Ref{Kind: ByPhone, Phone: "+84901234567"}, Role: RoleOrganizer}, nil},
		{"@lan_nguyen ADMIN", Command{Who: Ref{Kind: ByUsername, Username: "lan_nguyen"}, Role: RoleAdmin}, nil},
		{"910002 club_admin clb123", Command{Who: Ref{Kind: ByID, ID: 910002}, Role: RoleClubAdmin, Club: "clb123"}, nil},
		{"organizer", Command{Role: RoleOrganizer}, nil},
		{"910002", Command{Who: Ref{Kind: ByID, ID: 910002}}, nil},
		{"910002 organizer extra", Command{}, ErrExtra},
		{"910002 wizard", Command{}, ErrUnrecognized},
	} {
		got, err := ParseCommand(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("ParseCommand(%q) = %+v, %v; want %+v, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// FuzzParseCommand: /grant and /revoke arguments typed by an admin. What
// is taken names exactly one person in one way, and a role the roles
// table holds.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"123 organizer", "5 admin", "7 club_admin clb", "-1 admin", "x y", "", "1 2 3",
		"99999999999999999999 admin", "12 ORGANIZER", "@lan_nguyen organizer", "@ab admin", "t.me/lan_nguyen",
		"0901 234 567 organizer", "+84901234567 admin", "+84 (0) 901 234 567", "0084901234567 club_admin 5",
		"024 3869 3731 organizer", "@", "@@lan_nguyen", "０９０１２３４５６７", "910002 organizer extra"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		c, err := ParseCommand(args)
		if err != nil {
			return
		}
		switch c.Who.Kind {
		case None:
			if c.Who != (Ref{}) {
				t.Fatalf("%q: no person but %+v", args, c.Who)
			}
		case ByID:
			if c.Who.ID <= 0 || c.Who.Username != "" || c.Who.Phone != "" {
				t.Fatalf("%q: bad id ref %+v", args, c.Who)
			}
		case ByUsername:
			if Username(c.Who.Username) != c.Who.Username || c.Who.ID != 0 || c.Who.Phone != "" {
				t.Fatalf("%q: bad username ref %+v", args, c.Who)
			}
		case ByPhone:
			if !strings.HasPrefix(c.Who.Phone, "+84") || len(c.Who.Phone) != 12 || c.Who.ID != 0 {
				t.Fatalf("%q: bad phone ref %+v", args, c.Who)
			}
		default:
			t.Fatalf("%q: kind %d", args, c.Who.Kind)
		}
		if c.Role != "" && c.Role != RoleOrganizer && c.Role != RoleAdmin && c.Role != RoleClubAdmin {
			t.Fatalf("%q: role %q", args, c.Role)
		}
		if c.Club != "" && c.Role != RoleClubAdmin {
			t.Fatalf("%q: club %q for role %q", args, c.Club, c.Role)
		}
	})
}
