package helper

// keeperArgs reports whether a process's arguments are a keeper's of
// profile: keep-warm, and --profile PROFILE (or --profile=PROFILE).
func keeperArgs(args []string, profile string) bool {
	keep, named := false, false
	for i, a := range args {
		switch {
		case a == "keep-warm":
			keep = true
		case a == "--profile="+profile, a == "--profile" && i+1 < len(args) && args[i+1] == profile:
			named = true
		}
	}
	return keep && named
}
