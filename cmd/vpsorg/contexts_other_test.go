//go:build !linux

package main

import "testing"

func testContextPrompt(t *testing.T, _ string) {
	t.Skip("reads the terminal's echo flag with a Linux ioctl")
}
