package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"donorbot/blood"
	"donorbot/profile"
	"donorbot/screening"
	"donorbot/urgent"
)

// Need statuses: open until enough donors accepted (filled) or the club
// admin closed it.
const (
	NeedOpen   = "open"
	NeedFilled = "filled"
	NeedClosed = "closed"
)

// Need is an urgent blood need raised by a club admin.
type Need struct {
	ID             int64
	ClubID         int64
	CreatedBy      int64
	BloodGroup     profile.BloodGroup
	Component      blood.Component
	UnitsNeeded    int
	Hospital       string
	Address        string
	Deadline       time.Time
	ContactName    string
	ContactPhone   string
	Note           string
	Audience       urgent.Audience
	Accepted       int
	Status         string
	AdminChatID    int64
	AdminMessageID int
	AdminLang      string
	WidenAt        time.Time // zero: no offer to widen
	CreatedAt      time.Time
	ClosedAt       time.Time
	// HospitalID is the directory hospital Hospital matched (0: none).
	HospitalID int64
	// Province is where the need is ("": not known, everyone is reached);
	// OtherProvinces is set once the admin widened it beyond.
	Province       string
	OtherProvinces bool
}

// Reach is where the need reaches.
func (n Need) Reach() urgent.Reach {
	return urgent.Reach{Province: n.Province, OtherProvinces: n.OtherProvinces}
}

// Open reports whether the need still takes accepts.
func (n Need) Open() bool { return n.Status == NeedOpen }

type needRow struct {
	ID             int64          `db:"id"`
	ClubID         int64          `db:"club_id"`
	CreatedBy      int64          `db:"created_by"`
	BloodGroup     string         `db:"blood_group"`
	Component      string         `db:"component"`
	UnitsNeeded    int            `db:"units_needed"`
	Hospital       string         `db:"hospital"`
	Address        string         `db:"address"`
	Deadline       time.Time      `db:"deadline"`
	ContactName    string         `db:"contact_name"`
	ContactPhone   string         `db:"contact_phone"`
	Note           string         `db:"note"`
	Audience       string         `db:"audience"`
	Accepted       int            `db:"accepted"`
	Status         string         `db:"status"`
	AdminChatID    int64          `db:"admin_chat_id"`
	AdminMessageID sql.NullInt64  `db:"admin_message_id"`
	AdminLang      string         `db:"admin_lang"`
	WidenAt        sql.NullTime   `db:"widen_at"`
	CreatedAt      time.Time      `db:"created_at"`
	ClosedAt       sql.NullTime   `db:"closed_at"`
	HospitalID     sql.NullInt64  `db:"hospital_id"`
	Province       sql.NullString `db:"province"`
	OtherProvinces bool           `db:"other_provinces"`
}

const needColumns = `id, club_id, created_by, blood_group, component, units_needed, hospital, address,
	deadline, contact_name, contact_phone, note, audience, accepted, status, admin_chat_id,
	admin_message_id, admin_lang, widen_at, created_at, closed_at, hospital_id, province, other_provinces`

func (r needRow) need() Need {
	return Need{
		ID: r.ID, ClubID: r.ClubID, CreatedBy: r.CreatedBy, BloodGroup: profile.BloodGroup(r.BloodGroup),
		Component: blood.Component(r.Component), UnitsNeeded: r.UnitsNeeded, Hospital: r.Hospital,
		Address: r.Address, Deadline: r.Deadline, ContactName: r.ContactName, ContactPhone: r.ContactPhone,
		Note: r.Note, Audience: urgent.Audience(r.Audience), Accepted: r.Accepted, Status: r.Status,
		AdminChatID: r.AdminChatID, AdminMessageID: int(r.AdminMessageID.Int64), AdminLang: r.AdminLang,
		WidenAt: r.WidenAt.Time, CreatedAt: r.CreatedAt, ClosedAt: r.ClosedAt.Time,
		HospitalID: r.HospitalID.Int64, Province: r.Province.String, OtherProvinces: r.OtherProvinces,
	}
}

// CreateNeed stores a new open need; ID, Accepted, Status and the times
// other than Deadline and WidenAt are ignored, and so is OtherProvinces (a
// need starts in its province).
func (s *Store) CreateNeed(ctx context.Context, n Need) (Need, error) {
	const q = `INSERT INTO needs (club_id, created_by, blood_group, component, units_needed, hospital,
			address, deadline, contact_name, contact_phone, note, audience, admin_chat_id, admin_lang, widen_at,
			hospital_id, province)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, nullif($16, 0), nullif($17, ''))
		RETURNING ` + needColumns
	var widen sql.NullTime
	if !n.WidenAt.IsZero() {
		widen = sql.NullTime{Time: n.WidenAt, Valid: true}
	}
	var r needRow
	err := s.q(ctx).GetContext(ctx, &r, q, n.ClubID, n.CreatedBy, string(n.BloodGroup), string(n.Component),
		n.UnitsNeeded, n.Hospital, n.Address, n.Deadline, n.ContactName, n.ContactPhone, n.Note,
		string(n.Audience), n.AdminChatID, n.AdminLang, widen, n.HospitalID, n.Province)
	if err != nil {
		return Need{}, fmt.Errorf("storage: create need of club %d: %w", n.ClubID, mapErr(err))
	}
	return r.need(), nil
}

// Need returns one need.
func (s *Store) Need(ctx context.Context, id int64) (Need, error) {
	var r needRow
	if err := s.q(ctx).GetContext(ctx, &r, `SELECT `+needColumns+` FROM needs WHERE id = $1`, id); err != nil {
		return Need{}, fmt.Errorf("storage: need %d: %w", id, mapErr(err))
	}
	return r.need(), nil
}

// ClubNeeds lists the needs of the clubs, open ones first, then the most
// recent; at most limit.
func (s *Store) ClubNeeds(ctx context.Context, clubIDs []int64, limit int) ([]Need, error) {
	const q = `SELECT ` + needColumns + ` FROM needs WHERE club_id = ANY($1)
		ORDER BY status = 'open' DESC, created_at DESC, id DESC LIMIT $2`
	rows := []needRow{}
	if err := s.q(ctx).SelectContext(ctx, &rows, q, pq.Array(clubIDs), limit); err != nil {
		return nil, fmt.Errorf("storage: needs of clubs: %w", err)
	}
	out := make([]Need, len(rows))
	for i, r := range rows {
		out[i] = r.need()
	}
	return out, nil
}

// SetNeedAdminMessage records the club admin's live status message: the
// newest one shown, by whichever admin of the club asked.
func (s *Store) SetNeedAdminMessage(ctx context.Context, id, chatID int64, messageID int, lang string) error {
	const q = `UPDATE needs SET admin_chat_id = $2, admin_message_id = $3, admin_lang = $4 WHERE id = $1`
	if _, err := s.q(ctx).ExecContext(ctx, q, id, chatID, messageID, lang); err != nil {
		return fmt.Errorf("storage: admin message of need %d: %w", id, err)
	}
	return nil
}

// WidenNeed sets a wider audience on an open need; it reports false if the
// need is closed or already reaches as far.
func (s *Store) WidenNeed(ctx context.Context, id int64, a urgent.Audience) (bool, error) {
	const q = `UPDATE needs SET audience = $2 WHERE id = $1 AND status = 'open'
		AND (audience = 'same' OR audience = 'compatible' AND $2 = 'all') AND $2 <> audience`
	res, err := s.q(ctx).ExecContext(ctx, q, id, string(a))
	if err != nil {
		return false, fmt.Errorf("storage: widen need %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("storage: widen need %d: %w", id, err)
	}
	return n > 0, nil
}

// CloseNeed closes an open need by hand at now, those who accepted still
// expected; it reports false if it was not open.
func (s *Store) CloseNeed(ctx context.Context, id int64, now time.Time) (bool, error) {
	const q = `UPDATE needs SET status = 'closed', closed_at = $2 WHERE id = $1 AND status = 'open'`
	res, err := s.q(ctx).ExecContext(ctx, q, id, now)
	if err != nil {
		return false, fmt.Errorf("storage: close need %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("storage: close need %d: %w", id, err)
	}
	return n > 0, nil
}

// QueueDueWidenOffers marks up to limit open needs whose widen time passed
// (at now) as offered, renders the offer to each need's admin with render
// and queues it in the delivery queue, in one transaction: each offer is
// queued once across processes, and a process that dies queues none. It
// returns how many it queued by kind ("widen_offer").
func (s *Store) QueueDueWidenOffers(ctx context.Context, now time.Time, limit int,
	render func(Need) (ScheduledMessage, error)) (map[string]int, error) {
	q := `
		WITH due AS (
			SELECT id FROM needs WHERE status = 'open' AND widen_offered_at IS NULL AND widen_at <= $1
			ORDER BY widen_at LIMIT $2 FOR UPDATE SKIP LOCKED)
		UPDATE needs n SET widen_offered_at = $1 FROM due WHERE n.id = due.id
		RETURNING ` + prefixed("n.", needColumns)
	var queued map[string]int
	err := s.inTx(ctx, func(tx *dbTx) error {
		rows := []needRow{}
		if err := tx.SelectContext(ctx, &rows, q, now, limit); err != nil {
			return fmt.Errorf("find due: %w", err)
		}
		due := make([]Need, len(rows))
		for i, r := range rows {
			due[i] = r.need()
		}
		var err error
		queued, err = queueByKind(ctx, tx, due, func(Need) string { return "widen_offer" }, render)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: queue widen offers: %w", err)
	}
	return queued, nil
}

// NeedCandidates returns the donors a need of the club could reach among
// groups: onboarded, reachable, on call on day, members of the club (or, if
// optedIn, anyone who opted in to urgent alerts), and not yet alerted for
// the need. Eligibility is left to urgent.Match. A candidate's Promise is
// their standing accept of another need, its Day the deadline instant: the
// caller turns it into a calendar day in the bot's zone.
func (s *Store) NeedCandidates(ctx context.Context, needID, clubID int64, groups []profile.BloodGroup, optedIn bool, day time.Time) ([]urgent.Candidate, error) {
	const q = `SELECT d.telegram_id, d.chat_id, d.language, d.blood_group, coalesce(d.province, ''),
			d.birth_date, d.sex, d.weight_kg, ld.donated_on, ld.kind
		FROM donors d
		JOIN availability a ON a.donor_id = d.id
		LEFT JOIN LATERAL (SELECT n.donated_on, n.kind FROM donations n WHERE n.donor_id = d.id
			ORDER BY n.donated_on DESC, n.id DESC LIMIT 1) ld ON true
		WHERE d.onboarded_at IS NOT NULL AND d.unreachable_at IS NULL
		  AND a.on_call AND (a.until IS NULL OR a.until >= $4)
		  AND d.blood_group = ANY($3)
		  AND (EXISTS (SELECT 1 FROM unit_members m WHERE m.donor_id = d.id AND m.unit_id = $2)
		       OR ($5 AND a.urgent_opt_in))
		  AND NOT EXISTS (SELECT 1 FROM need_alerts x WHERE x.need_id = $1 AND x.donor_id = d.id)
		ORDER BY d.id`
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = string(g)
	}
	wrap := func(err error) error { return fmt.Errorf("storage: candidates of need %d: %w", needID, err) }
	rows, err := s.q(ctx).QueryxContext(ctx, q, needID, clubID, pq.Array(names), day.Format(time.DateOnly), optedIn)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	out, byID, ids, err := scanCandidates(rows, true)
	if err != nil {
		return nil, wrap(err)
	}
	if len(out) == 0 {
		return out, nil
	}
	if err := s.addOpenDeferrals(ctx, out, byID, ids, day); err != nil {
		return nil, err
	}
	promises, err := s.commitments(ctx, needID, ids)
	if err != nil {
		return nil, err
	}
	for id, c := range promises {
		out[byID[id]].Promise = &urgent.Promise{Day: c.Deadline, Kind: screening.DonationKind(c.Component)}
	}
	// Judged like every screen: with what the latest screening said about
	// the last donation (screening.Donor.Answered).
	answered, err := s.LastDonationAnswers(ctx, ids)
	if err != nil {
		return nil, wrap(err)
	}
	for id, a := range answered {
		out[byID[id]].Donor.Answered = &a
	}
	return out, nil
}

// addOpenDeferrals fills the candidates' deferrals still running on day.
func (s *Store) addOpenDeferrals(ctx context.Context, out []urgent.Candidate, byID map[int64]int, ids []int64, day time.Time) error {
	const q = `SELECT d.telegram_id, f.code, f.until, f.permanent
		FROM deferrals f JOIN donors d ON d.id = f.donor_id
		WHERE d.telegram_id = ANY($1) AND (f.permanent OR f.until IS NULL OR f.until > $2)
		ORDER BY f.id`
	rows, err := s.q(ctx).QueryxContext(ctx, q, pq.Array(ids), day.Format(time.DateOnly))
	if err != nil {
		return fmt.Errorf("storage: deferrals of candidates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tid int64
		var f screening.Deferral
		var until sql.NullTime
		if err := rows.Scan(&tid, &f.Code, &until, &f.Permanent); err != nil {
			return fmt.Errorf("storage: deferrals of candidates: %w", err)
		}
		if until.Valid {
			f.Until = calendarDate(until.Time)
		}
		c := &out[byID[tid]]
		c.Donor.Deferrals = append(c.Donor.Deferrals, f)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("storage: deferrals of candidates: %w", err)
	}
	return nil
}

// ErrNeedNotOpen is returned when alerts are added to a closed need.
var ErrNeedNotOpen = errors.New("storage: need is not open")

// AddAlerts records that the donors (Telegram ids, most suitable first) are
// alerted for the open need, after those alerted before; donors already
// alerted are skipped. It returns the ids actually added, in order.
func (s *Store) AddAlerts(ctx context.Context, needID int64, telegramIDs []int64) ([]int64, error) {
	const q = `
		WITH need AS (SELECT id FROM needs WHERE id = $1 AND status = 'open' FOR UPDATE),
		base AS (SELECT coalesce(max(rank), 0) AS r FROM need_alerts WHERE need_id = $1),
		wanted AS (SELECT t.tid, t.ord FROM unnest($2::bigint[]) WITH ORDINALITY AS t(tid, ord))
		INSERT INTO need_alerts (need_id, donor_id, rank)
		SELECT need.id, d.id, base.r + w.ord FROM need, base, wanted w JOIN donors d ON d.telegram_id = w.tid
		ON CONFLICT DO NOTHING
		RETURNING (SELECT telegram_id FROM donors WHERE id = donor_id), rank`
	wrap := func(err error) error { return fmt.Errorf("storage: alerts of need %d: %w", needID, err) }
	rows := []struct {
		TelegramID int64 `db:"telegram_id"`
		Rank       int   `db:"rank"`
	}{}
	if err := s.q(ctx).SelectContext(ctx, &rows, q, needID, pq.Array(telegramIDs)); err != nil {
		return nil, wrap(err)
	}
	if len(rows) == 0 && len(telegramIDs) > 0 {
		n, err := s.Need(ctx, needID)
		if err != nil {
			return nil, wrap(err)
		}
		if !n.Open() {
			return nil, wrap(ErrNeedNotOpen)
		}
	}
	slices.SortFunc(rows, func(a, b struct {
		TelegramID int64 `db:"telegram_id"`
		Rank       int   `db:"rank"`
	}) int {
		return a.Rank - b.Rank
	})
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.TelegramID
	}
	return out, nil
}

// SetAlertsBroadcast links the donors' alerts to the broadcast that sends them.
func (s *Store) SetAlertsBroadcast(ctx context.Context, needID, broadcastID int64, telegramIDs []int64) error {
	const q = `UPDATE need_alerts a SET broadcast_id = $2 FROM donors d
		WHERE a.need_id = $1 AND a.donor_id = d.id AND d.telegram_id = ANY($3)`
	if _, err := s.q(ctx).ExecContext(ctx, q, needID, broadcastID, pq.Array(telegramIDs)); err != nil {
		return fmt.Errorf("storage: link alerts of need %d to broadcast %d: %w", needID, broadcastID, err)
	}
	return nil
}

// NeedBroadcasts lists the broadcasts sending the need's alerts.
func (s *Store) NeedBroadcasts(ctx context.Context, needID int64) ([]int64, error) {
	const q = `SELECT DISTINCT broadcast_id FROM need_alerts WHERE need_id = $1 AND broadcast_id IS NOT NULL ORDER BY 1`
	ids := []int64{}
	if err := s.q(ctx).SelectContext(ctx, &ids, q, needID); err != nil {
		return nil, fmt.Errorf("storage: broadcasts of need %d: %w", needID, err)
	}
	return ids, nil
}

// prefixed qualifies each column of a comma-separated list with prefix.
func prefixed(prefix, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// NeedSending counts the deliveries of the need's alert broadcasts: how
// many are done (sent, failed, blocked or cancelled) of how many, and how
// many of those pending go as paid broadcasts.
func (s *Store) NeedSending(ctx context.Context, needID int64) (done, total, paidPending int, err error) {
	const q = `SELECT count(*) FILTER (WHERE status <> 'pending') AS done, count(*) AS total,
			count(*) FILTER (WHERE status = 'pending' AND paid) AS paid_pending
		FROM broadcast_deliveries
		WHERE broadcast_id IN (SELECT broadcast_id FROM need_alerts WHERE need_id = $1 AND broadcast_id IS NOT NULL)`
	var r struct {
		Done        int `db:"done"`
		Total       int `db:"total"`
		PaidPending int `db:"paid_pending"`
	}
	if err := s.q(ctx).GetContext(ctx, &r, q, needID); err != nil {
		return 0, 0, 0, fmt.Errorf("storage: sending of need %d: %w", needID, err)
	}
	return r.Done, r.Total, r.PaidPending, nil
}

// NeedOfBroadcast is the need whose alerts a broadcast sends, or
// ErrNotFound.
func (s *Store) NeedOfBroadcast(ctx context.Context, broadcastID int64) (int64, error) {
	const q = `SELECT need_id FROM need_alerts WHERE broadcast_id = $1 LIMIT 1`
	var id int64
	err := s.q(ctx).GetContext(ctx, &id, q, broadcastID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("storage: need of broadcast %d: %w", broadcastID, err)
	}
	return id, nil
}

// NeedPaidAlerts counts the alerts of the need queued as paid broadcasts.
func (s *Store) NeedPaidAlerts(ctx context.Context, needID int64) (int, error) {
	const q = `SELECT count(*) FROM broadcast_deliveries
		WHERE paid AND broadcast_id IN (SELECT broadcast_id FROM need_alerts WHERE need_id = $1 AND broadcast_id IS NOT NULL)`
	var n int
	if err := s.q(ctx).GetContext(ctx, &n, q, needID); err != nil {
		return 0, fmt.Errorf("storage: paid alerts of need %d: %w", needID, err)
	}
	return n, nil
}

// scanCandidates reads donor rows (telegram_id, chat_id, language,
// blood_group, [province,] birth_date, sex, weight_kg, the last donation's
// day and kind) into candidates, with their index by Telegram id and the
// ids in order, for the queries that complete them (deferrals, answers).
func scanCandidates(rows *sqlx.Rows, withProvince bool) ([]urgent.Candidate, map[int64]int, []int64, error) {
	out := []urgent.Candidate{}
	byID := map[int64]int{}
	var ids []int64
	for rows.Next() {
		var c urgent.Candidate
		var group string
		var birth, donated sql.NullTime
		var sex, kind sql.NullString
		var weight sql.NullFloat64
		dest := []any{&c.TelegramID, &c.ChatID, &c.Language, &group}
		if withProvince {
			dest = append(dest, &c.Province)
		}
		if err := rows.Scan(append(dest, &birth, &sex, &weight, &donated, &kind)...); err != nil {
			return nil, nil, nil, err
		}
		c.Group = profile.BloodGroup(group)
		c.Donor.Female = sex.String == string(profile.SexFemale)
		c.Donor.WeightKg = weight.Float64
		if birth.Valid {
			c.Donor.BirthDate = calendarDate(birth.Time)
		}
		if donated.Valid {
			c.Donor.LastDonation = &screening.Donation{Date: calendarDate(donated.Time), Kind: screening.DonationKind(kind.String)}
		}
		byID[c.TelegramID] = len(out)
		out = append(out, c)
		ids = append(ids, c.TelegramID)
	}
	return out, byID, ids, rows.Err()
}
