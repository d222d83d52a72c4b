package handlers

import (
	"bufio"
	"context"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// BenchmarkExport100k writes the registration list of a drive with 100,000
// registrations as CSV and XLSX to temporary files, as /export does, and
// reports the wall time and the peak Go heap in use while it runs (sampled
// every millisecond) and the process's peak resident memory (VmHWM).
// Figures: BENCHMARKS.md.
func BenchmarkExport100k(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	store := storage.New(testenv.DB(b))
	driveID := seedExport(b, store, n)
	h, err := New(Deps{Store: store, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	// The database's share: the same rows read and dropped.
	began := time.Now()
	if _, err := store.ExportRegistrations(ctx, driveID, 0, func(storage.ExportRow) error { return nil }); err != nil {
		b.Fatal(err)
	}
	queryOnly := time.Since(began)
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	b.ResetTimer()
	var rows int
	var csvSize, xlsxSize int64
	for b.Loop() {
		csvFile, err := os.CreateTemp(b.TempDir(), "*.csv")
		if err != nil {
			b.Fatal(err)
		}
		xlsxFile, err := os.CreateTemp(b.TempDir(), "*.xlsx")
		if err != nil {
			b.Fatal(err)
		}
		rows, err = h.writeRegistrationList(ctx, "vi", driveID, 0, csvFile, xlsxFile)
		if err != nil {
			b.Fatal(err)
		}
		csvSize, _ = csvFile.Seek(0, 2)
		xlsxSize, _ = xlsxFile.Seek(0, 2)
		csvFile.Close()
		xlsxFile.Close()
	}
	b.StopTimer()
	close(stop)
	<-sampled
	if rows != n {
		b.Fatalf("exported %d rows, want %d", rows, n)
	}
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(queryOnly.Seconds(), "query-only-s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(base.HeapInuse)/(1<<20), "base-heap-MB")
	b.ReportMetric(float64(vmHWM())/1024, "VmHWM-MB")
	b.ReportMetric(float64(csvSize)/(1<<20), "csv-MB")
	b.ReportMetric(float64(xlsxSize)/(1<<20), "xlsx-MB")
}

// seedExport stores a drive with n registrations of n donors in 8 slots,
// a third of them with a donation and a unit, all with screening answers;
// generate_series keeps the setup to a few statements.
func seedExport(b *testing.B, store *storage.Store, n int) int64 {
	b.Helper()
	ctx := context.Background()
	var existing int64 // a second run (-count) reuses the first one's drive
	err := store.DB().GetContext(ctx, &existing, `SELECT coalesce(max(r.drive_id), 0) FROM registrations r
		JOIN donors dn ON dn.id = r.donor_id WHERE dn.telegram_id = 10000001`)
	if err != nil {
		b.Fatal(err)
	}
	if existing != 0 {
		return existing
	}
	start := time.Date(2030, time.June, 15, 1, 0, 0, 0, time.UTC)
	d, slots, err := store.CreateDrive(ctx, drive.DraftInput{Title: "Bench", Start: start, End: start.Add(4 * time.Hour),
		SlotLength: 30 * time.Minute, SlotCapacity: 1000, TargetUnits: 10000}, 1)
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, len(slots))
	for i, s := range slots {
		ids[i] = strconv.FormatInt(s.ID, 10)
	}
	db := store.DB()
	stmts := []string{
		`INSERT INTO units (kind, name, invite_code) VALUES ('unit', 'Công an quận Bench', 'benchunit1')`,
		`INSERT INTO donors (telegram_id, chat_id, consent_version, consent_at, full_name, phone, sex, birth_date,
			weight_kg, blood_group, onboarded_at)
		SELECT 10000000 + i, 10000000 + i, 'v1', now(), 'Nguyễn Văn Thử ' || i, '+849' || lpad(i::text, 8, '0'),
			CASE WHEN i % 2 = 0 THEN 'male' ELSE 'female' END, date '1990-01-01' + (i % 9000), 60,
			(ARRAY['O+','A+','B+','AB+'])[1 + i % 4], now()
		FROM generate_series(1, $1) i`,
		`INSERT INTO unit_members (unit_id, donor_id)
		SELECT (SELECT id FROM units WHERE invite_code = 'benchunit1'), id FROM donors
		WHERE telegram_id >= 10000000 AND telegram_id % 3 = 0`,
		`INSERT INTO donations (donor_id, donated_on, kind, volume_ml, source)
		SELECT id, date '2026-01-01' + (telegram_id % 200)::int, 'whole_blood', 350, 'self_report' FROM donors
		WHERE telegram_id >= 10000000 AND telegram_id % 3 = 1`,
		`INSERT INTO registrations (donor_id, drive_id, slot_id, status, allowed_volume_ml, screening_answers)
		SELECT dn.id, ` + strconv.FormatInt(d.ID, 10) + `, (ARRAY[` + strings.Join(ids, ",") + `])[1 + dn.id % ` +
			strconv.Itoa(len(ids)) + `], 'confirmed', 350,
			'[{"Question":"ill","Yes":false},{"Question":"tattoo","Yes":true}]'
		FROM donors dn WHERE dn.telegram_id >= 10000000`,
		`ANALYZE`,
	}
	for _, q := range stmts {
		var err error
		if strings.Contains(q, "$1") {
			_, err = db.ExecContext(ctx, q, n)
		} else {
			_, err = db.ExecContext(ctx, q)
		}
		if err != nil {
			b.Fatalf("seed: %v\n%s", err, q)
		}
	}
	return d.ID
}

// vmHWM is the process's peak resident set size in KiB, or 0.
func vmHWM() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}
