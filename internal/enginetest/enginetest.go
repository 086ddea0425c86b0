// Package enginetest drives the real Pulumi engine — the pulumi CLI and the Kubernetes
// resource provider that tools/pulumi.sh builds — over an inline program through the
// Automation API: the program runs in the test process (no language host), state goes to a
// file backend and secrets to a passphrase provider, both in temp dirs. Nothing reaches the
// Pulumi service or the internet.
//
// The tools come from $OTELFLEET_PULUMI and $OTELFLEET_PULUMI_KUBERNETES when set,
// otherwise from tools/pulumi.sh (cold: ~25 min; cached afterwards). A missing tool fails
// the test; it never skips.
package enginetest

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/internal/toolscript"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	// EnvPulumi names a pulumi CLI binary (in a directory named bin) to use instead of building one.
	EnvPulumi = "OTELFLEET_PULUMI"
	// EnvPulumiKubernetes names a pulumi-resource-kubernetes binary to use instead of building one.
	EnvPulumiKubernetes = "OTELFLEET_PULUMI_KUBERNETES"

	kubernetesSDK = "github.com/pulumi/pulumi-kubernetes/sdk/v4"
)

// Tools are the engine binaries.
type Tools struct {
	CLI, KubernetesProvider string
}

// ResolveTools returns the CLI and the provider from the environment or tools/pulumi.sh.
func ResolveTools() (Tools, error) {
	t := Tools{CLI: os.Getenv(EnvPulumi), KubernetesProvider: os.Getenv(EnvPulumiKubernetes)}
	if t.CLI == "" || t.KubernetesProvider == "" {
		built, err := toolscript.Paths("pulumi.sh", "PULUMI", "PULUMI_KUBERNETES")
		if err != nil {
			return Tools{}, err
		}
		t.CLI = cmp.Or(t.CLI, built["PULUMI"])
		t.KubernetesProvider = cmp.Or(t.KubernetesProvider, built["PULUMI_KUBERNETES"])
	}
	if err := toolscript.Executable("pulumi", t.CLI); err != nil {
		return Tools{}, err
	}
	if filepath.Base(filepath.Dir(t.CLI)) != "bin" {
		return Tools{}, fmt.Errorf("pulumi CLI %s: the Automation API expects it in a directory named bin", t.CLI)
	}
	return t, toolscript.Executable("pulumi-resource-kubernetes", t.KubernetesProvider)
}

// Options describe one workspace.
type Options struct {
	// ProjectDir holds Pulumi.yaml and Pulumi.<Stack>.yaml; both are copied, so the engine
	// never writes into it.
	ProjectDir string
	Stack      string
	Program    pulumi.RunFunc
	// Env is passed to the CLI and so to the providers it starts (e.g. KUBECONFIG).
	Env map[string]string
	// NoPassphrase leaves PULUMI_CONFIG_PASSPHRASE unset.
	NoPassphrase bool
	// BackendDir is the file backend's directory; empty makes a new one. Sharing it lets a
	// test run the next operation on the state a failed one left.
	BackendDir string
}

// Workspace is a project copy with a backend and a PULUMI_HOME of its own.
type Workspace struct {
	Dir, BackendDir, HomeDir string
	Env                      map[string]string
	cmd                      auto.PulumiCommand
	opts                     Options
}

// Passphrase is the passphrase of every test stack's secrets provider.
const Passphrase = "otelfleet-enginetest"

// NewWorkspace prepares the directories, installs the provider into PULUMI_HOME under the
// version the Kubernetes SDK asks for, and checks the CLI.
func NewWorkspace(t testing.TB, opts Options) *Workspace {
	t.Helper()
	tools, err := ResolveTools()
	if err != nil {
		t.Fatalf("enginetest: cannot obtain the pulumi CLI and provider: %v", err)
	}
	w := &Workspace{Dir: t.TempDir(), BackendDir: cmp.Or(opts.BackendDir, t.TempDir()), HomeDir: t.TempDir(), opts: opts}
	for _, f := range []string{"Pulumi.yaml", "Pulumi." + opts.Stack + ".yaml"} {
		if err := copyFile(filepath.Join(opts.ProjectDir, f), filepath.Join(w.Dir, f)); err != nil {
			t.Fatalf("enginetest: %v", err)
		}
	}
	version, err := kubernetesPluginVersion()
	if err != nil {
		t.Fatalf("enginetest: %v", err)
	}
	plugin := filepath.Join(w.HomeDir, "plugins", "resource-kubernetes-v"+version)
	if err := os.MkdirAll(plugin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(tools.KubernetesProvider, filepath.Join(plugin, "pulumi-resource-kubernetes")); err != nil {
		t.Fatal(err)
	}
	w.Env = map[string]string{
		"PULUMI_BACKEND_URL":       "file://" + w.BackendDir,
		"PULUMI_HOME":              w.HomeDir,
		"PULUMI_SKIP_UPDATE_CHECK": "true",
		// Never download a plugin: a missing one is an error, not a fetch from the internet.
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		// Only the provider installed into PULUMI_HOME, not one found beside the CLI.
		"PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
		"PULUMI_CONFIG_PASSPHRASE":      Passphrase,
	}
	if opts.NoPassphrase {
		delete(w.Env, "PULUMI_CONFIG_PASSPHRASE")
	}
	for k, v := range opts.Env {
		w.Env[k] = v
	}
	w.cmd, err = auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: filepath.Dir(filepath.Dir(tools.CLI))})
	if err != nil {
		t.Fatalf("enginetest: %v", err)
	}
	return w
}

// kubernetesPluginVersion is the provider version the Kubernetes SDK requests: its
// release, which is the version go.mod requires (the SDK's generated code pins the same).
func kubernetesPluginVersion() (string, error) {
	root, err := toolscript.RepoRoot()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(kubernetesSDK) + `\s+v(\S+)`).FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("go.mod does not require %s", kubernetesSDK)
	}
	return string(m[1]), nil
}

func (w *Workspace) options() []auto.LocalWorkspaceOption {
	return []auto.LocalWorkspaceOption{
		auto.WorkDir(w.Dir), auto.PulumiHome(w.HomeDir), auto.EnvVars(w.Env),
		auto.Pulumi(w.cmd), auto.SecretsProvider("passphrase"),
	}
}

// Upsert creates the stack (or selects it) with the inline program.
func (w *Workspace) Upsert(ctx context.Context) (auto.Stack, error) {
	return auto.UpsertStackInlineSource(ctx, w.opts.Stack, "", w.opts.Program, w.options()...)
}

// UpsertStack creates or selects another stack of the workspace's project, in the same
// backend (so it can reference the first through a StackReference); its configuration is
// whatever the test sets.
func (w *Workspace) UpsertStack(ctx context.Context, stack string) (auto.Stack, error) {
	return auto.UpsertStackInlineSource(ctx, stack, "", w.opts.Program, w.options()...)
}

// Select selects an existing stack; it fails when the stack does not exist.
func (w *Workspace) Select(ctx context.Context, stack string) (auto.Stack, error) {
	return auto.SelectStackInlineSource(ctx, stack, "", w.opts.Program, w.options()...)
}

// StateFiles returns the contents of every file of the backend (checkpoints, history,
// backups), for greps that prove a secret never reached the state in plain text.
func (w *Workspace) StateFiles() (map[string][]byte, error) {
	out := map[string][]byte{}
	err := filepath.WalkDir(w.BackendDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		out[path] = b
		return err
	})
	return out, err
}

// Events collects the engine events of one operation: pass Chan to the operation's
// EventStreams option and call Wait after it returns.
type Events struct {
	ch   chan events.EngineEvent
	done chan struct{}
	mu   sync.Mutex
	all  []events.EngineEvent
}

// Collect starts collecting.
func Collect() *Events {
	e := &Events{ch: make(chan events.EngineEvent, 64), done: make(chan struct{})}
	go func() {
		defer close(e.done)
		for ev := range e.ch {
			e.mu.Lock()
			e.all = append(e.all, ev)
			e.mu.Unlock()
		}
	}()
	return e
}

// Chan is the channel to give the operation.
func (e *Events) Chan() chan<- events.EngineEvent { return e.ch }

// Wait returns the events once the stream has ended (the Automation API closes it), or
// what arrived within a few seconds when the operation failed before streaming.
func (e *Events) Wait() []events.EngineEvent {
	select {
	case <-e.done:
	case <-time.After(10 * time.Second):
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]events.EngineEvent(nil), e.all...)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
