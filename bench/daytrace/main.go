//go:build unix

// Command daytrace replays a working day of credential requests against
// the local AuthKit server (`authwrap dev-server`), compressed in time,
// and reports how long the calls waited and how often the session was
// refreshed: while the day is active, after its last call, and by a herd
// of processes at once. It is issue 26's benchmark ("sessions that stay
// warm"); bench/daytrace.sh builds authwrap as the release does and runs
// it, and bench/README.md explains the figures.
//
// The day: -bursts bursts of 1 to 4 calls, a few seconds apart
// (-spacing), separated by idle gaps drawn from a log-normal distribution
// (-gap-median, -gap-sigma, at most -gap-max), all from a fixed -seed.
// Each call is a real authwrap process: `token`, `git-credential get` or
// `kubectl-credential` (-mix), timed from its start to its exit.
//
// Compression: every duration on the day's clock (the gaps, the spacing
// within a burst, the token lifetime, the lifetime `token` asks for with
// --min-ttl, the idle window and the watch after the last call) is divided
// by -speed; the server's latency and the processes' own run time are not,
// because they are what a user waits for. The ratios between the day's
// durations (token life against gaps, spacing and idle window) are
// therefore those of the real day. The profile's keep_warm (the idle
// window) and min_ttl (what the git and kubectl helpers ask for, a minute
// by default) are set on the same clock; a build without those settings
// keeps its own (bench/README.md says what that does to its figures).
// -spacing-real keeps the pauses within a burst in real seconds (the
// issue's literal wording, which makes another day).
//
//	go run ./bench/daytrace -bin ./authwrap                  # today's build, about 9 minutes
//	go run ./bench/daytrace -bin ./authwrap -bursts 10       # a quick try, about 2 minutes
//	go run ./bench/daytrace -bin ./new -base ./old           # two replays of the same day, one after the other
//	go run ./bench/daytrace -dry                             # print the day and its duration only
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// opts are the command's flags. Durations named "day" are on the
// uncompressed day's clock and are divided by speed; "real" ones are not.
type opts struct {
	bin, base, server string
	speed             float64
	seed              uint64
	bursts            int
	mix               []string
	ttl               time.Duration // day: the server's access token lifetime
	minTTL            time.Duration // day: what `token` asks for (--min-ttl; its default is 30s)
	latency           time.Duration // real: the server's delay on every API answer
	gapMedian, gapMax time.Duration // day
	gapSigma          float64
	spacingMin        time.Duration // day (real with spacingReal)
	spacingMax        time.Duration
	spacingReal       bool
	idle, after       time.Duration // day
	slow              time.Duration // real: a call slower than this waited
	cached, herd      int
	verbose, dry      bool
}

func main() {
	var o opts
	var mix string
	flag.StringVar(&o.bin, "bin", "", "the authwrap binary to measure")
	flag.StringVar(&o.base, "base", "", "a second authwrap binary, replayed on the same day after -bin's replay")
	flag.StringVar(&o.server, "server", "", "the binary whose dev-server both replays use (default: -bin)")
	flag.Float64Var(&o.speed, "speed", 60, "time compression: day durations are divided by this")
	flag.Uint64Var(&o.seed, "seed", 26, "seed of the day's random draws")
	flag.IntVar(&o.bursts, "bursts", 80, "bursts of calls in the day")
	flag.StringVar(&mix, "mix", "token,git,kubectl", "kinds of call, drawn with equal weight (repeat one to weigh it more)")
	flag.DurationVar(&o.ttl, "ttl", 5*time.Minute, "access token lifetime (day)")
	flag.DurationVar(&o.minTTL, "min-ttl", 30*time.Second, "--min-ttl of the token calls (day; token's default)")
	flag.DurationVar(&o.latency, "latency", 300*time.Millisecond, "server delay on every API answer (real, not compressed)")
	flag.DurationVar(&o.gapMedian, "gap-median", 4*time.Minute, "median idle gap between bursts (day)")
	flag.Float64Var(&o.gapSigma, "gap-sigma", 1, "sigma of the gaps' log-normal distribution")
	flag.DurationVar(&o.gapMax, "gap-max", time.Hour, "longest idle gap (day)")
	flag.DurationVar(&o.spacingMin, "spacing-min", time.Second, "shortest pause between calls of a burst (day)")
	flag.DurationVar(&o.spacingMax, "spacing-max", 5*time.Second, "longest pause between calls of a burst (day)")
	flag.BoolVar(&o.spacingReal, "spacing-real", false, "do not compress the pauses within a burst (see bench/README.md)")
	flag.DurationVar(&o.idle, "idle", 15*time.Minute, "idle window after the last use, past which no refresh should happen (day)")
	flag.DurationVar(&o.after, "after", 30*time.Minute, "how long refreshes are counted after the last call, and waited before the first (day)")
	flag.DurationVar(&o.slow, "slow", 100*time.Millisecond, "a call slower than this counts as waiting (real)")
	flag.IntVar(&o.cached, "cached", 50, "cached token reads timed after sign-in, for comparison")
	flag.IntVar(&o.herd, "herd", 64, "token processes started at once at the end, with an expired token (0: none)")
	flag.BoolVar(&o.verbose, "v", false, "print every call")
	flag.BoolVar(&o.dry, "dry", false, "print the day and the replay's duration, run nothing")
	flag.Parse()
	o.mix = strings.Split(mix, ",")
	if o.server == "" {
		o.server = o.bin
	}
	if err := o.check(); err != nil {
		fmt.Fprintln(os.Stderr, "daytrace:", err)
		os.Exit(2)
	}
	day := newDay(o)
	day.describe(os.Stdout, o)
	if o.dry {
		return
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var results []*result
	for _, r := range []struct{ name, bin string }{{"bin", o.bin}, {"base", o.base}} {
		if r.bin == "" {
			continue
		}
		res, err := replay(ctx, o, day, r.name, r.bin)
		if ctx.Err() != nil {
			fmt.Fprintln(os.Stderr, "daytrace: interrupted")
			os.Exit(130)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "daytrace: %s (%s): %v\n", r.name, r.bin, err)
			os.Exit(1)
		}
		results = append(results, res)
	}
	report(os.Stdout, o, results)
}

func (o *opts) check() error {
	switch {
	case o.bin == "" && !o.dry:
		return errors.New("-bin is required (the authwrap binary to measure)")
	case o.speed < 1:
		return errors.New("-speed must be at least 1")
	case o.bursts < 1:
		return errors.New("-bursts must be at least 1")
	case o.compress(o.ttl) < time.Second:
		return fmt.Errorf("-ttl %s at -speed %g is %s; the dev server's tokens live at least 1s: lower -speed", o.ttl, o.speed, o.compress(o.ttl))
	case o.spacingMax < o.spacingMin, o.gapMax < o.gapMedian, o.after < o.idle:
		return errors.New("-spacing-max, -gap-max and -after must not be below -spacing-min, -gap-median and -idle")
	}
	for _, k := range o.mix {
		if _, ok := kinds[k]; !ok {
			return fmt.Errorf("-mix: unknown kind %q (token, git, kubectl)", k)
		}
	}
	return nil
}

// compress turns a day duration into replay time.
func (o *opts) compress(d time.Duration) time.Duration {
	return time.Duration(float64(d) / o.speed)
}

// serverTTL is the lifetime given to the dev server. Its tokens carry
// their expiry in whole seconds (a JWT's exp), so a token outlives its
// issue by the TTL less the fraction of the second it was issued in: half
// a second on average. Negligible for a 5-minute token, it is a tenth of a
// compressed one; the half second added makes the average right.
func (o *opts) serverTTL() time.Duration { return o.compress(o.ttl) + 500*time.Millisecond }

// A kind of call: its arguments, its stdin, and how to find the token in
// its answer.
type kind struct {
	args  func(o opts) []string
	stdin string
	token func(out []byte) string
}

// kubeInfo is what kubectl sets for its exec plugin, as bench/helpers.sh does.
const kubeInfo = `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false,"cluster":{"server":"https://k8s.example.com"}}}`

var kinds = map[string]kind{
	"token": {
		args:  func(o opts) []string { return []string{"token", "--min-ttl", o.compress(o.minTTL).String()} },
		token: func(out []byte) string { return strings.TrimSpace(string(out)) },
	},
	"git": {
		args:  func(opts) []string { return []string{"git-credential", "get"} },
		stdin: "protocol=https\nhost=git.example.com\n\n",
		token: func(out []byte) string {
			for line := range strings.Lines(string(out)) {
				if v, ok := strings.CutPrefix(strings.TrimSpace(line), "password="); ok {
					return v
				}
			}
			return ""
		},
	},
	"kubectl": {
		args: func(opts) []string { return []string{"kubectl-credential"} },
		token: func(out []byte) string {
			var c struct {
				Status struct{ Token string } `json:"status"`
			}
			_ = json.Unmarshal(out, &c)
			return c.Status.Token
		},
	},
}

// looksLikeJWT reports whether s has a JWT's shape (the dev server's tokens are).
func looksLikeJWT(s string) bool { return strings.HasPrefix(s, "eyJ") && strings.Count(s, ".") == 2 }

// A day is the trace replayed: bursts of calls with the idle gap before each.
type day struct{ bursts []burst }

type burst struct {
	gap   time.Duration // day: idle before the burst, from the end of the previous one
	calls []call
}

type call struct {
	kind  string
	pause time.Duration // day (or real with -spacing-real): before this call, from the previous call's exit
}

// newDay draws the day from the seed. The order of the draws is part of
// the trace: change it and every seed gives another day.
func newDay(o opts) *day {
	rng := rand.New(rand.NewPCG(o.seed, 0x5e55_1025))
	d := &day{}
	for range o.bursts {
		gap := time.Duration(float64(o.gapMedian) * math.Exp(o.gapSigma*rng.NormFloat64()))
		b := burst{gap: min(gap, o.gapMax)}
		n := 1 + rng.IntN(4)
		for i := range n {
			c := call{kind: o.mix[rng.IntN(len(o.mix))]}
			if i > 0 {
				c.pause = o.spacingMin + time.Duration(rng.Int64N(int64(o.spacingMax-o.spacingMin)+1))
			}
			b.calls = append(b.calls, c)
		}
		d.bursts = append(d.bursts, b)
	}
	return d
}

// pause is the replay time before c.
func (o *opts) pause(c call) time.Duration {
	if o.spacingReal {
		return c.pause
	}
	return o.compress(c.pause)
}

func (d *day) calls() int {
	n := 0
	for _, b := range d.bursts {
		n += len(b.calls)
	}
	return n
}

// describe prints the day and how long its replay takes.
func (d *day) describe(w io.Writer, o opts) {
	var gaps, pauses time.Duration // replay time
	var gapDay, pauseDay time.Duration
	count := map[string]int{}
	var gs []time.Duration
	for i, b := range d.bursts {
		if i > 0 { // the first gap is the night: the session starts cold in any case
			gaps += o.compress(b.gap)
			gapDay += b.gap
		}
		gs = append(gs, b.gap)
		for _, c := range b.calls {
			pauses += o.pause(c)
			pauseDay += c.pause
			count[c.kind]++
		}
	}
	if o.spacingReal {
		pauseDay = time.Duration(float64(pauseDay) * o.speed)
	}
	slices.Sort(gs)
	fmt.Fprintf(w, "day: %d bursts, %d calls (%s), seed %d\n", len(d.bursts), d.calls(), kindCounts(count), o.seed)
	fmt.Fprintf(w, "  idle gaps (day): median %s, p90 %s, longest %s; first call to last: %s of a day\n",
		round(gs[len(gs)/2]), round(gs[len(gs)*9/10]), round(gs[len(gs)-1]), round(gapDay+pauseDay))
	spacing := "compressed"
	if o.spacingReal {
		spacing = "not compressed"
	}
	fmt.Fprintf(w, "  compressed x%g: tokens of %s (server --access-token-ttl %s), token --min-ttl %s, gaps of median %s, pauses in a burst %s (%s), idle window %s; latency %s (real)\n",
		o.speed, o.compress(o.ttl), o.serverTTL(), o.compress(o.minTTL), o.compress(o.gapMedian), spacing,
		round(pauses/time.Duration(max(1, d.calls()-len(d.bursts)))), o.compress(o.idle), o.latency)
	// Per replay: sign-in, cached reads, the cold wait, the day, the watch after, the herd.
	each := 2*time.Second + o.compress(o.after) + gaps + pauses + time.Duration(d.calls())*o.latency/2 + o.compress(o.after) + 2*o.latency
	n := 1
	if o.base != "" {
		n = 2
	}
	fmt.Fprintf(w, "  replay: %s of gaps and pauses, plus the calls (%d x up to %s), a cold start and a watch after of %s each: about %s per binary, %s in all\n",
		round(gaps+pauses), d.calls(), o.latency+50*time.Millisecond, o.compress(o.after), round(each), round(time.Duration(n)*each))
	if count["git"] > 0 || count["kubectl"] > 0 {
		fmt.Fprintf(w, "  git-credential and kubectl-credential ask for %s of validity (the profile's min_ttl, compressed from %s); a build without min_ttl asks for a real minute, more than a compressed token lives, and refreshes unless the token is a tenth of its life old (see bench/README.md)\n",
			o.compress(helperMinTTL), helperMinTTL)
	}
}

// helperMinTTL is the validity authwrap's git and kubectl helpers ask for
// by default (the profile setting min_ttl, config.DefaultMinTTL).
const helperMinTTL = time.Minute

func kindCounts(m map[string]int) string {
	var parts []string
	for _, k := range []string{"token", "git", "kubectl"} {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
		}
	}
	return strings.Join(parts, ", ")
}

// A sample is one timed call.
type sample struct {
	kind     string
	at, took time.Duration // from the first call's start; start to exit
	refresh  int           // refresh requests the server saw while it ran
}

// result is what one replay measured.
type result struct {
	name, bin, storage    string
	cached                []time.Duration
	cachedRefreshed       int
	before                int // refreshes in the cold wait before the day
	samples               []sample
	active                time.Duration // real, first call's start to last call's exit
	activeRefresh         int           // refreshes in that time
	signIns               int           // device authorizations in that time
	afterIdle, afterLater int           // refreshes after the last call: within the idle window, past it
	unscaled              bool          // the build has no min_ttl: its helpers ask for a real minute
	herd                  herdResult
	loadBefore, loadAfter string
}

type herdResult struct {
	n, refresh, valid, distinct int
	wall                        time.Duration
}

// replay runs the day against a fresh dev server, signed in with a fresh
// profile, state directory and file keyring directory, and signs out at
// the end.
func replay(ctx context.Context, o opts, d *day, name, bin string) (*result, error) {
	res := &result{name: name, bin: bin, loadBefore: loadavg()}
	fmt.Printf("\n== %s: %s (load %s)\n", name, bin, res.loadBefore)
	work, err := os.MkdirTemp("", "daytrace-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	profile := fmt.Sprintf("daytrace-%d-%s", os.Getpid(), name)
	if err := writeConfig(work, profile); err != nil {
		return nil, err
	}
	srv, err := startServer(ctx, o, work)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	r := &runner{o: o, bin: bin, env: childEnv(work, profile, srv.url)}
	// The day's clock for what a build can be told (older builds know
	// neither setting, and keep their defaults): the keeper's idle window,
	// and the validity the tools' helpers ask for.
	for _, kv := range [][2]string{{"keep_warm", o.compress(o.idle).String()}, {"min_ttl", o.compress(helperMinTTL).String()}} {
		if _, err := r.run(ctx, "config", "set", kv[0], kv[1]); err != nil {
			fmt.Printf("   this build has no %s setting\n", kv[0])
			res.unscaled = true
		}
	}
	if _, err := r.run(ctx, "login", "--no-browser"); err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	defer func() {
		if _, err := r.run(context.WithoutCancel(ctx), "logout"); err != nil {
			fmt.Fprintln(os.Stderr, "daytrace: logout:", err)
		}
	}()
	if out, err := r.run(ctx, "status"); err == nil {
		for line := range strings.Lines(string(out)) {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "storage"); ok {
				if f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(v), ":")); len(f) > 0 {
					res.storage = f[0]
				}
			}
		}
	}

	// A cached read, timed with a fresh token, for "p90 within 2x".
	r0, err := srv.stat("refresh")
	if err != nil {
		return nil, err
	}
	for i := -5; i < o.cached; i++ {
		s, err := r.call(ctx, "token")
		if err != nil {
			return nil, fmt.Errorf("cached read: %w", err)
		}
		if i >= 0 {
			res.cached = append(res.cached, s.took)
		}
	}
	r1, _ := srv.stat("refresh")
	res.cachedRefreshed = r1 - r0

	// The night: the token expires and anything the sign-in left running
	// has its idle window to stop, so the day starts cold.
	fmt.Printf("   cold start: waiting %s\n", o.compress(o.after))
	if err := sleep(ctx, o.compress(o.after)); err != nil {
		return nil, err
	}
	r2, _ := srv.stat("refresh")
	res.before = r2 - r1
	d0, _ := srv.stat("device_authorization")

	fmt.Printf("   the day: %d calls\n", d.calls())
	var start time.Time
	var last time.Time
	for bi, b := range d.bursts {
		if bi > 0 {
			if err := sleep(ctx, o.compress(b.gap)); err != nil {
				return nil, err
			}
		}
		for ci, c := range b.calls {
			if ci > 0 {
				if err := sleep(ctx, o.pause(c)); err != nil {
					return nil, err
				}
			}
			before, err := srv.stat("refresh")
			if err != nil {
				return nil, err
			}
			if start.IsZero() {
				start = time.Now()
				r2 = before
			}
			s, err := r.call(ctx, c.kind)
			if err != nil {
				return nil, fmt.Errorf("burst %d call %d (%s): %w", bi+1, ci+1, c.kind, err)
			}
			last = time.Now()
			after, _ := srv.stat("refresh")
			s.refresh = after - before
			s.at = last.Add(-s.took).Sub(start)
			res.samples = append(res.samples, s)
			if o.verbose {
				fmt.Printf("   %9.3fs  burst %2d call %d  %-7s %8.1f ms  refreshes %d\n",
					s.at.Seconds(), bi+1, ci+1, s.kind, ms(s.took), s.refresh)
			}
		}
		if !o.verbose && (bi+1)%10 == 0 {
			fmt.Printf("   %d/%d bursts, %s\n", bi+1, len(d.bursts), round(time.Since(start)))
		}
	}
	res.active = last.Sub(start)
	r3, _ := srv.stat("refresh")
	res.activeRefresh = r3 - r2
	d1, _ := srv.stat("device_authorization")
	res.signIns = d1 - d0

	// After the last call: refreshes within the idle window, and past it.
	fmt.Printf("   after the last call: watching %s\n", o.compress(o.after))
	if err := sleepUntil(ctx, last.Add(o.compress(o.idle))); err != nil {
		return nil, err
	}
	r4, _ := srv.stat("refresh")
	if err := sleepUntil(ctx, last.Add(o.compress(o.after))); err != nil {
		return nil, err
	}
	r5, _ := srv.stat("refresh")
	res.afterIdle, res.afterLater = r4-r3, r5-r4

	if o.herd > 0 {
		h, err := r.herd(ctx, srv, o.herd)
		if err != nil {
			return nil, fmt.Errorf("herd: %w", err)
		}
		res.herd = h
	}
	res.loadAfter = loadavg()
	return res, nil
}

// writeConfig writes a config file whose profile lists the hosts the
// helpers ask for, as a user's would (bench/lib.sh's config_hosts).
func writeConfig(work, profile string) error {
	dir := filepath.Join(work, "config", "authwrap")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	cfg := fmt.Sprintf("[profiles.%s]\nclient_id = \"client_authwrap_dev\"\nhosts = [\"git.example.com\", \"k8s.example.com\"]\n", profile)
	return os.WriteFile(filepath.Join(dir, "config.toml"), []byte(cfg), 0o600)
}

// childEnv is the environment of every authwrap process of a replay: the
// caller's, less any authwrap setting, pointed at this replay's server,
// profile and directories. The keyring backend is the default one
// (AUTHWRAP_KEYRING_BACKEND, if set, is kept).
func childEnv(work, profile, url string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		drop := strings.HasPrefix(k, "AUTHWRAP_") && k != "AUTHWRAP_KEYRING_BACKEND"
		switch k {
		case "XDG_CONFIG_HOME", "XDG_STATE_HOME", "CI", "GIT_TERMINAL_PROMPT", "KUBERNETES_EXEC_INFO":
			drop = true
		}
		if !drop {
			env = append(env, kv)
		}
	}
	return append(env,
		"AUTHWRAP_API_URL="+url, "AUTHWRAP_CLIENT_ID=client_authwrap_dev", "AUTHWRAP_PROFILE="+profile,
		"XDG_CONFIG_HOME="+filepath.Join(work, "config"), "XDG_STATE_HOME="+filepath.Join(work, "state"),
		"AUTHWRAP_FILE_DIR="+filepath.Join(work, "keyring"), "AUTHWRAP_FILE_PASSPHRASE=daytrace",
		"KUBERNETES_EXEC_INFO="+kubeInfo)
}

// server is a running dev server.
type server struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}
}

func startServer(ctx context.Context, o opts, work string) (*server, error) {
	cmd := exec.Command(o.server, "dev-server", "--addr", "127.0.0.1:0", "--access-token-ttl", o.serverTTL().String(),
		"--latency", o.latency.String(), "--auto-approve", "10ms", "--interval", "1s")
	cmd.Env = childEnv(work, "daytrace-server", "")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, done: make(chan struct{})}
	line, err := bufio.NewReader(out).ReadString('\n')
	_, url, ok := strings.Cut(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("dev-server did not start: %s", strings.TrimSpace(errb.String()))
	}
	s.url = url
	go func() { _, _ = io.Copy(io.Discard, out); _ = cmd.Wait(); close(s.done) }()
	return s, nil
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// stat returns one of the server's request counters.
func (s *server) stat(name string) (int, error) {
	resp, err := http.Get(s.url + "/_authkittest/stats")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var st struct{ Requests map[string]int }
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return 0, fmt.Errorf("server stats: %w", err)
	}
	return st.Requests[name], nil
}

// runner runs one replay's authwrap processes.
type runner struct {
	o   opts
	bin string
	env []string
}

// run runs an untimed command and returns its stdout.
func (r *runner) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Env = r.env
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v: %s", filepath.Base(r.bin), args[0], err, strings.TrimSpace(errb.String()))
	}
	return out, nil
}

// call runs one call of a kind, timed from its start to its exit, and
// checks that it succeeded and answered with a token.
func (r *runner) call(ctx context.Context, k string) (sample, error) {
	tok, took, err := r.once(ctx, k)
	if err != nil {
		return sample{}, err
	}
	if !looksLikeJWT(tok) {
		return sample{}, fmt.Errorf("%s answered without a token", k)
	}
	return sample{kind: k, took: took}, nil
}

func (r *runner) once(ctx context.Context, k string) (string, time.Duration, error) {
	kd := kinds[k]
	args := kd.args(r.o)
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Env = r.env
	cmd.Stdin = strings.NewReader(kd.stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil {
		return "", 0, fmt.Errorf("authwrap %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return kd.token(out.Bytes()), took, nil
}

// herd starts n token processes at once, with the token long expired, and
// counts the refreshes they cause (issue 26: one).
func (r *runner) herd(ctx context.Context, srv *server, n int) (herdResult, error) {
	h := herdResult{n: n}
	r0, err := srv.stat("refresh")
	if err != nil {
		return h, err
	}
	var mu sync.Mutex
	var errs []error
	seen := map[string]bool{}
	var wg sync.WaitGroup
	start := time.Now()
	for range n {
		wg.Go(func() {
			tok, _, err := r.once(ctx, "token")
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			if looksLikeJWT(tok) {
				h.valid++
				seen[tok] = true
			}
		})
	}
	wg.Wait()
	h.wall = time.Since(start)
	r1, _ := srv.stat("refresh")
	h.refresh, h.distinct = r1-r0, len(seen)
	return h, errors.Join(errs...)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func sleepUntil(ctx context.Context, t time.Time) error { return sleep(ctx, time.Until(t)) }

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// report prints the figures, one column per replay.
func report(w io.Writer, o opts, rs []*result) {
	fmt.Fprintf(w, "\n")
	row := func(label string, f func(r *result) string) {
		fmt.Fprintf(w, "%-60s", label)
		for _, r := range rs {
			fmt.Fprintf(w, " %-34s", f(r))
		}
		fmt.Fprintln(w)
	}
	row("", func(r *result) string { return r.name + ": " + filepath.Base(r.bin) })
	row("storage", func(r *result) string { return r.storage })
	row("load before / after (1, 5, 15 min)", func(r *result) string { return r.loadBefore + " / " + r.loadAfter })
	row("calls", func(r *result) string { return fmt.Sprint(len(r.samples)) })
	row(fmt.Sprintf("share slower than %s (target <= 2%%)", o.slow), func(r *result) string {
		n := slowCount(r.samples, o.slow)
		return fmt.Sprintf("%.1f%% (%d)", 100*float64(n)/float64(len(r.samples)), n)
	})
	row("p50 / p90 / p99", func(r *result) string {
		t := took(r.samples)
		return fmt.Sprintf("%.1f / %.1f / %.1f ms", ms(pct(t, 50)), ms(pct(t, 90)), ms(pct(t, 99)))
	})
	row("mean / max", func(r *result) string {
		t := took(r.samples)
		return fmt.Sprintf("%.1f / %.1f ms", ms(mean(t)), ms(slices.Max(t)))
	})
	row(fmt.Sprintf("cached token read, median / p90 (%d runs)", o.cached), func(r *result) string {
		s := fmt.Sprintf("%.1f / %.1f ms", ms(pct(r.cached, 50)), ms(pct(r.cached, 90)))
		if r.cachedRefreshed > 0 {
			s += fmt.Sprintf(" (%d refreshed!)", r.cachedRefreshed)
		}
		return s
	})
	row("p90 / cached median (target <= 2)", func(r *result) string {
		return fmt.Sprintf("%.2f", float64(pct(took(r.samples), 90))/float64(pct(r.cached, 50)))
	})
	life := 0.75 * o.ttl.Hours()
	row(fmt.Sprintf("refreshes while active, per day-hour (target <= %.1f)", 1/life), func(r *result) string {
		h := float64(r.active) * o.speed / float64(time.Hour)
		return fmt.Sprintf("%.1f (%d in %.1f h)", float64(r.activeRefresh)/h, r.activeRefresh, h)
	})
	row("  of them while a call ran / between calls", func(r *result) string {
		in := 0
		for _, s := range r.samples {
			in += s.refresh
		}
		return fmt.Sprintf("%d / %d", in, r.activeRefresh-in)
	})
	row(fmt.Sprintf("refreshes after the last call: first %s / next %s", round(o.idle), round(o.after-o.idle)), func(r *result) string {
		return fmt.Sprintf("%d / %d (target: 0 past the window)", r.afterIdle, r.afterLater)
	})
	row(fmt.Sprintf("refreshes before the day (%s cold wait)", round(o.after)), func(r *result) string { return fmt.Sprint(r.before) })
	row("sign-ins during the day", func(r *result) string { return fmt.Sprint(r.signIns) })
	if o.herd > 0 {
		row(fmt.Sprintf("herd of %d: refreshes, valid (distinct), wall", o.herd), func(r *result) string {
			return fmt.Sprintf("%d, %d (%d), %.0f ms", r.herd.refresh, r.herd.valid, r.herd.distinct, ms(r.herd.wall))
		})
	}
	for _, k := range []string{"token", "git", "kubectl"} {
		row(fmt.Sprintf("  %s: calls, > %s, p50 / p90", k, o.slow), func(r *result) string {
			var ss []sample
			for _, s := range r.samples {
				if s.kind == k {
					ss = append(ss, s)
				}
			}
			if len(ss) == 0 {
				return "-"
			}
			t := took(ss)
			return fmt.Sprintf("%d, %.1f%%, %.1f / %.1f ms", len(ss), 100*float64(slowCount(ss, o.slow))/float64(len(ss)), ms(pct(t, 50)), ms(pct(t, 90)))
		})
	}
}

func slowCount(ss []sample, slow time.Duration) int {
	n := 0
	for _, s := range ss {
		if s.took > slow {
			n++
		}
	}
	return n
}

func took(ss []sample) []time.Duration {
	t := make([]time.Duration, len(ss))
	for i, s := range ss {
		t[i] = s.took
	}
	return t
}

// pct is the p-th percentile by nearest rank.
func pct(t []time.Duration, p float64) time.Duration {
	if len(t) == 0 {
		return 0
	}
	s := slices.Clone(t)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func mean(t []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range t {
		sum += d
	}
	return sum / time.Duration(max(1, len(t)))
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
