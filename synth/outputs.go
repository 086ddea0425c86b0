package synth

import (
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// outputWait bounds how long an export may take to resolve under mocks; an export that
// never resolves (unknown) is written as "[unknown]".
const outputWait = 10 * time.Second

// withOutputs wraps a program so that, once it has registered everything, its exports are
// resolved into outputs: plain values, secrets replaced by the placeholder.
func withOutputs(program pulumi.RunFunc, outputs map[string]any) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		if err := program(ctx); err != nil {
			return err
		}
		var mu sync.Mutex
		for name, in := range ctx.GetCurrentExportMap() {
			out := pulumi.ToOutput(in)
			done := make(chan struct{})
			out.ApplyT(func(v any) any {
				mu.Lock()
				outputs[name] = v
				mu.Unlock()
				close(done)
				return nil
			})
			select {
			case <-done:
				if pulumi.IsSecret(out) {
					mu.Lock()
					outputs[name] = secretPlaceholder
					mu.Unlock()
				}
			case <-time.After(outputWait):
				mu.Lock()
				outputs[name] = "[unknown]"
				mu.Unlock()
			}
		}
		return nil
	}
}
