package lbcontroller

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Service annotations of the AWS Load Balancer Controller (docs/guide/service/annotations.md
// of the pinned release).
const (
	annotationPrefix = "service.beta.kubernetes.io/aws-load-balancer-"
	// AnnotationName fixes the NLB's name, so the stack can find it (and its metrics).
	AnnotationName   = annotationPrefix + "name"
	AnnotationScheme = annotationPrefix + "scheme"
)

// Health-check settings of the NLB's target groups; ingestdns derives the failover window
// from them.
const (
	HealthCheckInterval           = 10 // seconds between checks of one target
	HealthCheckHealthyThreshold   = 2
	HealthCheckUnhealthyThreshold = 2
	HealthCheckTimeout            = 5
)

// NLB describes a Network Load Balancer for a LoadBalancer Service.
type NLB struct {
	// Name of the load balancer (at most 32 characters).
	Name string
	// Internal keeps it on private addresses; otherwise it is internet-facing.
	Internal bool
	// HealthCheckPort and HealthCheckPath: every target group checks the pods over HTTP
	// there (the collector's health_check extension).
	HealthCheckPort int
	HealthCheckPath string
	// Tags are added to the load balancer, its target groups and security group. Tags
	// whose key or value holds ',' or '=' cannot be written in the annotation and are left
	// out.
	Tags map[string]string
}

// Scheme is the NLB's scheme annotation value.
func (n NLB) Scheme() string {
	if n.Internal {
		return "internal"
	}
	return "internet-facing"
}

// ServiceAnnotations turn a LoadBalancer Service into an NLB with pod (ip) targets, owned by
// the controller (type external: the in-tree cloud provider leaves it alone), with an HTTP
// health check of every target on the given port and path, and cross-zone balancing.
func ServiceAnnotations(n NLB) (map[string]string, error) {
	switch {
	case n.Name == "" || len(n.Name) > 32:
		return nil, fmt.Errorf("NLB name %q: give 1 to 32 characters", n.Name)
	case n.HealthCheckPort <= 0 || n.HealthCheckPath == "":
		return nil, fmt.Errorf("NLB %s: HealthCheckPort and HealthCheckPath are required", n.Name)
	}
	a := map[string]string{
		annotationPrefix + "type":                            "external",
		annotationPrefix + "nlb-target-type":                 "ip",
		AnnotationScheme:                                     n.Scheme(),
		AnnotationName:                                       n.Name,
		annotationPrefix + "healthcheck-protocol":            "http",
		annotationPrefix + "healthcheck-port":                strconv.Itoa(n.HealthCheckPort),
		annotationPrefix + "healthcheck-path":                n.HealthCheckPath,
		annotationPrefix + "healthcheck-interval":            strconv.Itoa(HealthCheckInterval),
		annotationPrefix + "healthcheck-timeout":             strconv.Itoa(HealthCheckTimeout),
		annotationPrefix + "healthcheck-healthy-threshold":   strconv.Itoa(HealthCheckHealthyThreshold),
		annotationPrefix + "healthcheck-unhealthy-threshold": strconv.Itoa(HealthCheckUnhealthyThreshold),
		annotationPrefix + "healthcheck-success-codes":       "200",
		annotationPrefix + "attributes":                      "load_balancing.cross_zone.enabled=true",
		// Gateways drain their queues on SIGTERM; 30 s covers the connections' last batches.
		annotationPrefix + "target-group-attributes": "deregistration_delay.timeout_seconds=30",
	}
	if tags := tagList(n.Tags); tags != "" {
		a[annotationPrefix+"additional-resource-tags"] = tags
	}
	return a, nil
}

func tagList(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	for k, v := range tags {
		if !strings.ContainsAny(k, ",=") && !strings.ContainsAny(v, ",=") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = k + "=" + tags[k]
	}
	return strings.Join(pairs, ",")
}

// TargetGroupResourceTag is the tag the controller gives each target group of a Service
// ("service.k8s.aws/resource": "<namespace>/<service>:<port>"), by which the stack finds the
// target group of one port.
const TargetGroupResourceTag = "service.k8s.aws/resource"

// TargetGroupResource is the TargetGroupResourceTag value of a Service port's target group.
func TargetGroupResource(namespace, service string, port int) string {
	return fmt.Sprintf("%s/%s:%d", namespace, service, port)
}
