package integrate

import "syscall"

// cmdLine gives cmd.exe its arguments as one raw string.
func cmdLine(args string) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CmdLine: "cmd.exe " + args}
}
