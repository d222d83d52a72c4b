// Package drive is the pure domain of blood-donation drives ("Ngày hội hiến
// máu tình nguyện"): campaigns, drives, their time slots and the donors'
// registrations, with the rules an organizer's draft must follow, the deep
// link that opens a drive in the bot, the calendar file and the QR poster
// handed to donors, and when reminders are due.
//
// It imports neither Telegram nor the database: storage fills these types,
// handlers show them. Times are instants (time.Time); callers show and parse
// them in Asia/Ho_Chi_Minh.
package drive

import "time"

// Status is where a drive stands. Only a published drive takes registrations.
type Status string

// Drive statuses. A draft becomes published; a draft or published drive may
// be cancelled; a published drive is closed when it is over. Closed and
// cancelled are final.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
	StatusClosed    Status = "closed"
	StatusCancelled Status = "cancelled"
)

// Final reports whether no further change of the drive is possible.
func (s Status) Final() bool { return s == StatusClosed || s == StatusCancelled }

// RegStatus is where one donor's registration for a drive stands.
type RegStatus string

// Registration statuses. Confirmed and waitlisted are "live": a donor has at
// most one live registration per drive. Attended, no-show and deferred are
// recorded at or after screening on the day.
const (
	RegConfirmed  RegStatus = "confirmed"
	RegWaitlisted RegStatus = "waitlisted"
	RegCancelled  RegStatus = "cancelled"
	RegAttended   RegStatus = "attended"
	RegNoShow     RegStatus = "no_show"
	RegDeferred   RegStatus = "deferred"
)

// Live reports whether the registration still holds a seat or a place on the
// waitlist.
func (s RegStatus) Live() bool { return s == RegConfirmed || s == RegWaitlisted }

// Valid reports whether s is one of the registration statuses.
func (s RegStatus) Valid() bool {
	switch s {
	case RegConfirmed, RegWaitlisted, RegCancelled, RegAttended, RegNoShow, RegDeferred:
		return true
	}
	return false
}

// Campaign groups drives under one name, e.g. "Hành trình đỏ 2026".
type Campaign struct {
	ID        int64
	Name      string
	CreatedBy int64 // Telegram user id
	CreatedAt time.Time
}

// Point is a place on the map (WGS 84 degrees).
type Point struct {
	Lat, Lon float64
}

// Drive is one blood-donation event on one day, at one venue.
type Drive struct {
	ID         int64
	CampaignID int64  // 0: not part of a campaign
	Code       string // public code of the deep link t.me/<bot>?start=d_<code>
	Wave       string // e.g. "Đợt 3"; may be empty
	Title      string
	Organizer  string // organizing unit, as the organizer wrote it
	Hospital   string // partner hospital or blood centre
	Venue      string // street address
	Point      *Point // nil: no map point
	Start, End time.Time
	// TargetUnits is the goal in blood units (one unit is one donation).
	TargetUnits int
	// AudienceUnitID restricts the drive to members of one unit or club;
	// 0 means every donor.
	AudienceUnitID int64
	// VenueID and HospitalID are the directory entries the console's form
	// picked (0: typed in chat); Venue and Hospital hold the text shown.
	VenueID, HospitalID int64
	// AnnounceAt is when the scheduler publishes and announces a draft;
	// zero: at publishing.
	AnnounceAt time.Time
	Status     Status
	CreatedBy  int64 // Telegram user id
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Slot is a time slot of a drive with a number of seats.
type Slot struct {
	ID         int64
	DriveID    int64
	Start, End time.Time
	Capacity   int
	// Confirmed and Waitlisted count live registrations; storage fills them
	// when it lists slots, they are zero otherwise.
	Confirmed  int
	Waitlisted int
}

// SeatsLeft is how many more donors the slot confirms before it waitlists.
func (s Slot) SeatsLeft() int { return max(s.Capacity-s.Confirmed, 0) }

// Registration is one donor's place in one slot of a drive.
type Registration struct {
	ID      int64
	DonorID int64
	DriveID int64
	SlotID  int64
	Status  RegStatus
	// WaitlistPosition is 1 for the next donor to be confirmed when a seat
	// frees in the slot; 0 unless Status is RegWaitlisted.
	WaitlistPosition int
	// AllowedVolumeML is the largest bag screening allows (250, 350 or 450);
	// 0 until screened.
	AllowedVolumeML int
	CreatedAt       time.Time
	UpdatedAt       time.Time
}
