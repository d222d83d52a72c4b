package bot_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"donorbot/bot"
	"donorbot/internal/bottest"
	"donorbot/internal/faultproxy"
	"donorbot/internal/testenv"
)

// TestHealthzNamesTheDependencyDown: with Redis gone, /healthz answers 503
// naming Redis, without the error (addresses, ports) it got; the error is
// in the log.
func TestHealthzNamesTheDependencyDown(t *testing.T) {
	proxy, proxied := faultproxy.Front(t, testenv.RedisURL(t))
	b := bottest.Start(t, bottest.Config(func(c *bot.Config) { c.RedisURL = proxied }))
	proxy.Close() // connections are refused from now on
	resp, err := http.Get("http://" + b.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got, want := strings.TrimSpace(string(body)), `{"postgres":"ok","redis":"down"}`; resp.StatusCode != http.StatusServiceUnavailable || got != want {
		t.Errorf("healthz: got %d %s, want 503 %s", resp.StatusCode, got, want)
	}
	if !b.Logs.Contains("healthz: redis down") {
		t.Error("the cause is not logged")
	}
}

// TestIdleKeepAliveConnectionIsClosed: a client that keeps a connection
// open after its request has it closed after the idle timeout.
func TestIdleKeepAliveConnectionIsClosed(t *testing.T) {
	timeouts := bot.DefaultHTTPTimeouts
	timeouts.Idle = 300 * time.Millisecond
	b := bottest.Start(t, bottest.HTTPTimeouts(timeouts))
	conn, err := net.Dial("tcp", b.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Close {
		t.Fatal("the server closed the connection at once: not a keep-alive test")
	}
	start := time.Now()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("idle connection: got %v after %s, want it closed (EOF)", err, time.Since(start))
	}
}
