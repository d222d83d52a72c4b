package drive

import (
	"fmt"
	"strconv"
)

// MaxWaves bounds a campaign's wave numbers; the stored label "Đợt 999"
// stays within MaxWaveLen.
const MaxWaves = 99

// WaveLabel is how a campaign's wave n is stored on a drive: "Đợt 3". It is
// Vietnamese in the database like a typed wave, and WaveNumber reads it
// back so that each reader sees it in their language ("Wave 3").
func WaveLabel(n int) string {
	if n <= 0 {
		return ""
	}
	return "Đợt " + strconv.Itoa(n)
}

// CampaignWaves are the waves a drive of a campaign may be in: each wave
// its drives are in already, and the next one, so that an organizer opens
// wave 4 by creating its first drive and cannot skip to wave 9 by a slip.
// highest is the highest wave of the campaign's drives, 0 for none.
func CampaignWaves(highest int) []int {
	n := min(max(highest, 0)+1, MaxWaves)
	waves := make([]int, n)
	for i := range waves {
		waves[i] = i + 1
	}
	return waves
}

// ErrWaveInvalid is a wave the campaign does not offer (CampaignWaves), or
// a wave without a campaign.
var ErrWaveInvalid = fmt.Errorf("drive: wave is not one of the campaign's")

// CheckWave checks wave n (0: none) of a drive in campaign campaignID (0:
// none) whose drives reach wave highest.
func CheckWave(campaignID int64, n, highest int) error {
	switch {
	case n == 0:
		return nil
	case campaignID == 0 || n < 0:
		return fmt.Errorf("%w: wave %d, campaign %d", ErrWaveInvalid, n, campaignID)
	case n > len(CampaignWaves(highest)):
		return fmt.Errorf("%w: wave %d, the campaign reaches %d", ErrWaveInvalid, n, highest)
	}
	return nil
}
