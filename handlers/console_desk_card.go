package handlers

import (
	"context"
	"time"

	"donorbot/drive"
	"donorbot/storage"
)

// deskCardReply is a donor at the gate as the console shows them: who,
// which slot, where they are (Status: registered, waitlisted, arrived,
// donated, deferred, no_show, cancelled), the bags they may give, and the
// result recorded.
type deskCardReply struct {
	ID         int64       `json:"id"`
	DriveID    int64       `json:"drive_id"`
	Name       string      `json:"name"`
	Group      string      `json:"group"`
	Slot       string      `json:"slot"`
	Status     string      `json:"status"`
	StatusText string      `json:"status_text"`
	Volumes    []int       `json:"volumes"`
	Result     *deskResult `json:"result"`
}

// deskResult is a recorded result: Kind "donated" (Volume) or "deferred"
// (Reason, a preset code or the typed text, and Until when known); Text
// says it whole in the user's language.
type deskResult struct {
	Kind       string `json:"kind"`
	Volume     int    `json:"volume,omitempty"`
	Reason     string `json:"reason,omitempty"`
	ReasonText string `json:"reason_text,omitempty"`
	Until      string `json:"until,omitempty"`
	Text       string `json:"text"`
}

// deskCard loads a registration's card in lang.
func (h *Handlers) deskCard(ctx context.Context, lang string, registrationID int64) (deskCardReply, error) {
	a, err := h.d.Store.Arrival(ctx, registrationID)
	if err != nil {
		return deskCardReply{}, err
	}
	volumes, _, err := h.donorBags(ctx, a)
	if err != nil {
		return deskCardReply{}, err
	}
	group := a.BloodGroup.String
	if group == "" || group == "unknown" {
		group = "?"
	}
	status := gateStatus(a)
	card := deskCardReply{ID: a.RegistrationID, DriveID: a.DriveID, Name: a.FullName.String, Group: group,
		Slot: h.clock(a.SlotStart) + "–" + h.clock(a.SlotEnd), Status: status,
		StatusText: h.texts.text(lang, "console_gate_status_"+status, nil), Volumes: volumes}
	if status != "donated" && status != "deferred" {
		return card, nil
	}
	res, err := h.d.Store.RecordedResult(ctx, a.RegistrationID)
	if err != nil {
		return deskCardReply{}, err
	}
	card.Result = &deskResult{Kind: "deferred", Text: h.resultWhat(lang, res)}
	if res.Donated {
		card.Result.Kind, card.Result.Volume = "donated", res.VolumeML
	} else {
		card.Result.Reason, card.Result.ReasonText = res.Reason, h.deferralReasonIn(lang, res.Reason)
		if !res.Until.IsZero() {
			card.Result.Until = res.Until.Format(time.DateOnly)
		}
	}
	return card, nil
}

// gateStatus is where a registration stands at the gate: a live one not
// checked in is registered (or waitlisted), checked in is arrived, and a
// result is donated or deferred.
func gateStatus(a storage.Arrival) string {
	switch st := drive.RegStatus(a.Status); st {
	case drive.RegAttended:
		return "donated"
	case drive.RegConfirmed, drive.RegWaitlisted:
		if a.CheckedInAt.Valid {
			return "arrived"
		}
		if st == drive.RegWaitlisted {
			return "waitlisted"
		}
		return "registered"
	default:
		return string(st)
	}
}
