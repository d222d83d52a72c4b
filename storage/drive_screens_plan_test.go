package storage_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"donorbot/internal/testenv"
	"donorbot/storage"
)

// The fixture: screenFixtureDrives published drives of screenFixtureSlots
// slots each, two confirmed donors per slot, and every donor's cancelled
// registration in each drive: the shape of a season of drives, and of the
// load journey's drive, where every donor registers and cancels.
const (
	screenFixtureDrives = 10
	screenFixtureSlots  = 32
	screenFixtureDonors = 800
)

var planModes = []string{"force_custom_plan", "force_generic_plan"}

// TestDriveScreensReadLiveRegistrationsOnly: the drive screens' statements
// read a drive's live registrations from their partial index, in both plan
// modes, so what they cost does not grow with the registrations cancelled,
// past or of other drives, nor with the slots of a drive. The old ones
// joined every registration of the table (a drive's card, its slots, a
// confirmation), or looked each slot's counts up in turn (the list of
// drives: two index descents a slot).
func TestDriveScreensReadLiveRegistrationsOnly(t *testing.T) {
	tx, err := testenv.DB(t).Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	outsider := testenv.TelegramID() // in no unit: lists the drives open to all
	listed := func(mode string) int {
		t.Helper()
		return planBuffers(t, tx, mode, storage.UpcomingDrivesForSQL, testNow, outsider, 0, 10000)
	}
	// Other tests' drives are listed too: the bound is on what ours add.
	before := map[string]int{}
	for _, mode := range planModes {
		before[mode] = listed(mode)
	}
	driveID, regID, donor := screenFixture(t, tx, testenv.TelegramIDs(screenFixtureDonors))

	// 64 live rows, their index pages, the drive and its slots.
	const perScreen = 40
	// A drive's counts are one index range (and, rows of this transaction
	// not being all-visible, their heap pages); its slots a page or two.
	const perDrive = 16
	for _, mode := range planModes {
		for name, n := range map[string]int{
			"DriveWithSlots": planBuffers(t, tx, mode, storage.DriveWithSlotsSQL, driveID),
			"DriveSlots":     planBuffers(t, tx, mode, storage.DriveSlotsSQL, driveID),
			"RegistrationWithSeats": planBuffers(t, tx, mode, storage.RegistrationWithSeatsSQL,
				regID, donor, testNow),
		} {
			if n > perScreen {
				t.Errorf("%s: %s reads %d buffers, want at most %d", mode, name, n, perScreen)
			}
		}
		if n := listed(mode) - before[mode]; n > perDrive*screenFixtureDrives {
			t.Errorf("%s: the list of drives reads %d more buffers for %d more drives, want at most %d",
				mode, n, screenFixtureDrives, perDrive*screenFixtureDrives)
		}
	}
}

// screenFixture writes the fixture's donors, drives, slots and
// registrations in tx and analyzes them. It returns a drive, one of its
// confirmed registrations and that registration's donor.
func screenFixture(t *testing.T, tx *sqlx.Tx, donors []int64) (driveID, regID, donor int64) {
	t.Helper()
	code := "screens" + unique()
	for _, step := range []struct {
		q    string
		args []any
	}{
		{`INSERT INTO donors (telegram_id, chat_id, consent_version, consent_at)
			SELECT id, id, 'v1', $2 FROM unnest($1::bigint[]) id`, []any{pq.Array(donors), testNow}},
		{`INSERT INTO drives (code, title, starts_at, ends_at, target_units, status, created_by)
			SELECT $1 || g, 'Ngày hội ' || g, $2::timestamptz + g * interval '1 day',
				$2::timestamptz + g * interval '1 day' + $3 * interval '30 minutes', 250, 'published', 4242
			FROM generate_series(1, $4::int) g`, []any{code, tomorrow(), screenFixtureSlots, screenFixtureDrives}},
		{`INSERT INTO drive_slots (drive_id, starts_at, ends_at, capacity)
			SELECT d.id, d.starts_at + g * interval '30 minutes', d.starts_at + (g + 1) * interval '30 minutes', 1000
			FROM drives d CROSS JOIN generate_series(0, $2::int - 1) g WHERE d.code LIKE $1 || '%'`,
			[]any{code, screenFixtureSlots}},
		{`INSERT INTO registrations (donor_id, drive_id, slot_id, status)
			SELECT dn.id, sl.drive_id, sl.id, 'cancelled'
			FROM donors dn CROSS JOIN drives d
			JOIN drive_slots sl ON sl.drive_id = d.id
				AND sl.starts_at = d.starts_at + (dn.telegram_id % $3::int) * interval '30 minutes'
			WHERE dn.telegram_id = ANY ($1::bigint[]) AND d.code LIKE $2 || '%'`,
			[]any{pq.Array(donors), code, screenFixtureSlots}},
		{`INSERT INTO registrations (donor_id, drive_id, slot_id, status)
			SELECT dn.id, sl.drive_id, sl.id, 'confirmed'
			FROM drives d JOIN drive_slots sl ON sl.drive_id = d.id
			CROSS JOIN generate_series(1, 2) k
			JOIN donors dn ON dn.telegram_id = ($1::bigint[])[
				2 * (extract(epoch FROM sl.starts_at - d.starts_at) / 1800)::int + k]
			WHERE d.code LIKE $2 || '%'`,
			[]any{pq.Array(donors), code}},
		{`ANALYZE donors, drives, drive_slots, registrations`, nil},
	} {
		if _, err := tx.Exec(step.q, step.args...); err != nil {
			t.Fatalf("%s: %v", step.q, err)
		}
	}
	err := tx.QueryRowx(`SELECT r.drive_id, r.id, dn.telegram_id FROM registrations r
		JOIN donors dn ON dn.id = r.donor_id JOIN drives d ON d.id = r.drive_id
		WHERE d.code LIKE $1 || '%' AND r.status = 'confirmed' ORDER BY r.id LIMIT 1`, code).
		Scan(&driveID, &regID, &donor)
	if err != nil {
		t.Fatal(err)
	}
	return driveID, regID, donor
}

// planBuffers is the shared buffers query reads, prepared under
// plan_cache_mode mode and run with args: the root of its EXPLAIN
// (ANALYZE, BUFFERS), which counts its children's.
func planBuffers(t *testing.T, tx *sqlx.Tx, mode, query string, args ...any) int {
	t.Helper()
	if _, err := tx.Exec(`SET LOCAL plan_cache_mode = ` + mode); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`PREPARE screen AS ` + query); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := tx.Exec(`DEALLOCATE screen`); err != nil {
			t.Fatal(err)
		}
	}()
	// EXECUTE's arguments are expressions: literals, cast to the
	// statement's parameter types.
	literals := make([]string, len(args))
	for i, a := range args {
		if at, ok := a.(time.Time); ok {
			a = at.Format(time.RFC3339Nano)
		}
		literals[i] = pq.QuoteLiteral(fmt.Sprint(a))
	}
	var out []byte
	if err := tx.Get(&out, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE screen(`+strings.Join(literals, ", ")+`)`); err != nil {
		t.Fatal(err)
	}
	var plan []struct {
		Plan struct {
			Hit  int `json:"Shared Hit Blocks"`
			Read int `json:"Shared Read Blocks"`
		}
	}
	if err := json.Unmarshal(out, &plan); err != nil || len(plan) != 1 {
		t.Fatalf("EXPLAIN: %s: %v", out, err)
	}
	return plan[0].Plan.Hit + plan[0].Plan.Read
}

// TestInboxReadsEachSenderByItsKeys: the statement that stores a batch of
// updates and reads their senders looks each sender up by key, in both plan
// modes, however many donors and registrations there are. The generic plan
// of the first version hashed the whole donors table, and found a sender's
// last screening answers by walking the registrations' primary key
// backwards (hundreds of buffers a sender, more as registrations grow).
func TestInboxReadsEachSenderByItsKeys(t *testing.T) {
	tx, err := testenv.DB(t).Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	donors := testenv.TelegramIDs(screenFixtureDonors)
	screenFixture(t, tx, donors)
	// The insert's own pages (heap, primary key, indexes) and, a sender,
	// their donor row, last donation, deferrals and last registration: 31
	// to 34 a sender here, and 180 on the first version.
	const perUpdate = 45
	for _, mode := range planModes {
		senders := []int64{donors[7], donors[len(donors)/2]}
		ids := []int64{testenv.TelegramID(), testenv.TelegramID()}
		doc := fmt.Sprintf(`[{"update_id": %d, "chat_id": %d, "user_id": %d, "payload": {}},
			{"update_id": %d, "chat_id": %d, "user_id": %d, "payload": {}}]`,
			ids[0], senders[0], senders[0], ids[1], senders[1], senders[1])
		n := planBuffers(t, tx, mode, storage.AcceptWithSendersSQL, doc, testNow.Format(time.DateOnly), "donated_before")
		if n > perUpdate*len(ids) {
			t.Errorf("%s: storing %d updates with their senders reads %d buffers, want at most %d",
				mode, len(ids), n, perUpdate*len(ids))
		}
	}
}
