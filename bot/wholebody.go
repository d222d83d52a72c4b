package bot

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// maxWholeBody bounds the request body wholeBody holds in memory; a larger
// one (a big upload) streams as it came.
const maxWholeBody = 1 << 20

// wholeBody sends a request body of unknown length whole, with a
// Content-Length. go-telegram/bot streams every call's multipart form
// through a pipe, so net/http would send it chunked and, for a client
// request, flush each chunk: a write syscall for every part header and
// value of the form, about ten per call. Read first, a call leaves in one or
// two writes, and the Bot API reads the same bytes.
type wholeBody struct {
	next http.RoundTripper
	// bufs are reused for reading; each body is then copied out at its
	// exact size, since the transport may read it after RoundTrip returns.
	bufs *sync.Pool
}

func newWholeBody(next http.RoundTripper) wholeBody {
	return wholeBody{next: next, bufs: &sync.Pool{New: func() any { return new(bytes.Buffer) }}}
}

func (t wholeBody) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody || req.ContentLength != 0 {
		return t.next.RoundTrip(req)
	}
	buf := t.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	_, err := buf.ReadFrom(io.LimitReader(req.Body, maxWholeBody+1))
	body := bytes.Clone(buf.Bytes())
	if buf.Cap() <= 64<<10 {
		t.bufs.Put(buf)
	}
	if err != nil {
		req.Body.Close()
		return nil, fmt.Errorf("bot api request body: %w", err)
	}
	out := *req // a RoundTripper must not change the caller's request
	if len(body) > maxWholeBody {
		out.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), req.Body), req.Body}
		return t.next.RoundTrip(&out)
	}
	if err := req.Body.Close(); err != nil {
		return nil, fmt.Errorf("bot api request body: %w", err)
	}
	out.Body, out.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	if len(body) == 0 { // getMe: a body net/http would otherwise probe
		out.Body = http.NoBody
	}
	return t.next.RoundTrip(&out)
}
