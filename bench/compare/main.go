//go:build unix

// Command compare times commands side by side: it runs each command N
// times, alternating between them so that machine noise falls on all
// alike, and prints the median, quartiles and peak RSS of each, the
// medians of its CPU time (user and system, every thread) and of its minor
// page faults, and each one's median as a ratio of the last command's (the
// baseline).
//
//	go run ./bench/compare -n 100 -stdin req.txt -- 'authwrap token' 'git credential-store get'
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	n := flag.Int("n", 100, "runs of each command")
	warm := flag.Int("warmup", 5, "untimed runs of each command first")
	stdin := flag.String("stdin", "", "file fed to each run's stdin")
	flag.Parse()
	cmds := flag.Args()
	if len(cmds) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compare [-n N] [-stdin FILE] -- 'CMD ARGS' 'BASELINE ARGS'")
		os.Exit(2)
	}
	var input []byte
	if *stdin != "" {
		var err error
		if input, err = os.ReadFile(*stdin); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	times := make([][]time.Duration, len(cmds))
	cpu := make([][]time.Duration, len(cmds))
	faults := make([][]time.Duration, len(cmds)) // counts, kept as durations for median
	rss := make([]int64, len(cmds))
	for i := -*warm; i < *n; i++ {
		for c, line := range cmds {
			r, err := once(line, input)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", line, err)
				os.Exit(1)
			}
			if i >= 0 {
				times[c] = append(times[c], r.wall)
				cpu[c] = append(cpu[c], r.cpu)
				faults[c] = append(faults[c], time.Duration(r.faults))
				rss[c] = max(rss[c], r.maxrss)
			}
		}
	}
	base := median(times[len(cmds)-1])
	fmt.Printf("%-50s %10s %10s %10s %10s %7s %9s %8s\n", "command", "median", "p25", "p75", "cpu", "faults", "peak RSS", "ratio")
	for c, line := range cmds {
		t := times[c]
		slices.Sort(t)
		fmt.Printf("%-50s %10s %10s %10s %10s %7d %7dMB %8.2f\n", line, ms(median(t)), ms(t[len(t)/4]), ms(t[3*len(t)/4]),
			ms(median(cpu[c])), int64(median(faults[c])), rss[c]/1024, float64(median(t))/float64(base))
	}
}

// result is what one run measured.
type result struct {
	wall, cpu time.Duration
	faults    int64 // minor page faults
	maxrss    int64 // KiB
}

func once(line string, input []byte) (result, error) {
	args := strings.Fields(line)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin = bytes.NewReader(input)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return result{}, fmt.Errorf("%v: %s", err, errb.String())
	}
	r := result{wall: d, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxrss, r.faults = ru.Maxrss, ru.Minflt
	}
	return r, nil
}

func median(t []time.Duration) time.Duration {
	s := slices.Clone(t)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/1e6) }
