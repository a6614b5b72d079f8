package main

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/config"
	"github.com/authwrap/authwrap/internal/safetext"
)

// ConfigCmd reads and writes the configuration file, as `git config` and
// `gh config` do: the profile's settings (--profile, else the default
// profile) and the global ones.
type ConfigCmd struct {
	Set   ConfigSetCmd   `cmd:"" help:"Save a setting: the profile's (created when missing), or a global one."`
	Get   ConfigGetCmd   `cmd:"" help:"Print a setting's value (exit 1 when it is not set)."`
	Unset ConfigUnsetCmd `cmd:"" help:"Remove a setting."`
	List  ConfigListCmd  `cmd:"" help:"Print the settings, KEY=VALUE, one per line."`
	Path  ConfigPathCmd  `cmd:"" help:"Print the configuration file's path."`
}

// configKeysHelp lists the keys for the commands' help.
func configKeysHelp() string {
	var b strings.Builder
	for _, s := range config.Keys {
		fmt.Fprintf(&b, "\n  %-16s %s", s.Key, s.What)
	}
	return b.String()
}

// ConfigSetCmd saves a setting.
type ConfigSetCmd struct {
	Key   string `arg:"" help:"The setting (see authwrap config list --help)."`
	Value string `arg:"" help:"Its value: lists (scopes, hosts) separated by spaces or commas."`
}

// Help lists the settings.
func (c *ConfigSetCmd) Help() string { return "Settings:" + configKeysHelp() }

// configProfile is the profile config edits: --profile, else the file's
// default, else "default".
func (g *Globals) configProfile(cfg *config.Config) string {
	return cmp.Or(g.Profile, cfg.DefaultProfile, helper.DefaultProfile)
}

// Run saves the setting.
func (c *ConfigSetCmd) Run(g *Globals) error {
	g.mayCreateConfig = true
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	s, err := config.FindSetting(c.Key)
	if err != nil {
		return err
	}
	profile := g.configProfile(cfg)
	changed, err := config.Set(g.configPath(), profile, c.Key, c.Value)
	if err != nil {
		return err
	}
	where := "profile " + profile
	if s.Global {
		where = "the global settings"
	}
	if !changed {
		fmt.Fprintf(g.stderr, "authwrap: %s already had %s = %s (%s)\n", where, c.Key, safetext.Inert(c.Value), g.configPath())
		return nil
	}
	fmt.Fprintf(g.stderr, "authwrap: saved %s = %s in %s (%s)\n", c.Key, safetext.Inert(c.Value), where, g.configPath())
	g.keepWarmChanged(c.Key, profile)
	return nil
}

// ConfigGetCmd prints a setting.
type ConfigGetCmd struct {
	Key string `arg:"" help:"The setting."`
}

// errNotSet is config get's exit 1 for a setting that is not set.
var errNotSet = errors.New("not set")

// Run prints the value.
func (c *ConfigGetCmd) Run(g *Globals) error {
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	v, ok, err := cfg.Get(g.configProfile(cfg), c.Key)
	if err != nil {
		return err
	}
	if !ok {
		return &exitError{code: 1, err: errNotSet, quiet: true}
	}
	_, err = fmt.Fprintln(g.stdout, v)
	return err
}

// ConfigUnsetCmd removes a setting.
type ConfigUnsetCmd struct {
	Key string `arg:"" help:"The setting."`
}

// Run removes it.
func (c *ConfigUnsetCmd) Run(g *Globals) error {
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	profile := g.configProfile(cfg)
	changed, err := config.Unset(g.configPath(), profile, c.Key)
	if err != nil {
		return err
	}
	where := "profile " + profile
	if s, err := config.FindSetting(c.Key); err == nil && s.Global {
		where = "the global settings"
	}
	if !changed {
		fmt.Fprintf(g.stderr, "authwrap: %s was not set in %s (%s)\n", c.Key, where, g.configPath())
		return nil
	}
	fmt.Fprintf(g.stderr, "authwrap: removed %s from %s (%s)\n", c.Key, where, g.configPath())
	g.keepWarmChanged(c.Key, profile)
	return nil
}

// ConfigListCmd prints the settings.
type ConfigListCmd struct{}

// Help lists the settings.
func (c *ConfigListCmd) Help() string {
	return "With --profile, that profile's settings; else the global ones and every profile's, as profiles.NAME.KEY=VALUE.\n\nSettings:" + configKeysHelp()
}

// Run prints KEY=VALUE lines.
func (c *ConfigListCmd) Run(g *Globals) error {
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	print := func(prefix, profile string, global bool) {
		for _, s := range config.Keys {
			if s.Global != global {
				continue
			}
			if v, ok, _ := cfg.Get(profile, s.Key); ok {
				fmt.Fprintf(g.stdout, "%s%s=%s\n", prefix, s.Key, safetext.Inert(v))
			}
		}
	}
	if g.Profile != "" {
		print("", g.Profile, false)
		return nil
	}
	print("", "", true)
	for _, e := range cfg.Entries("") {
		print("profiles."+e.Name+".", e.Name, false)
	}
	return nil
}

// ConfigPathCmd prints the file's path.
type ConfigPathCmd struct{}

// Run prints it.
func (c *ConfigPathCmd) Run(g *Globals) error {
	_, err := fmt.Fprintln(g.stdout, g.configPath())
	return err
}
