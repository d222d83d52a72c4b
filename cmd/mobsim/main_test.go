package main

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"donorbot/internal/testenv"
	"donorbot/mobsim"
)

func testOptions(t testing.TB, donors int, strategy string) options {
	t.Helper()
	admin := os.Getenv(testenv.EnvDatabaseURL)
	if admin == "" {
		t.Fatalf("%s is not set (make test sets it)", testenv.EnvDatabaseURL)
	}
	p := mobsim.DefaultParams()
	p.Donors = donors
	return options{seed: 11, donors: donors, strategy: strategy, history: true, dbURL: admin, redisURL: testenv.RedisURL(t), params: p}
}

// TestCampaign runs both strategies on 1,000 donors and three weekly
// waves through the real bot (under a minute with -race on two busy cores; the
// full campaign is BenchmarkCampaign5k's) and checks that the figures agree with each other and with what each
// strategy must do: every drive announced and nobody invited, or the
// reverse; every delivered message received by the fake Bot API server;
// the funnel narrowing from registered to donated.
func TestCampaign(t *testing.T) {
	o := testOptions(t, 1_000, strategyBoth)
	o.params.DriveDays = []int{11, 18, 25}
	var out bytes.Buffer
	started := time.Now()
	res, err := simulate(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	printTable(&out, o, res)
	t.Logf("%v\n%s", time.Since(started).Round(time.Second), out.String())
	if len(res) != 2 || res[0].Strategy != strategyAll || res[1].Strategy != strategyAutofill {
		t.Fatalf("figures of %d strategies: %+v", len(res), res)
	}
	for _, f := range res {
		if f.FakeSent != f.SentTotal() {
			t.Errorf("%s: the engine recorded %d messages sent, the fake server received %d", f.Strategy, f.SentTotal(), f.FakeSent)
		}
		if !(f.Donated <= f.Arrived && f.Arrived <= f.Registered) || f.Donated == 0 {
			t.Errorf("%s: registered %d, arrived %d, donated %d", f.Strategy, f.Registered, f.Arrived, f.Donated)
		}
		var announced, invited, target int
		for _, w := range f.Waves {
			announced += w.Announced
			invited += w.Invited
			target += w.Target
		}
		if announced != f.Sent[kindAnnouncement] || invited != f.Sent[kindInvitation] {
			t.Errorf("%s: waves announced %d and invited %d; sent %d announcements, %d invitations", f.Strategy,
				announced, invited, f.Sent[kindAnnouncement], f.Sent[kindInvitation])
		}
		if target != f.Target || len(f.Waves) != 3 {
			t.Errorf("%s: %d waves of target %d, campaign target %d", f.Strategy, len(f.Waves), target, f.Target)
		}
		if !strings.Contains(out.String(), "| "+f.Strategy+" | Đợt 3 |") {
			t.Errorf("the table has no row for %s's third wave", f.Strategy)
		}
	}
	all, auto := res[0], res[1]
	if all.Sent[kindInvitation] != 0 || auto.Sent[kindAnnouncement] != 0 {
		t.Errorf("announce-to-all sent %d invitations, auto-fill %d announcements", all.Sent[kindInvitation],
			auto.Sent[kindAnnouncement])
	}
	members := 0
	for _, n := range mobsim.New(o.params, o.seed, firstDay).Members() {
		members += n
	}
	// Each drive reaches every member of its unit once, but for those at the cap.
	if got := all.Sent[kindAnnouncement] + all.Skipped[kindAnnouncement]; got != 3*members {
		t.Errorf("announcements sent and skipped: %d, want 3 waves × %d members", got, members)
	}
	if auto.Checkpoints[10] == 0 {
		t.Errorf("auto-fill invited nobody at the 10-day checkpoint: %v", auto.Checkpoints)
	}
}

// TestSameSeedSameFigures: two runs of one seed give the same figures,
// though the engine delivers in its own order; another seed does not.
func TestSameSeedSameFigures(t *testing.T) {
	o := testOptions(t, 400, strategyAutofill)
	o.params.DriveDays = []int{11}
	figuresOf := func(seed uint64) figures {
		t.Helper()
		o.seed = seed
		res, err := simulate(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		f := res[0]
		f.Elapsed = 0
		return f
	}
	first, second := figuresOf(5), figuresOf(5)
	if !reflect.DeepEqual(first, second) {
		t.Errorf("seed 5 twice:\n%+v\n%+v", first, second)
	}
	if other := figuresOf(6); reflect.DeepEqual(first, other) {
		t.Errorf("seeds 5 and 6 gave the same figures: %+v", first)
	}
}

// TestTargetShareRefused: a target share that makes no drive is refused
// before any database is made.
func TestTargetShareRefused(t *testing.T) {
	for _, share := range []float64{0, -0.05, 1.5} {
		o := testOptions(t, 100, strategyBoth)
		o.params.TargetShare = share
		if _, err := simulate(context.Background(), o); err == nil || !strings.Contains(err.Error(), "-target-share") {
			t.Errorf("-target-share %v: %v, want refused", share, err)
		}
	}
}

func TestParseOffer(t *testing.T) {
	cases := []struct {
		name, markup string
		want         offer
		ok           bool
	}{
		{"announcement", `{"inline_keyboard":[[{"text":"Đăng ký","callback_data":"drv:v1:open:7"}]]}`,
			offer{chat: 1, kind: kindAnnouncement, drives: []int64{7}, slots: map[int64][]int64{}}, true},
		{"invitation", `{"inline_keyboard":[[{"text":"13:00","callback_data":"drv:v1:slot:7:70"}],
			[{"text":"13:30","callback_data":"drv:v1:slot:7:71"}],[{"text":"x","callback_data":"drv:v1:open:7"}],
			[{"text":"stop","callback_data":"dinv:v1:off"}]]}`,
			offer{chat: 1, kind: kindInvitation, drives: []int64{7}, slots: map[int64][]int64{7: {70, 71}}}, true},
		{"recall", `{"inline_keyboard":[[{"text":"a","callback_data":"drv:v1:slot:7:70"}],
			[{"text":"b","callback_data":"drv:v1:slot:8:80"}],[{"text":"c","callback_data":"drvpg:v1:0"}]]}`,
			offer{chat: 1, kind: kindRecall, drives: []int64{7, 8}, slots: map[int64][]int64{7: {70}, 8: {80}}}, true},
		{"a reminder", `{"inline_keyboard":[[{"text":"ok","callback_data":"rchk:v1:5:y"}]]}`, offer{}, false},
		{"no markup", ``, offer{}, false},
		{"not JSON", `{`, offer{}, false},
		{"a bad id", `{"inline_keyboard":[[{"text":"x","callback_data":"drv:v1:open:x"}]]}`, offer{}, false},
	}
	for _, c := range cases {
		got, ok := parseOffer(1, c.markup)
		if ok != c.ok || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v %v, want %+v %v", c.name, got, ok, c.want, c.ok)
		}
	}
}
