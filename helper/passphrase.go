package helper

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/99designs/keyring"

	"github.com/authwrap/authwrap/internal/term"
)

// passphraseTries is how many passphrases a person may type at the
// terminal to unlock the file keyring before the command fails.
const passphraseTries = 3

// unlockPrompt starts what the keyring library asks for the passphrase
// of an existing file keyring, followed by its directory, quoted.
const unlockPrompt = "Enter passphrase to unlock "

// askPassphrase asks on c for the file keyring's passphrase; prompt is
// what the keyring asks. Every prompt names the keyring's directory the
// same way. A keyring being created (creatingPrompt) gets it twice
// (ErrPassphraseMismatch when they differ); an existing one up to
// passphraseTries times, each checked against a stored item, and a wrong
// one is said before the next try (ErrWrongPassphrase after the last).
// Nothing typed is errEmptyPassphrase; Ctrl-C a *SignalError.
func askPassphrase(c *term.Console, app, prompt string) (string, error) {
	ask := func(q string) (string, error) {
		pw, err := term.ReadHidden(c, app+": "+q+": ")
		fmt.Fprintln(c.Out) // the Enter was not echoed
		if err == nil && pw == "" {
			err = errEmptyPassphrase
		}
		return pw, err
	}
	if strings.HasPrefix(prompt, creatingPrompt) {
		pw, err := ask(prompt + "; choose a passphrase")
		if err != nil {
			return "", err
		}
		again, err := ask("the same passphrase again")
		switch {
		case errors.Is(err, errEmptyPassphrase), err == nil && again != pw:
			return "", ErrPassphraseMismatch
		case err != nil:
			return "", err
		}
		return pw, nil
	}
	quoted, ok := strings.CutPrefix(prompt, unlockPrompt)
	dir, err := strconv.Unquote(quoted)
	if !ok || err != nil {
		// Not the prompt known here: asked once, checked by the keyring.
		return ask(prompt)
	}
	for try := 1; ; try++ {
		pw, err := ask("passphrase to unlock the file keyring in " + dir)
		if err != nil || !errors.Is(checkPassphrase(dir, pw), ErrWrongPassphrase) {
			return pw, err
		}
		if try == passphraseTries {
			return "", ErrWrongPassphrase
		}
		fmt.Fprintf(c.Out, "%s: that passphrase does not open the file keyring; try again (%d left)\n", app, passphraseTries-try)
	}
}

// checkPassphrase opens authwrap's first item in the file keyring in dir
// with pw, as the store does when it opens the keyring: classify's
// ErrWrongPassphrase when pw does not decrypt it, nil when it does or
// there is no item to try.
func checkPassphrase(dir, pw string) error {
	ring, err := keyring.Open(keyring.Config{AllowedBackends: []keyring.BackendType{keyring.FileBackend},
		FileDir: dir, FilePasswordFunc: keyring.FixedStringPrompt(pw)})
	if err != nil {
		return err
	}
	keys, err := ring.Keys()
	if err != nil {
		return err
	}
	for _, k := range keys {
		if strings.HasPrefix(k, itemKey("")) {
			_, err := ring.Get(k)
			return classify(err)
		}
	}
	return nil
}
