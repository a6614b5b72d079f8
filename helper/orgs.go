package helper

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/internal/safetext"
	"github.com/authwrap/authwrap/internal/term"
)

// organizationSelector is what an Authenticator needs to complete a
// sign-in the server answered with organization_selection_required;
// *flow.Client has it.
type organizationSelector interface {
	SelectOrganization(ctx context.Context, pending flow.Secret, organizationID string) (*flow.Token, error)
}

// OrganizationChooser is a Prompter that can ask the person which
// organization to sign in to, when the user belongs to several and the
// profile names none. ChooseOrganization returns one of offered, an error
// that ends the sign-in (the context's cause when interrupted), or
// ErrCannotChoose when no one can be asked.
type OrganizationChooser interface {
	ChooseOrganization(ctx context.Context, p Profile, offered []flow.Organization) (flow.Organization, error)
}

// ErrCannotChoose is returned by an OrganizationChooser that has no one
// to ask (no terminal); the sign-in then fails with an
// *OrganizationChoiceError.
var ErrCannotChoose = errors.New("no one to ask which organization")

// OrganizationChoiceError means a sign-in stopped at the choice of
// organization: the profile named none and no one could be asked, or it
// named one the server did not offer. Nothing was stored. It is
// flow.ErrOrganizationSelection (errors.Is).
type OrganizationChoiceError struct {
	// Profile is the profile signing in.
	Profile string
	// Wanted is the organization asked for, or "" when none was.
	Wanted string
	// Offered are the organizations the user may choose.
	Offered []flow.Organization
}

// Error says why no organization was chosen, on one line; Choices lists
// the organizations (a program says how to choose one: authwrap names
// login --organization).
func (e *OrganizationChoiceError) Error() string {
	if e.Wanted != "" {
		return fmt.Sprintf("organization %s is not one the server offers this user (by ID, or by a name only one has); nothing was stored", safetext.Inert(e.Wanted))
	}
	return "the user belongs to several organizations and none was chosen; nothing was stored"
}

// Choices lists the offered organizations, one entry each: the name, two
// spaces, then the ID ("(no name)" when the server gave none), with
// control characters made inert.
func (e *OrganizationChoiceError) Choices() []string {
	var lines []string
	for _, o := range e.Offered {
		lines = append(lines, fmt.Sprintf("%s  %s", safetext.Inert(cmp.Or(o.Name, "(no name)")), safetext.Inert(o.ID)))
	}
	return lines
}

// Unwrap makes it flow.ErrOrganizationSelection.
func (e *OrganizationChoiceError) Unwrap() error { return flow.ErrOrganizationSelection }

// SignInStepError means the server wants one more step of the person
// before the sign-in completes (verify the email address, set up or
// answer MFA, use the organization's SSO), which authwrap cannot take for
// them. Nothing was stored. It unwraps to the server's *flow.Error.
type SignInStepError struct {
	// Code is the server's code (email_verification_required, ...).
	Code string
	// Message is the server's message.
	Message string
	// Email is the address concerned, when the server said.
	Email string
	// Err is the server's answer.
	Err error
}

// Error says what the server requires and what to do.
func (e *SignInStepError) Error() string {
	who := "your account"
	if e.Email != "" {
		who = safetext.Inert(e.Email)
	}
	var what string
	switch e.Code {
	case "email_verification_required":
		what = fmt.Sprintf("the app requires a verified email address and %s is not verified yet: verify it (with the code WorkOS emailed, on the sign-in page), then sign in again", who)
	case "mfa_enrollment":
		what = "the app requires multi-factor authentication and none is set up: sign in to the app once in a browser to set it up, then sign in again"
	case "mfa_challenge":
		what = "the sign-in needs your second factor: complete it on the sign-in page in the browser, then sign in again"
	case "sso_required":
		what = fmt.Sprintf("the organization of %s requires its single sign-on: choose it on the sign-in page in the browser, then sign in again", who)
	case "organization_authentication_methods_required":
		what = "your organization does not allow the way you signed in: use a method it allows (its administrator can say which), then sign in again"
	default:
		what = fmt.Sprintf("the server requires another step (%s): finish signing in in a browser, or ask the app's administrator", safetext.Inert(e.Code))
	}
	if m := strings.TrimSpace(e.Message); m != "" {
		what += " (the server said: " + safetext.Inert(m) + ")"
	}
	return what + "; nothing was stored"
}

// Unwrap returns the server's answer.
func (e *SignInStepError) Unwrap() error { return e.Err }

// ChooseOrganization implements OrganizationChooser: a numbered menu on
// Out, read from Input (the terminal); with no Input it returns
// ErrCannotChoose. An answer that is not one of the numbers asks again;
// there is no default. The context ending (Ctrl-C) ends the wait at once
// with its cause (Ask).
func (t *TerminalPrompter) ChooseOrganization(ctx context.Context, p Profile, offered []flow.Organization) (flow.Organization, error) {
	if t.Input == nil || len(offered) == 0 {
		return flow.Organization{}, ErrCannotChoose
	}
	w := t.Out
	fmt.Fprintf(w, t.prefix()+"you belong to several organizations; choose the one to sign in to for profile %q:\n", p.Name)
	for i, o := range offered {
		fmt.Fprintf(w, "  %d) %s  %s\n", i+1, safetext.Inert(cmp.Or(o.Name, "(no name)")), safetext.Inert(o.ID))
	}
	for {
		line, err := term.Ask(ctx, t.Input, w, fmt.Sprintf("%sorganization (1-%d): ", t.prefix(), len(offered)))
		if err != nil {
			fmt.Fprintln(w)
			if ctx.Err() != nil {
				return flow.Organization{}, err
			}
			return flow.Organization{}, fmt.Errorf("reading the organization choice: %w", err)
		}
		n, err := strconv.Atoi(strings.TrimSpace(line))
		if err == nil && n >= 1 && n <= len(offered) {
			return offered[n-1], nil
		}
		// A name (or ID) one of them has, typed instead of its number.
		if id, err := resolveOrganization(offered, strings.TrimSpace(line)); err == nil {
			if o, ok := matchOrganization(offered, id); ok {
				return o, nil
			}
		}
		fmt.Fprintf(w, t.prefix()+"type a number from 1 to %d, or an organization's name (Ctrl-C to cancel)\n", len(offered))
	}
}
