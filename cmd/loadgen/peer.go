package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// peerDir is where the grammY peer lives, relative to the module root.
const peerDir = "bench/peer-grammy"

// peerCommand is `node bot.js` in the peer's directory, its dependencies
// installed by `npm ci` from the committed lockfile first unless they
// already are.
func peerCommand(ctx context.Context) (*exec.Cmd, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("-target grammy needs node and npm (scripts/deps.sh nodejs)")
	}
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, peerDir)
	if err := npmCI(ctx, dir); err != nil {
		return nil, err
	}
	cmd := exec.Command(node, "bot.js")
	cmd.Dir = dir
	return cmd, nil
}

// npmCI installs the lockfile's packages when node_modules is missing or
// older than the lockfile: npm writes node_modules/.package-lock.json last,
// so a newer one means the install finished for this lockfile.
func npmCI(ctx context.Context, dir string) error {
	lock, err := os.Stat(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return err
	}
	installed, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json"))
	if err == nil && installed.ModTime().After(lock.ModTime()) {
		return nil
	}
	ci := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	ci.Dir = dir
	ci.Stdout, ci.Stderr = os.Stderr, os.Stderr
	if err := ci.Run(); err != nil {
		return fmt.Errorf("npm ci in %s: %w", dir, err)
	}
	return nil
}

// moduleRoot is the nearest directory holding go.mod, from the working
// directory up: the repository root under `make load` and under go test.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: run loadgen from the repository")
		}
		dir = parent
	}
}
