package handlers

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"donorbot/profile"
	"donorbot/storage"
	"donorbot/textbound"
)

// donorStats shows admins how many donors there are, by blood group.
func (h *Handlers) donorStats(ctx context.Context, t *turn) error {
	c, err := h.d.Store.CountDonors(ctx)
	if err != nil {
		return err
	}
	var groups []string
	for _, g := range profile.BloodGroups {
		groups = append(groups, fmt.Sprintf("%s %d", g, c.ByGroup[string(g)]))
	}
	groups = append(groups, fmt.Sprintf("? %d", c.ByGroup["unknown"]))
	return t.reply(ctx, t.textf("donors_summary", map[string]any{
		"Total": c.Total, "Onboarded": c.Onboarded, "Groups": joinNames(groups),
	}), nil)
}

// newUnit creates a club or unit: /newunit club|unit <name>.
func (h *Handlers) newUnit(ctx context.Context, t *turn) error {
	kind, name, _ := strings.Cut(t.args, " ")
	name = strings.Join(strings.Fields(name), " ")
	if (kind != "club" && kind != "unit") || name == "" || !textbound.Within(name, 120) {
		return t.reply(ctx, t.text("newunit_usage"), nil)
	}
	u, err := h.d.Store.CreateUnit(ctx, kind, name, rand.Text()[:12])
	if errors.Is(err, storage.ErrDuplicate) {
		return t.reply(ctx, t.textf("newunit_duplicate", map[string]any{"Name": name}), nil)
	}
	if err != nil {
		return err
	}
	return t.reply(ctx, t.textf("newunit_created", map[string]any{
		"Kind": t.text("kind_" + u.Kind), "Name": u.Name, "Code": u.InviteCode,
	}), nil)
}
