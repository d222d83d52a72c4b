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
