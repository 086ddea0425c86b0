//go:build !linux

package otelcoltest

import (
	"os"
	"os/exec"
	"syscall"
)

func sysProcAttr() *syscall.SysProcAttr   { return nil }
func groupProcAttr() *syscall.SysProcAttr { return nil }

func signalGroup(cmd *exec.Cmd, kill bool) {
	if kill {
		_ = cmd.Process.Kill()
		return
	}
	_ = cmd.Process.Signal(os.Interrupt)
}

func terminate(cmd *exec.Cmd) { _ = cmd.Process.Signal(os.Interrupt) }
