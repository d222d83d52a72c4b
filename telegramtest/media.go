package telegramtest

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

type storedFile struct {
	File
	uniqueID string
	path     string
	mimeType string
}

// filePrefixes imitate real file_id prefixes per kind, so ids look familiar
// in logs.
var filePrefixes = map[string]string{
	"photo": "AgACAgIAAxkBAAI", "video": "BAACAgIAAxkBAAI", "audio": "CQACAgIAAxkBAAI",
	"voice": "AwACAgIAAxkBAAI", "sticker": "CAACAgIAAxkBAAI", "animation": "CgACAgIAAxkBAAI",
	"video_note": "DQACAgIAAxkBAAI",
}

func (s *Server) storeFileLocked(kind string, f File) *storedFile {
	s.fileSeq++
	prefix := filePrefixes[kind]
	if prefix == "" {
		prefix = "BQACAgIAAxkBAAI" // document
	}
	folder := kind + "s"
	if kind == "photo" {
		folder = "photos"
	}
	sf := &storedFile{
		File:     File{Name: f.Name, Data: f.Data, FileID: fmt.Sprintf("%s%06dTEST", prefix, s.fileSeq)},
		uniqueID: fmt.Sprintf("AQAD%06dTEST", s.fileSeq),
		path:     fmt.Sprintf("%s/file_%d%s", folder, s.fileSeq, filepath.Ext(f.Name)),
		mimeType: mime.TypeByExtension(filepath.Ext(f.Name)),
	}
	if sf.mimeType == "" {
		sf.mimeType = "application/octet-stream"
	}
	s.files[sf.FileID] = sf
	s.paths[sf.path] = sf
	return sf
}

// AddFile stores a file as if it had been uploaded before and returns its
// file_id, for bots configured with a file_id to send. kind is the media
// field it is meant for ("document", "photo", "video", ...) and only shapes
// the id and download path.
func (s *Server) AddFile(kind, name string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.storeFileLocked(kind, File{Name: name, Data: data}).FileID
}

// FileByID returns a stored file (uploaded by the bot, sent by a user, or
// added with AddFile).
func (s *Server) FileByID(fileID string) (File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sf := s.files[fileID]
	if sf == nil {
		return File{}, false
	}
	return sf.File, true
}

// resolveInputFileLocked turns an InputFile parameter (upload, attach://,
// URL or file_id) into a stored file, rejecting unknown file_ids like the
// real server.
func (s *Server) resolveInputFileLocked(req *request, field, kind string) (*storedFile, *reply) {
	if f, isFile := req.files[field]; isFile {
		return s.storeFileLocked(kind, f), nil
	}
	return s.resolveFileRefLocked(req, req.params[field], kind)
}

func (s *Server) resolveFileRefLocked(req *request, v, kind string) (*storedFile, *reply) {
	if name, isRef := strings.CutPrefix(v, "attach://"); isRef {
		if f, has := req.files[name]; has {
			return s.storeFileLocked(kind, f), nil
		}
	}
	if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
		return s.storeFileLocked(kind, File{Name: path.Base(v)}), nil
	}
	if sf := s.files[v]; sf != nil {
		return sf, nil
	}
	r := badRequest("wrong file identifier/HTTP URL specified")
	return nil, &r
}

func fileWire(kind string, sf *storedFile) any {
	base := map[string]any{"file_id": sf.FileID, "file_unique_id": sf.uniqueID, "file_size": len(sf.Data)}
	switch kind {
	case "photo":
		// Telegram answers with several sizes; the largest is the original.
		sizes := []map[string]any{}
		for i, wh := range [][2]int{{90, 68}, {320, 240}, {800, 600}} {
			id := sf.FileID
			if i < 2 {
				id += "_" + strconv.Itoa(wh[0])
			}
			sizes = append(sizes, map[string]any{"file_id": id, "file_unique_id": sf.uniqueID + strconv.Itoa(i),
				"width": wh[0], "height": wh[1], "file_size": len(sf.Data) * (i + 1) / 3})
		}
		return sizes
	case "video", "animation":
		base["width"], base["height"], base["duration"] = 640, 480, 1
	case "audio", "voice":
		base["duration"] = 1
	case "video_note":
		base["length"], base["duration"] = 240, 1
	case "sticker":
		base["type"], base["width"], base["height"] = "regular", 512, 512
		base["is_animated"], base["is_video"] = false, false
		return base
	}
	if sf.Name != "" && kind != "voice" && kind != "video_note" {
		base["file_name"] = sf.Name
	}
	base["mime_type"] = sf.mimeType
	return base
}

// attachFileLocked records a resolved file on a message under its kind.
func (s *Server) attachFileLocked(m *storedMsg, kind string, sf *storedFile) {
	f := sf.File
	m.Kind = kind
	m.extra[kind] = fileWire(kind, sf)
	switch kind {
	case "document":
		m.Document = &f
	case "photo":
		m.Photo = &f
		// The smaller sizes are the same file to getFile.
		s.files[sf.FileID+"_90"], s.files[sf.FileID+"_320"] = sf, sf
	default:
		m.Attachment = &f
	}
}

// sendGeneric handles sendDocument, sendPhoto and every other send* method
// that returns a Message: the message gets the media of its InputFile
// parameter, or the content object of the few non-file kinds bots use.
func (s *Server) sendGeneric(sm *specMethod, req *request) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	chatID, r := s.chatParamLocked(req, "chat_id")
	if r != nil {
		return *r
	}
	kind := strings.ToLower(sm.Name[len("send"):len("send")+1]) + sm.Name[len("send")+1:]
	m, r := s.newOutgoingLocked(req, chatID, kind)
	if r != nil {
		return *r
	}
	for _, f := range sm.Fields {
		_, isFile := req.files[f.Name]
		if f.Name == "thumbnail" || !slices.Contains(f.Types, "InputFile") || (!isFile && !req.has(f.Name)) {
			continue
		}
		sf, r := s.resolveInputFileLocked(req, f.Name, f.Name)
		if r != nil {
			return *r
		}
		s.attachFileLocked(m, f.Name, sf)
	}
	num := func(name string) any {
		f, _ := strconv.ParseFloat(req.params[name], 64)
		return f
	}
	switch sm.Name {
	case "sendLocation":
		m.extra["location"] = map[string]any{"latitude": num("latitude"), "longitude": num("longitude")}
	case "sendContact":
		c := map[string]any{"phone_number": req.params["phone_number"], "first_name": req.params["first_name"]}
		if req.has("last_name") {
			c["last_name"] = req.params["last_name"]
		}
		m.extra["contact"] = c
	case "sendDice":
		emoji := req.params["emoji"]
		if emoji == "" {
			emoji = "🎲"
		}
		m.extra["dice"] = map[string]any{"emoji": emoji, "value": 1}
	}
	s.addMessageLocked(chatID, m)
	return ok(s.wireLocked(m))
}

// sendMediaGroup creates one message per media item, like Telegram.
func (s *Server) sendMediaGroup(req *request) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	chatID, r := s.chatParamLocked(req, "chat_id")
	if r != nil {
		return *r
	}
	var items []struct {
		Type      string `json:"type"`
		Media     string `json:"media"`
		Caption   string `json:"caption"`
		ParseMode string `json:"parse_mode"`
	}
	if err := json.Unmarshal([]byte(req.params["media"]), &items); err != nil || len(items) < 2 || len(items) > 10 {
		r := badRequest("wrong number of media items: must include 2-10 items")
		r.violation = r.desc
		return r
	}
	replyTo, rp := s.replyTargetLocked(req, chatID)
	if rp != nil {
		return *rp
	}
	group := strconv.FormatInt(s.now().UnixNano(), 10)
	var out []any
	for i, it := range items {
		if n := visibleLen(it.Caption, strings.ToLower(it.ParseMode)); n > maxCaptionLen {
			r := badRequest("message caption is too long")
			r.violation = fmt.Sprintf("%s (media[%d].caption is %d characters, limit %d)", r.desc, i, n, maxCaptionLen)
			return r
		}
		sf, r := s.resolveFileRefLocked(req, it.Media, it.Type)
		if r != nil {
			return *r
		}
		m := &storedMsg{Message: Message{FromBot: true, Caption: it.Caption, ParseMode: it.ParseMode, ReplyToMessageID: replyTo},
			from: s.botUserJSON(false), extra: map[string]any{"media_group_id": group}}
		s.attachFileLocked(m, it.Type, sf)
		s.addMessageLocked(chatID, m)
		out = append(out, s.wireLocked(m))
	}
	return ok(out)
}

// copyMessage and forwardMessage need the source message to exist.
func (s *Server) copyMessage(method string, req *request) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	chatID, r := s.chatParamLocked(req, "chat_id")
	if r != nil {
		return *r
	}
	fromID, r := s.chatParamLocked(req, "from_chat_id")
	if r != nil {
		return *r
	}
	id, _ := strconv.Atoi(req.params["message_id"])
	src := s.findMessageLocked(fromID, id)
	if src == nil {
		return badRequest("message to copy not found")
	}
	m := &storedMsg{Message: src.public(), from: s.botUserJSON(false), extra: map[string]any{}, entities: src.entities}
	m.FromBot, m.Edited, m.ReplyToMessageID = true, false, 0
	for k, v := range src.extra {
		m.extra[k] = v
	}
	if method == "forwardMessage" {
		m.markupRaw = src.markupRaw
		m.extra["forward_origin"] = map[string]any{"type": "user", "date": src.date, "sender_user": src.from}
		s.addMessageLocked(chatID, m)
		return ok(s.wireLocked(m))
	}
	if req.has("caption") {
		m.Caption, m.ParseMode, m.entities = req.params["caption"], req.params["parse_mode"], nil
	}
	m.applyMarkup(parseMarkup(req.params["reply_markup"]))
	s.addMessageLocked(chatID, m)
	return ok(map[string]any{"message_id": m.ID})
}

func (s *Server) getFile(req *request) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	sf := s.files[req.params["file_id"]]
	if sf == nil {
		return badRequest("invalid file_id")
	}
	return ok(map[string]any{"file_id": req.params["file_id"], "file_unique_id": sf.uniqueID,
		"file_size": len(sf.Data), "file_path": sf.path})
}

// serveFile answers downloads at /file/bot<token>/<file_path>, the URL
// bot.FileDownloadLink builds.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/file/bot")
	token, p, _ := strings.Cut(rest, "/")
	if token != s.cfg.token {
		writeReply(w, reply{status: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	s.mu.Lock()
	sf := s.paths[p]
	s.mu.Unlock()
	if sf == nil {
		writeReply(w, reply{status: http.StatusNotFound, desc: "Not Found"})
		return
	}
	w.Header().Set("Content-Type", sf.mimeType)
	_, _ = w.Write(sf.Data)
}
