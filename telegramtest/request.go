package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// maxRequestBytes matches the real server's 50 MB upload limit, with room
// for the form around the file.
const maxRequestBytes = 64 << 20

// File is an uploaded (or referenced) file.
type File struct {
	// Name is the file name from the multipart part (or the URL's last
	// path element for files sent by URL).
	Name string
	// Data is the uploaded content; nil for files sent by URL.
	Data []byte
	// FileID is the file_id the server assigned, once it stored the file.
	FileID string
}

// request is one call's parameters as the real server sees them: every
// value a string (JSON-serialized objects stay JSON text) plus file parts.
type request struct {
	params map[string]string
	files  map[string]File
}

// errClientGone: the body stopped short of what the client announced,
// because the client died or dropped the connection mid-request (a test
// SIGKILLs the bot). The real server never sees such a request, so it is
// neither a call nor a spec violation.
var errClientGone = errors.New("client went away mid-request")

// connReader keeps the first error of the connection itself, as opposed to
// a complete body that does not parse.
type connReader struct {
	io.ReadCloser
	err error
}

func (c *connReader) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// parseRequest accepts everything the real server does: a query string plus
// a multipart/form-data, x-www-form-urlencoded or JSON body. Body values win
// over query values. It always returns a usable request, even with an error.
func parseRequest(w http.ResponseWriter, r *http.Request) (req *request, err error) {
	req = &request{params: map[string]string{}, files: map[string]File{}}
	for k, vs := range r.URL.Query() {
		if len(vs) > 0 {
			req.params[k] = vs[len(vs)-1]
		}
	}
	if r.Body == nil {
		return req, nil
	}
	conn := &connReader{ReadCloser: r.Body}
	defer func() {
		if conn.err != nil {
			err = fmt.Errorf("%w: %v", errClientGone, conn.err)
		}
	}()
	body := http.MaxBytesReader(w, conn, maxRequestBytes)
	ctype := r.Header.Get("Content-Type")
	if ctype == "" {
		// GET-style calls carry no body; a body without a type cannot be
		// interpreted, which the real server also silently ignores, but it
		// is certainly a client bug.
		n, _ := io.Copy(io.Discard, body)
		if n > 0 {
			return req, errors.New("request body without Content-Type")
		}
		return req, nil
	}
	mediaType, mtParams, err := mime.ParseMediaType(ctype)
	if err != nil {
		return req, fmt.Errorf("bad Content-Type %q: %v", ctype, err)
	}
	switch mediaType {
	case "multipart/form-data":
		return req, parseMultipart(req, body, mtParams["boundary"])
	case "application/x-www-form-urlencoded":
		raw, err := io.ReadAll(body)
		if err != nil {
			return req, err
		}
		vals, err := url.ParseQuery(string(raw))
		if err != nil {
			return req, err
		}
		for k, vs := range vals {
			req.params[k] = vs[len(vs)-1]
		}
		return req, nil
	case "application/json":
		return req, parseJSONBody(req, body)
	default:
		return req, fmt.Errorf("unsupported Content-Type %q", mediaType)
	}
}

func parseMultipart(req *request, body io.Reader, boundary string) error {
	if boundary == "" {
		return errors.New("multipart body without boundary")
	}
	mr := multipart.NewReader(body, boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			// Also an empty body: go-telegram/bot sends no parts at all,
			// not even the closing boundary, for calls without parameters.
			return nil
		}
		if err != nil {
			return err
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return err
		}
		name := part.FormName()
		if name == "" {
			continue
		}
		// A part is a file if its Content-Disposition carries a filename
		// parameter at all: go-telegram/bot may send an empty file name.
		_, dparams, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		if fname, isFile := dparams["filename"]; isFile {
			req.files[name] = File{Name: fname, Data: data}
		} else {
			req.params[name] = string(data)
		}
	}
}

// parseJSONBody flattens a JSON object into form-style strings: string
// values unquoted, numbers and booleans as written, objects and arrays as
// compact JSON text, null as absent.
func parseJSONBody(req *request, body io.Reader) error {
	raw, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return fmt.Errorf("JSON body is not an object: %v", err)
	}
	for k, v := range obj {
		v = bytes.TrimSpace(v)
		switch {
		case string(v) == "null":
		case len(v) > 0 && v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			req.params[k] = s
		default:
			var buf bytes.Buffer
			if err := json.Compact(&buf, v); err != nil {
				return err
			}
			req.params[k] = buf.String()
		}
	}
	return nil
}

// has reports whether a parameter was sent with a value. go-telegram/bot
// serializes a nil `any` field (chat_id) as the text "null", so that counts
// as absent, as it does in a JSON body.
func (r *request) has(name string) bool {
	v, ok := r.params[name]
	return ok && strings.TrimSpace(v) != "" && v != "null"
}

// attachRefs lists the file parts referenced as attach://<name> anywhere in
// the parameters (media groups, thumbnails).
func (r *request) attachRefs() map[string]bool {
	refs := map[string]bool{}
	for _, v := range r.params {
		for rest := v; ; {
			i := strings.Index(rest, "attach://")
			if i < 0 {
				break
			}
			rest = rest[i+len("attach://"):]
			end := strings.IndexAny(rest, "\"\\ ,}]")
			if end < 0 {
				end = len(rest)
			}
			refs[rest[:end]] = true
		}
	}
	return refs
}
