package apispec_test

import (
	"bytes"
	"os"
	"testing"

	"donorbot/telegramtest"
	"donorbot/telegramtest/apispec"
)

// TestEmbeddedCopyIsCurrent keeps the playground's copy equal to the spec
// the tests check requests against; copy the file again when it changes.
func TestEmbeddedCopyIsCurrent(t *testing.T) {
	path, err := telegramtest.SpecPath()
	if err != nil {
		t.Fatal(err)
	}
	shared, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the shared spec: %v", err)
	}
	if !bytes.Equal(shared, apispec.JSON) {
		t.Errorf("telegramtest/apispec/api.min.json differs from %s: cp %s telegramtest/apispec/", path, path)
	}
}

// TestServerRunsOnEmbeddedSpec starts the fake server from the embedded copy
// with a spec location that does not exist, as the playground does.
func TestServerRunsOnEmbeddedSpec(t *testing.T) {
	t.Setenv(telegramtest.SpecEnv, "/nonexistent/api.min.json")
	srv, err := telegramtest.NewServer(telegramtest.WithSpecJSON(apispec.JSON))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	u := telegramtest.User{ID: 1, FirstName: "A"}
	if id := srv.SendText(u, "hi"); id == 0 {
		t.Fatal("SendText returned no update id")
	}
	if got := srv.Conversation(1); len(got) != 1 || got[0].Text != "hi" {
		t.Errorf("conversation = %+v, want the one message", got)
	}
}
