package bot

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"donorbot/storage"
)

func TestLoadConfig(t *testing.T) {
	base := []string{"DATABASE_URL=postgres://x@127.0.0.1/db", "REDIS_URL=redis://127.0.0.1:6379/0"}
	tests := []struct {
		name    string
		env     []string
		wantErr string // substring; "" = valid
	}{
		{"OK", base, ""},
		{"ErrDatabaseURLMissing", []string{"REDIS_URL=redis://x"}, "DATABASE_URL is not set"},
		{"ErrRedisURLMissing", []string{"DATABASE_URL=postgres://x"}, "REDIS_URL is not set"},
		{"ErrAdminIDsMalformed", append(base, "ADMIN_IDS=12,abc"), "ADMIN_IDS is malformed"},
		{"ErrAdminIDsNegative", append(base, "ADMIN_IDS=-5"), "ADMIN_IDS"},
		{"ErrWorkersMalformed", append(base, "WORKERS=many"), "WORKERS is malformed"},
		{"ErrDatabaseConnsOne", append(base, "DATABASE_CONNS=1"), "DATABASE_CONNS is 1"},
		{"OKDatabaseConns", append(base, "DATABASE_CONNS=40"), ""},
		{"ErrTokenMalformed", append(base, "TELEGRAM_BOT_TOKEN=nope"), "TELEGRAM_BOT_TOKEN is malformed"},
		{"ErrWebhookWithoutSecret", append(base, "WEBHOOK_URL=https://example.org/hook"), "WEBHOOK_SECRET is required"},
		{"ErrWebhookSecretBadChars", append(base, "WEBHOOK_URL=https://example.org/hook", "WEBHOOK_SECRET=a b"), "WEBHOOK_SECRET"},
		{"ErrWebhookURLNotHTTP", append(base, "WEBHOOK_URL=ftp://x", "WEBHOOK_SECRET=s"), "WEBHOOK_URL"},
		{"ErrAPIURLBad", append(base, "TELEGRAM_API_URL=::"), "TELEGRAM_API_URL"},
		{"ErrTimeZone", append(base, "TZ=Mars/Olympus"), "TZ is"},
		{"ErrDurationMalformed", append(base, "INBOX_LEASE=soon"), "INBOX_LEASE is malformed"},
		{"ErrWebhookPathHealthz", append(base, "WEBHOOK_URL=https://example.org/healthz", "WEBHOOK_SECRET=s"), "WEBHOOK_URL path \"/healthz\""},
		{"ErrWebhookPathMetrics", append(base, "WEBHOOK_URL=https://example.org/metrics", "WEBHOOK_SECRET=s"), "WEBHOOK_URL path \"/metrics\""},
		{"ErrWebhookPathBrace", append(base, "WEBHOOK_URL=https://example.org/hook/{id}", "WEBHOOK_SECRET=s"), "WEBHOOK_URL path"},
		{"ErrWebhookPathSpace", append(base, "WEBHOOK_URL=https://example.org/a b", "WEBHOOK_SECRET=s"), "WEBHOOK_URL"},
		{"ErrWebhookPathEscapedSpace", append(base, "WEBHOOK_URL=https://example.org/a%20b", "WEBHOOK_SECRET=s"), "WEBHOOK_URL path"},
		{"ErrWebhookPathNotClean", append(base, "WEBHOOK_URL=https://example.org/x/../metrics", "WEBHOOK_SECRET=s"), "WEBHOOK_URL path"},
		{"ErrRedisPrefixGlob", append(base, "REDIS_PREFIX=*"), "REDIS_PREFIX"},
		{"ErrRedisPrefixClass", append(base, "REDIS_PREFIX=app[12]:"), "REDIS_PREFIX"},
		{"ErrRedisPrefixQuestion", append(base, "REDIS_PREFIX=app?:"), "REDIS_PREFIX"},
		{"ErrRedisPrefixSpace", append(base, "REDIS_PREFIX=my app:"), "REDIS_PREFIX"},
		{"OKRedisPrefix", append(base, "REDIS_PREFIX=t:bot/test.x-1_2:"), ""},
		{"OKWebhookRoot", append(base, "WEBHOOK_URL=https://example.org", "WEBHOOK_SECRET=s"), ""},
		{"OKWebhookSubtree", append(base, "WEBHOOK_URL=https://example.org/tg/hook-1/", "WEBHOOK_SECRET=s"), ""},
		{"ErrMetricsAddrNoPort", append(base, "METRICS_ADDR=9090"), "METRICS_ADDR"},
		{"ErrMetricsAddrIsListenAddr", append(base, "METRICS_ADDR=127.0.0.1:8080"), "METRICS_ADDR"},
		{"OKMetricsAddr", append(base, "METRICS_ADDR=127.0.0.1:9090"), ""},
		{"ErrCheckinOpensBeforeNegative", append(base, "CHECKIN_OPENS_BEFORE=-1h"), "CHECKIN_OPENS_BEFORE is -1h0m0s"},
		{"ErrCheckinOpensBeforeDays", append(base, "CHECKIN_OPENS_BEFORE=48h"), "CHECKIN_OPENS_BEFORE is 48h0m0s"},
		{"ErrQuietHoursOneTime", append(base, "QUIET_HOURS=21:00"), "QUIET_HOURS is \"21:00\""},
		{"ErrQuietHoursSameTimes", append(base, "QUIET_HOURS=21:00-21:00"), "QUIET_HOURS"},
		{"ErrQuietHoursHour24", append(base, "QUIET_HOURS=24:00-07:00"), "QUIET_HOURS"},
		{"OKQuietHoursOff", append(base, "QUIET_HOURS="), ""},
		{"ErrContactCapNegative", append(base, "CONTACT_CAP=-1"), "CONTACT_CAP"},
		{"ErrContactCapNotANumber", append(base, "CONTACT_CAP=four"), "CONTACT_CAP"},
		{"OKContactCapOff", append(base, "CONTACT_CAP=0"), ""},
		{"OKQuietHoursWithinADay", append(base, "QUIET_HOURS=12:00-13:30"), ""},
		{"OKPaidBroadcastOff", append(base, "URGENT_PAID_BROADCAST_CAP=0"), ""},
		{"OKPaidBroadcast", append(base, "URGENT_PAID_BROADCAST=true", "URGENT_PAID_BROADCAST_CAP=500"), ""},
		{"ErrPaidBroadcastCapZero", append(base, "URGENT_PAID_BROADCAST=true", "URGENT_PAID_BROADCAST_CAP=0"), "URGENT_PAID_BROADCAST_CAP is 0"},
		{"ErrPaidBroadcastMalformed", append(base, "URGENT_PAID_BROADCAST=sometimes"), "URGENT_PAID_BROADCAST is malformed"},
		{"OKWebhook", append(base, "WEBHOOK_URL=https://example.org/hook", "WEBHOOK_SECRET=s3cr3t_-", "ADMIN_IDS=1,2"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadConfig(tt.env)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if cfg.Location == nil || cfg.Location.String() != "Asia/Ho_Chi_Minh" {
					t.Errorf("got location %v, want Asia/Ho_Chi_Minh", cfg.Location)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans several lines: %q", err)
			}
		})
	}
}

// TestQuietHoursSetting: unset is 21:00-07:00 (issue 15), empty is none.
func TestQuietHoursSetting(t *testing.T) {
	base := []string{"DATABASE_URL=postgres://x", "REDIS_URL=redis://x"}
	for _, c := range []struct {
		env  []string
		want string
	}{
		{base, "21:00-07:00"},
		{append(base, "QUIET_HOURS="), ""},
		{append(base, "QUIET_HOURS=22:30-06:00"), "22:30-06:00"},
	} {
		cfg, err := LoadConfig(c.env)
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Quiet.String(); got != c.want || cfg.Quiet.On() != (c.want != "") {
			t.Errorf("%v: quiet hours %q (on %v), want %q", c.env[2:], got, cfg.Quiet.On(), c.want)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig([]string{"DATABASE_URL=postgres://x", "REDIS_URL=redis://x"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.APIURL != "https://api.telegram.org" || cfg.ListenAddr != "127.0.0.1:8080" {
		t.Errorf("got api %q listen %q, want the documented defaults", cfg.APIURL, cfg.ListenAddr)
	}
	if cfg.DatabaseConns != storage.DefaultConns {
		t.Errorf("DATABASE_CONNS defaults to %d, storage's pool to %d", cfg.DatabaseConns, storage.DefaultConns)
	}
	// An empty REDIS_PREFIX is the default, never "": keys under "" would
	// be every application's.
	if cfg, err := LoadConfig([]string{"DATABASE_URL=postgres://x", "REDIS_URL=redis://x", "REDIS_PREFIX="}); err != nil || cfg.RedisPrefix != "donorbot:" {
		t.Errorf("empty REDIS_PREFIX: got %q, %v; want the default", cfg.RedisPrefix, err)
	}
	// Paid broadcasts cost Stars: off unless the operator turns them on.
	if cfg.UrgentPaidBroadcast || cfg.urgentPaidCap() != 0 {
		t.Errorf("paid broadcasts on by default (cap %d)", cfg.urgentPaidCap())
	}
	if !(Config{AdminIDs: []int64{7, 9}}).IsAdmin(9) || (Config{AdminIDs: []int64{7}}).IsAdmin(8) {
		t.Error("IsAdmin does not follow ADMIN_IDS")
	}
}

// TestConsoleURL: the console opens at PUBLIC_URL, which must be https
// (Telegram opens Mini Apps only so), or else at the host of an https
// WEBHOOK_URL; with neither, or a plain-http webhook, there is none and
// no button opens it.
func TestConsoleURL(t *testing.T) {
	base := []string{"DATABASE_URL=postgres://x@127.0.0.1/db", "REDIS_URL=redis://127.0.0.1:6379/0"}
	hook := []string{"WEBHOOK_URL=https://hook.example.org:8443/tg/hook", "WEBHOOK_SECRET=s"}
	tests := []struct {
		name    string
		env     []string
		want    string
		wantErr string
	}{
		{"None", base, "", ""},
		{"Public", append(base, "PUBLIC_URL=https://donorbot.example.org"), "https://donorbot.example.org/console/", ""},
		{"PublicSlash", append(base, "PUBLIC_URL=https://donorbot.example.org/"), "https://donorbot.example.org/console/", ""},
		{"PublicPrefix", append(base, "PUBLIC_URL=https://example.org/donorbot/"), "https://example.org/donorbot/console/", ""},
		{"PublicBeforeWebhook", slices.Concat(base, hook, []string{"PUBLIC_URL=https://app.example.org"}), "https://app.example.org/console/", ""},
		{"WebhookHost", slices.Concat(base, hook), "https://hook.example.org:8443/console/", ""},
		{"WebhookNotHTTPS", append(base, "WEBHOOK_URL=http://127.0.0.1:9000/hook", "WEBHOOK_SECRET=s"), "", ""},
		{"ErrPublicHTTP", append(base, "PUBLIC_URL=http://donorbot.example.org"), "", "PUBLIC_URL is \"http://donorbot.example.org\": want an https URL"},
		{"ErrPublicNoHost", append(base, "PUBLIC_URL=https://"), "", "PUBLIC_URL"},
		{"ErrPublicQuery", append(base, "PUBLIC_URL=https://example.org/?x=1"), "", "PUBLIC_URL"},
		{"ErrPublicNotURL", append(base, "PUBLIC_URL=donorbot.example.org"), "", "PUBLIC_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadConfig(tt.env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if got := cfg.ConsoleURL(); got != tt.want {
				t.Errorf("console at %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzConsoleURL: whatever PUBLIC_URL (or WEBHOOK_URL) holds, a console
// address is either none or an https URL ending in /console/ with no
// credentials, query or fragment, on the host given.
func FuzzConsoleURL(f *testing.F) {
	for _, s := range []string{"https://donorbot.example.org", "https://example.org/donorbot/", "http://donorbot.example.org",
		"https://", "donorbot.example.org", "https://u:p@example.org", "https://example.org/?next=x", "https://example.org/#f",
		"https://example.org/a/../b", "https://example.org//", "https://example.org/a%20b", "https:example.org", "javascript:alert(1)",
		"https://[::1]:8443/x", "HTTPS://EXAMPLE.ORG"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, raw string, public bool) {
		cfg := Config{PublicURL: raw}
		if !public {
			cfg = Config{WebhookURL: raw}
		}
		if public && checkPublicURL(raw) != nil {
			return
		}
		got := cfg.ConsoleURL()
		if got == "" {
			if public {
				t.Fatalf("PUBLIC_URL %q accepted but no console address", raw)
			}
			return
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
			!strings.HasSuffix(u.Path, "/console/") || strings.Contains(u.Path, "//") {
			t.Fatalf("console address %q from %q", got, raw)
		}
	})
}

// TestContactCapSetting: unset is 4 messages per 30 days, 0 is no cap.
func TestContactCapSetting(t *testing.T) {
	base := []string{"DATABASE_URL=postgres://x", "REDIS_URL=redis://x"}
	for _, c := range []struct {
		env  []string
		want int
	}{
		{base, 4},
		{append(base, "CONTACT_CAP=0"), 0},
		{append(base, "CONTACT_CAP=6"), 6},
	} {
		cfg, err := LoadConfig(c.env)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.ContactCap != c.want {
			t.Errorf("%v: contact cap %d, want %d", c.env[2:], cfg.ContactCap, c.want)
		}
	}
}
