package handlers

import (
	"testing"

	"donorbot/screening"
)

// TestScreeningMessageIDsExist: the questionnaire builds its message ids
// from the question ids (question, review label, month question) and the
// donation kinds; each must render in every language, for every question,
// including the women-only ones a test walking as a man never sees.
func TestScreeningMessageIDsExist(t *testing.T) {
	tx, err := loadTexts()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, q := range screening.Questions(true) {
		ids = append(ids, "q_"+string(q.ID), "label_"+string(q.ID), whenQuestion(q))
	}
	ids = append(ids, "btn_today", "btn_yesterday", "btn_days_ago", "result_apheresis",
		"notice_"+string(screening.NoticeLastDonationUnknown))
	for _, k := range lastDonationKinds {
		ids = append(ids, "kind_"+string(k))
	}
	for _, id := range ids {
		for _, lang := range languages {
			if got := tx.text(lang, id, nil); got == id {
				t.Errorf("message %q missing in %s", id, lang)
			}
		}
	}
}

// TestScreeningFlowCallbacksFit: every button of the questionnaire, on the
// step with the longest id and with its longest answer, fits Telegram's 64
// bytes of callback data (encodeCallback panics otherwise).
func TestScreeningFlowCallbacksFit(t *testing.T) {
	f := (&Handlers{}).screeningFlow()
	for _, st := range f.Steps {
		f.button("x", st.ID, opAnswer, string(screening.WholeBlood))
		f.button("x", reviewStep, opChange, st.ID)
	}
}
