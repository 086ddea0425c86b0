package aks

import (
	"encoding/base64"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

const execKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://c.invalid:443"}
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630, %s]
`

func loginArgs(t *testing.T, kubeconfig string) []string {
	t.Helper()
	var kc struct {
		Users []struct {
			User struct {
				Exec struct {
					Args []string `json:"args"`
				} `json:"exec"`
			} `json:"user"`
		} `json:"users"`
	}
	if err := yaml.Unmarshal([]byte(kubeconfig), &kc); err != nil || len(kc.Users) != 1 {
		t.Fatalf("kubeconfig: %v\n%s", err, kubeconfig)
	}
	return kc.Users[0].User.Exec.Args
}

func TestSetLoginMode(t *testing.T) {
	for _, given := range []string{"--login, devicecode", "-l, devicecode", "--login=devicecode", ""} {
		in := strings.Replace(execKubeconfig, "%s", given, 1)
		out, err := userKubeconfig(base64.StdEncoding.EncodeToString([]byte(in)), LoginAzureCLI)
		if err != nil {
			t.Fatalf("%q: %v", given, err)
		}
		args := strings.Join(loginArgs(t, out), " ")
		if want := "get-token --server-id 6dae42f8-4368-4678-94ff-3960e28e3630 --login azurecli"; args != want {
			t.Errorf("%q: args %q; want %q", given, args, want)
		}
	}
}

func TestSetLoginModeLeavesOtherKubeconfigs(t *testing.T) {
	token := "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user: {token: abc}\n"
	out, err := setLoginMode(token, LoginAzureCLI)
	if err != nil || out != token {
		t.Errorf("setLoginMode changed a token kubeconfig: %q, %v", out, err)
	}
	if _, err := setLoginMode(token, "password"); err == nil {
		t.Error("an unknown login mode was accepted")
	}
	if _, err := userKubeconfig("not base64!", LoginAzureCLI); err == nil {
		t.Error("a kubeconfig that is not base64 was accepted")
	}
}
