package fleetca

import (
	"fmt"
	"time"
)

// Window is a leaf certificate's validity.
type Window struct {
	NotBefore, NotAfter time.Time
}

// WindowAt is the validity of the certificate a deployment at now issues, for certificates
// that live duration and are renewed renewBefore ahead of expiry (the same timing as the
// cert-manager certificates). Time is cut into periods of duration-renewBefore from the Unix
// epoch; every deployment within one period issues the same certificate (no diff), and the
// first deployment in the next period issues the next one. A certificate issued in a
// period stays valid renewBefore past the period's end: that is how long a deployment may be
// late (README: the scheduled deploy). NotBefore is an hour early for clock skew.
func WindowAt(now time.Time, duration, renewBefore time.Duration) (Window, error) {
	period := duration - renewBefore
	if duration <= 0 || renewBefore <= 0 || period < time.Hour {
		return Window{}, fmt.Errorf("certificate timing: duration %s and renewBefore %s leave a renewal period under 1h", duration, renewBefore)
	}
	start := time.Unix(0, 0).Add(now.Sub(time.Unix(0, 0)).Truncate(period)).UTC()
	return Window{NotBefore: start.Add(-time.Hour), NotAfter: start.Add(duration)}, nil
}

// RenewBy is when the next deployment must have run for the certificate of w to be replaced
// before it expires: the end of its period.
func (w Window) RenewBy(renewBefore time.Duration) time.Time {
	return w.NotAfter.Add(-renewBefore)
}
