// Package termtest drives a Windows console for tests: it types keys into
// the console's input buffer and reads its screen back. It has nothing
// on other systems.
package termtest
