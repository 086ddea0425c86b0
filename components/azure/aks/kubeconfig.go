package aks

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// Kubelogin login modes (kubelogin get-token --login).
const (
	LoginAzureCLI         = "azurecli"
	LoginWorkloadIdentity = "workloadidentity"
	LoginServicePrincipal = "spn"
	LoginManagedIdentity  = "msi"
	LoginDeviceCode       = "devicecode"
)

// LoginModes are the kubelogin modes a kubeconfig can be written for.
var LoginModes = []string{LoginAzureCLI, LoginWorkloadIdentity, LoginServicePrincipal, LoginManagedIdentity, LoginDeviceCode}

// userKubeconfig decodes a kubeconfig from listManagedClusterUserCredentials (base64) and
// sets the login mode of its kubelogin exec users. AKS writes "--login devicecode", which
// waits for a human: a Pulumi run needs a non-interactive mode. kubelogin still lets the
// AAD_LOGIN_METHOD environment variable override the mode.
func userKubeconfig(encoded, mode string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return "", fmt.Errorf("aks: kubeconfig is not base64: %w", err)
	}
	return setLoginMode(string(raw), mode)
}

// setLoginMode rewrites the --login argument of every kubelogin exec user. A kubeconfig
// without kubelogin users is returned unchanged.
func setLoginMode(kubeconfig, mode string) (string, error) {
	if !slices.Contains(LoginModes, mode) {
		return "", fmt.Errorf("aks: kubelogin mode %q: use one of %s", mode, strings.Join(LoginModes, ", "))
	}
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(kubeconfig), &doc); err != nil {
		return "", fmt.Errorf("aks: kubeconfig: %w", err)
	}
	users, _ := doc["users"].([]any)
	changed := false
	for _, u := range users {
		entry, _ := u.(map[string]any)
		user, _ := entry["user"].(map[string]any)
		exec, _ := user["exec"].(map[string]any)
		if cmd, _ := exec["command"].(string); !strings.HasSuffix(cmd, "kubelogin") {
			continue
		}
		args, _ := exec["args"].([]any)
		exec["args"] = withLogin(args, mode)
		changed = true
	}
	if !changed {
		return kubeconfig, nil
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("aks: kubeconfig: %w", err)
	}
	return string(out), nil
}

func withLogin(args []any, mode string) []any {
	out := make([]any, 0, len(args)+2)
	for i := 0; i < len(args); i++ {
		switch a, _ := args[i].(string); {
		case a == "--login" || a == "-l":
			i++ // and its value
		case strings.HasPrefix(a, "--login="):
		default:
			out = append(out, args[i])
		}
	}
	return append(out, "--login", mode)
}
