package main

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"

	"donorbot/telegramtest"
)

// offer is a message the bot sent that offers drives: what a donor sees
// and may tap.
type offer struct {
	chat int64
	kind string // kindAnnouncement, kindInvitation or kindRecall
	// drives are the drives offered, in the message's order; slots the
	// slots offered as one-tap buttons, by drive (none: the drive's card
	// lists them).
	drives []int64
	slots  map[int64][]int64
}

// Kinds of offers, named as the bot's broadcasts are.
const (
	kindAnnouncement = "announcement"
	kindInvitation   = "invitation"
	kindRecall       = "recall"
)

// inbox collects the offers the fake Bot API server received for donors'
// chats, as the donors' phones would show them.
type inbox struct {
	mu     sync.Mutex
	offers []offer
	sent   int
}

func (in *inbox) record(c telegramtest.Call) {
	if c.Method != "sendMessage" {
		return
	}
	chat, err := strconv.ParseInt(c.Params["chat_id"], 10, 64)
	if err != nil {
		return
	}
	o, ok := parseOffer(chat, c.Params["reply_markup"])
	in.mu.Lock()
	defer in.mu.Unlock()
	in.sent++
	if ok {
		in.offers = append(in.offers, o)
	}
}

// take returns the offers received since the last take, in a fixed order
// (by chat, then by kind and drive), whatever order the engine sent them
// in: the answers, and so the figures, must not depend on it.
func (in *inbox) take() []offer {
	in.mu.Lock()
	out := in.offers
	in.offers = nil
	in.mu.Unlock()
	slices.SortStableFunc(out, func(a, b offer) int {
		if a.chat != b.chat {
			return compare(a.chat, b.chat)
		}
		if a.kind != b.kind {
			return strings.Compare(a.kind, b.kind)
		}
		return slices.Compare(a.drives, b.drives)
	})
	return out
}

func compare(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sentMessages is how many sendMessage calls the fake server received.
func (in *inbox) sentMessages() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.sent
}

// parseOffer reads the drives a message's buttons offer: "drv:v:open:D"
// (the drive's card), "drv:v:slot:D:S" (one-tap register) and, for the
// invitation's kind, its stop button "dinv:...".
func parseOffer(chat int64, markup string) (offer, bool) {
	if markup == "" {
		return offer{}, false
	}
	var kb struct {
		Rows [][]struct {
			Data string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(markup), &kb); err != nil {
		return offer{}, false
	}
	o := offer{chat: chat, slots: map[int64][]int64{}}
	stop, slotButtons := false, false
	for _, row := range kb.Rows {
		for _, b := range row {
			parts := strings.Split(b.Data, ":")
			if parts[0] == "dinv" {
				stop = true
			}
			if parts[0] != "drv" || len(parts) < 4 || (parts[2] != "open" && parts[2] != "slot") {
				continue
			}
			d, err := strconv.ParseInt(parts[3], 10, 64)
			if err != nil {
				continue
			}
			if !slices.Contains(o.drives, d) {
				o.drives = append(o.drives, d)
			}
			if parts[2] == "slot" && len(parts) > 4 {
				if s, err := strconv.ParseInt(parts[4], 10, 64); err == nil {
					o.slots[d] = append(o.slots[d], s)
					slotButtons = true
				}
			}
		}
	}
	switch {
	case len(o.drives) == 0:
		return offer{}, false
	case stop:
		o.kind = kindInvitation
	case slotButtons:
		o.kind = kindRecall
	default:
		o.kind = kindAnnouncement
	}
	return o, true
}
