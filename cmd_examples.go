package main

// Examples shown in each command's --help (kong prints a command's Help
// after its one-line summary).

// Help gives examples.
func (c *TokenCmd) Help() string {
	return `Examples:
  curl -H "Authorization: Bearer $(authwrap token)" https://api.example.com/
  authwrap token --min-ttl 10m --json | jq -r .expires_at`
}

// Help gives examples.
func (c *ExecCmd) Help() string {
	return `Examples:
  authwrap exec -- terraform plan
  authwrap exec --env GITLAB_TOKEN -- ./deploy.sh
  authwrap exec --serve -- ./long-job.sh     # fresh tokens while it runs; in long-job.sh:
    curl -fsS --unix-socket "$AUTHWRAP_TOKEN_SOCKET" -H "Authorization: $AUTHWRAP_TOKEN_URL_AUTH" "$AUTHWRAP_TOKEN_URL"`
}

// Help gives examples.
func (c *LoginCmd) Help() string {
	return `Examples:
  authwrap login --client-id client_01H...    # the first time: saves the client ID in the profile
  authwrap login
  authwrap -p staging login --client-id client_01H... --api-url https://api.workos.com
  authwrap login --organization "Acme Corp"   # a user in several WorkOS organizations
  authwrap login --no-browser                 # over SSH: open the URL on any device`
}

// Help gives examples.
func (c *StatusCmd) Help() string {
	return `Examples:
  authwrap status
  authwrap status --all --json | jq '.[] | {profile, signed_in}'`
}

// Help gives examples.
func (c *DoctorCmd) Help() string {
	return `Examples:
  authwrap doctor
  authwrap doctor --json | jq '.findings[] | select(.status != "ok")'`
}

// Help gives examples.
func (c *SetupGitCmd) Help() string {
	return `Examples:
  authwrap setup git --host git.example.com
  authwrap setup git --host git.example.com --remove`
}

// Help gives examples.
func (c *SetupDockerCmd) Help() string {
	return `Examples:
  authwrap setup docker --registry registry.example.com
  authwrap setup docker --registry registry.example.com --remove`
}

// Help gives examples.
func (c *SetupKubectlCmd) Help() string {
	return `Examples:
  authwrap setup kubectl --cluster prod
  kubectl --context prod-authwrap-default get pods`
}

// Help gives examples.
func (c *SetupTerraformCmd) Help() string {
	return `Examples:
  authwrap setup terraform --host app.terraform.io >> ~/.terraformrc`
}

// Help gives examples.
func (c *SwitchOrgCmd) Help() string {
	return `Examples:
  authwrap switch-org org_01HXXXXXXXXXXXXXXXXXXXXXXX`
}

// Help gives examples.
func (c *LogoutCmd) Help() string {
	return `Examples:
  authwrap logout
  authwrap logout --profile work`
}

// Help gives examples.
func (c *VersionCmd) Help() string {
	return `Examples:
  authwrap version
  authwrap --version`
}

// Help gives examples.
func (c *GitCredentialCmd) Help() string {
	return `git runs it (authwrap setup git writes the helper line); by hand:
  printf 'protocol=https\nhost=git.example.com\n\n' | authwrap git-credential get`
}

// Help gives examples.
func (c *DockerCredentialCmd) Help() string {
	return `docker runs it as docker-credential-authwrap (authwrap setup docker); by hand:
  echo registry.example.com | authwrap docker-credential get
  authwrap docker-credential list`
}

// Help gives examples.
func (c *TerraformCredentialsCmd) Help() string {
	return `Terraform runs it as terraform-credentials-authwrap (authwrap setup terraform); by hand:
  authwrap terraform-credentials get app.terraform.io`
}

// Help gives examples.
func (c *KubectlCredentialCmd) Help() string {
	return `kubectl runs it from the kubeconfig user that authwrap setup kubectl writes:
  authwrap setup kubectl --cluster prod && kubectl --context prod-authwrap-default get pods`
}

// Help gives examples.
func (c *CompletionCmd) Help() string {
	return `Examples:
  source <(authwrap completion bash)        # in ~/.bashrc
  authwrap completion fish | source         # in ~/.config/fish/config.fish`
}

// Help gives examples.
func (c *ManCmd) Help() string {
	return `Examples:
  authwrap man | man -l -`
}

// Help gives examples.
func (c *DevServerCmd) Help() string {
	return `Examples:
  authwrap dev-server --auto-approve 2s
  authwrap dev-server --choose-org          # a user in two organizations`
}

// Help gives examples.
func (c *DemoCmd) Help() string {
	return `Examples:
  authwrap demo --auto-approve              # offline, nothing left behind`
}

// Help gives examples.
func (c *CargoCredentialCmd) Help() string {
	return `Cargo runs it (setup cargo writes this into ~/.cargo/config.toml):
  [registries.corp]
  index = "sparse+https://cargo.example.com/index/"
  credential-provider = ["/usr/local/bin/authwrap", "cargo-credential"]`
}

// Help gives examples.
func (c *GoAuthCmd) Help() string {
	return `Examples:
  go env -w GOAUTH='netrc;/usr/local/bin/authwrap goauth'   # setup go prints this
  authwrap goauth                                          # the headers the go command gets`
}

// Help gives examples.
func (c *KeyringCmd) Help() string {
	return `pip and uv run it as keyring (authwrap setup pip makes the link):
  pip download --keyring-provider subprocess --index-url https://x-access-token@pypi.example.com/simple/ mypkg
  authwrap keyring get https://pypi.example.com/simple/ x-access-token`
}

// Help gives examples.
func (c *SetupCargoCmd) Help() string {
	return `Examples:
  authwrap setup cargo --registry corp --index sparse+https://cargo.example.com/index/
  authwrap setup cargo --registry corp --remove`
}

// Help gives examples.
func (c *SetupGoCmd) Help() string {
	return `Examples:
  authwrap setup go --host goproxy.example.com            # prints the go env -w line
  authwrap setup go --host git.example.com --write        # runs it, adding to what is set`
}

// Help gives examples.
func (c *SetupPipCmd) Help() string {
	return `Examples:
  authwrap setup pip --index https://pypi.example.com/simple/
  authwrap setup pip --index https://pypi.example.com/simple/ --link-dir ~/.local/bin`
}
