package storage_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/mobilize"
	"donorbot/screening"
	"donorbot/storage"
	"donorbot/urgent"
)

// inviteeRow is one donor of TestInviteeCandidates.
type inviteeRow struct {
	name string
	// where: "member" of the drive's unit, "address" in its province,
	// "unit" (member of another unit of the province), "elsewhere" (address
	// in another province), "far unit" (member of a unit elsewhere).
	where      string
	birth      time.Time
	weightKg   float64
	donatedAgo int // days before the drive's date; 0: never donated
	kind       screening.DonationKind
	deferred   bool // a deferral that ends deferral days after the drive's date
	deferral   int
	permanent  bool
	register   string // "confirmed", "cancelled" or ""
	unreachable,
	notOnboarded,
	responded, // registered for another, announced drive
	recalled bool
	want bool
}

// inviteeDay is the drive's date; the contacts are after every other
// test's, so that an announcement of theirs to everyone does not make
// last contacts equal.
var (
	inviteeDay = time.Date(2040, time.June, 15, 0, 0, 0, 0, time.UTC)
	inviteeNow = time.Date(2040, time.May, 10, 3, 0, 0, 0, time.UTC)
)

func inviteeRows() []inviteeRow {
	born := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	row := func(name, where string, want bool) inviteeRow {
		return inviteeRow{name: name, where: where, birth: born, weightKg: 60, want: want}
	}
	with := func(r inviteeRow, f func(*inviteeRow)) inviteeRow { f(&r); return r }
	return []inviteeRow{
		with(row("lapsed", "member", true), func(r *inviteeRow) { r.donatedAgo = 400 }),
		with(row("past donor", "member", true), func(r *inviteeRow) { r.donatedAgo = 100 }),
		with(row("platelets 20 days before", "member", true), func(r *inviteeRow) {
			r.donatedAgo, r.kind = 20, screening.Platelets
		}),
		with(row("recalled", "member", true), func(r *inviteeRow) { r.donatedAgo, r.recalled = 200, true }),
		row("never donated", "member", true),
		with(row("registration cancelled", "member", true), func(r *inviteeRow) { r.register = "cancelled" }),
		with(row("deferral ends on the date", "member", true), func(r *inviteeRow) { r.deferred = true }),
		with(row("61st birthday the day after", "member", true), func(r *inviteeRow) {
			r.birth = inviteeDay.AddDate(-61, 0, 1)
		}),
		with(row("18th birthday on the date", "member", true), func(r *inviteeRow) {
			r.birth = inviteeDay.AddDate(-18, 0, 0)
		}),
		with(row("responded", "member", true), func(r *inviteeRow) { r.responded = true }),
		with(row("member of a unit of the province", "unit", true), func(r *inviteeRow) { r.donatedAgo = 500 }),
		row("address in the province", "address", true),

		with(row("registered", "member", false), func(r *inviteeRow) { r.register = "confirmed" }),
		with(row("whole blood 60 days before", "member", false), func(r *inviteeRow) { r.donatedAgo = 60 }),
		with(row("platelets 10 days before", "member", false), func(r *inviteeRow) {
			r.donatedAgo, r.kind = 10, screening.Platelets
		}),
		with(row("deferred past the date", "member", false), func(r *inviteeRow) { r.deferred, r.deferral = true, 1 }),
		with(row("permanently deferred", "member", false), func(r *inviteeRow) { r.deferred, r.permanent = true, true }),
		with(row("61st birthday on the date", "member", false), func(r *inviteeRow) {
			r.birth = inviteeDay.AddDate(-61, 0, 0)
		}),
		with(row("65 on the date", "member", false), func(r *inviteeRow) { r.birth = inviteeDay.AddDate(-65, 0, 0) }),
		with(row("18th birthday the day after", "member", false), func(r *inviteeRow) {
			r.birth = inviteeDay.AddDate(-18, 0, 1)
		}),
		with(row("underweight", "member", false), func(r *inviteeRow) { r.weightKg = 40 }),
		with(row("blocked the bot", "member", false), func(r *inviteeRow) { r.unreachable = true }),
		with(row("not onboarded", "member", false), func(r *inviteeRow) { r.notOnboarded = true }),
		row("address in another province", "elsewhere", false),
		row("member of a unit of another province", "far unit", false),
	}
}

// randomProvince is a province code no other test uses, so that donors of
// other tests do not join the pool.
func randomProvince() string {
	b := make([]byte, 4)
	for i := range b {
		b[i] = byte('a' + rand.IntN(26))
	}
	return string(b)
}

// TestInviteeCandidates: a wave of a drive of a unit may reach its
// members and the donors of its province who are eligible on its date
// and not registered for it, and no one else; the SQL's pruning agrees
// with the one eligibility rule on every donor; the facts the ranking
// needs are read, and Rank orders them.
func TestInviteeCandidates(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	province := randomProvince()
	newUnit := func(p string) int64 {
		u, err := s.CreateUnit(ctx, "unit", "Đơn vị "+unique(), "u"+unique())
		must(err)
		must(s.SetUnitProvince(ctx, u.ID, p))
		return u.ID
	}
	unit, provinceUnit, farUnit := newUnit(province), newUnit(province), newUnit(randomProvince())
	newDrive := func(start time.Time) (drive.Drive, []drive.Slot) {
		in := draft(start, 1, 50)
		in.AudienceUnitID = unit
		d, sl, err := s.CreateDrive(ctx, in, 4242)
		must(err)
		d, err = s.PublishDrive(ctx, d.ID, inviteeNow)
		must(err)
		return d, sl
	}
	// 08:00 in Vietnam on inviteeDay.
	d, slots := newDrive(inviteeDay.Add(time.Hour))
	earlier, earlierSlots := newDrive(inviteeNow.Add(24 * time.Hour))
	_, err := s.DB().Exec(`INSERT INTO drive_announcements (drive_id, announced_at, recipients) VALUES ($1, $2, 1)`,
		earlier.ID, inviteeNow)
	must(err)

	rows := inviteeRows()
	ids := testenv.TelegramIDs(len(rows))
	byID := map[int64]inviteeRow{}
	facts := map[int64]screening.Donor{}
	for i, r := range rows {
		id := ids[i]
		byID[id] = r
		_, err := s.CreateDonor(ctx, id, id, "vi", "v1")
		must(err)
		must(s.SetDonorWeight(ctx, id, r.weightKg))
		must(s.SetDonorBirthDate(ctx, id, r.birth))
		if !r.notOnboarded {
			must(s.CompleteOnboarding(ctx, id))
		}
		switch r.where {
		case "member":
			must(s.JoinUnit(ctx, id, unit))
		case "unit":
			must(s.JoinUnit(ctx, id, provinceUnit))
		case "far unit":
			must(s.JoinUnit(ctx, id, farUnit))
		case "address":
			must(s.SetDonorProvince(ctx, id, province))
		case "elsewhere":
			must(s.SetDonorProvince(ctx, id, randomProvince()))
		}
		f := screening.Donor{BirthDate: r.birth, WeightKg: r.weightKg}
		if r.donatedAgo > 0 {
			kind := cmpKind(r.kind)
			on := inviteeDay.AddDate(0, 0, -r.donatedAgo)
			must(s.AddDonation(ctx, id, on, string(kind), 350, "drive", 0))
			f.LastDonation = &screening.Donation{Date: on, Kind: kind}
		}
		if r.deferred {
			until := inviteeDay.AddDate(0, 0, r.deferral)
			must(s.AddDeferral(ctx, id, "on_site", until, r.permanent, "on_site"))
			f.Deferrals = append(f.Deferrals, screening.Deferral{Code: "on_site", Until: until, Permanent: r.permanent})
		}
		if r.register != "" {
			reg, err := s.Register(ctx, id, slots[0].ID, inviteeNow)
			must(err)
			if r.register == "cancelled" {
				_, err := s.Cancel(ctx, id, reg.ID, inviteeNow)
				must(err)
			}
		}
		if r.responded {
			_, err := s.Register(ctx, id, earlierSlots[0].ID, inviteeNow)
			must(err)
		}
		if r.recalled {
			_, err := s.Recall(ctx, id, inviteeNow, inviteeNow, []int64{earlier.ID}, inviteeNow.Add(time.Hour), 0,
				storage.ScheduledMessage{ChatID: id, Text: "recall"})
			must(err)
		}
		if r.unreachable {
			must(s.SetDonorReachable(ctx, id, false))
		}
		facts[id] = f
	}

	// The earlier drive's announcement reached the unit's members: its
	// fan-out writes their contacts as it queues them (storage/contacts.go).
	_, err = s.DB().Exec(`INSERT INTO contacts (donor_id, kind, sent_at)
		SELECT m.donor_id, 'announcement', $2 FROM unit_members m WHERE m.unit_id = $1`, unit, inviteeNow)
	must(err)
	rule := func(d screening.Donor, on time.Time) bool { return urgent.EligibleOn(on)(d) }
	got, day, err := s.InviteeCandidates(ctx, d.ID, screening.DefaultConfig(), rule)
	must(err)
	if !day.Equal(inviteeDay) {
		t.Errorf("drive date %s, want %s", day, inviteeDay)
	}
	included := map[int64]mobilize.Candidate{}
	for _, c := range got {
		if _, ok := byID[c.TelegramID]; !ok {
			t.Errorf("donor %d of another test is a candidate", c.TelegramID)
		}
		included[c.TelegramID] = c
	}
	for _, id := range ids {
		r := byID[id]
		c, in := included[id]
		if in != r.want {
			t.Errorf("%s: candidate %t, want %t", r.name, in, r.want)
		}
		// Where only eligibility decides, SQL and the rule agree.
		if r.register == "" && !r.unreachable && !r.notOnboarded && r.where != "elsewhere" && r.where != "far unit" {
			if ok := rule(facts[id], inviteeDay); ok != in {
				t.Errorf("%s: the rule says %t, the selection %t", r.name, ok, in)
			}
		}
		if !in {
			continue
		}
		if c.Local != (r.where == "member") || c.Responded != r.responded {
			t.Errorf("%s: local %t, responded %t", r.name, c.Local, c.Responded)
		}
		wantContact := inviteeNow
		switch {
		case r.recalled:
			wantContact = inviteeNow.Add(time.Hour)
		case r.where != "member":
			wantContact = time.Time{}
		}
		if !c.LastContact.Equal(wantContact) {
			t.Errorf("%s: last contact %s, want %s", r.name, c.LastContact, wantContact)
		}
	}

	var order []string
	for _, c := range mobilize.Rank(got, day) {
		order = append(order, byID[c.TelegramID].name)
	}
	want := []string{
		"lapsed",
		"past donor", "platelets 20 days before", "recalled",
		"responded", "never donated", "registration cancelled", "deferral ends on the date",
		"61st birthday the day after", "18th birthday on the date",
		"member of a unit of the province",
		"address in the province",
	}
	if !slices.Equal(order, want) {
		t.Errorf("ranked\n%q\nwant\n%q", order, want)
	}
}

func cmpKind(k screening.DonationKind) screening.DonationKind {
	if k == "" {
		return screening.WholeBlood
	}
	return k
}

// TestInviteeCandidatesOpenDrive: a drive open to everyone may reach any
// donor, wherever they live, each counted as local; registering for it
// still takes a donor out.
func TestInviteeCandidatesOpenDrive(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	d, sl, err := s.CreateDrive(ctx, draft(inviteeDay.Add(time.Hour), 1, 50), 4242)
	must(err)
	_, err = s.PublishDrive(ctx, d.ID, inviteeNow)
	must(err)
	ids := testenv.TelegramIDs(2)
	for _, id := range ids {
		_, err := s.CreateDonor(ctx, id, id, "vi", "v1")
		must(err)
		must(s.SetDonorWeight(ctx, id, 60))
		must(s.SetDonorBirthDate(ctx, id, time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)))
		must(s.CompleteOnboarding(ctx, id))
		must(s.SetDonorProvince(ctx, id, randomProvince()))
	}
	_, err = s.Register(ctx, ids[1], sl[0].ID, inviteeNow)
	must(err)
	got, _, err := s.InviteeCandidates(ctx, d.ID, screening.DefaultConfig(),
		func(d screening.Donor, on time.Time) bool { return urgent.EligibleOn(on)(d) })
	must(err)
	found := map[int64]mobilize.Candidate{}
	for _, c := range got {
		found[c.TelegramID] = c
	}
	if c, ok := found[ids[0]]; !ok || !c.Local {
		t.Errorf("a donor of any province: candidate %t, local %t; want both", ok, c.Local)
	}
	if _, ok := found[ids[1]]; ok {
		t.Error("a donor registered for the drive is a candidate")
	}
}
