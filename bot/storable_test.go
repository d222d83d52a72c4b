package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"donorbot/internal/testenv"
	"donorbot/storage"
)

// poisonUpdates hold what jsonb refuses, as a client can make Telegram relay
// it; refused says PostgreSQL refuses the update as it came. text is the
// message text the bot must see once the update is stored.
var poisonUpdates = []struct {
	name    string
	raw     string
	refused bool
	text    string
}{
	{"NulEscape", `{"update_id":1,"message":{"text":"/start a\u0000b"}}`, true, "/start a\uFFFDb"},
	{"NulInKey", `{"update_id":1,"message":{"text":"x"},"k\u0000":1}`, true, "x"},
	{"LoneHighSurrogate", `{"update_id":1,"message":{"text":"a\ud800b"}}`, true, "a\uFFFDb"},
	{"LoneLowSurrogateUpper", `{"update_id":1,"message":{"text":"a\uDC00"}}`, true, "a\uFFFD"},
	{"ReversedPair", `{"update_id":1,"message":{"text":"\udc00\ud800"}}`, true, "\uFFFD\uFFFD"},
	{"InvalidUTF8", "{\"update_id\":1,\"message\":{\"text\":\"a\xffb\"}}", true, "a\uFFFDb"},
	{"EncodedSurrogateUTF8", "{\"update_id\":1,\"message\":{\"text\":\"\xed\xa0\x80\"}}", true, "\uFFFD\uFFFD\uFFFD"},
	{"TruncatedUTF8", "{\"update_id\":1,\"message\":{\"text\":\"\xe1\xba\"}}", true, "\uFFFD\uFFFD"},
	{"HugeExponent", `{"update_id":1,"message":{"text":"x"},"n":1e999999}`, true, "x"},
	{"TinyExponent", `{"update_id":1,"message":{"text":"x"},"n":-1e-999999}`, true, "x"},
	{"LongFraction", `{"update_id":1,"message":{"text":"x"},"n":0.` + strings.Repeat("0", 17000) + `1}`, true, "x"},
	{"ShortExponent", `{"update_id":1,"message":{"text":"x"},"n":-1e7}`, false, "x"},
	{"PairedSurrogates", `{"update_id":1,"message":{"text":"\ud83d\ude00"}}`, false, "😀"},
	{"EscapedBackslash", `{"update_id":1,"message":{"text":"\\u0000"}}`, false, `\u0000`},
	{"Plain", `{"update_id":1,"message":{"text":"Tôi đi được 1e5 \"\\"},"n":-12.5e3}`, false, `Tôi đi được 1e5 "\`},
}

func messageText(t *testing.T, raw []byte) string {
	t.Helper()
	var upd struct {
		Message struct {
			Text string `json:"text"`
		} `json:"message"`
	}
	if err := json.Unmarshal(raw, &upd); err != nil {
		t.Fatalf("decode %q: %v", raw, err)
	}
	return upd.Message.Text
}

// TestStorableUpdatesAreTakenByPostgres: every poison PostgreSQL refuses as
// it came is stored once made storable, and the text the bot sees keeps all
// but the refused characters.
func TestStorableUpdatesAreTakenByPostgres(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	t.Cleanup(func() {
		s.DB().MustExec(`DELETE FROM updates WHERE update_id BETWEEN 5000001 AND $1`, 5_000_001+2*len(poisonUpdates))
	})
	for i, tt := range poisonUpdates {
		t.Run(tt.name, func(t *testing.T) {
			id := int64(5_000_001 + 2*i)
			asIs, err := s.AcceptUpdates(ctx, []storage.NewUpdate{{UpdateID: id, Payload: []byte(tt.raw)}})
			if err != nil {
				t.Fatal(err)
			}
			if refused := asIs[0].Refused != ""; refused != tt.refused {
				t.Errorf("as it came: refused %t (%+v), want %t", refused, asIs[0], tt.refused)
			}
			out, err := storableUpdate([]byte(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.AcceptUpdates(ctx, []storage.NewUpdate{{UpdateID: id + 1, Payload: out}})
			if err != nil || !got[0].Fresh {
				t.Fatalf("made storable: got %+v, %v; want stored", got, err)
			}
			if text := messageText(t, out); text != tt.text {
				t.Errorf("text %q, want %q", text, tt.text)
			}
		})
	}
}

// FuzzStorableUpdate: what storableUpdate returns for JSON is JSON with nothing
// jsonb refuses, returned unchanged a second time; an update it lets
// through as it came decodes to what re-encoding would store.
func FuzzStorableUpdate(f *testing.F) {
	for _, tt := range poisonUpdates {
		f.Add([]byte(tt.raw))
	}
	f.Add([]byte(`{"update_id":1,"message":{"text":"\u0000"}}}`)) // malformed after a poison
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			if out, err := storableUpdate(raw); err == nil && json.Valid(out) {
				t.Fatalf("storableUpdate(%q) = %q: malformed JSON made valid", raw, out)
			}
			return
		}
		out, err := storableUpdate(raw)
		if err != nil {
			t.Fatalf("storableUpdate(%q) refused valid JSON: %v", raw, err)
		}
		if !json.Valid(out) || !utf8.Valid(out) || !jsonbSafe(out) {
			t.Fatalf("storableUpdate(%q) = %q: not storable", raw, out)
		}
		if again, err := storableUpdate(out); err != nil || !bytes.Equal(again, out) {
			t.Fatalf("storableUpdate(%q) = %q, %v: not idempotent", out, again, err)
		}
		if jsonbSafe(raw) {
			full, err := reencode(raw)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := decodeAny(t, raw), decodeAny(t, full); !reflect.DeepEqual(a, b) {
				t.Fatalf("%q passed as storable but re-encodes to %q", raw, full)
			}
		}
	})
}

func decodeAny(t *testing.T, raw []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
