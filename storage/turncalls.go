package storage

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
)

// turnCalls is a turn's calls as the jsonb parameter of its outbox row,
// [{"chat_id":…,"method":…,"params":…}, …], written in one allocation of
// its exact size: every turn sends 1-3 KiB of parameters a call, already
// JSON, which json.Marshal would validate and copy again. The literal is a
// string: pq sends a []byte parameter in binary format.
type turnCalls []OutboxCall

const (
	callChat   = `{"chat_id":`
	callMethod = `,"method":"`
	callParams = `","params":`
)

func (c turnCalls) Value() (driver.Value, error) {
	n := 2 // []
	for _, call := range c {
		if !isMethodName(call.Method) {
			return nil, fmt.Errorf("storage: outbox method %q", call.Method)
		}
		n += len(callChat) + 20 + len(callMethod) + len(call.Method) + len(callParams) + len(call.Params) + 2
	}
	var b strings.Builder
	b.Grow(n)
	var num [20]byte
	b.WriteByte('[')
	for i, call := range c {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(callChat)
		b.Write(strconv.AppendInt(num[:0], call.ChatID, 10))
		b.WriteString(callMethod)
		b.WriteString(call.Method)
		b.WriteString(callParams)
		b.Write(call.Params)
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return b.String(), nil
}

// isMethodName reports whether m is a Bot API method's name (or "conv"),
// which needs no quoting in JSON.
func isMethodName(m string) bool {
	if m == "" || len(m) > 40 {
		return false
	}
	for _, r := range m {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}
