package migrations_test

import (
	"context"
	"testing"

	"donorbot/internal/testenv"
	"donorbot/migrations"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestRegistrationSearchBackfill: names stored before migration 00024 are
// folded by it as the Go code folds them, so donors registered before the
// upgrade are found too.
func TestRegistrationSearchBackfill(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	p, err := migrations.Provider(db.DB)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.ApplyVersion(ctx, 24, false); err != nil {
		t.Fatalf("down 00024: %v", err)
	}
	id := testenv.TelegramID()
	const insert = `INSERT INTO donors (telegram_id, chat_id, consent_version, consent_at, full_name)
		VALUES ($1::bigint, $1::bigint, 'v1', now(), $2), ($1::bigint + 1, $1::bigint + 1, 'v1', now(), NULL)`
	if _, err := db.Exec(insert, id, "  Đặng Thị  LÀNH "); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ApplyVersion(ctx, 24, true); err != nil {
		t.Fatalf("up 00024: %v", err)
	}
	var folded []string
	if err := db.Select(&folded, `SELECT search_name FROM donors WHERE telegram_id IN ($1::bigint, $1::bigint + 1) ORDER BY telegram_id`, id); err != nil {
		t.Fatal(err)
	}
	if len(folded) != 2 || folded[0] != "dang thi lanh" || folded[1] != "" {
		t.Errorf("search_name after the backfill = %q, want [dang thi lanh, \"\"]", folded)
	}
}
