package storage

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/lib/pq"
)

// outboxParams are a turn's outbox parameters as Commit sends them.
func outboxParams(t testing.TB) [][]byte {
	t.Helper()
	var params [][]byte
	for _, text := range []string{
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
		params = append(params, p)
	}
	return params
}

// TestTextArrayAllocatesOnce: the outbox parameters of a turn go to
// PostgreSQL in one allocation, and one for the driver.Value holding it;
// pq.Array took one for every element, two for every element holding a
// quote or a backslash, and more to grow the literal: 13 for these.
func TestTextArrayAllocatesOnce(t *testing.T) {
	params := outboxParams(t)
	got := testing.AllocsPerRun(100, func() {
		if _, err := textArray(params).Value(); err != nil {
			t.Fatal(err)
		}
	})
	if got > 2 {
		t.Errorf("%v allocations for %d elements, want 2", got, len(params))
	}
}

// BenchmarkOutboxParamsArray: a turn's outbox parameters as an array
// parameter, by pq.Array (as strings) and by textArray.
func BenchmarkOutboxParamsArray(b *testing.B) {
	params := outboxParams(b)
	strs := make([]string, len(params))
	for i, p := range params {
		strs[i] = string(p)
	}
	b.Run("pq.Array", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := pq.Array(strs).Value(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("textArray", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := textArray(params).Value(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// FuzzTextArrayWritesWhatPQWrites: textArray writes the same literal as
// pq.Array, byte for byte, for any elements (given joined by a unit
// separator), and pq reads the elements back from it.
func FuzzTextArrayWritesWhatPQWrites(f *testing.F) {
	for _, seed := range []string{
		"", "\x1f", `{"text":"a \"b\" \\ c"}`, `\"` + "\x1f" + `"\`, "{a,b}\x1fNULL\x1f \x1f",
		"Đợt 3 🩸\x1f\n\t", `{"reply_markup":{"inline_keyboard":[[{"text":"Huỷ","callback_data":"reg:no:1"}]]}}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, joined string) {
		strs := strings.Split(joined, "\x1f")
		elems := make([][]byte, len(strs))
		for i, s := range strs {
			elems[i] = []byte(s)
		}
		got, err := textArray(elems).Value()
		if err != nil {
			t.Fatal(err)
		}
		want, err := pq.Array(strs).Value()
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("textArray wrote %q, pq.Array %q", got, want)
		}
		var back pq.StringArray
		if err := back.Scan([]byte(got.(string))); err != nil || !slices.Equal(back, strs) {
			t.Fatalf("read back %q, %v; want %q", back, err, strs)
		}
	})
}
