package storage_test

import (
	"testing"
	"time"

	"donorbot/storage"
)

// TestWavesGroupDrivesByWave: a campaign's drives are summed per wave,
// whatever language or wording names its number; a wave named otherwise
// stays its own group, and the waves keep the order of their first drive.
func TestWavesGroupDrivesByWave(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 12, d, 7, 30, 0, 0, time.UTC) }
	drive := func(id int64, wave, title string, start time.Time, target, registered, arrived, donated int) storage.CampaignDrive {
		label := wave
		if label == "" {
			label = title
		}
		return storage.CampaignDrive{Wave: wave, Progress: storage.Progress{Key: id, Label: label, Start: start,
			Target: target, Registered: registered, CheckedIn: arrived, Donated: donated}}
	}
	got := storage.Waves([]storage.CampaignDrive{
		drive(1, "Đợt 1", "A", day(1), 100, 90, 80, 70),
		drive(2, "Đợt cao điểm Tết", "B", day(2), 50, 40, 30, 20),
		drive(3, "wave 1", "C", day(3), 20, 10, 9, 8),
		drive(4, "đợt thứ 2", "D", day(4), 10, 12, 11, 11),
		drive(5, "", "Ngày hội riêng", day(5), 5, 1, 1, 1),
		drive(6, "Đợt 2", "E", day(6), 10, 10, 10, 10),
	})
	want := []struct {
		number, drives, target, registered, arrived, donated, percent int
		label                                                         string
	}{
		{1, 2, 120, 100, 89, 78, 65, "Đợt 1"},
		{0, 1, 50, 40, 30, 20, 40, "Đợt cao điểm Tết"},
		{2, 2, 20, 22, 21, 21, 105, "đợt thứ 2"},
		{0, 1, 5, 1, 1, 1, 20, "Ngày hội riêng"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d waves, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Number != w.number || g.Drives != w.drives || g.Target != w.target || g.Registered != w.registered ||
			g.CheckedIn != w.arrived || g.Donated != w.donated || g.Percent() != w.percent || g.Label != w.label {
			t.Errorf("wave %d = %+v, want %+v", i, g, w)
		}
	}
}
