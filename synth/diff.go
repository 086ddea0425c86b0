package synth

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Diff writes a unified diff of two render directories (every file under them) and
// reports whether they differ. Files only in one side show as wholly added or removed.
func Diff(w io.Writer, oldDir, newDir string) (bool, error) {
	oldFiles, err := listFiles(oldDir)
	if err != nil {
		return false, err
	}
	newFiles, err := listFiles(newDir)
	if err != nil {
		return false, err
	}
	names := map[string]bool{}
	for n := range oldFiles {
		names[n] = true
	}
	for n := range newFiles {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	changed := false
	for _, n := range sorted {
		a, b := oldFiles[n], newFiles[n]
		if a == b {
			continue
		}
		changed = true
		fmt.Fprintf(w, "--- a/%s\n+++ b/%s\n", n, n)
		writeHunks(w, splitLines(a), splitLines(b))
	}
	return changed, nil
}

// listFiles reads every file under dir; a missing dir is an empty render (a stack that is
// new in this change).
func listFiles(dir string) (map[string]string, error) {
	files := map[string]string{}
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return files, nil
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	return files, err
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
}

// op is one line of an edit script: ' ' kept, '-' removed, '+' added.
type op struct {
	kind byte
	line string
}

// editScript is a longest-common-subsequence diff; rendered files are a few hundred lines,
// so the quadratic table is small.
func editScript(a, b []string) []op {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []op
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, op{' ', a[i]})
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{'-', a[i]}) // removals before additions, as diff(1) prints them
			i++
		default:
			ops = append(ops, op{'+', b[j]})
			j++
		}
	}
	return ops
}

// writeHunks prints the changes with three lines of context, in unified-diff hunks.
func writeHunks(w io.Writer, a, b []string) {
	ops := editScript(a, b)
	const context = 3
	for start := 0; start < len(ops); {
		for start < len(ops) && ops[start].kind == ' ' {
			start++
		}
		if start == len(ops) {
			return
		}
		lo := max(0, start-context)
		// Extend the hunk over changes separated by at most 2*context unchanged lines.
		last := start
		for k := start + 1; k < len(ops) && k-last <= 2*context; k++ {
			if ops[k].kind != ' ' {
				last = k
			}
		}
		hi := min(len(ops), last+context+1)
		oldStart, newStart := 1, 1
		for _, o := range ops[:lo] {
			if o.kind != '+' {
				oldStart++
			}
			if o.kind != '-' {
				newStart++
			}
		}
		oldLen, newLen := 0, 0
		for _, o := range ops[lo:hi] {
			if o.kind != '+' {
				oldLen++
			}
			if o.kind != '-' {
				newLen++
			}
		}
		fmt.Fprintf(w, "@@ -%d,%d +%d,%d @@\n", oldStart, oldLen, newStart, newLen)
		for _, o := range ops[lo:hi] {
			line := o.line
			if !strings.HasSuffix(line, "\n") {
				line += "\n"
			}
			fmt.Fprintf(w, "%c%s", o.kind, line)
		}
		start = hi
	}
}
