package fleetca

import (
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newCA(t *testing.T, seed string) *CA {
	t.Helper()
	p, err := New("otel-ca", t0, Fixed(t0, seed).Entropy)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := Parse(p)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func TestIssuedLeafChainsToTheCAAndIsDeterministic(t *testing.T) {
	ca := newCA(t, "a")
	w, err := WindowAt(t0, 2160*time.Hour, 360*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	leaf := Leaf{Name: "otel-ecs-collector", DNSNames: []string{"otel-ecs-collector"}, Window: w}
	first, err := ca.Issue(leaf)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := ca.Issue(leaf)
	if first != again {
		t.Fatal("the same leaf issued twice differs: a deployment would show a diff on every run")
	}
	if other, _ := ca.Issue(Leaf{Name: "otel-aci-collector", Window: w}); other.Key == first.Key {
		t.Fatal("two names share a key")
	}
	// The pair loads as a TLS certificate, verifies against the CA for client and server auth.
	pair, err := tls.X509KeyPair([]byte(first.Certificate), []byte(first.Key))
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(pair.Certificate[0])
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM([]byte(ca.Certificate()))
	for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth} {
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: t0, KeyUsages: []x509.ExtKeyUsage{usage}, DNSName: "otel-ecs-collector"}); err != nil {
			t.Fatalf("usage %v: %v", usage, err)
		}
	}
	// Another CA does not vouch for it.
	otherRoots := x509.NewCertPool()
	otherRoots.AppendCertsFromPEM([]byte(newCA(t, "b").Certificate()))
	if _, err := cert.Verify(x509.VerifyOptions{Roots: otherRoots, CurrentTime: t0, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
		t.Fatal("a leaf verified against a CA that did not sign it")
	}
}

func TestParseRefusesWhatIsNotTheFleetCA(t *testing.T) {
	a, b := newCA(t, "a"), newCA(t, "b")
	w, _ := WindowAt(t0, 2160*time.Hour, 360*time.Hour)
	leaf, _ := a.Issue(Leaf{Name: "x", Window: w})
	for name, tc := range map[string]struct {
		p    PEM
		want string
	}{
		"key of another CA": {PEM{Certificate: a.pem.Certificate, Key: b.pem.Key}, "does not match"},
		"a leaf as the CA":  {leaf, "not a CA"},
		"no key":            {PEM{Certificate: a.pem.Certificate}, "no PEM block"},
		"no certificate":    {PEM{Key: a.pem.Key}, "no CERTIFICATE"},
	} {
		if _, err := Parse(tc.p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
	}
}

func TestWindowKeepsRenewBeforeOfValidityAtEveryMomentOfItsPeriod(t *testing.T) {
	duration, renew := 2160*time.Hour, 360*time.Hour
	first, _ := WindowAt(t0, duration, renew)
	for h := 0; h < 3*2160; h += 7 {
		now := t0.Add(time.Duration(h) * time.Hour)
		w, err := WindowAt(now, duration, renew)
		if err != nil {
			t.Fatal(err)
		}
		if now.Before(w.NotBefore) || w.NotAfter.Sub(now) < renew {
			t.Fatalf("at %s: window %v..%v leaves under %s", now, w.NotBefore, w.NotAfter, renew)
		}
		if w.NotAfter.Sub(w.NotBefore) != duration+time.Hour {
			t.Fatalf("window length %s", w.NotAfter.Sub(w.NotBefore))
		}
		if now.Before(first.RenewBy(renew)) && w != first {
			t.Fatalf("at %s, inside the first period, the window moved: a diff without a renewal", now)
		}
	}
	next, _ := WindowAt(first.RenewBy(renew), duration, renew)
	if next == first || !next.NotBefore.Before(first.NotAfter) {
		t.Fatalf("the next window %v does not overlap the previous %v", next, first)
	}
	if _, err := WindowAt(t0, time.Hour, time.Hour); err == nil {
		t.Fatal("a renewal period of 0 was accepted")
	}
}
