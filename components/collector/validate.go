package collector

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Endpointed is a component that listens on network addresses.
type Endpointed interface{ Endpoints() []string }

// Signaled is a component that only supports some signals.
type Signaled interface{ Signals() []string }

// ExtensionUser is a component that needs extensions (storage, authenticators).
type ExtensionUser interface{ ExtensionRefs() []string }

// Validate reports, in one error with a line per problem, what the collector would reject
// at start-up: pipelines that are empty or name undefined components, a memory_limiter
// that is not first, components in pipelines of signals they do not support, extensions
// that are used but not enabled, ids whose type does not match their component, and two
// listeners on one port.
func (c *Config) Validate() error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	for _, sec := range c.sections() {
		for _, id := range sortedKeys(sec.components) {
			comp := sec.components[id]
			if comp == nil {
				bad("%s %q has no configuration", sec.kind, id)
				continue
			}
			if TypeOf(id) != comp.Type() {
				bad("%s %q is configured as a %q component; name it %q or %q", sec.kind, id, comp.Type(), comp.Type(), comp.Type()+"/<name>")
			}
		}
	}

	if len(c.Service.Pipelines) == 0 {
		bad("service has no pipelines: add at least one of traces, metrics or logs")
	}
	for _, name := range sortedKeys(c.Service.Pipelines) {
		p := c.Service.Pipelines[name]
		signal := TypeOf(name)
		if !slices.Contains([]string{Traces, Metrics, Logs}, signal) {
			bad("pipeline %q: the part before '/' must be traces, metrics or logs", name)
			continue
		}
		if len(p.Receivers) == 0 {
			bad("pipeline %q has no receivers: it would never get data", name)
		}
		if len(p.Exporters) == 0 {
			bad("pipeline %q has no exporters: its data would go nowhere", name)
		}
		c.checkRefs(bad, name, signal, "receiver", p.Receivers, c.Receivers, c.Connectors)
		c.checkRefs(bad, name, signal, "processor", p.Processors, c.Processors, nil)
		c.checkRefs(bad, name, signal, "exporter", p.Exporters, c.Exporters, c.Connectors)
		for i, id := range p.Processors {
			if TypeOf(id) == TypeMemoryLimiter && i != 0 {
				bad("pipeline %q: processor %q must come first (it is number %d), so data is refused before other processors spend memory on it", name, id, i+1)
			}
		}
		if dup := duplicate(p.Processors); dup != "" {
			bad("pipeline %q lists processor %q twice", name, dup)
		}
	}

	for _, id := range c.Service.Extensions {
		if _, ok := c.Extensions[id]; !ok {
			bad("service.extensions names %q, which is not defined under extensions", id)
		}
	}
	for _, sec := range c.sections() {
		for _, id := range sortedKeys(sec.components) {
			if user, ok := sec.components[id].(ExtensionUser); ok {
				for _, ext := range user.ExtensionRefs() {
					if _, defined := c.Extensions[ext]; !defined || !slices.Contains(c.Service.Extensions, ext) {
						bad("%s %q uses extension %q, which must be defined under extensions and enabled in service.extensions", sec.kind, id, ext)
					}
				}
			}
		}
	}

	problems = append(problems, c.portClashes()...)
	if len(problems) > 0 {
		return errors.New("invalid collector configuration:\n  - " + strings.Join(problems, "\n  - "))
	}
	return nil
}

type section struct {
	kind       string
	components map[string]Component
}

func (c *Config) sections() []section {
	return []section{
		{"receiver", c.Receivers}, {"processor", c.Processors}, {"exporter", c.Exporters},
		{"connector", c.Connectors}, {"extension", c.Extensions},
	}
}

func (c *Config) checkRefs(bad func(string, ...any), pipeline, signal, kind string, ids []string, defined, connectors map[string]Component) {
	for _, id := range ids {
		comp, ok := defined[id]
		if !ok {
			comp, ok = connectors[id]
		}
		if !ok {
			bad("pipeline %q uses %s %q, which is not defined under %ss", pipeline, kind, id, kind)
			continue
		}
		if s, ok := comp.(Signaled); ok && !slices.Contains(s.Signals(), signal) {
			bad("pipeline %q uses %s %q, which does not support %s (it supports %s)", pipeline, kind, id, signal, strings.Join(s.Signals(), ", "))
		}
	}
}

// portClashes finds two listeners on one port. Hosts are not compared: 0.0.0.0 overlaps
// every address, and a config that is only clash-free on some hosts is a trap.
func (c *Config) portClashes() []string {
	owners := map[int][]string{}
	add := func(owner, endpoint string) {
		_, portText, err := net.SplitHostPort(endpoint)
		if err != nil {
			return
		}
		if port, err := strconv.Atoi(portText); err == nil {
			owners[port] = append(owners[port], owner)
		}
	}
	for _, sec := range []section{{"receiver", c.Receivers}, {"extension", c.Extensions}} {
		for _, id := range sortedKeys(sec.components) {
			if e, ok := sec.components[id].(Endpointed); ok {
				for _, ep := range e.Endpoints() {
					add(fmt.Sprintf("%s %q", sec.kind, id), ep)
				}
			}
		}
	}
	for _, r := range c.Service.Telemetry.Metrics.Readers {
		if r.Pull != nil && r.Pull.Exporter.Prometheus != nil {
			p := r.Pull.Exporter.Prometheus
			add("service.telemetry metrics", net.JoinHostPort(p.Host, strconv.Itoa(p.Port)))
		}
	}
	var out []string
	for _, port := range sortedKeys(owners) {
		if len(owners[port]) > 1 {
			out = append(out, fmt.Sprintf("port %d is used by %s: each listener needs its own port", port, strings.Join(owners[port], " and ")))
		}
	}
	return out
}

func duplicate(ids []string) string {
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return id
		}
		seen[id] = true
	}
	return ""
}

func sortedKeys[K int | string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
