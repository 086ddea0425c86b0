// Package kubetest runs a throwaway, real Kubernetes control plane (etcd +
// kube-apiserver, no kubelet, no controller-manager) for tests, and talks to it
// with a small standard-library REST client.
//
// Binaries come from $OTELFLEET_KUBE_APISERVER and $OTELFLEET_ETCD when set,
// otherwise from tools/kube-apiserver.sh (which builds kube-apiserver from the
// Go module proxy on first use, ~8 minutes cold, and is instant afterwards).
// If the binaries cannot be obtained the test fails; it is never skipped.
//
// The apiserver runs with RBAC authorization, a static admin token (group
// system:masters), Pod Security admission (enabled by default) and the
// ServiceAccount admission plugin disabled, so dry-run and real requests are
// validated, defaulted and admitted exactly as on a real cluster.
package kubetest

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/internal/toolscript"
)

const (
	// EnvKubeAPIServer names a kube-apiserver binary to use instead of building one.
	EnvKubeAPIServer = "OTELFLEET_KUBE_APISERVER"
	// EnvEtcd names an etcd binary to use instead of fetching one.
	EnvEtcd = "OTELFLEET_ETCD"
	// EnvKubeControllerManager names a kube-controller-manager binary to use instead of building one.
	EnvKubeControllerManager = "OTELFLEET_KUBE_CONTROLLER_MANAGER"

	// ServiceClusterIPRange is the --service-cluster-ip-range of test clusters.
	ServiceClusterIPRange = "10.96.0.0/16"
	// ServiceAccountIssuer is the --service-account-issuer of test clusters.
	ServiceAccountIssuer = "https://kubernetes.default.svc.cluster.local"

	// AdminUser is the user name of Cluster.Token (group system:masters).
	AdminUser = "otelfleet-admin"

	readyTimeout = 90 * time.Second
)

// Cluster is a running etcd + kube-apiserver pair. It is stopped, and its
// files removed, when the test that started it finishes.
type Cluster struct {
	// Server is the apiserver URL, e.g. https://127.0.0.1:41234.
	Server string
	// Token is a bearer token for AdminUser (group system:masters).
	Token string
	// EtcdURL is the etcd client URL.
	EtcdURL string
	// Dir holds the data, certificates and logs of this cluster.
	Dir string
	// StartupDuration is how long it took from launching etcd until the
	// apiserver reported /readyz ok.
	StartupDuration time.Duration

	httpClient *http.Client

	discoMu   sync.Mutex
	resources map[GroupVersionKind]Resource

	etcd, apiserver, controllers *proc
}

// Binaries are the executables a Cluster runs.
type Binaries struct {
	KubeAPIServer string
	Etcd          string
	// KubeControllerManager runs only for clusters started with controllers (StartWith).
	KubeControllerManager string
}

// ResolveBinaries returns the control-plane binaries: from $OTELFLEET_KUBE_APISERVER,
// $OTELFLEET_ETCD and $OTELFLEET_KUBE_CONTROLLER_MANAGER when set, otherwise by running
// tools/kube-apiserver.sh from the repository root (at most once per test process).
func ResolveBinaries() (Binaries, error) {
	b := Binaries{KubeAPIServer: os.Getenv(EnvKubeAPIServer), Etcd: os.Getenv(EnvEtcd), KubeControllerManager: os.Getenv(EnvKubeControllerManager)}
	if b.KubeAPIServer == "" || b.Etcd == "" || b.KubeControllerManager == "" {
		built, err := toolscript.Paths("kube-apiserver.sh", "KUBE_APISERVER", "ETCD", "KUBE_CONTROLLER_MANAGER")
		if err != nil {
			return Binaries{}, err
		}
		b.KubeAPIServer = cmp.Or(b.KubeAPIServer, built["KUBE_APISERVER"])
		b.Etcd = cmp.Or(b.Etcd, built["ETCD"])
		b.KubeControllerManager = cmp.Or(b.KubeControllerManager, built["KUBE_CONTROLLER_MANAGER"])
	}
	for name, p := range map[string]string{"kube-apiserver": b.KubeAPIServer, "etcd": b.Etcd, "kube-controller-manager": b.KubeControllerManager} {
		if err := toolscript.Executable(name, p); err != nil {
			return Binaries{}, err
		}
	}
	return b, nil
}

// RepoRoot is the otelfleet repository root (see toolscript.RepoRoot).
func RepoRoot() (string, error) { return toolscript.RepoRoot() }

// Start launches etcd and kube-apiserver on loopback and waits until the
// apiserver is ready. Failure to obtain the binaries or to start fails the
// test (with the build output or both processes' logs); it never skips.
func Start(t testing.TB) *Cluster {
	t.Helper()
	return StartWith(t, Options{})
}

// Options tune a test control plane.
type Options struct {
	// Controllers run in a kube-controller-manager beside the apiserver, by their
	// --controllers names ("garbagecollector", "namespace", "deployment", ...). Without it
	// nothing finalizes deletions: a namespace stays Terminating and an object deleted in
	// the foreground (as the Pulumi Kubernetes provider deletes) is never removed.
	Controllers []string
}

// StartWith is Start with options.
func StartWith(t testing.TB, opts Options) *Cluster {
	t.Helper()
	bins, err := ResolveBinaries()
	if err != nil {
		t.Fatalf("kubetest: cannot obtain kube-apiserver/etcd: %v", err)
	}
	var lastErr error
	for attempt := 1; attempt <= 3; attempt++ {
		c, err := start(t, bins, opts)
		if err == nil {
			t.Logf("kubetest: control plane ready at %s in %s (kube-apiserver %s, etcd %s)",
				c.Server, c.StartupDuration.Round(time.Millisecond), bins.KubeAPIServer, bins.Etcd)
			return c
		}
		lastErr = err
		// Ports are picked by binding :0 and releasing them; another process
		// may grab one in between. Retry only that case.
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
		t.Logf("kubetest: port race on attempt %d, retrying", attempt)
	}
	t.Fatalf("kubetest: control plane did not start: %v", lastErr)
	return nil
}

func start(t testing.TB, bins Binaries, opts Options) (_ *Cluster, retErr error) {
	dir := t.TempDir()
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	etcdPort, peerPort, apiPort := ports[0], ports[1], ports[2]
	c := &Cluster{
		Server:  fmt.Sprintf("https://127.0.0.1:%d", apiPort),
		EtcdURL: fmt.Sprintf("http://127.0.0.1:%d", etcdPort),
		Dir:     dir,
		Token:   randomHex(24),
		httpClient: &http.Client{
			Timeout: 2 * time.Minute,
			Transport: &http.Transport{
				// Loopback test cluster with a self-signed serving certificate.
				TLSClientConfig:     &tls.Config{InsecureSkipVerify: true}, //nolint:gosec
				MaxIdleConnsPerHost: 16,
				ForceAttemptHTTP2:   true,
			},
		},
	}
	t.Cleanup(c.stop)
	defer func() {
		if retErr != nil {
			retErr = fmt.Errorf("%w\n%s", retErr, c.logs())
			c.stop()
		}
	}()

	saKey, saPub, err := serviceAccountKeys(dir)
	if err != nil {
		return nil, err
	}
	tokenFile := filepath.Join(dir, "tokens.csv")
	tokens := fmt.Sprintf("%s,%s,%s,\"system:masters\"\n", c.Token, AdminUser, AdminUser)
	if err := os.WriteFile(tokenFile, []byte(tokens), 0o600); err != nil {
		return nil, err
	}

	began := time.Now()
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", peerPort)
	etcdArgs := []string{
		"--name=kubetest",
		"--data-dir=" + filepath.Join(dir, "etcd"),
		"--listen-client-urls=" + c.EtcdURL,
		"--advertise-client-urls=" + c.EtcdURL,
		"--listen-peer-urls=" + peerURL,
		"--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=kubetest=" + peerURL,
		"--initial-cluster-state=new",
		"--logger=zap",
		"--log-outputs=stderr",
	}
	c.etcd, err = startProc("etcd", bins.Etcd, etcdArgs, dir, etcdEnv())
	if err != nil {
		return nil, err
	}

	apiArgs := []string{
		"--etcd-servers=" + c.EtcdURL,
		"--cert-dir=" + filepath.Join(dir, "certs"),
		"--secure-port=" + strconv.Itoa(apiPort),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--service-cluster-ip-range=" + ServiceClusterIPRange,
		"--service-account-issuer=" + ServiceAccountIssuer,
		"--service-account-key-file=" + saPub,
		"--service-account-signing-key-file=" + saKey,
		"--authorization-mode=RBAC",
		"--token-auth-file=" + tokenFile,
		"--disable-admission-plugins=ServiceAccount",
		"--profiling=false",
	}
	c.apiserver, err = startProc("kube-apiserver", bins.KubeAPIServer, apiArgs, dir, nil)
	if err != nil {
		return nil, err
	}
	if err := c.waitReady(readyTimeout); err != nil {
		return nil, err
	}
	if len(opts.Controllers) > 0 {
		if err := c.startControllers(bins.KubeControllerManager, opts.Controllers); err != nil {
			return nil, err
		}
	}
	c.StartupDuration = time.Since(began)
	return c, nil
}

// startControllers runs kube-controller-manager with only the named controllers, as the
// admin user, serving nothing (no leader election, no secure port).
func (c *Cluster) startControllers(bin string, controllers []string) error {
	kubeconfig := filepath.Join(c.Dir, "controller-manager.kubeconfig")
	if err := c.Kubeconfig(kubeconfig); err != nil {
		return err
	}
	var err error
	c.controllers, err = startProc("kube-controller-manager", bin, []string{
		"--kubeconfig=" + kubeconfig,
		"--controllers=" + strings.Join(controllers, ","),
		"--leader-elect=false",
		"--secure-port=0",
		"--concurrent-gc-syncs=5",
	}, c.Dir, nil)
	if err != nil {
		return err
	}
	// It fails fast on bad flags; give it a moment so that shows here, not as a hang later.
	select {
	case <-c.controllers.done:
		return fmt.Errorf("kube-controller-manager exited at start: %v", c.controllers.waitErr)
	case <-time.After(time.Second):
		return nil
	}
}

func etcdEnv() []string {
	// Debian's etcd 3.4 refuses to start on non-amd64 unless told to.
	if runtime.GOARCH != "amd64" {
		return []string{"ETCD_UNSUPPORTED_ARCH=" + runtime.GOARCH}
	}
	return nil
}

func (c *Cluster) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		for _, p := range []*proc{c.etcd, c.apiserver} {
			if exited, err := p.exited(); exited {
				return fmt.Errorf("%s exited before the apiserver became ready: %v", p.name, err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		resp, err := c.do(ctx, http.MethodGet, "/readyz", nil, "", nil)
		cancel()
		if err == nil && resp.code == http.StatusOK {
			return nil
		}
		if err != nil {
			last = err.Error()
		} else {
			last = fmt.Sprintf("HTTP %d: %s", resp.code, resp.body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("kube-apiserver not ready after %s; last /readyz: %s", timeout, last)
}

func (c *Cluster) stop() {
	// Controllers, then the apiserver, so neither spins on what stopped before it.
	c.controllers.stop()
	c.apiserver.stop()
	c.etcd.stop()
	if t, ok := c.httpClient.Transport.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
}

func (c *Cluster) logs() string {
	var b strings.Builder
	for _, p := range []*proc{c.etcd, c.apiserver, c.controllers} {
		if p == nil {
			continue
		}
		data, _ := os.ReadFile(p.logPath)
		fmt.Fprintf(&b, "--- %s log (%s) ---\n%s\n", p.name, p.logPath, tail(data, 200))
	}
	return b.String()
}

// Logs returns the last lines of the etcd and kube-apiserver logs, for
// debugging a failing test.
func (c *Cluster) Logs() string { return c.logs() }

func tail(data []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("... (%d earlier lines omitted)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// proc is a child process whose combined output goes to a log file.
type proc struct {
	name    string
	logPath string
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
	once    sync.Once
}

func startProc(name, bin string, args []string, dir string, env []string) (*proc, error) {
	logPath := filepath.Join(dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout = f
	cmd.Stderr = f
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, logPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.waitErr
	default:
		return false, nil
	}
}

func (p *proc) stop() {
	if p == nil {
		return
	}
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(3 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func serviceAccountKeys(dir string) (keyPath, pubPath string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", err
	}
	keyPath = filepath.Join(dir, "sa.key")
	pubPath = filepath.Join(dir, "sa.pub")
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(pubPath, pubPEM, 0o644); err != nil {
		return "", "", err
	}
	return keyPath, pubPath, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Kubeconfig writes a kubeconfig for the cluster's admin user to path (for
// kubectl or a Pulumi kubernetes provider). TLS verification is skipped: the
// apiserver serves a self-signed loopback certificate.
func (c *Cluster) Kubeconfig(path string) error {
	const name = "otelfleet-kubetest"
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	fmt.Fprintf(w, `apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    server: %[2]q
    insecure-skip-tls-verify: true
users:
- name: %[3]s
  user:
    token: %[4]q
contexts:
- name: %[1]s
  context:
    cluster: %[1]s
    user: %[3]s
current-context: %[1]s
`, name, c.Server, AdminUser, c.Token)
	if err := w.Flush(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o600)
}

var errNoResource = errors.New("no resource in discovery")
