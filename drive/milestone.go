package drive

// Milestone reports whether a donor's count of donations is one to
// congratulate: 5, 10, 15 and 20, then every tenth (30, 40, 50...), the
// counts at which Vietnamese blood donation campaigns honour donors
// ("tôn vinh người hiến máu tiêu biểu").
func Milestone(count int) bool {
	switch {
	case count <= 0:
		return false
	case count <= 20:
		return count%5 == 0
	}
	return count%10 == 0
}

// NextMilestone is the first count above count that Milestone
// congratulates: the goal /history shows. Provinces honour donors at such
// counts, e.g. Ho Chi Minh City in 2016: certificates of merit for 20 and
// 30 donations, the "Vì sự nghiệp nhân đạo" medal for 40
// (https://tuoitre.vn/ton-vinh-649-nguoi-hien-mau-tieu-bieu-tphcm-1116574.htm).
func NextMilestone(count int) int {
	n := max(count+1, 1)
	for !Milestone(n) {
		n++
	}
	return n
}
