package fsutil

import "time"

// retryFor bounds how long Retry keeps trying.
const retryFor = 2 * time.Second

// Retry runs op until it succeeds or fails for a reason other than
// another process holding the file: on Windows a file open elsewhere
// cannot be replaced (ERROR_ACCESS_DENIED) and one being replaced cannot
// be opened (ERROR_SHARING_VIOLATION) for a moment, where Unix lets both
// happen at once. Elsewhere op runs once. It gives up after two seconds
// with op's last error (the approach of the go command's robustio).
func Retry(op func() error) error {
	var (
		err   error
		start time.Time
		wait  = time.Millisecond
	)
	for {
		err = op()
		if err == nil || !isTransientLock(err) {
			return err
		}
		if start.IsZero() {
			start = time.Now()
		} else if time.Since(start) > retryFor {
			return err
		}
		time.Sleep(wait)
		wait = min(wait*2, 100*time.Millisecond)
	}
}
