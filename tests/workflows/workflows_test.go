// Package workflows lints the GitHub Actions workflows with the real actionlint (built from
// the Go module proxy by tools/actionlint.sh, or $OTELFLEET_ACTIONLINT) and checks the
// policies actionlint cannot know: OIDC instead of cloud keys, one secret, least-privilege
// permissions, the preview matrix and the deploy gates.
package workflows

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// envActionlint overrides the binary (skips tools/actionlint.sh).
const envActionlint = "OTELFLEET_ACTIONLINT"

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// actionlint returns the linter binary, installing it with tools/actionlint.sh (cached under
// ~/.cache/otelfleet/actionlint/<version>/) unless $OTELFLEET_ACTIONLINT names one.
func actionlint(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(envActionlint); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("$%s: %v", envActionlint, err)
		}
		return p
	}
	buildOnce.Do(func() {
		start := time.Now()
		var stdout, stderr bytes.Buffer
		cmd := exec.Command("bash", filepath.Join(repoRoot(t), "tools", "actionlint.sh"))
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			buildErr = fmt.Errorf("tools/actionlint.sh: %v\n%s", err, stderr.String())
			return
		}
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		buildPath = lines[len(lines)-1]
		t.Logf("actionlint ready in %s: %s", time.Since(start).Round(time.Millisecond), buildPath)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found: %v", err)
	}
	return root
}

// lint runs actionlint on every workflow of dir (a repository root) and returns its findings,
// one per line.
// shellcheck and pyflakes are switched off so the result does not depend on what else is
// installed on the machine (CI runners have shellcheck, developer machines may not).
func lint(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, ".github", "workflows", "*.y*ml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows in %s (%v)", dir, err)
	}
	args := []string{"-no-color", "-oneline", "-shellcheck=", "-pyflakes="}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		args = append(args, rel)
	}
	cmd := exec.Command(actionlint(t), args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit) && exit.ExitCode() == 1: // 1 = findings; 2, 3 = usage or fatal
		return strings.Split(strings.TrimSpace(stdout.String()), "\n")
	default:
		t.Fatalf("actionlint: %v\n%s%s", err, stdout.String(), stderr.String())
		return nil
	}
}

// workflowFiles are the repository's workflows (pr.yml and deploy.yml at least).
func workflowFiles(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(repoRoot(t), ".github", "workflows", "*.y*ml"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = string(b)
	}
	for _, want := range []string{"pr.yml", "deploy.yml"} {
		if _, ok := files[want]; !ok {
			t.Fatalf(".github/workflows/%s is missing", want)
		}
	}
	return files
}

// writeRepo writes workflows into a fresh directory laid out like a repository.
func writeRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	wf := filepath.Join(dir, ".github", "workflows")
	if err := os.MkdirAll(wf, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(wf, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestWorkflowsPassActionlint(t *testing.T) {
	workflowFiles(t) // both workflows exist
	if findings := lint(t, repoRoot(t)); len(findings) > 0 {
		t.Errorf("actionlint found %d problem(s):\n%s", len(findings), strings.Join(findings, "\n"))
	}
}

// TestActionlintReportsBrokenWorkflows breaks the real pr.yml one way at a time and expects
// actionlint to name the problem: the lint step is what stops a typo from reaching CI.
func TestActionlintReportsBrokenWorkflows(t *testing.T) {
	pr := workflowFiles(t)["pr.yml"]
	if findings := lint(t, writeRepo(t, map[string]string{"pr.yml": pr})); len(findings) > 0 {
		t.Fatalf("the unmodified copy must lint clean:\n%s", strings.Join(findings, "\n"))
	}
	cases := []struct {
		name, old, new string
		want           []string // substrings of one finding
	}{
		{"typo in a job key", "    runs-on: ubuntu-24.04\n", "    runs-onn: ubuntu-24.04\n",
			[]string{`unexpected key "runs-onn" for "job" section`, "[syntax-check]"}},
		{"undefined matrix property", "${{ matrix.stack }}", "${{ matrix.stak }}",
			[]string{`property "stak" is not defined`, "[expression]"}},
		{"unterminated expression", "${{ github.event.pull_request.number }}", "${{ github.event.pull_request.number }",
			[]string{"lexing end marker }}", "[expression]"}},
		{"double-quoted string in an expression", "if: matrix.cloud == 'aws'", `if: matrix.cloud == "aws"`,
			[]string{"only single quotes are available", "[expression]"}},
		{"unknown input of pulumi/actions", "comment-on-pr: true", "comment-on-prr: true",
			[]string{`input "comment-on-prr" is not defined in action "pulumi/actions@v6"`, "[action]"}},
		{"invalid permission value", "id-token: write", "id-token: writ",
			[]string{`"writ" is invalid as permission of scope "id-token"`, "[permissions]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(pr, c.old) {
				t.Fatalf("pr.yml no longer contains %q: update the case", c.old)
			}
			broken := strings.Replace(pr, c.old, c.new, 1)
			findings := lint(t, writeRepo(t, map[string]string{"pr.yml": broken}))
			for _, f := range findings {
				if containsAll(f, c.want) && strings.HasPrefix(f, ".github/workflows/pr.yml:") {
					return
				}
			}
			t.Errorf("no finding containing %q; actionlint said:\n%s", c.want, strings.Join(findings, "\n"))
		})
	}
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
