package helper

import (
	"errors"

	"github.com/godbus/dbus"
)

// isLocked reports whether err is the secret service's IsLocked answer.
func isLocked(err error) bool {
	var de dbus.Error
	return errors.As(err, &de) && de.Name == "org.freedesktop.Secret.Error.IsLocked"
}
