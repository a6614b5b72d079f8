package main

// envVar is an environment variable authwrap reads, or sets for the
// commands it runs. This one list feeds the man page's ENVIRONMENT,
// docs/configuration.md's table (TestEnvironmentDocumented keeps them in step) and
// doctor's report of what is set.
type envVar struct {
	Name string
	// What it does, in one sentence.
	What string
	// Secret: its value is never shown, not even by doctor.
	Secret bool
	// Set: authwrap sets it for the command exec runs; it does not read it.
	Set bool
}

// environment lists every variable authwrap reads or sets.
var environment = []envVar{
	{Name: "AUTHWRAP_PROFILE", What: "the profile to use, as --profile"},
	{Name: "AUTHWRAP_CLIENT_ID", What: "the AuthKit client ID, as --client-id (used, never saved by setup)"},
	{Name: "AUTHWRAP_API_URL", What: "the WorkOS API URL, as --api-url (used, never saved by setup)"},
	{Name: "AUTHWRAP_ISSUER", What: "the issuer of a standard server, as --issuer (used, never saved by setup)"},
	{Name: "AUTHWRAP_CLIENT_SECRET", What: "the client secret of a WorkOS M2M application: makes the profile a machine identity that gets tokens with the client-credentials grant (CI); taken out of the environment at start, so no command authwrap runs inherits it", Secret: true},
	{Name: "AUTHWRAP_SCOPES", What: "the scopes for a standard server, as --scopes"},
	{Name: "AUTHWRAP_KEYRING_BACKEND", What: "the storage backend, as --keyring-backend"},
	{Name: "AUTHWRAP_CONFIG", What: "the configuration file, as --config"},
	{Name: "AUTHWRAP_CA_FILE", What: "extra CA certificates, as --ca-file"},
	{Name: "AUTHWRAP_VERBOSE", What: "log each request to the authorization server, as --verbose"},
	{Name: "AUTHWRAP_FILE_PASSPHRASE", What: "the file keyring's passphrase; taken out of the environment at start, so no command authwrap runs inherits it", Secret: true},
	{Name: "AUTHWRAP_FILE_DIR", What: "the file keyring's directory (default $XDG_DATA_HOME/authwrap/keyring)"},
	{Name: "AUTHWRAP_NO_PROMPT", What: "1: never sign in on demand; fail at once with the hint; no background refresher starts"},
	{Name: "AUTHWRAP_KEEP_WARM", What: "every profile's keep_warm: a duration (30m, 1h), or 0 to start no background refresher"},
	{Name: "CI", What: "set to anything but false or 0 (CI=true): as AUTHWRAP_NO_PROMPT=1"},
	{Name: "GIT_TERMINAL_PROMPT", What: "0: as AUTHWRAP_NO_PROMPT=1"},
	{Name: "AUTHWRAP_EXEC", What: "set by exec to the profile; exec inside it refuses the same profile without --allow-nested"},
	{Name: "AUTHWRAP_EXEC_TOKEN_VARS", What: "set by exec: the names of the variables holding the token (comma-separated), which a background refresher the command starts leaves out of its environment"},
	{Name: "AUTHWRAP_TOKEN", What: "set by exec: the access token (or the names given with --env)", Set: true},
	{Name: "AUTHWRAP_TOKEN_EXPIRES_AT", What: "set by exec: the token's expiry, RFC 3339", Set: true},
	{Name: "AUTHWRAP_TOKEN_SOCKET", What: "set by exec --serve: the Unix socket where the command gets fresh tokens (in a directory only this user may enter)", Set: true},
	{Name: "AUTHWRAP_TOKEN_URL", What: "set by exec --serve: the URL to ask for over that socket, http://localhost/token (curl --unix-socket)", Set: true},
	{Name: "AUTHWRAP_TOKEN_URL_AUTH", What: "set by exec --serve: the Authorization header those requests carry", Set: true},
	{Name: "AUTHWRAP_COMPLETION_BIN", What: "1: completion hooks name `authwrap` on PATH instead of this binary's path (for packagers)"},
	{Name: "XDG_CONFIG_HOME", What: "where the configuration lives (default ~/.config)"},
	{Name: "XDG_STATE_HOME", What: "where the lock files live (default ~/.local/state)"},
	{Name: "XDG_DATA_HOME", What: "where the file keyring lives (default ~/.local/share)"},
	{Name: "TMPDIR", What: "TMPDIR and XDG_RUNTIME_DIR (TMP on Windows): where exec --serve makes its socket's private directory (XDG_RUNTIME_DIR when only this user may enter it)"},
	{Name: "HTTPS_PROXY", What: "HTTPS_PROXY, HTTP_PROXY and NO_PROXY: the proxy for requests to the authorization server"},
	{Name: "SSL_CERT_FILE", What: "SSL_CERT_FILE and SSL_CERT_DIR: the CA certificates Go trusts instead of the system's (Linux and BSD); held to --ca-file's rule: another user's or a group-writable file is refused"},
	{Name: "BROWSER", What: "the program that opens the sign-in page; none or false opens nothing"},
	{Name: "DISPLAY", What: "DISPLAY, WAYLAND_DISPLAY and WSL_DISTRO_NAME: whether a browser can be opened here"},
	{Name: "NO_COLOR", What: "no bold text or colour in the prompt"},
	{Name: "TERM", What: "dumb: no live countdown and no colour"},
	{Name: "SHELL", What: "the shell exec starts when given no command (`ComSpec` on Windows)"},
	{Name: "DOCKER_CONFIG", What: "docker's configuration directory, for setup docker and doctor"},
	{Name: "KUBECONFIG", What: "the kubeconfig setup kubectl edits (its first file)"},
	{Name: "CARGO_HOME", What: "cargo's home, whose config.toml setup cargo edits (default ~/.cargo)"},
	{Name: "PIP_CONFIG_FILE", What: "PIP_CONFIG_FILE, PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, UV_INDEX_URL, UV_EXTRA_INDEX_URL, UV_DEFAULT_INDEX, UV_INDEX and VIRTUAL_ENV: where pip and uv find their indexes, read to tell whether pip still uses a host"},
	{Name: "CONTAINERS_REGISTRIES_CONF", What: "the registries.conf podman and skopeo read instead of the system's: a registry it marks insecure gets no token"},
	{Name: "KUBERNETES_EXEC_INFO", What: "what kubectl tells kubectl-credential: the API version, the cluster's server, whether a person is there"},
	{Name: "TF_CLI_CONFIG_FILE", What: "Terraform's CLI configuration (default ~/.terraformrc), for setup terraform and doctor"},
	{Name: "PASSWORD_STORE_DIR", What: "pass's store, for the pass backend"},
	{Name: "DBUS_SESSION_BUS_ADDRESS", What: "DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR: whether a Secret Service can be reached"},
	{Name: "COMP_LINE", What: "set by the shell when it asks for completions"},
}
