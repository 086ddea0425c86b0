package collector

// HealthCheckExtension serves the liveness/readiness endpoint probes call.
type HealthCheckExtension struct {
	Endpoint string `json:"endpoint"`
	Path     string `json:"path,omitempty"`
}

func (HealthCheckExtension) Type() string { return TypeHealthCheck }

// Endpoints lists the addresses the extension listens on.
func (e HealthCheckExtension) Endpoints() []string { return []string{e.Endpoint} }

// PProfExtension serves Go profiles.
type PProfExtension struct {
	Endpoint string `json:"endpoint"`
}

func (PProfExtension) Type() string { return TypePProf }

// Endpoints lists the addresses the extension listens on.
func (e PProfExtension) Endpoints() []string { return []string{e.Endpoint} }

// ZPagesExtension serves live debugging pages.
type ZPagesExtension struct {
	Endpoint string `json:"endpoint"`
}

func (ZPagesExtension) Type() string { return TypeZPages }

// Endpoints lists the addresses the extension listens on.
func (e ZPagesExtension) Endpoints() []string { return []string{e.Endpoint} }

// FileStorageExtension persists sending queues (and receiver offsets) on disk.
type FileStorageExtension struct {
	Directory       string `json:"directory"`
	Timeout         string `json:"timeout,omitempty"`
	CreateDirectory bool   `json:"create_directory,omitempty"`
}

func (FileStorageExtension) Type() string { return TypeFileStorage }
