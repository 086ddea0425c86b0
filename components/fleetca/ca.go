// Package fleetca is the fleet's certificate authority as plain Go: it creates the one CA
// every stack of a deployment shares, and issues the client certificates of the collectors
// that run outside Kubernetes (ECS Fargate, ACI), where cert-manager cannot reach. No Pulumi,
// no cloud SDK.
//
// The CA key is Ed25519, whose signatures are deterministic: a leaf issued for the same
// name, key and validity window is the same bytes on every run. That is what lets a Pulumi
// program issue certificates on each `pulumi up` without a diff until the window moves
// (see Window), and what cert-manager's CA issuer signs the in-cluster certificates with.
package fleetca

import (
	"crypto"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"
)

// CALifetime is how long the fleet CA is valid; rotating it is an operator's decision
// (README, trust and certificate rotation), not a timer.
const CALifetime = 10 * 365 * 24 * time.Hour

// PEM is a certificate and its private key, PEM-encoded (the key as PKCS#8).
type PEM struct {
	Certificate string `json:"certificate"`
	Key         string `json:"key"`
}

// CA is a parsed fleet CA that can issue leaves.
type CA struct {
	cert *x509.Certificate
	key  ed25519.PrivateKey
	pem  PEM
}

// New creates a fleet CA named commonName, valid from an hour before now (clock skew) for
// CALifetime, with a key drawn from entropy.
func New(commonName string, now time.Time, entropy io.Reader) (PEM, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(entropy, seed); err != nil {
		return PEM{}, fmt.Errorf("fleet CA key: %w", err)
	}
	key := ed25519.NewKeyFromSeed(seed)
	serial, err := serialFrom(entropy)
	if err != nil {
		return PEM{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"otelfleet"}},
		NotBefore:             now.Add(-time.Hour).UTC().Truncate(time.Second),
		NotAfter:              now.Add(CALifetime).UTC().Truncate(time.Second),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true, // it signs leaves only
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return PEM{}, fmt.Errorf("fleet CA certificate: %w", err)
	}
	return encode(der, key)
}

// Parse reads a CA's PEM (as New returns it, or as another stack exported it).
func Parse(p PEM) (*CA, error) {
	cert, err := ParseCertificate(p.Certificate)
	if err != nil {
		return nil, fmt.Errorf("fleet CA certificate: %w", err)
	}
	if !cert.IsCA {
		return nil, errors.New("fleet CA certificate: not a CA (basic constraints)")
	}
	block, _ := pem.Decode([]byte(p.Key))
	if block == nil {
		return nil, errors.New("fleet CA key: no PEM block")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("fleet CA key: %w", err)
	}
	key, ok := parsed.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("fleet CA key: %T, want an Ed25519 key", parsed)
	}
	if !key.Public().(ed25519.PublicKey).Equal(cert.PublicKey) {
		return nil, errors.New("fleet CA: the key does not match the certificate")
	}
	return &CA{cert: cert, key: key, pem: p}, nil
}

// ParseCertificate reads the first certificate of a PEM text.
func ParseCertificate(text string) (*x509.Certificate, error) {
	for rest := []byte(text); ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			return nil, errors.New("no CERTIFICATE PEM block")
		}
		if block.Type == "CERTIFICATE" {
			return x509.ParseCertificate(block.Bytes)
		}
	}
}

// Certificate is the CA's certificate (PEM): the trust anchor every collector verifies with.
func (ca *CA) Certificate() string { return ca.pem.Certificate }

// Leaf is what a collector certificate is issued for.
type Leaf struct {
	// Name is the certificate's common name and the input of its key: one key per name and
	// window.
	Name     string
	DNSNames []string
	Window   Window
}

// Issue signs a client and server certificate for leaf. The key derives from the CA key,
// the name and the window, and Ed25519 signs deterministically: the same leaf gives the
// same PEM on every run.
func (ca *CA) Issue(leaf Leaf) (PEM, error) {
	if leaf.Name == "" {
		return PEM{}, errors.New("leaf certificate: a name is required")
	}
	if !leaf.Window.NotAfter.After(leaf.Window.NotBefore) {
		return PEM{}, fmt.Errorf("leaf certificate %s: empty validity window", leaf.Name)
	}
	derive := func(purpose string) []byte {
		m := hmac.New(sha256.New, ca.key.Seed())
		fmt.Fprintf(m, "otelfleet leaf %s\x00%s\x00%d\x00%d", purpose, leaf.Name, leaf.Window.NotBefore.Unix(), leaf.Window.NotAfter.Unix())
		return m.Sum(nil)
	}
	key := ed25519.NewKeyFromSeed(derive("key"))
	serial := new(big.Int).SetBytes(derive("serial")[:16])
	serial.SetBit(serial, 127, 0) // positive, at most 127 bits, never zero in practice
	tmpl := &x509.Certificate{
		SerialNumber:          serial.Add(serial, big.NewInt(1)),
		Subject:               pkix.Name{CommonName: leaf.Name, Organization: []string{"otelfleet"}},
		DNSNames:              leaf.DNSNames,
		NotBefore:             leaf.Window.NotBefore.UTC(),
		NotAfter:              leaf.Window.NotAfter.UTC(),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		AuthorityKeyId:        ca.cert.SubjectKeyId,
	}
	der, err := x509.CreateCertificate(nil, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return PEM{}, fmt.Errorf("leaf certificate %s: %w", leaf.Name, err)
	}
	return encode(der, key)
}

func encode(der []byte, key crypto.PrivateKey) (PEM, error) {
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return PEM{}, err
	}
	return PEM{
		Certificate: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		Key:         string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})),
	}, nil
}

func serialFrom(entropy io.Reader) (*big.Int, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(entropy, b); err != nil {
		return nil, fmt.Errorf("fleet CA serial: %w", err)
	}
	b[0] &= 0x7f
	return new(big.Int).Add(new(big.Int).SetBytes(b), big.NewInt(1)), nil
}
