package kubetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"sigs.k8s.io/yaml"
)

// GroupVersionKind identifies a kind; Group is "" for the core API group.
type GroupVersionKind struct {
	Group, Version, Kind string
}

// APIVersion returns "group/version" (or "version" for the core group).
func (g GroupVersionKind) APIVersion() string {
	if g.Group == "" {
		return g.Version
	}
	return g.Group + "/" + g.Version
}

func (g GroupVersionKind) String() string { return g.APIVersion() + ", Kind=" + g.Kind }

// ParseGVK splits an apiVersion ("apps/v1", "v1") and kind.
func ParseGVK(apiVersion, kind string) GroupVersionKind {
	group, version, ok := strings.Cut(apiVersion, "/")
	if !ok {
		group, version = "", apiVersion
	}
	return GroupVersionKind{Group: group, Version: version, Kind: kind}
}

// Resource is what discovery says about a kind.
type Resource struct {
	GroupVersionKind
	// Plural is the REST resource name, e.g. "deployments".
	Plural     string
	Namespaced bool
	Verbs      []string
}

// ApplyOptions tune a server-side apply.
type ApplyOptions struct {
	// DryRun sends dryRun=All: the object is validated and admitted but not stored.
	DryRun bool
	// FieldManager defaults to "otelfleet-kubetest".
	FieldManager string
}

// DefaultFieldManager is the field manager used when ApplyOptions.FieldManager is empty.
const DefaultFieldManager = "otelfleet-kubetest"

// StatusError is returned when the apiserver answers with an error status.
// Message is the apiserver's Status message (e.g. the validation failure).
type StatusError struct {
	Method, Path string
	Code         int
	Reason       string
	Message      string
	Body         []byte
}

func (e *StatusError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = strings.TrimSpace(string(e.Body))
	}
	return fmt.Sprintf("%s %s: HTTP %d %s: %s", e.Method, e.Path, e.Code, e.Reason, msg)
}

// IsNotFound reports whether err is an apiserver 404.
func IsNotFound(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Code == http.StatusNotFound
}

type response struct {
	code     int
	body     []byte
	warnings []string
}

// Do sends a raw request to the apiserver with the admin token. path may
// contain a query string. A non-2xx answer yields a *StatusError; the body
// and Warning headers are returned either way.
func (c *Cluster) Do(ctx context.Context, method, path string, body []byte, contentType string) (respBody []byte, warnings []string, err error) {
	resp, err := c.do(ctx, method, path, body, contentType, nil)
	if err != nil {
		return nil, nil, err
	}
	return resp.body, resp.warnings, statusError(method, path, resp)
}

func (c *Cluster) do(ctx context.Context, method, path string, body []byte, contentType string, query url.Values) (*response, error) {
	u := c.Server + path
	if len(query) > 0 {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		u += sep + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &response{code: resp.StatusCode, body: data, warnings: parseWarnings(resp.Header.Values("Warning"))}, nil
}

func statusError(method, path string, r *response) error {
	if r.code >= 200 && r.code < 300 {
		return nil
	}
	se := &StatusError{Method: method, Path: path, Code: r.code, Body: r.body}
	var st struct {
		Kind    string `json:"kind"`
		Message string `json:"message"`
		Reason  string `json:"reason"`
	}
	if json.Unmarshal(r.body, &st) == nil && st.Kind == "Status" {
		se.Message, se.Reason = st.Message, st.Reason
	}
	if se.Reason == "" {
		se.Reason = http.StatusText(r.code)
	}
	return se
}

// parseWarnings extracts the texts of RFC 7234 Warning headers
// (`299 - "text"`), as sent by the apiserver.
func parseWarnings(values []string) []string {
	var out []string
	for _, v := range values {
		s := strings.TrimSpace(v)
		for s != "" {
			// warn-code SP warn-agent SP warn-text [SP warn-date]
			code, rest, ok := strings.Cut(s, " ")
			if _, err := strconv.Atoi(code); !ok || err != nil {
				out = append(out, s)
				break
			}
			_, rest, ok = strings.Cut(rest, " ")
			if !ok || !strings.HasPrefix(rest, `"`) {
				out = append(out, s)
				break
			}
			text, after, ok := readQuoted(rest)
			if !ok {
				out = append(out, s)
				break
			}
			out = append(out, text)
			after = strings.TrimSpace(after)
			if strings.HasPrefix(after, `"`) { // warn-date
				_, after, _ = readQuoted(after)
				after = strings.TrimSpace(after)
			}
			s = strings.TrimSpace(strings.TrimPrefix(after, ","))
		}
	}
	return out
}

func readQuoted(s string) (text, rest string, ok bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", false
}

// ---------------------------------------------------------------- discovery

// Discover (re)builds the GVK → resource map from /api and /apis. Call it
// again after installing CRDs (InstallCRDs does).
func (c *Cluster) Discover(ctx context.Context) error {
	var gvs []string
	var core struct {
		Versions []string `json:"versions"`
	}
	if err := c.getJSON(ctx, "/api", &core); err != nil {
		return err
	}
	gvs = append(gvs, core.Versions...)
	var groups struct {
		Groups []struct {
			Versions []struct {
				GroupVersion string `json:"groupVersion"`
			} `json:"versions"`
		} `json:"groups"`
	}
	if err := c.getJSON(ctx, "/apis", &groups); err != nil {
		return err
	}
	for _, g := range groups.Groups {
		for _, v := range g.Versions {
			gvs = append(gvs, v.GroupVersion)
		}
	}

	type list struct {
		GroupVersion string `json:"groupVersion"`
		Resources    []struct {
			Name       string   `json:"name"`
			Namespaced bool     `json:"namespaced"`
			Kind       string   `json:"kind"`
			Verbs      []string `json:"verbs"`
		} `json:"resources"`
	}
	lists := make([]list, len(gvs))
	errs := make([]error, len(gvs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, gv := range gvs {
		path := "/apis/" + gv
		if !strings.Contains(gv, "/") {
			path = "/api/" + gv
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = c.getJSON(ctx, path, &lists[i])
		}()
	}
	wg.Wait()

	m := map[GroupVersionKind]Resource{}
	for i, l := range lists {
		if errs[i] != nil {
			// A group version can vanish between the two requests (e.g. a CRD
			// being deleted); anything else is a real failure.
			if IsNotFound(errs[i]) {
				continue
			}
			return errs[i]
		}
		for _, r := range l.Resources {
			if strings.Contains(r.Name, "/") { // subresource
				continue
			}
			gvk := ParseGVK(l.GroupVersion, r.Kind)
			m[gvk] = Resource{GroupVersionKind: gvk, Plural: r.Name, Namespaced: r.Namespaced, Verbs: r.Verbs}
		}
	}
	c.discoMu.Lock()
	c.resources = m
	c.discoMu.Unlock()
	return nil
}

// Resources returns the discovered GVKs, sorted (discovering first if needed).
func (c *Cluster) Resources(ctx context.Context) ([]Resource, error) {
	c.discoMu.Lock()
	empty := c.resources == nil
	c.discoMu.Unlock()
	if empty {
		if err := c.Discover(ctx); err != nil {
			return nil, err
		}
	}
	c.discoMu.Lock()
	defer c.discoMu.Unlock()
	out := make([]Resource, 0, len(c.resources))
	for _, r := range c.resources {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out, nil
}

// ResourceFor maps apiVersion+kind to its REST resource. Unknown kinds trigger
// one discovery refresh (e.g. right after a CRD was created).
func (c *Cluster) ResourceFor(ctx context.Context, apiVersion, kind string) (Resource, error) {
	gvk := ParseGVK(apiVersion, kind)
	lookup := func() (Resource, bool) {
		c.discoMu.Lock()
		defer c.discoMu.Unlock()
		r, ok := c.resources[gvk]
		return r, ok
	}
	if r, ok := lookup(); ok {
		return r, nil
	}
	if err := c.Discover(ctx); err != nil {
		return Resource{}, err
	}
	if r, ok := lookup(); ok {
		return r, nil
	}
	return Resource{}, fmt.Errorf("%w: %s", errNoResource, gvk)
}

func (c *Cluster) getJSON(ctx context.Context, path string, into any) error {
	body, _, err := c.Do(ctx, http.MethodGet, path, nil, "")
	if err != nil {
		return err
	}
	return json.Unmarshal(body, into)
}

// ResourcePath returns the REST path of a named object ("" name: the collection).
// namespace is ignored for cluster-scoped resources and defaults to "default"
// for namespaced ones.
func (c *Cluster) ResourcePath(ctx context.Context, apiVersion, kind, namespace, name string) (string, error) {
	r, err := c.ResourceFor(ctx, apiVersion, kind)
	if err != nil {
		return "", err
	}
	p := "/apis/" + r.APIVersion()
	if r.Group == "" {
		p = "/api/" + r.Version
	}
	if r.Namespaced {
		if namespace == "" {
			namespace = "default"
		}
		p += "/namespaces/" + url.PathEscape(namespace)
	}
	p += "/" + r.Plural
	if name != "" {
		p += "/" + url.PathEscape(name)
	}
	return p, nil
}

// ------------------------------------------------------------------ objects

type objectMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name         string `json:"name"`
		GenerateName string `json:"generateName"`
		Namespace    string `json:"namespace"`
	} `json:"metadata"`
}

// ToJSON converts one YAML or JSON object to JSON.
func ToJSON(obj []byte) ([]byte, error) {
	j, err := yaml.YAMLToJSON(obj)
	if err != nil {
		return nil, fmt.Errorf("object is neither JSON nor YAML: %w", err)
	}
	return j, nil
}

func parseObject(obj []byte) ([]byte, objectMeta, error) {
	var m objectMeta
	j, err := ToJSON(obj)
	if err != nil {
		return nil, m, err
	}
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, m, fmt.Errorf("object is not a Kubernetes object: %w", err)
	}
	if m.APIVersion == "" || m.Kind == "" {
		return nil, m, errors.New("object has no apiVersion/kind")
	}
	return j, m, nil
}

// Apply performs a server-side apply (PATCH application/apply-patch+yaml with
// fieldValidation=Strict and force=true; dryRun=All when opts.DryRun) of one
// YAML or JSON object. It returns the server's response body and Warning
// header texts (e.g. `would violate PodSecurity ...`). A rejection yields a
// *StatusError carrying the apiserver's message.
func (c *Cluster) Apply(ctx context.Context, obj []byte, opts ApplyOptions) (body []byte, warnings []string, err error) {
	j, m, err := parseObject(obj)
	if err != nil {
		return nil, nil, err
	}
	if m.Metadata.Name == "" {
		return nil, nil, fmt.Errorf("apply %s: metadata.name is required", m.Kind)
	}
	path, err := c.ResourcePath(ctx, m.APIVersion, m.Kind, m.Metadata.Namespace, m.Metadata.Name)
	if err != nil {
		return nil, nil, err
	}
	fm := opts.FieldManager
	if fm == "" {
		fm = DefaultFieldManager
	}
	q := url.Values{"fieldManager": {fm}, "fieldValidation": {"Strict"}, "force": {"true"}}
	if opts.DryRun {
		q.Set("dryRun", "All")
	}
	resp, err := c.do(ctx, http.MethodPatch, path, j, "application/apply-patch+yaml", q)
	if err != nil {
		return nil, nil, err
	}
	return resp.body, resp.warnings, statusError(http.MethodPatch, path, resp)
}

// Create POSTs one YAML or JSON object (fieldValidation=Strict; dryRun=All
// when dryRun). metadata.generateName is honoured.
func (c *Cluster) Create(ctx context.Context, obj []byte, dryRun bool) (body []byte, warnings []string, err error) {
	j, m, err := parseObject(obj)
	if err != nil {
		return nil, nil, err
	}
	path, err := c.ResourcePath(ctx, m.APIVersion, m.Kind, m.Metadata.Namespace, "")
	if err != nil {
		return nil, nil, err
	}
	q := url.Values{"fieldValidation": {"Strict"}, "fieldManager": {DefaultFieldManager}}
	if dryRun {
		q.Set("dryRun", "All")
	}
	resp, err := c.do(ctx, http.MethodPost, path, j, "application/json", q)
	if err != nil {
		return nil, nil, err
	}
	return resp.body, resp.warnings, statusError(http.MethodPost, path, resp)
}

// Get returns the JSON of one object.
func (c *Cluster) Get(ctx context.Context, apiVersion, kind, namespace, name string) ([]byte, error) {
	path, err := c.ResourcePath(ctx, apiVersion, kind, namespace, name)
	if err != nil {
		return nil, err
	}
	body, _, err := c.Do(ctx, http.MethodGet, path, nil, "")
	return body, err
}

// Delete deletes one object with background propagation (there is no
// garbage collector in a test cluster, so foreground deletion would leave the
// object behind with a finalizer). A missing object is reported as an error
// that satisfies IsNotFound.
func (c *Cluster) Delete(ctx context.Context, apiVersion, kind, namespace, name string) error {
	path, err := c.ResourcePath(ctx, apiVersion, kind, namespace, name)
	if err != nil {
		return err
	}
	opts := []byte(`{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"}`)
	_, _, err = c.Do(ctx, http.MethodDelete, path, opts, "application/json")
	return err
}

// ServiceAccountUser returns the user name and groups the apiserver assigns
// to a ServiceAccount token, for SubjectAccessReview.
func ServiceAccountUser(namespace, name string) (user string, groups []string) {
	return "system:serviceaccount:" + namespace + ":" + name,
		[]string{"system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"}
}

// SubjectAccessReview asks the apiserver's authorizer (RBAC) whether user
// with groups may perform verb on group/resource in namespace ("" for
// cluster scope). reason is the authorizer's explanation (RBAC usually gives
// one only when allowing); an evaluation error is appended to it.
func (c *Cluster) SubjectAccessReview(ctx context.Context, user string, groups []string, verb, group, resource, namespace string) (allowed bool, reason string, err error) {
	type resourceAttributes struct {
		Namespace string `json:"namespace,omitempty"`
		Verb      string `json:"verb"`
		Group     string `json:"group"`
		Resource  string `json:"resource"`
	}
	req := map[string]any{
		"apiVersion": "authorization.k8s.io/v1",
		"kind":       "SubjectAccessReview",
		"spec": map[string]any{
			"user":   user,
			"groups": groups,
			"resourceAttributes": resourceAttributes{
				Namespace: namespace, Verb: verb, Group: group, Resource: resource,
			},
		},
	}
	data, err := json.Marshal(req)
	if err != nil {
		return false, "", err
	}
	body, _, err := c.Do(ctx, http.MethodPost, "/apis/authorization.k8s.io/v1/subjectaccessreviews", data, "application/json")
	if err != nil {
		return false, "", err
	}
	var out struct {
		Status struct {
			Allowed         bool   `json:"allowed"`
			Denied          bool   `json:"denied"`
			Reason          string `json:"reason"`
			EvaluationError string `json:"evaluationError"`
		} `json:"status"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return false, "", err
	}
	reason = out.Status.Reason
	if out.Status.EvaluationError != "" {
		reason = strings.TrimSpace(reason + " (evaluation error: " + out.Status.EvaluationError + ")")
	}
	return out.Status.Allowed, reason, nil
}

// ObjectRef names one object.
type ObjectRef struct {
	GroupVersionKind
	Namespace, Name string
}

func (r ObjectRef) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// ListAll lists the objects of every listable kind, in every namespace, that match a label
// selector (discovering afresh first). An object served under several versions of its group
// is listed once per version.
func (c *Cluster) ListAll(ctx context.Context, labelSelector string) ([]ObjectRef, error) {
	if err := c.Discover(ctx); err != nil {
		return nil, err
	}
	resources, err := c.Resources(ctx)
	if err != nil {
		return nil, err
	}
	var out []ObjectRef
	for _, r := range resources {
		if !slices.Contains(r.Verbs, "list") {
			continue
		}
		p := "/apis/" + r.APIVersion()
		if r.Group == "" {
			p = "/api/" + r.Version
		}
		var list struct {
			Items []struct {
				Metadata struct{ Namespace, Name string } `json:"metadata"`
			} `json:"items"`
		}
		resp, err := c.do(ctx, http.MethodGet, p+"/"+r.Plural, nil, "", url.Values{"labelSelector": {labelSelector}})
		if err == nil {
			err = statusError(http.MethodGet, p, resp)
		}
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", r.Plural, err)
		}
		if err := json.Unmarshal(resp.body, &list); err != nil {
			return nil, fmt.Errorf("list %s: %w", r.Plural, err)
		}
		for _, it := range list.Items {
			out = append(out, ObjectRef{GroupVersionKind: r.GroupVersionKind, Namespace: it.Metadata.Namespace, Name: it.Metadata.Name})
		}
	}
	return out, nil
}
