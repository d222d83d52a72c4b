package broadcast

import (
	"bytes"
	"encoding/json"
	"testing"
)

// withChatIDSeeds are outbox params as PostgreSQL's jsonb gives them back
// (keys by length, ", " and ": "), and the shapes a scan could get wrong.
var withChatIDSeeds = []string{
	`{"text": "Chọn giờ", "chat_id": 5, "reply_markup": {"inline_keyboard": [[{"text": "9:00", "callback_data": "slot:v1:9"}]]}}`,
	`{"text": "Xin chào"}`,
	`{"chat_id": 1, "text": "x", "message_id": 3}`,
	`{"text": "trả lời", "chat_id": 5, "reply_parameters": {"chat_id": 6, "message_id": 9}}`,
	`{"text": "a \"quoted\" } ] { [ \\ string", "parse_mode": "HTML"}`,
	`{"chat\u005fid": 7, "text": "escaped key"}`,
	`{"callback_query_id": "4815162342", "text": "Đã lưu", "show_alert": true, "cache_time": 0}`,
	`{"reply_markup": {"remove_keyboard": true}, "text": "Xong", "disable_notification": false, "x": null}`,
	`{}`,
	" {\n\t\"text\" : \"spaces\" ,\"chat_id\":-100123 } ",
	`{"text": "🩸 ❤️ nhóm máu O-"}`,
	`{"text": "no end"`,
	`[1, 2]`,
	`{"a": }`,
	``,
}

// withChatID agrees with decoding the object, setting chat_id and encoding
// it again, on every valid object, and never panics on anything else.
func FuzzWithChatID(f *testing.F) {
	for _, s := range withChatIDSeeds {
		f.Add([]byte(s), int64(-1001234567890))
	}
	f.Fuzz(func(t *testing.T, params []byte, chatID int64) {
		got, err := withChatID(params, chatID)
		var want map[string]json.RawMessage
		if json.Unmarshal(params, &want) != nil || want == nil {
			return // not an object: whatever withChatID did, it did not panic
		}
		if err != nil {
			t.Fatalf("withChatID(%s): %v", params, err)
		}
		want["chat_id"], _ = json.Marshal(chatID)
		var decoded map[string]json.RawMessage
		if err := json.Unmarshal(got, &decoded); err != nil {
			t.Fatalf("withChatID(%s) = %s: not a JSON object: %v", params, got, err)
		}
		if len(decoded) != len(want) {
			t.Fatalf("withChatID(%s) = %s: keys %d, want %d", params, got, len(decoded), len(want))
		}
		for k, v := range want {
			if !sameJSON(decoded[k], v) {
				t.Fatalf("withChatID(%s) = %s: %q is %s, want %s", params, got, k, decoded[k], v)
			}
		}
	})
}

func sameJSON(a, b []byte) bool {
	var ca, cb bytes.Buffer
	return json.Compact(&ca, a) == nil && json.Compact(&cb, b) == nil && bytes.Equal(ca.Bytes(), cb.Bytes())
}
