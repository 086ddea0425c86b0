// Package toolscript runs the repository's tool builders (tools/*.sh) for the test harnesses
// and reads the KEY=/abs/path lines each prints last on stdout. A script runs at most once
// per test process when it succeeds; a failure returns its whole output.
package toolscript

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

var (
	mu   sync.Mutex
	runs = map[string]map[string]string{}
)

// Paths runs tools/<script> from the repository root (once per process) and returns the
// absolute paths it printed as KEY=PATH lines, one per key asked for.
func Paths(script string, keys ...string) (map[string]string, error) {
	mu.Lock()
	defer mu.Unlock()
	vars, ok := runs[script]
	if !ok {
		var err error
		if vars, err = run(script); err != nil {
			return nil, err
		}
		runs[script] = vars
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		p, ok := vars[k]
		if !ok || !filepath.IsAbs(p) {
			return nil, fmt.Errorf("tools/%s printed no %s=<absolute path> line", script, k)
		}
		out[k] = p
	}
	return out, nil
}

// Path is the tool $env names, or else the KEY=PATH line key that tools/<script> prints
// (running it once per process).
func Path(env, script, key string) (string, error) {
	if p := os.Getenv(env); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("$%s: %w", env, err)
		}
		return p, nil
	}
	paths, err := Paths(script, key)
	if err != nil {
		return "", err
	}
	return paths[key], nil
}

// Forget drops the remembered result of a script, so the next Paths runs it again (for tests
// that swap the repository under it).
func Forget(script string) {
	mu.Lock()
	defer mu.Unlock()
	delete(runs, script)
}

func run(script string) (map[string]string, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(root, "tools", script)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("bash", path)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s failed after %s: %v\n--- stdout ---\n%s\n--- stderr ---\n%s",
			path, time.Since(start).Round(time.Second), err, stdout.String(), stderr.String())
	}
	vars := map[string]string{}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			vars[k] = v
		}
	}
	return vars, nil
}

// RepoRoot walks up from the working directory to the otelfleet repository root: the
// directory whose go.mod sits beside tools/test.sh.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if exists(filepath.Join(d, "go.mod")) && exists(filepath.Join(d, "tools", "test.sh")) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("no directory with go.mod and tools/test.sh above " + dir)
		}
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Executable reports whether path is an executable regular file, naming the tool otherwise.
func Executable(tool, path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: %w", tool, err)
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return fmt.Errorf("%s: %s is not an executable file", tool, path)
	}
	return nil
}
