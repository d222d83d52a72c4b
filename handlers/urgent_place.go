package handlers

import (
	"context"
	"errors"

	"donorbot/botapi"
	"donorbot/storage"
	"donorbot/urgent"
)

// findHospital matches the hospital the admin typed to the directory: on a
// match the need takes the directory's name and hospital_id; otherwise the
// name stays as typed, a hospital the directory does not know.
func (h *Handlers) findHospital(ctx context.Context, s *needDraft) error {
	s.HospitalID = 0
	if s.Hospital == "" {
		return nil
	}
	list, err := h.d.Store.Hospitals(ctx)
	if err != nil {
		return err
	}
	dir := make([]urgent.HospitalNames, len(list))
	for i, hosp := range list {
		dir[i] = urgent.HospitalNames{ID: hosp.ID, Names: append([]string{hosp.Name}, hosp.Aliases...)}
	}
	hid, ok := urgent.FindHospital(s.Hospital, dir)
	if !ok {
		return nil
	}
	for _, hosp := range list {
		if hosp.ID == hid {
			s.HospitalID, s.Hospital = hosp.ID, hosp.Name
		}
	}
	return nil
}

// placeNeed sets where the need is: its directory hospital's province,
// else its club's, else nowhere known (it then reaches every province).
func (h *Handlers) placeNeed(ctx context.Context, s *needDraft) error {
	s.Province = ""
	if s.HospitalID != 0 {
		hosp, err := h.d.Store.Hospital(ctx, s.HospitalID)
		switch {
		case errors.Is(err, storage.ErrNotFound): // removed meanwhile
			s.HospitalID = 0
		case err != nil:
			return err
		default:
			s.Province = hosp.Province
		}
	}
	if s.Province == "" && s.ClubID != 0 {
		p, err := h.d.Store.UnitProvince(ctx, s.ClubID)
		if err != nil {
			return err
		}
		s.Province = p
	}
	return nil
}

// alertCard is the need as a donor's alert shows it: the card, where the
// directory hospital is (address, map, reception point, hours), and how to
// come prepared.
func (h *Handlers) alertCard(ctx context.Context, lang string, n storage.Need) (string, error) {
	card := h.needCard(lang, n)
	if n.HospitalID != 0 {
		hosp, err := h.d.Store.Hospital(ctx, n.HospitalID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return "", err
		}
		if err == nil {
			card += "\n\n" + h.hospitalCard(lang, hosp)
		}
	}
	return card + "\n\n" + h.textIn(lang, "urgent_prepare", nil), nil
}

// provinceWidenButton is the admin's "widen to other provinces" for an
// open need still kept to its province.
func provinceWidenButton(lt *turn, n storage.Need) []botapi.Button {
	if !n.Open() || n.Province == "" || n.OtherProvinces {
		return nil
	}
	return []botapi.Button{{Text: lt.text("btn_widen_provinces"), CallbackData: encodeCallback("urgadm", id(n.ID), urgadmProvinces)}}
}

// urgadmProvinces is the urgadm action that widens a need to other provinces.
const urgadmProvinces = "prov"

// widenProvinces lets need n reach donors of other provinces and alerts
// those its audience now reaches.
func (h *Handlers) widenProvinces(ctx context.Context, t *turn, n storage.Need) error {
	widened, err := h.d.Store.WidenNeedProvinces(ctx, n.ID)
	if err != nil {
		return err
	}
	if !widened {
		return t.answer(ctx, t.text("button_stale"))
	}
	n.OtherProvinces = true
	count, err := h.alertNeed(ctx, n, n.Audience)
	if err != nil {
		return err
	}
	return t.answer(ctx, t.textf("urgent_widened", map[string]any{"Count": count}))
}
