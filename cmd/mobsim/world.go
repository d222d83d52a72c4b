package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/mobsim"
	"donorbot/storage"
)

const (
	// dbPrefix names each run's database, <prefix><pid>_<random>, so a run
	// drops those of runs killed before their cleanup.
	dbPrefix = "donorbot_mobsim_"
	// firstTelegramID is donor 0's Telegram id (and chat id).
	firstTelegramID = 5_000_000_000
	// organizerID records the desk's results and creates the drives.
	organizerID = 4_999_999_999
)

// database is one run's fresh PostgreSQL database.
type database struct {
	admin *sqlx.DB
	name  string
	url   string
}

// createDatabase creates a fresh database on the server of adminURL.
func createDatabase(ctx context.Context, adminURL string) (*database, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return nil, fmt.Errorf("-db %q: %w", adminURL, err)
	}
	admin, err := sqlx.ConnectContext(ctx, "postgres", adminURL)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", u.Redacted(), err)
	}
	testenv.DropOrphanDatabases(ctx, admin, u, dbPrefix)
	name := fmt.Sprintf("%s%d_%s", dbPrefix, os.Getpid(), strings.ToLower(rand.Text()[:8]))
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
		admin.Close()
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	return &database{admin: admin, name: name, url: u.String()}, nil
}

// drop removes the database: a 50,000-donor run leaves no copy behind.
func (d *database) drop() error {
	defer d.admin.Close()
	if _, err := d.admin.Exec("DROP DATABASE IF EXISTS " + pq.QuoteIdentifier(d.name) + " WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", d.name, err)
	}
	return nil
}

func telegramID(i int) int64 { return firstTelegramID + int64(i) }

func donorIndex(telegramID int64) int { return int(telegramID - firstTelegramID) }

// loadPopulation stores the donors, their units' rolls, donation
// histories and deferrals with COPY, onboarded the day before first; with
// history, also the previous campaign's drives (loadPast), their
// donations linked to their registrations. It returns the units' ids.
func loadPopulation(ctx context.Context, s *storage.Store, pop *mobsim.Population, first time.Time,
	history bool) ([]int64, error) {
	onboarded := first.AddDate(0, 0, -1)
	p := pop.Params
	units := make([]int64, len(p.UnitShares))
	for u := range units {
		unit, err := s.CreateUnit(ctx, "unit", fmt.Sprintf("Đơn vị %d", u+1), fmt.Sprintf("simunit%d", u+1))
		if err != nil {
			return nil, err
		}
		if err := s.SetUnitProvince(ctx, unit.ID, p.UnitProvinces[u]); err != nil {
			return nil, err
		}
		units[u] = unit.ID
	}
	err := copyRows(ctx, s.DB(), "donors", []string{"telegram_id", "chat_id", "language", "consent_version",
		"consent_at", "sex", "birth_date", "weight_kg", "blood_group", "onboarded_at", "province"},
		len(pop.Donors), func(i int) []any {
			d := pop.Donors[i]
			lang, sex := "vi", "male"
			if i%20 == 0 { // a few foreign workers and students
				lang = "en"
			}
			if d.Female {
				sex = "female"
			}
			return []any{telegramID(i), telegramID(i), lang, "v1", onboarded, sex, d.BirthDate, d.WeightKg,
				"O+", onboarded, d.Province}
		})
	if err != nil {
		return nil, err
	}
	var ids []int64
	if err := s.DB().SelectContext(ctx, &ids, `SELECT id FROM donors WHERE telegram_id >= $1 ORDER BY telegram_id`,
		firstTelegramID); err != nil {
		return nil, fmt.Errorf("donor ids: %w", err)
	}
	if len(ids) != len(pop.Donors) {
		return nil, fmt.Errorf("stored %d donors of %d", len(ids), len(pop.Donors))
	}
	var regIDs map[pastReg]int64
	var deferrals [][]any
	if history {
		if regIDs, deferrals, err = loadPast(ctx, s, pop, units, ids, first); err != nil {
			return nil, err
		}
	}
	var members, donations [][]any
	for i, d := range pop.Donors {
		if d.Unit >= 0 {
			members = append(members, []any{units[d.Unit], ids[i]})
		}
		for k, date := range d.Dates {
			kind := "whole_blood"
			if k == 0 {
				kind = string(d.LastKind)
			}
			var reg any
			if past := d.GaveAt(p, first, date); past >= 0 && history {
				reg = regIDs[pastReg{i, past}]
			}
			donations = append(donations, []any{ids[i], date, kind, 350, "drive", reg})
		}
		switch {
		case d.Permanent:
			deferrals = append(deferrals, []any{ids[i], mobsim.DeferralCode, nil, true, "on_site", nil})
		case !d.DeferredUntil.IsZero():
			deferrals = append(deferrals, []any{ids[i], mobsim.DeferralCode, d.DeferredUntil, false, "on_site", nil})
		}
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"unit_members", []string{"unit_id", "donor_id"}, members},
		{"donations", []string{"donor_id", "donated_on", "kind", "volume_ml", "source", "registration_id"}, donations},
		{"deferrals", []string{"donor_id", "code", "until", "permanent", "source", "registration_id"}, deferrals},
	} {
		if err := copyRows(ctx, s.DB(), t.table, t.cols, len(t.rows), func(i int) []any { return t.rows[i] }); err != nil {
			return nil, err
		}
	}
	if _, err := s.DB().ExecContext(ctx, "ANALYZE"); err != nil {
		return nil, fmt.Errorf("analyze: %w", err)
	}
	return units, nil
}

// copyRows loads n rows into table with COPY, in one transaction.
func copyRows(ctx context.Context, db *sqlx.DB, table string, cols []string, n int, row func(int) []any) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn(table, cols...))
	if err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	for i := range n {
		if _, err := stmt.ExecContext(ctx, row(i)...); err != nil {
			return fmt.Errorf("copy %s row %d: %w", table, i, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	if err := stmt.Close(); err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	return nil
}

// campaignDrive is one drive of the campaign: a unit's drive of a wave.
type campaignDrive struct {
	ID     int64
	Wave   int // 0-based: "Đợt 1" is 0
	Unit   int
	Day    time.Time // calendar date, in the bot's zone
	Target int
}

// createCampaign creates the campaign's drives: for each of
// Params.DriveDays, one drive per unit from 13:00 to 17:00, announced
// (strategy all) 10 days before at 08:00, or published on the first day
// with auto-fill on at checkpoints 10, 5 and 2 (strategy autofill).
func createCampaign(ctx context.Context, s *storage.Store, pop *mobsim.Population, units []int64,
	strategy string, first time.Time) ([]campaignDrive, error) {
	p := pop.Params
	camp, err := s.CreateCampaign(ctx, "Mô phỏng vận động "+strategy, organizerID)
	if err != nil {
		return nil, err
	}
	members := pop.Members()
	var out []campaignDrive
	for w, offset := range p.DriveDays {
		day := first.AddDate(0, 0, offset)
		for u, unitID := range units {
			target := p.Target(members[u])
			start := day.Add(13 * time.Hour)
			in := drive.DraftInput{CampaignID: camp.ID, Wave: fmt.Sprintf("Đợt %d", w+1),
				Title: fmt.Sprintf("Ngày hội hiến máu Đơn vị %d – Đợt %d", u+1, w+1), Organizer: "Ban chỉ đạo vận động",
				Hospital: "Viện Huyết học - Truyền máu TW", Venue: fmt.Sprintf("Hội trường Đơn vị %d", u+1),
				Start: start, End: start.Add(time.Duration(p.SlotsPerDrive) * 30 * time.Minute),
				SlotLength: 30 * time.Minute, SlotCapacity: p.SlotCapacity(target), TargetUnits: target,
				AudienceUnitID: unitID}
			if strategy == strategyAll {
				in.AnnounceAt = day.AddDate(0, 0, -10).Add(8 * time.Hour)
			}
			d, _, err := s.CreateDrive(ctx, in, organizerID)
			if err != nil {
				return nil, err
			}
			if strategy == strategyAutofill {
				if _, err := s.PublishDrive(ctx, d.ID, first); err != nil {
					return nil, err
				}
				a := storage.Autofill{On: true, Checkpoints: []int{10, 5, 2}}
				if err := s.SetAutofill(ctx, d.ID, a, first); err != nil {
					return nil, err
				}
			}
			out = append(out, campaignDrive{ID: d.ID, Wave: w, Unit: u, Day: day, Target: target})
		}
	}
	return out, nil
}
