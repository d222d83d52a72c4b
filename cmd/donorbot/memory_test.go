package main

import (
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"donorbot/internal/testenv"
	"donorbot/telegramtest"
)

// TestServeLeavesNoStartUpGarbage: a serving process that has handled
// nothing yet holds only what it uses. Start-up (migrations, the locale
// files, connections) allocates several times its live heap, and the
// collector would not reach that garbage before the heap doubled, so an
// idle process kept it resident. On a new database, where serve applies
// every migration as on a first start (and in loadgen), a collection of the
// idle process must find less than 1 MiB to free.
func TestServeLeavesNoStartUpGarbage(t *testing.T) {
	api := telegramtest.New(t, telegramtest.WithWaitTimeout(30*time.Second))
	_, prefix := testenv.Redis(t)
	checkAddr := freeLoopbackAddr(t)
	startChild(t, serveEnv(t, api, prefix,
		"DATABASE_URL="+emptyDatabase(t),
		"LISTEN_ADDR=127.0.0.1:0",
		"POLL_TIMEOUT=1s",
		"LOG_LEVEL=warn",
		heapCheckEnv+"="+checkAddr))
	api.WaitUntil(t, "serving", func() bool { return len(api.CallsOf("getUpdates")) > 0 })

	resp, err := http.Get("http://" + checkAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var before, after uint64
	if _, err := fmt.Fscan(resp.Body, &before, &after); err != nil {
		t.Fatal(err)
	}
	t.Logf("heap of the idle process: %d KiB, %d KiB after a collection", before>>10, after>>10)
	if garbage := int64(before) - int64(after); garbage >= 1<<20 {
		t.Errorf("idle process: a collection freed %d KiB of its %d KiB heap, want less than 1 MiB of start-up garbage left", garbage>>10, before>>10)
	}
}

// emptyDatabase creates a database without any migration applied, dropped
// at the end of the test.
func emptyDatabase(t *testing.T) string {
	admin := testenv.DatabaseURL(t) // the package's database: the server is up
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("postgres", admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	name := fmt.Sprintf("donorbot_empty_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// heapCheckEnv makes the crash tests' child (see runChild) answer, on that
// address, its heap bytes before and after a collection.
const heapCheckEnv = "DONORBOT_HEAP_CHECK_ADDR"

func serveHeapCheck(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	heap := func() uint64 {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		before := heap()
		runtime.GC()
		after := heap()
		io.WriteString(w, fmt.Sprintln(before, after))
	}))
	return nil
}
