package handlers

import (
	"context"
	"errors"
	"slices"

	"donorbot/screening"
	"donorbot/storage"
	"donorbot/urgent"
)

// matchNeed lists the donors need n reaches with audience a, most suitable
// first, leaving out those already alerted for it. A donor is judged
// eligible by statusOn for the deadline's day, not today's: one whose
// interval ends tomorrow can give for a need due tomorrow. (Candidates come
// with every deferral open today, a superset of those open that day.)
func (h *Handlers) matchNeed(ctx context.Context, n storage.Need, a urgent.Audience) ([]urgent.Candidate, error) {
	groups := urgent.Groups(n.BloodGroup, n.Component, a)
	today := h.today()
	cands, err := h.d.Store.NeedCandidates(ctx, n.ID, n.ClubID, groups, a == urgent.All, today)
	if err != nil {
		return nil, err
	}
	day := today
	if d := h.calendarDay(n.Deadline); d.After(today) {
		day = d
	}
	eligible := func(d screening.Donor) bool {
		return h.statusOn(donorFacts{donor: d}, day, nil).Status == screening.Eligible
	}
	return urgent.Match(cands, groups, n.Reach(), eligible), nil
}

// needCard renders a need's public part: what, how much, where, by when.
// The contact's phone is not in it: only donors who accept see it.
func (h *Handlers) needCard(lang string, n storage.Need) string {
	text := h.textIn(lang, "urgent_card", map[string]any{
		"Group": string(n.BloodGroup), "Component": h.textIn(lang, "component_"+string(n.Component), nil),
		"Units": n.UnitsNeeded, "Count": n.UnitsNeeded, "Hospital": n.Hospital,
		"Deadline": h.clock(n.Deadline) + " " + h.date(lang, n.Deadline),
	})
	if n.Note != "" {
		text += "\n" + h.textIn(lang, "urgent_note", map[string]any{"Note": n.Note})
	}
	return text
}

// alertNeed alerts the donors that audience a adds to need n, through the
// broadcast engine (one broadcast per language, most suitable first), and
// returns how many.
func (h *Handlers) alertNeed(ctx context.Context, n storage.Need, a urgent.Audience) (int, error) {
	matched, err := h.matchNeed(ctx, n, a)
	if err != nil || len(matched) == 0 {
		return 0, err
	}
	ids := make([]int64, len(matched))
	for i, c := range matched {
		ids[i] = c.TelegramID
	}
	added, err := h.d.Store.AddAlerts(ctx, n.ID, ids)
	if errors.Is(err, storage.ErrNeedNotOpen) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	byLang := map[string][]urgent.Candidate{}
	for _, c := range matched {
		if slices.Contains(added, c.TelegramID) {
			byLang[c.Language] = append(byLang[c.Language], c)
		}
	}
	for _, lang := range languages {
		if err := h.startAlerts(ctx, n, lang, byLang[lang]); err != nil {
			return 0, err
		}
	}
	h.d.Log.Info("urgent need alerted", "need_id", n.ID, "club_id", n.ClubID, "audience", string(a), "alerted", len(added))
	return len(added), nil
}
