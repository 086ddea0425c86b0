package workflows

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// doc is a parsed workflow; get walks it by keys.
type doc map[string]any

func parse(t *testing.T, name, text string) doc {
	t.Helper()
	var d doc
	if err := yaml.Unmarshal([]byte(text), &d); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d
}

// triggers is the `on:` map (YAML 1.1 parsers read the bare key `on` as true).
func triggers(d doc) any {
	if on, ok := d["on"]; ok {
		return on
	}
	return d["true"]
}

func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			if d, isDoc := v.(doc); isDoc {
				m = d
			} else {
				return nil
			}
		}
		v = m[k]
	}
	return v
}

func job(t *testing.T, d doc, name string) map[string]any {
	t.Helper()
	j, ok := get(d, "jobs", name).(map[string]any)
	if !ok {
		t.Fatalf("no job %q", name)
	}
	return j
}

// step finds the first step of a job using an action (owner/repo, any version).
func step(t *testing.T, j map[string]any, action string) map[string]any {
	t.Helper()
	steps, _ := j["steps"].([]any)
	for _, s := range steps {
		m, _ := s.(map[string]any)
		if uses, _ := m["uses"].(string); strings.HasPrefix(uses, action+"@") {
			return m
		}
	}
	t.Fatalf("no step uses %s", action)
	return nil
}

func runs(j map[string]any) string {
	var b strings.Builder
	steps, _ := j["steps"].([]any)
	for _, s := range steps {
		if r, ok := get(s, "run").(string); ok {
			b.WriteString(r + "\n")
		}
	}
	return b.String()
}

// matrixStacks returns stack → the other fields of its matrix entry.
func matrixStacks(t *testing.T, j map[string]any) map[string]map[string]any {
	t.Helper()
	include, _ := get(j, "strategy", "matrix", "include").([]any)
	out := map[string]map[string]any{}
	for _, e := range include {
		m, _ := e.(map[string]any)
		out[m["stack"].(string)] = m
	}
	return out
}

func TestWorkflowsUseOneSecretAndNoCloudKeys(t *testing.T) {
	secretRef := regexp.MustCompile(`secrets\.([A-Za-z0-9_]+)`)
	// Inputs through which long-lived cloud credentials would enter a job.
	keyInputs := regexp.MustCompile(`(?m)^\s*(aws-access-key-id|aws-secret-access-key|aws-session-token|creds|client-secret|AWS_SECRET_ACCESS_KEY|ARM_CLIENT_SECRET|AZURE_CLIENT_SECRET)\s*:`)
	for name, text := range workflowFiles(t) {
		for _, m := range secretRef.FindAllStringSubmatch(text, -1) {
			if m[1] != "PULUMI_ACCESS_TOKEN" {
				t.Errorf("%s uses secrets.%s; the only secret is PULUMI_ACCESS_TOKEN (cloud access is OIDC)", name, m[1])
			}
		}
		if k := keyInputs.FindString(text); k != "" {
			t.Errorf("%s passes a static cloud credential: %q", name, strings.TrimSpace(k))
		}
	}
}

// localWorkflow is a reusable workflow of this repository (versioned with the caller).
var localWorkflow = regexp.MustCompile(`^\./\.github/workflows/[a-z0-9-]+\.yml$`)

// Every action is pinned to a released version (a tag like v6 or v6.1.2, or a commit), never
// a branch.
func TestActionsArePinnedByVersion(t *testing.T) {
	pinned := regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$`)
	uses := regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*(\S+)`)
	for name, text := range workflowFiles(t) {
		found := uses.FindAllStringSubmatch(text, -1)
		if len(found) == 0 {
			t.Errorf("%s uses no actions", name)
		}
		for _, m := range found {
			if !pinned.MatchString(m[1]) && !localWorkflow.MatchString(m[1]) {
				t.Errorf("%s: %s is not pinned to a version", name, m[1])
			}
		}
	}
}

// Permissions are off at the top and granted per job; only the jobs that need them may write.
func TestLeastPrivilegePermissions(t *testing.T) {
	allowedWrites := map[string][]string{
		"pr.yml/preview":           {"id-token", "pull-requests"},
		"up.yml/up":                {"id-token"},
		"deploy.yml/azure-prod":    {"id-token"},
		"deploy.yml/aws-prod":      {"id-token"},
		"deploy.yml/aws-prod-euw1": {"id-token"},
		"pr.yml/test":              nil,
		"pr.yml/render":            nil,
	}
	seen := map[string]bool{}
	for name, text := range workflowFiles(t) {
		d := parse(t, name, text)
		if p, ok := d["permissions"].(map[string]any); !ok || len(p) != 0 {
			t.Errorf("%s: top-level permissions = %v, want {}", name, d["permissions"])
		}
		jobs, _ := d["jobs"].(map[string]any)
		for id, j := range jobs {
			key := name + "/" + id
			seen[key] = true
			perms, ok := get(j, "permissions").(map[string]any)
			if !ok {
				t.Errorf("%s: no job-level permissions", key)
				continue
			}
			if perms["contents"] != "read" {
				t.Errorf("%s: contents = %v, want read", key, perms["contents"])
			}
			var writes []string
			for scope, level := range perms {
				if level == "write" {
					writes = append(writes, scope)
				}
			}
			slices.Sort(writes)
			if want := allowedWrites[key]; !slices.Equal(writes, want) {
				t.Errorf("%s writes %v, want %v", key, writes, want)
			}
		}
	}
	for key := range allowedWrites {
		if !seen[key] {
			t.Errorf("job %s is missing", key)
		}
	}
}

func TestPullRequestWorkflow(t *testing.T) {
	d := parse(t, "pr.yml", workflowFiles(t)["pr.yml"])
	if _, ok := get(triggers(d), "pull_request").(map[string]any); !ok {
		t.Fatalf("pr.yml does not run on pull_request: %v", triggers(d))
	}

	test := job(t, d, "test")
	if !strings.Contains(runs(test), "./tools/test.sh") {
		t.Errorf("test job does not run ./tools/test.sh:\n%s", runs(test))
	}
	var cached []string
	steps, _ := test["steps"].([]any)
	for _, s := range steps {
		if uses, _ := get(s, "uses").(string); strings.HasPrefix(uses, "actions/cache@") {
			cached = append(cached, get(s, "with", "path").(string)+" key="+get(s, "with", "key").(string))
		}
	}
	all := strings.Join(cached, "\n")
	for _, want := range []string{"~/.cache/otelfleet", "~/go/pkg/mod", "~/.cache/go-build", "go.sum", "tools/*.sh"} {
		if !strings.Contains(all, want) {
			t.Errorf("test job caches do not mention %s:\n%s", want, all)
		}
	}

	preview := job(t, d, "preview")
	stacks := matrixStacks(t, preview)
	prod := productionStacks(t)
	if len(stacks) != len(prod) {
		t.Errorf("preview matrix = %v, want every production stack %v", stacks, prod)
	}
	for name, st := range prod {
		if stacks[name]["cloud"] != st.cloud {
			t.Errorf("preview matrix %s = %v, want cloud %s", name, stacks[name], st.cloud)
		}
	}
	pulumi := step(t, preview, "pulumi/actions")
	with, _ := pulumi["with"].(map[string]any)
	if with["command"] != "preview" || with["comment-on-pr"] != true || with["stack-name"] != "${{ matrix.stack }}" {
		t.Errorf("pulumi step with = %v, want command preview, comment-on-pr true, the matrix stack", with)
	}
	if get(pulumi, "env", "PULUMI_ACCESS_TOKEN") != "${{ secrets.PULUMI_ACCESS_TOKEN }}" {
		t.Errorf("pulumi step does not get PULUMI_ACCESS_TOKEN from the secret: %v", pulumi["env"])
	}
	checkCloudLogins(t, "pr.yml/preview", preview, "matrix", "AWS_PREVIEW_ROLE_ARN", "AZURE_PREVIEW_CLIENT_ID")

	render := job(t, d, "render")
	if !strings.Contains(runs(render), "go run . synth --out build --format kustomize") {
		t.Errorf("render job does not run synth --format kustomize:\n%s", runs(render))
	}
	if !strings.Contains(runs(render), "--diff") || !strings.Contains(runs(render), "GITHUB_STEP_SUMMARY") {
		t.Errorf("render job does not write a --diff against the base branch to the job summary")
	}
	upload := step(t, render, "actions/upload-artifact")
	if p := get(upload, "with", "path"); p != "build/" {
		t.Errorf("uploaded path = %v, want build/", p)
	}
}

// TestDeployWorkflow: one job per production stack, each calling up.yml with its cloud and
// environment, and each after every stack whose outputs it reads (the references in its own
// Pulumi.<stack>.yaml), so a stack never deploys before the CA or address it imports.
func TestDeployWorkflow(t *testing.T) {
	files := workflowFiles(t)
	d := parse(t, "deploy.yml", files["deploy.yml"])
	if b := get(triggers(d), "push", "branches"); !slices.Equal(toStrings(b), []string{"main"}) {
		t.Errorf("deploy runs on push to %v, want [main]", b)
	}
	if cron := get(triggers(d), "schedule"); len(toMaps(cron)) != 1 || toMaps(cron)[0]["cron"] == nil {
		t.Errorf("deploy schedule = %v, want one weekly cron (it renews the certificates of ECS and ACI)", cron)
	}
	prod := productionStacks(t)
	jobs, _ := d["jobs"].(map[string]any)
	if len(jobs) != len(prod) {
		t.Errorf("deploy jobs %v, want one per production stack %v", keys(jobs), keys(prod))
	}
	for name, st := range prod {
		j := job(t, d, name)
		with, _ := j["with"].(map[string]any)
		if j["uses"] != "./.github/workflows/up.yml" || with["stack"] != name || with["cloud"] != st.cloud || with["environment"] != "production-"+st.cloud {
			t.Errorf("deploy job %s = uses %v with %v; want up.yml with stack %s, cloud %s, environment production-%s", name, j["uses"], with, name, st.cloud, st.cloud)
		}
		if get(j, "secrets", "PULUMI_ACCESS_TOKEN") != "${{ secrets.PULUMI_ACCESS_TOKEN }}" || get(j, "secrets") == "inherit" {
			t.Errorf("deploy job %s passes secrets %v; want PULUMI_ACCESS_TOKEN only", name, j["secrets"])
		}
		needs := toStrings(j["needs"])
		for _, ref := range st.references {
			if _, ok := prod[ref]; !ok {
				t.Errorf("%s references stack %s, which is not a committed production stack", name, ref)
			} else if !slices.Contains(needs, ref) {
				t.Errorf("deploy job %s needs %v; it reads %s's outputs, so it must run after it", name, needs, ref)
			}
		}
	}

	u := parse(t, "up.yml", files["up.yml"])
	if _, ok := get(triggers(u), "workflow_call").(map[string]any); !ok {
		t.Fatalf("up.yml is not a reusable workflow: %v", triggers(u))
	}
	up := job(t, u, "up")
	if up["environment"] != "${{ inputs.environment }}" {
		t.Errorf("up environment = %v, want the caller's gate", up["environment"])
	}
	if g, _ := get(up, "concurrency", "group").(string); !strings.Contains(g, "${{ inputs.stack }}") {
		t.Errorf("concurrency group %q is not per stack", g)
	}
	if c := get(up, "concurrency", "cancel-in-progress"); c != false {
		t.Errorf("cancel-in-progress = %v: a running up must never be cancelled", c)
	}
	pulumi := step(t, up, "pulumi/actions")
	if c, s := get(pulumi, "with", "command"), get(pulumi, "with", "stack-name"); c != "up" || s != "${{ inputs.stack }}" {
		t.Errorf("deploy command = %v on %v, want up on the caller's stack", c, s)
	}
	checkCloudLogins(t, "up.yml/up", up, "inputs", "AWS_DEPLOY_ROLE_ARN", "AZURE_DEPLOY_CLIENT_ID")
}

// prodStack is a committed production stack: its cloud and the stacks it reads outputs from.
type prodStack struct {
	cloud      string
	references []string
}

// productionStacks reads every committed Pulumi.<stack>.yaml but the kubernetes ones (the
// laptop stack): its cloud and its stack references (tlsCaStack, drAzureStack, as
// org/project/stack: the stack is the last part).
func productionStacks(t *testing.T) map[string]prodStack {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(repoRoot(t), "Pulumi.*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]prodStack{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			Config map[string]any `json:"config"`
		}
		if err := yaml.Unmarshal(b, &f); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		cloud, _ := f.Config["otelfleet:cloud"].(string)
		if cloud == "kubernetes" {
			continue
		}
		st := prodStack{cloud: cloud}
		for _, key := range []string{"otelfleet:tlsCaStack", "otelfleet:drAzureStack"} {
			if ref, _ := f.Config[key].(string); ref != "" {
				st.references = append(st.references, ref[strings.LastIndex(ref, "/")+1:])
			}
		}
		slices.Sort(st.references)
		st.references = slices.Compact(st.references)
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "Pulumi."), ".yaml")
		out[name] = st
	}
	if len(out) < 3 {
		t.Fatalf("found %d production stacks, want aws-prod, aws-prod-euw1 and azure-prod: %v", len(out), out)
	}
	return out
}

func toMaps(v any) []map[string]any {
	a, _ := v.([]any)
	var out []map[string]any
	for _, e := range a {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// checkCloudLogins: each cloud logs in with OIDC, only in its own matrix leg.
func checkCloudLogins(t *testing.T, where string, j map[string]any, context, awsRoleVar, azureClientVar string) {
	t.Helper()
	aws := step(t, j, "aws-actions/configure-aws-credentials")
	if aws["if"] != context+".cloud == 'aws'" || get(aws, "with", "role-to-assume") != "${{ vars."+awsRoleVar+" }}" {
		t.Errorf("%s: AWS login = %v, want role-to-assume vars.%s in the aws leg", where, aws, awsRoleVar)
	}
	az := step(t, j, "azure/login")
	with, _ := az["with"].(map[string]any)
	if az["if"] != context+".cloud == 'azure'" || with["client-id"] != "${{ vars."+azureClientVar+" }}" ||
		with["tenant-id"] == nil || with["subscription-id"] == nil || len(with) != 3 {
		t.Errorf("%s: Azure login = %v, want client-id (vars.%s), tenant-id and subscription-id only, in the azure leg", where, az, azureClientVar)
	}
}

func toStrings(v any) []string {
	a, _ := v.([]any)
	out := make([]string, 0, len(a))
	for _, e := range a {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}
