package storage_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"donorbot/internal/testenv"
	"donorbot/mobilize"
	"donorbot/screening"
	"donorbot/storage"
	"donorbot/urgent"
)

// BenchmarkInvitees200k: one wave's selection (InviteeCandidates, Rank,
// Plan) for a drive of a unit of 20,000 members, with 200,000 donors
// stored; the issue asks for under 1 s. Figures and the plan:
// BENCHMARKS.md.
func BenchmarkInvitees200k(b *testing.B) {
	s := storage.New(testenv.DB(b))
	ctx := context.Background()
	province := randomProvince()
	seeded := time.Now()
	driveID := seedInvitees(b, s, province, 200_000)
	b.Logf("seeded 200,000 donors in %v", time.Since(seeded).Round(time.Millisecond))
	if _, err := s.DB().Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	if path := os.Getenv("BENCH_EXPLAIN"); path != "" {
		explainInvitees(b, s, driveID, path)
	}
	rule := func(d screening.Donor, on time.Time) bool { return urgent.EligibleOn(on)(d) }
	var candidates, invited int
	b.ResetTimer()
	for b.Loop() {
		cands, day, err := s.InviteeCandidates(ctx, driveID, screening.DefaultConfig(), rule)
		if err != nil {
			b.Fatal(err)
		}
		candidates = len(cands)
		invited = len(mobilize.Plan(mobilize.Rank(cands, day), 120, 0.12))
	}
	b.ReportMetric(float64(candidates), "candidates")
	b.ReportMetric(float64(invited), "invited")
}

// explainInvitees writes the plan of the candidates' query, run, to path.
func explainInvitees(b *testing.B, s *storage.Store, driveID int64, path string) {
	b.Helper()
	def := screening.DefaultConfig()
	var dr struct {
		Unit     int64  `db:"audience_unit_id"`
		Province string `db:"province"`
		Day      string `db:"day"`
	}
	if err := s.DB().Get(&dr, `SELECT d.audience_unit_id, u.province,
			to_char((d.starts_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 'YYYY-MM-DD') AS day
		FROM drives d JOIN units u ON u.id = d.audience_unit_id WHERE d.id = $1`, driveID); err != nil {
		b.Fatal(err)
	}
	args := []any{driveID, def.WholeBloodDays, def.ApheresisDays, dr.Unit, dr.Province, dr.Day}
	for range 3 {
		started := time.Now()
		rows, err := s.DB().Query(storage.InviteePool, args...)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Close(); err != nil {
			b.Fatal(err)
		}
		b.Logf("the query alone: %d rows in %v", n, time.Since(started).Round(time.Millisecond))
	}
	var plan []string
	if err := s.DB().Select(&plan, "EXPLAIN (ANALYZE, BUFFERS) "+storage.InviteePool,
		args...); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Join(plan, "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
}

// seedInvitees stores n donors and a published drive of a unit of the
// province, in a few statements: one in ten a member of the unit, three
// in ten living in the province, the rest in 30 others; one in 50 a
// member of another unit of the province. Two in three have donated (the
// last time 1 to 1,500 days before the drive), one in 25 has a deferral
// (half of them open on the drive's date), one in 40 is registered for
// the drive, one in 10 was recalled, one in 100 blocked the bot.
func seedInvitees(b *testing.B, s *storage.Store, province string, n int) int64 {
	b.Helper()
	ctx := context.Background()
	first := testenv.TelegramIDs(n)[0]
	unit, err := s.CreateUnit(ctx, "unit", "Bench invitees "+unique(), "bi"+unique())
	if err != nil {
		b.Fatal(err)
	}
	other, err := s.CreateUnit(ctx, "club", "Bench invitees club "+unique(), "bc"+unique())
	if err != nil {
		b.Fatal(err)
	}
	for _, u := range []int64{unit.ID, other.ID} {
		if err := s.SetUnitProvince(ctx, u, province); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Date(2041, time.March, 20, 1, 0, 0, 0, time.UTC)
	in := draft(start, 8, 100)
	in.AudienceUnitID = unit.ID
	d, slots, err := s.CreateDrive(ctx, in, 4242)
	if err != nil {
		b.Fatal(err)
	}
	if d, err = s.PublishDrive(ctx, d.ID, start.AddDate(0, 0, -20)); err != nil {
		b.Fatal(err)
	}
	day := "2041-03-20"
	stmts := []struct {
		name string
		q    string
		args []any
	}{
		{"donors", `INSERT INTO donors (telegram_id, chat_id, consent_version, consent_at, sex, birth_date, weight_kg,
				blood_group, onboarded_at, unreachable_at, province)
			SELECT $1::bigint + i, $1::bigint + i, 'v1', now(), CASE WHEN i % 2 = 0 THEN 'male' ELSE 'female' END,
				date '1970-01-01' + (i * 7919) % 16000, 45 + i % 30, 'O+', now(),
				CASE WHEN i % 100 = 99 THEN now() END,
				CASE WHEN i % 10 IN (1, 2, 3) THEN $3 ELSE 'p' || chr(97 + i % 26) || chr(97 + i % 3) END
			FROM generate_series(0, $2::int - 1) i`, []any{first, n, province}},
		{"members", `INSERT INTO unit_members (unit_id, donor_id)
			SELECT CASE WHEN (telegram_id - $1) % 10 = 0 THEN $2::bigint ELSE $3::bigint END, id FROM donors
			WHERE telegram_id BETWEEN $1 AND $1 + $4 - 1 AND ((telegram_id - $1) % 10 = 0 OR (telegram_id - $1) % 50 = 7)`,
			[]any{first, unit.ID, other.ID, n}},
		{"donations", `INSERT INTO donations (donor_id, donated_on, kind, volume_ml, source)
			SELECT id, $3::date - (1 + (telegram_id * 37) % 1500)::int,
				CASE WHEN telegram_id % 17 = 0 THEN 'platelets' ELSE 'whole_blood' END, 350, 'drive'
			FROM donors WHERE telegram_id BETWEEN $1 AND $1 + $2 - 1 AND (telegram_id - $1) % 3 <> 0`,
			[]any{first, n, day}},
		{"deferrals", `INSERT INTO deferrals (donor_id, code, until, permanent, source)
			SELECT id, 'on_site', $3::date + (((telegram_id % 2) * 2 - 1) * 30)::int, false, 'on_site'
			FROM donors WHERE telegram_id BETWEEN $1 AND $1 + $2 - 1 AND (telegram_id - $1) % 25 = 4`,
			[]any{first, n, day}},
		{"registrations", `INSERT INTO registrations (donor_id, drive_id, slot_id, status)
			SELECT id, $3, $4, 'confirmed' FROM donors
			WHERE telegram_id BETWEEN $1 AND $1 + $2 - 1 AND (telegram_id - $1) % 40 = 10`,
			[]any{first, n, d.ID, slots[0].ID}},
		{"recalls", `INSERT INTO recalls (donor_id, eligible_on, sent_at)
			SELECT id, $3::date - 200, $3::timestamptz - interval '200 days'
			FROM donors WHERE telegram_id BETWEEN $1 AND $1 + $2 - 1 AND (telegram_id - $1) % 10 = 5`,
			[]any{first, n, day}},
	}
	for _, st := range stmts {
		if _, err := s.DB().ExecContext(ctx, st.q, st.args...); err != nil {
			b.Fatalf("seed %s: %v", st.name, err)
		}
	}
	return d.ID
}
