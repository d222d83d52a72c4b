package screening

import "slices"

// DeskBags are the whole-blood bags the desk may record for a donor,
// smallest first: those no larger than the limit screening gave at
// registration (screenedML, the "volume you may give" of the export; 0 when
// not screened) and than the one the donor's weight in the profile allows
// now (kg <= 0: unknown). The weight may have dropped since screening, and
// screening may have limited the bag for a reason the weight does not
// show: the smaller limit wins. With neither known every bag is offered:
// the staff weigh the donor at the drive anyway.
func DeskBags(screenedML int, female bool, kg float64) []int {
	most := 0
	if screenedML > 0 {
		most = screenedML
	}
	if weightKnown(kg) {
		byWeight := MaxVolumeML(female, kg)
		if most == 0 || byWeight < most {
			most = byWeight
		}
		if byWeight == 0 {
			return []int{}
		}
	}
	bags := slices.Clone(bagVolumesML)
	slices.Sort(bags)
	if most == 0 {
		return bags
	}
	return slices.DeleteFunc(bags, func(v int) bool { return v > most })
}
