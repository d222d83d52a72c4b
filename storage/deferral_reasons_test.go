package storage_test

import (
	"context"
	"database/sql"
	"testing"

	"donorbot/drive"
	"donorbot/storage"
)

// TestDeferralReasonCodes: a preset reason is stored as its code, a typed
// one as typed, whether recorded at the desk or by a correction, and a
// correction reads either back; every preset code passes the CHECK.
func TestDeferralReasonCodes(t *testing.T) {
	ctx := context.Background()
	s := openPool(t)
	donors := newDonors(t, s, 2)
	d, slots := publishedDrive(t, s, tomorrow(), 1, 5)
	regs := registerAll(t, s, donors, slots[0].ID)
	for _, r := range regs {
		if err := s.CheckIn(ctx, d.ID, r.ID, 1, testNow); err != nil {
			t.Fatal(err)
		}
	}
	stored := func(regID int64) (code, note sql.NullString) {
		t.Helper()
		if err := s.DB().QueryRow(`SELECT reason_code, note FROM deferrals WHERE registration_id = $1`, regID).Scan(&code, &note); err != nil {
			t.Fatal(err)
		}
		return code, note
	}
	until := testNow.AddDate(0, 1, 0)
	if _, err := s.RecordOnSiteDeferral(ctx, regs[0].ID, "low_hb", until); err != nil {
		t.Fatal(err)
	}
	if code, note := stored(regs[0].ID); code.String != "low_hb" || note.Valid {
		t.Errorf("preset reason stored as code %v, note %v", code, note)
	}
	if _, err := s.RecordOnSiteDeferral(ctx, regs[1].ID, "Huyết áp cao", until); err != nil {
		t.Fatal(err)
	}
	if code, note := stored(regs[1].ID); code.Valid || note.String != "Huyết áp cao" {
		t.Errorf("typed reason stored as code %v, note %v", code, note)
	}

	old, _, err := s.CorrectResult(ctx, storage.Correction{RegistrationID: regs[0].ID, By: 9, At: testNow,
		New: storage.Result{Until: until, Reason: "Sốt nhẹ"}})
	if err != nil || old.Reason != "low_hb" {
		t.Fatalf("correcting a preset reason: old %+v, %v", old, err)
	}
	if code, note := stored(regs[0].ID); code.Valid || note.String != "Sốt nhẹ" {
		t.Errorf("corrected to a typed reason: code %v, note %v", code, note)
	}
	old, _, err = s.CorrectResult(ctx, storage.Correction{RegistrationID: regs[0].ID, By: 9, At: testNow,
		New: storage.Result{Until: until, Reason: "high_bp"}})
	if err != nil || old.Reason != "Sốt nhẹ" {
		t.Fatalf("correcting a typed reason: old %+v, %v", old, err)
	}
	if code, note := stored(regs[0].ID); code.String != "high_bp" || note.Valid {
		t.Errorf("corrected to a preset reason: code %v, note %v", code, note)
	}

	tx, err := s.DB().Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, code := range drive.DeferralReasons {
		if _, err := tx.Exec(`UPDATE deferrals SET reason_code = $2, note = NULL WHERE registration_id = $1`, regs[1].ID, code); err != nil {
			t.Errorf("reason code %q refused by the database: %v", code, err)
		}
	}
}
