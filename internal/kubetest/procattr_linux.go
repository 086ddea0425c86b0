//go:build linux

package kubetest

import "syscall"

// Children die with the test binary even if it is killed (e.g. on timeout).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
