package playground

import "testing"

func TestPageURLOnEveryInterface(t *testing.T) {
	for listen, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/playground/",
		"0.0.0.0:8080":   "http://127.0.0.1:8080/playground/", // docker compose
		"[::]:8080":      "http://127.0.0.1:8080/playground/",
		":8080":          "http://127.0.0.1:8080/playground/",
		"[::1]:9000":     "http://[::1]:9000/playground/",
	} {
		if got := pageURL(listen); got != want {
			t.Errorf("pageURL(%q) = %q, want %q", listen, got, want)
		}
	}
}
