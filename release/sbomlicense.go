//go:build ignore

// sbomlicense names the licence of the program an SBOM is of: it reads a
// CycloneDX JSON document on stdin (cyclonedx-gomod bin's), sets its main
// component's licences to the SPDX identifier given, and writes it to
// stdout. cyclonedx-gomod finds a module's licence only in a copy it can
// download, and the version being released is not downloadable yet.
//
//	cyclonedx-gomod bin -json BINARY | go run release/sbomlicense.go MIT >SBOM
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 2 || os.Args[1] == "" {
		fail("usage: go run release/sbomlicense.go SPDX-ID <sbom.json >out.json")
	}
	var bom map[string]json.RawMessage
	if err := json.NewDecoder(os.Stdin).Decode(&bom); err != nil {
		fail("reading the SBOM: %v", err)
	}
	var meta map[string]json.RawMessage
	if err := json.Unmarshal(bom["metadata"], &meta); err != nil {
		fail("the SBOM's metadata: %v", err)
	}
	var component map[string]json.RawMessage
	if err := json.Unmarshal(meta["component"], &component); err != nil || component == nil {
		fail("the SBOM has no main component (metadata.component)")
	}
	component["licenses"] = mustJSON([]any{map[string]any{"license": map[string]string{"id": os.Args[1]}}})
	meta["component"] = mustJSON(component)
	bom["metadata"] = mustJSON(meta)
	out, err := json.MarshalIndent(bom, "", "  ")
	if err != nil {
		fail("%v", err)
	}
	if _, err := os.Stdout.Write(append(out, '\n')); err != nil {
		fail("%v", err)
	}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		fail("%v", err)
	}
	return b
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "sbomlicense: "+format+"\n", a...)
	os.Exit(1)
}
