package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/drive"
	"donorbot/picture"
	"donorbot/storage"
)

// announceDrive broadcasts a published drive to its audience, one broadcast
// per language so each donor reads it in theirs, and tells the organizer
// how many donors at the contact cap it left out.
func (h *Handlers) announceDrive(ctx context.Context, t *turn, d drive.Drive) error {
	recipients, err := h.d.Store.AudienceRecipients(ctx, d.AudienceUnitID)
	if err != nil {
		return err
	}
	if len(recipients) == 0 {
		return t.reply(ctx, t.text("nd_no_audience"), nil)
	}
	slots, err := h.d.Store.DriveSlots(ctx, d.ID)
	if err != nil {
		return err
	}
	seats := 0
	for _, s := range slots {
		seats += s.SeatsLeft()
	}
	spec := broadcast.Spec{Kind: "announcement", CreatedBy: t.userID, Lang: t.lang, ProgressChatID: t.chatID,
		ContactKind: "announcement", ContactCap: h.d.ContactCap, ContactAt: h.d.Now()}
	ids, err := h.broadcastInLanguages(ctx, recipients, spec, func(lt *turn) (string, [][]botapi.Button) {
		register := botapi.Button{Text: lt.text("btn_register"), CallbackData: encodeCallback("drv", "open", id(d.ID))}
		return lt.textf("drive_announcement", map[string]any{"Card": lt.driveCard(d, seats)}), [][]botapi.Button{{register}}
	})
	if err != nil {
		return err
	}
	return h.reportAnnouncementSkips(ctx, t, d.ID, len(recipients), ids)
}

// broadcastInLanguages starts one broadcast per language so that each
// recipient reads it in theirs; spec gives all but the text, buttons and
// recipients, which render and to supply. It returns the broadcasts' ids.
func (h *Handlers) broadcastInLanguages(ctx context.Context, to []storage.Recipient, spec broadcast.Spec,
	render func(lt *turn) (string, [][]botapi.Button)) ([]int64, error) {
	byLang := map[string][]int64{}
	for _, r := range to {
		byLang[r.Language] = append(byLang[r.Language], r.ChatID)
	}
	var ids []int64
	for _, lang := range languages {
		if len(byLang[lang]) == 0 {
			continue
		}
		s := spec
		s.Text, s.Buttons = render(&turn{h: h, lang: lang})
		s.Recipients = byLang[lang]
		bid, err := h.d.Broadcaster.Start(ctx, s)
		if err != nil {
			return ids, err
		}
		ids = append(ids, bid)
	}
	return ids, nil
}

// organizerDrive loads the drive named by code in a command's arguments;
// without one, it offers a picker of the user's drives when the command
// has one (pickers.go), else the usage line.
func (h *Handlers) organizerDrive(ctx context.Context, t *turn, usage string) (drive.Drive, bool, error) {
	code := strings.TrimSpace(t.args)
	if code == "" {
		if command := pickerFor(usage); command != "" {
			return drive.Drive{}, false, h.offerDrives(ctx, t, command, 0)
		}
		return drive.Drive{}, false, t.reply(ctx, t.text(usage), nil)
	}
	d, err := h.d.Store.DriveByCode(ctx, code)
	if errors.Is(err, storage.ErrNotFound) {
		return drive.Drive{}, false, t.reply(ctx, t.text("drive_gone"), nil)
	}
	return d, err == nil, err
}

// qr sends a PNG poster with the QR code of the drive's deep link: scanning
// it opens the bot straight into registration for that drive.
func (h *Handlers) qr(ctx context.Context, t *turn) error {
	d, ok, err := h.managedDrive(ctx, t, "qr_usage")
	if !ok || err != nil {
		return err
	}
	return h.sendQR(ctx, t, d)
}

// onQRButton sends the poster of a drive just published (qrb:v1:<drive>).
func (h *Handlers) onQRButton(ctx context.Context, t *turn) error {
	driveID, err := strconv.ParseInt(t.cb.arg(0), 10, 64)
	if err != nil {
		return t.answer(ctx, t.text("button_stale"))
	}
	d, ok, err := h.managedDriveByID(ctx, t, driveID)
	if !ok || err != nil {
		return err
	}
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	return h.sendQR(ctx, t, d)
}

// sendQR sends the drive's printable A4 poster, in the reader's language,
// as a document: Telegram recompresses a photo to a size that no longer
// prints sharp.
func (h *Handlers) sendQR(ctx context.Context, t *turn, d drive.Drive) error {
	link := drive.DeepLink(h.d.BotUsername, d.Code)
	wave := ""
	if d.Wave != "" {
		wave = h.waveIn(t.lang, d.Wave)
	}
	png, err := picture.DrawPoster(picture.Poster{
		Wave: wave, Title: d.Title, Date: t.date(d.Start),
		Time:  t.textf("poster_time", map[string]any{"From": t.clock(d.Start), "To": t.clock(d.End)}),
		Lines: [][2]string{{t.text("poster_venue"), d.Venue}, {t.text("poster_hospital"), d.Hospital}},
		Scan:  t.text("poster_scan"), Link: link,
	})
	if err != nil {
		return fmt.Errorf("poster of drive %d: %w", d.ID, err)
	}
	caption := shorten(t.textf("poster_caption", map[string]any{"Title": d.Title, "Link": link}), 1024)
	return t.sendDocument(ctx, t.text("poster_file")+"-"+d.Code+".png", png, caption)
}

// cancelDrive asks the organizer to confirm cancelling a drive.
func (h *Handlers) cancelDrive(ctx context.Context, t *turn) error {
	d, ok, err := h.managedDrive(ctx, t, "canceldrive_usage")
	if !ok || err != nil {
		return err
	}
	if d.Status.Final() {
		return t.reply(ctx, t.text("drive_closed"), nil)
	}
	kb := rows(1,
		botapi.Button{Text: t.text("btn_cancel_drive"), CallbackData: encodeCallback("cdrv", id(d.ID))})
	return t.reply(ctx, t.textf("canceldrive_confirm", map[string]any{"Card": t.driveCard(d, 0)}), kb)
}

// onCancelDrive cancels the drive and tells every registrant.
func (h *Handlers) onCancelDrive(ctx context.Context, t *turn) error {
	driveID, err := strconv.ParseInt(t.cb.arg(0), 10, 64)
	if err != nil {
		return t.answer(ctx, t.text("button_stale"))
	}
	if _, ok, err := h.managedDriveByID(ctx, t, driveID); !ok || err != nil {
		return err
	}
	d, err := h.d.Store.CancelDrive(ctx, driveID)
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrDriveStatus) {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err != nil {
		return err
	}
	if err := t.finishTap(ctx); err != nil {
		return err
	}
	n, err := h.tellRegistrants(ctx, t, d, "drive_cancelled")
	if err != nil {
		return err
	}
	return t.reply(ctx, t.textf("canceldrive_done", map[string]any{"Count": n}), nil)
}

// tellRegistrants broadcasts a message about d to its live registrants who
// have not blocked the bot, each in their language, and returns how many.
func (h *Handlers) tellRegistrants(ctx context.Context, t *turn, d drive.Drive, msgID string) (int, error) {
	regs, err := h.d.Store.DriveRegistrants(ctx, d.ID)
	if err != nil {
		return 0, err
	}
	var to []storage.Recipient
	for _, r := range regs {
		if !r.Unreachable {
			to = append(to, storage.Recipient{ChatID: r.ChatID, Language: r.Language})
		}
	}
	spec := broadcast.Spec{Kind: "drive_change", CreatedBy: t.userID, Lang: t.lang, Priority: 1}
	_, err = h.broadcastInLanguages(ctx, to, spec, func(lt *turn) (string, [][]botapi.Button) {
		return lt.textf(msgID, map[string]any{"Card": lt.driveCard(d, 0)}), nil
	})
	return len(to), err
}
