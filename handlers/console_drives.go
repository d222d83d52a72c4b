package handlers

import (
	"context"
	"errors"
	"strconv"
	"time"

	"donorbot/drive"
	"donorbot/storage"
)

// consoleDrivesMaxPer bounds a page of the console's drive list.
const consoleDrivesMaxPer = 100

// consoleDrivesRoutes are the console's "My drives" and a drive's home.
func (h *Handlers) consoleDrivesRoutes() []consoleRoute {
	return []consoleRoute{
		{"GET /drives", h.consoleDrives},
		{"GET /drives/{id}", h.consoleDriveHome},
	}
}

// consoleDriveSummary is a drive as the console's cards show it. Status is
// what the organizer needs to know of it now: draft, upcoming, today
// (under way or later the same day), over, or cancelled.
type consoleDriveSummary struct {
	ID         int64  `json:"id"`
	Code       string `json:"code"`
	Title      string `json:"title"`
	Day        string `json:"day"`
	Date       string `json:"date"`
	Time       string `json:"time"`
	Status     string `json:"status"`
	StatusText string `json:"status_text"`
	Venue      string `json:"venue"`
	Hospital   string `json:"hospital"`
	Seats      int    `json:"seats"`
	SeatsLeft  int    `json:"seats_left"`
	Registered int    `json:"registered"`
	Target     int    `json:"target"`
	Arrived    int    `json:"arrived"`
	Donated    int    `json:"donated"`
	CampaignID int64  `json:"campaign_id"`
	Campaign   string `json:"campaign"`
	Wave       string `json:"wave"`
	UnitID     int64  `json:"unit_id"`
	Unit       string `json:"unit"`
}

type consoleDriveFilters struct {
	Campaigns []storage.Named `json:"campaigns"`
	Waves     []string        `json:"waves"`
	Units     []storage.Named `json:"units"`
}

type consoleDrivesReply struct {
	Drives  []consoleDriveSummary `json:"drives"`
	Filters consoleDriveFilters   `json:"filters"`
	Total   int                   `json:"total"`
	Page    int                   `json:"page"`
	Per     int                   `json:"per"`
}

// consoleSlotSeats is one slot on a drive's home.
type consoleSlotSeats struct {
	ID       int64  `json:"id"`
	Label    string `json:"label"`
	Capacity int    `json:"capacity"`
	Taken    int    `json:"taken"`
}

type consoleDriveHomeReply struct {
	consoleDriveSummary
	Slots       []consoleSlotSeats `json:"slots"`
	CheckinOpen bool               `json:"checkin_open"`
	CanEdit     bool               `json:"can_edit"`
}

// consoleDrives lists the user's drives: GET /drives?campaign=&wave=&unit=
// &status=upcoming|past|all&page=&per=.
func (h *Handlers) consoleDrives(ctx context.Context, c *consoleCall) (any, error) {
	q, err := h.managedQuery(ctx, c.User.ID, "")
	if err != nil {
		return nil, err
	}
	if q.CampaignID, err = drivesFilterID(c, "campaign"); err != nil {
		return nil, err
	}
	if q.UnitID, err = drivesFilterID(c, "unit"); err != nil {
		return nil, err
	}
	q.Wave = c.query("wave")
	switch status := c.query("status"); status {
	case "", "all":
	case storage.WhenUpcoming, storage.WhenPast:
		q.When = status
	default:
		return nil, errConsoleBadInput
	}
	page, per, err := drivesPaging(c, 50, consoleDrivesMaxPer)
	if err != nil {
		return nil, err
	}
	q.Offset, q.Limit = (page-1)*per, per
	drives, total, err := h.d.Store.ManagedDrives(ctx, q)
	if err != nil {
		return nil, err
	}
	filters, err := h.d.Store.ManagedDriveFilters(ctx, q)
	if err != nil {
		return nil, err
	}
	out := consoleDrivesReply{Drives: make([]consoleDriveSummary, len(drives)), Total: total, Page: page, Per: per,
		Filters: consoleDriveFilters{Campaigns: filters.Campaigns, Waves: filters.Waves, Units: filters.Units}}
	for i, d := range drives {
		out.Drives[i] = h.consoleSummary(c.Lang, d)
	}
	return out, nil
}

// consoleDriveHome is one drive with its slots: GET /drives/{id}. A drive
// the user does not manage is not found, as in consoleDrive.
func (h *Handlers) consoleDriveHome(ctx context.Context, c *consoleCall) (any, error) {
	d, err := h.consoleDriveOf(ctx, c)
	if err != nil {
		return nil, err
	}
	q, err := h.managedQuery(ctx, c.User.ID, "")
	if err != nil {
		return nil, err
	}
	q.DriveID = d.ID
	found, _, err := h.d.Store.ManagedDrives(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(found) != 1 {
		// consoleDrive let it through: the list's rule disagrees with it.
		return nil, errors.New("console: drive " + id(d.ID) + " managed but not listed")
	}
	slots, err := h.d.Store.DriveSlotSeats(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	out := consoleDriveHomeReply{consoleDriveSummary: h.consoleSummary(c.Lang, found[0]),
		Slots: make([]consoleSlotSeats, len(slots)), CanEdit: !d.Status.Final(),
		CheckinOpen: d.Status == drive.StatusPublished &&
			drive.CheckinOpen(d.Start, d.End, h.d.Now(), h.d.Location, h.d.CheckinOpens) == nil}
	for i, s := range slots {
		out.Slots[i] = consoleSlotSeats{ID: s.ID, Label: h.clock(s.Start) + "–" + h.clock(s.End),
			Capacity: s.Capacity, Taken: s.Taken}
	}
	return out, nil
}

// consoleSummary renders a drive for a reader of lang.
func (h *Handlers) consoleSummary(lang string, d storage.ManagedDrive) consoleDriveSummary {
	status := h.consoleDriveStatus(d.Drive)
	return consoleDriveSummary{
		ID: d.ID, Code: d.Code, Title: d.Title, Day: h.date(lang, d.Start),
		Date: d.Start.In(h.d.Location).Format(time.DateOnly), Time: h.clock(d.Start) + "–" + h.clock(d.End),
		Status: status, StatusText: h.texts.text(lang, "console_drive_status_"+status, nil),
		Venue: d.Venue, Hospital: d.Hospital, Seats: d.Seats, SeatsLeft: d.SeatsLeft, Registered: d.Registered,
		Target: d.TargetUnits, Arrived: d.Arrived, Donated: d.Donated, CampaignID: d.CampaignID,
		Campaign: d.Campaign, Wave: d.Wave, UnitID: d.AudienceUnitID, Unit: d.Unit,
	}
}

// consoleDriveStatus is the status a card shows at the handlers' clock.
func (h *Handlers) consoleDriveStatus(d drive.Drive) string {
	now := h.d.Now()
	switch {
	case d.Status == drive.StatusCancelled:
		return "cancelled"
	case d.Status == drive.StatusDraft:
		return "draft"
	case d.Status == drive.StatusClosed, h.calendarDay(d.End).Before(h.calendarDay(now)):
		return "over"
	case h.calendarDay(d.Start).Equal(h.calendarDay(now)):
		return "today"
	}
	return "upcoming"
}

// drivesFilterID is a positive integer query parameter, or 0 when absent.
func drivesFilterID(c *consoleCall, name string) (int64, error) {
	raw := c.query(name)
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n <= 0 {
		return 0, errConsoleBadInput
	}
	return n, nil
}

// drivesPaging reads page (from 1) and per (at most maxPer) from the query.
func drivesPaging(c *consoleCall, defaultPer, maxPer int) (page, per int, err error) {
	page, per = 1, defaultPer
	if raw := c.query("page"); raw != "" {
		if page, err = strconv.Atoi(raw); err != nil || page < 1 || page > 100000 {
			return 0, 0, errConsoleBadInput
		}
	}
	if raw := c.query("per"); raw != "" {
		if per, err = strconv.Atoi(raw); err != nil || per < 1 || per > maxPer {
			return 0, 0, errConsoleBadInput
		}
	}
	return page, per, nil
}
