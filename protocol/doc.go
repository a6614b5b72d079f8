// Package protocol holds the wire codecs of the programs authwrap serves
// credentials to, over io.Reader and io.Writer:
//
//   - git: the credential helper protocol, key=value lines (ReadGit,
//     WriteGit, GitCapabilities);
//   - docker, podman, skopeo and other users of docker's credential
//     helper protocol, spoken with docker-credential-helpers' own codec
//     (ServeDocker, WriteDockerError);
//   - Terraform and OpenTofu: a credentials helper's JSON answer
//     (WriteTerraformToken) and the TF_TOKEN_ variable names
//     (TerraformTokenVar);
//   - kubectl: an exec credential plugin's ExecCredential, v1 or v1beta1
//     (ParseExecInfo, WriteExecCredential);
//   - cargo: the credential provider protocol, JSON lines (CargoReader,
//     WriteCargoHello, WriteCargoToken, WriteCargoError);
//   - the go command: a GOAUTH command's header blocks (WriteGoAuth,
//     ReadGoAuthResponse).
//
// pip and uv, through their keyring subprocess provider, pass the
// question as arguments and take the token alone on a line: that needs
// no codec, and the command writes it.
//
// Every field that can hold a token is a Secret, which prints and logs
// masked; only the writers put the value on the wire. The JSON they
// write has no raw control or format character (package safetext).
//
// It never touches the network, a keyring or the clock, and it never
// decides who gets a credential: that is package helper's job.
package protocol
