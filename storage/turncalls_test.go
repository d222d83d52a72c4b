package storage

import (
	"bytes"
	"encoding/json"
	"testing"
)

// outboxCalls are a turn's calls as Commit stores them.
func outboxCalls(t testing.TB) []OutboxCall {
	t.Helper()
	var calls []OutboxCall
	for i, text := range []string{
		"Bước 4/7: bạn sinh năm nào?",
		`Đã lưu "Viện Huyết học" \ cơ sở 2, {ca sáng}`,
		"",
	} {
		p, err := json.Marshal(map[string]any{
			"text": text,
			"reply_markup": map[string]any{"inline_keyboard": [][]map[string]string{
				{{"text": "✅ Đồng ý", "callback_data": "reg:ok:42"}, {"text": "Huỷ", "callback_data": "reg:no:42"}},
			}},
		})
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, OutboxCall{ChatID: -1001234567890 + int64(i), Method: "sendMessage", Params: p})
	}
	return calls
}

// TestTurnCallsAllocatesOnce: a turn's calls go to PostgreSQL in one
// allocation, and one for the driver.Value holding it.
func TestTurnCallsAllocatesOnce(t *testing.T) {
	calls := outboxCalls(t)
	got := testing.AllocsPerRun(100, func() {
		if _, err := turnCalls(calls).Value(); err != nil {
			t.Fatal(err)
		}
	})
	if got > 2 {
		t.Errorf("%v allocations for %d calls, want 2", got, len(calls))
	}
}

// BenchmarkTurnCalls: a turn's calls as one jsonb parameter, by
// json.Marshal and by turnCalls.
func BenchmarkTurnCalls(b *testing.B) {
	calls := outboxCalls(b)
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(jsonCalls(calls)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("turnCalls", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := turnCalls(calls).Value(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

type jsonCall struct {
	ChatID int64           `json:"chat_id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
}

func jsonCalls(calls []OutboxCall) []jsonCall {
	out := make([]jsonCall, len(calls))
	for i, c := range calls {
		out[i] = jsonCall(c)
	}
	return out
}

// FuzzTurnCallsWritesWhatJSONWrites: turnCalls writes what json.Marshal
// writes, byte for byte, for any texts (given joined by a unit separator)
// as the params of calls to any chat, and refuses a method name that JSON
// would have to quote.
func FuzzTurnCallsWritesWhatJSONWrites(f *testing.F) {
	for _, seed := range []struct {
		chat   int64
		method string
		texts  string
	}{
		{0, "sendMessage", ""}, {-1001234567890, "conv", "\x1f"}, {42, "editMessageText", `a "b" \ c` + "\x1f{a,b}\x1fNULL"},
		{1, "answerCallbackQuery", "Đợt 3 🩸\x1f\n\t\u2028"}, {7, `send"Message`, "x"}, {7, "", "x"}, {7, "sendMessage\\", "x"},
	} {
		f.Add(seed.chat, seed.method, seed.texts)
	}
	f.Fuzz(func(t *testing.T, chat int64, method, joined string) {
		var calls []OutboxCall
		for i, text := range bytes.Split([]byte(joined), []byte{0x1f}) {
			p, err := json.Marshal(map[string]string{"text": string(text)})
			if err != nil {
				t.Fatal(err)
			}
			calls = append(calls, OutboxCall{ChatID: chat + int64(i), Method: method, Params: p})
		}
		got, err := turnCalls(calls).Value()
		if !isMethodName(method) {
			if err == nil {
				t.Fatalf("method %q accepted", method)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(jsonCalls(calls))
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Fatalf("turnCalls wrote %s, json.Marshal %s", got, want)
		}
	})
}
