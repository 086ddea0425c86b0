package kubetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// EnvCRDs names a directory of CRD YAML to use instead of running tools/crds.sh.
const EnvCRDs = "OTELFLEET_CRDS"

// CRDDir returns the directory of upstream CRDs collected by tools/crds.sh
// (subdirectories cert-manager/, vpa/, prometheus-operator/), or
// $OTELFLEET_CRDS when set. Failure fails the test with the script's output.
func CRDDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv(EnvCRDs); d != "" {
		return d
	}
	root, err := RepoRoot()
	if err != nil {
		t.Fatalf("kubetest: %v", err)
	}
	script := filepath.Join(root, "tools", "crds.sh")
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("bash", script)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kubetest: %s: %v\n--- stdout ---\n%s\n--- stderr ---\n%s", script, err, stdout.String(), stderr.String())
	}
	lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	dir := strings.TrimSpace(lines[len(lines)-1])
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Fatalf("kubetest: %s printed %q, not a directory\n--- stderr ---\n%s", script, dir, stderr.String())
	}
	return dir
}

// SplitYAML splits a multi-document YAML stream on "---" lines and drops
// documents that hold only whitespace and comments.
func SplitYAML(data []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	meaningful := false
	flush := func() {
		if meaningful {
			docs = append(docs, bytes.Clone(cur.Bytes()))
		}
		cur.Reset()
		meaningful = false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimRight(line, " \t\r")
		if trimmed == "---" || strings.HasPrefix(trimmed, "--- ") || strings.HasPrefix(trimmed, "---\t") {
			flush()
			continue
		}
		if trimmed == "..." {
			continue
		}
		if s := strings.TrimSpace(line); s != "" && !strings.HasPrefix(s, "#") {
			meaningful = true
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	flush()
	return docs
}

type crdInfo struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Group string `json:"group"`
		Names struct {
			Kind string `json:"kind"`
		} `json:"names"`
		Versions []struct {
			Name   string `json:"name"`
			Served bool   `json:"served"`
		} `json:"versions"`
	} `json:"spec"`
	Status struct {
		Conditions []struct {
			Type    string `json:"type"`
			Status  string `json:"status"`
			Reason  string `json:"reason"`
			Message string `json:"message"`
		} `json:"conditions"`
	} `json:"status"`
}

// InstallCRDs server-side-applies every object in the *.yaml, *.yml and
// *.json files under dir (recursively; multi-document files are split), waits
// until each CustomResourceDefinition is Established and served by discovery,
// then refreshes discovery. Any failure fails the test.
func (c *Cluster) InstallCRDs(t testing.TB, dir string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	began := time.Now()

	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml", ".json":
			if !d.IsDir() {
				files = append(files, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("kubetest: reading CRDs from %s: %v", dir, err)
	}
	if len(files) == 0 {
		t.Fatalf("kubetest: no YAML/JSON files under %s", dir)
	}

	var crds []crdInfo
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("kubetest: %v", err)
		}
		for i, doc := range SplitYAML(data) {
			j, err := ToJSON(doc)
			if err != nil {
				t.Fatalf("kubetest: %s document %d: %v", f, i, err)
			}
			if string(bytes.TrimSpace(j)) == "null" {
				continue
			}
			if _, _, err := c.Apply(ctx, j, ApplyOptions{}); err != nil {
				t.Fatalf("kubetest: applying %s document %d: %v", f, i, err)
			}
			var ci crdInfo
			var tm objectMeta
			_ = json.Unmarshal(j, &tm)
			if tm.Kind == "CustomResourceDefinition" {
				if err := json.Unmarshal(j, &ci); err != nil {
					t.Fatalf("kubetest: %s document %d: %v", f, i, err)
				}
				crds = append(crds, ci)
			}
		}
	}

	// Wait for Established.
	for _, crd := range crds {
		for {
			body, err := c.Get(ctx, "apiextensions.k8s.io/v1", "CustomResourceDefinition", "", crd.Metadata.Name)
			if err != nil {
				t.Fatalf("kubetest: CRD %s: %v", crd.Metadata.Name, err)
			}
			var st crdInfo
			if err := json.Unmarshal(body, &st); err != nil {
				t.Fatalf("kubetest: CRD %s: %v", crd.Metadata.Name, err)
			}
			established, detail := false, ""
			for _, cond := range st.Status.Conditions {
				if cond.Type == "Established" && cond.Status == "True" {
					established = true
				}
				if cond.Status != "True" || cond.Type == "NamesAccepted" {
					detail += fmt.Sprintf(" %s=%s(%s: %s)", cond.Type, cond.Status, cond.Reason, cond.Message)
				}
			}
			if established {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("kubetest: CRD %s not Established:%s", crd.Metadata.Name, detail)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	// Discovery is updated asynchronously after Established.
	for {
		if err := c.Discover(ctx); err != nil {
			t.Fatalf("kubetest: discovery after installing CRDs: %v", err)
		}
		var missing []string
		for _, crd := range crds {
			for _, v := range crd.Spec.Versions {
				if !v.Served {
					continue
				}
				gvk := GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}
				c.discoMu.Lock()
				_, ok := c.resources[gvk]
				c.discoMu.Unlock()
				if !ok {
					missing = append(missing, gvk.String())
				}
			}
		}
		if len(missing) == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("kubetest: CRDs established but not in discovery: %s", strings.Join(missing, "; "))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("kubetest: installed %d CRDs from %s in %s", len(crds), dir, time.Since(began).Round(time.Millisecond))
}
