package aks

import "testing"

func TestDeployerPrincipalType(t *testing.T) {
	for clientID, want := range map[string]string{
		azureCLIAppID:                          "User",             // az login as a user
		"0b5e2c7a-1f0e-4a4b-9c3e-7d2f6a1b8c90": "ServicePrincipal", // CI: OIDC, secret or certificate
		"":                                     "ServicePrincipal",
	} {
		if got := deployerPrincipalType(clientID); got != want {
			t.Errorf("deployerPrincipalType(%q) = %s; want %s", clientID, got, want)
		}
	}
}

func TestArgsDefaultsAndBounds(t *testing.T) {
	a := &Args{ResourceGroupName: nil}
	if _, err := a.withDefaults(); err == nil {
		t.Error("args without a resource group were accepted")
	}
}
