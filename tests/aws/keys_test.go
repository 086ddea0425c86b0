package aws

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// AWS credential patterns: access key ids (long-term AKIA, temporary ASIA and the other
// documented prefixes) and the names of the secret key / session token settings.
var (
	accessKeyID   = regexp.MustCompile(`\b(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b`)
	secretKeyName = regexp.MustCompile(`(?i)aws_secret_access_key|aws_session_token|aws_access_key_id|secretaccesskey`)
	credentialDir = regexp.MustCompile(`/\.aws(/|\b)`)
)

// leaks lists what in a text looks like a static AWS credential.
func leaks(text string) []string {
	var out []string
	out = append(out, accessKeyID.FindAllString(text, -1)...)
	out = append(out, secretKeyName.FindAllString(text, -1)...)
	out = append(out, credentialDir.FindAllString(text, -1)...)
	return out
}

func TestLeakDetector(t *testing.T) {
	for _, bad := range []string{
		`{"name":"AWS_ACCESS_KEY_ID","value":"AKIAIOSFODNN7EXAMPLE"}`,
		"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"mountPath: /root/.aws",
	} {
		if len(leaks(bad)) == 0 {
			t.Errorf("the detector misses %q", bad)
		}
	}
}

// Nothing the stack creates — resource inputs (container definitions, function
// environments, parameters), Kubernetes manifests, collector configs — holds an AWS key
// or mounts a credentials file: identities come from IRSA, the ECS task role and the
// Lambda execution role.
func TestNoStaticAWSCredentials(t *testing.T) {
	r := prod(t)
	texts := map[string]string{}
	for _, res := range r.Resources {
		b, err := json.Marshal(res.Inputs)
		if err != nil {
			t.Fatal(err)
		}
		// Container definitions are JSON inside a string: scan them unescaped too.
		texts[res.Type+" "+res.Name] = string(b) + str(res.Inputs["containerDefinitions"])
	}
	for name, m := range r.Manifests {
		b, err := yaml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		texts["manifest "+name] = string(b)
	}
	for name, c := range r.Collector {
		texts["collector "+name] = c
	}
	if len(texts) < 100 {
		t.Fatalf("only %d texts scanned; the stack renders more", len(texts))
	}
	for name, text := range texts {
		if found := leaks(text); len(found) > 0 {
			t.Errorf("%s contains credential material: %v", name, found)
		}
	}
	for name, m := range r.Manifests {
		if strings.HasPrefix(name, "secret-") && strings.Contains(strings.ToLower(str(get(m, "metadata", "name"))), "aws") {
			t.Errorf("manifest %s is an AWS credentials secret", name)
		}
	}
}
