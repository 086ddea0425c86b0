// Package importexample checks examples/import the way a new user meets it: copied out of
// the repository, its replace pointed at a checkout of otelfleet, `go vet` and `go test`
// pass — with no go.work and no help from the surrounding module.
package importexample

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	exampleModule = "example.com/otelfleet-import"
	otelfleet     = "github.com/otelfleet/otelfleet"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "examples", "import", "go.mod")); err != nil {
		t.Fatalf("examples/import not found from %s: %v", root, err)
	}
	return root
}

// goCmd runs the go command in dir (the copy, never the repository: -mod=mod may write its
// go.sum) with the environment a fresh copy gets.
func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	start := time.Now()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	t.Logf("go %s: %s", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return string(out)
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The in-repo go.mod is the form the copy starts from: its own module, otelfleet required at
// v0.0.0 and replaced by the checkout it sits in.
func TestExampleGoModPointsAtTheRepository(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "examples", "import", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	gomod := string(b)
	for _, want := range []string{
		"module " + exampleModule + "\n",
		"\t" + otelfleet + " v0.0.0\n",
		"replace " + otelfleet + " => ../..\n",
	} {
		if !strings.Contains(gomod, want) {
			t.Errorf("examples/import/go.mod lacks %q", strings.TrimSpace(want))
		}
	}
}

func TestCopiedExampleBuildsAndPasses(t *testing.T) {
	root := repoRoot(t)
	dir := filepath.Join(t.TempDir(), "otelfleet-import")
	copyDir(t, filepath.Join(root, "examples", "import"), dir)

	goCmd(t, dir, "mod", "edit", "-replace", otelfleet+"="+root)
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(gomod), "replace "+otelfleet+" => "+root+"\n") {
		t.Fatalf("the copy's replace was not pointed at %s:\n%s", root, gomod)
	}

	// The copy resolves every module it shares with otelfleet to the version otelfleet's
	// go.mod pins.
	ours := required(t, root)
	theirs := modules(goCmd(t, dir, "list", "-m", "all"))
	shared := 0
	for path, v := range theirs {
		if rv, ok := ours[path]; ok && path != otelfleet {
			shared++
			if rv != v {
				t.Errorf("%s resolves to %s in the example, %s in otelfleet", path, v, rv)
			}
		}
	}
	if shared < 20 {
		t.Errorf("only %d modules shared with otelfleet: the comparison proves little", shared)
	}

	goCmd(t, dir, "vet", "./...")
	out := goCmd(t, dir, "test", "-count=1", "-v", "./...")
	for _, test := range []string{"TestGatewayAndAgentOnTheGivenCluster", "TestUsesOnlyTheComponents"} {
		if !strings.Contains(out, "--- PASS: "+test) {
			t.Errorf("%s did not run and pass in the copy:\n%s", test, out)
		}
	}
}

// required reads the requirements of the repository's go.mod (`go mod edit -json` only
// reads the file).
func required(t *testing.T, root string) map[string]string {
	t.Helper()
	cmd := exec.Command("go", "mod", "edit", "-json")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod edit -json: %v", err)
	}
	var gomod struct {
		Require []struct{ Path, Version string }
	}
	if err := json.Unmarshal(out, &gomod); err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, r := range gomod.Require {
		m[r.Path] = r.Version
	}
	return m
}

// modules parses `go list -m all` output: module path → version (replaced modules keep the
// version they were required at).
func modules(out string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			m[f[0]] = f[1]
		}
	}
	return m
}
