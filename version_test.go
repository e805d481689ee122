package vpsorg

import (
	"bufio"
	"os"
	"regexp"
	"testing"
)

// TestVersionMatchesChangelog checks that Version, which the User-Agent
// carries, is the newest release CHANGELOG.md lists: a release that bumps
// one must bump the other.
func TestVersionMatchesChangelog(t *testing.T) {
	t.Parallel()
	f, err := os.Open("CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	release := regexp.MustCompile(`^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$`)
	sawUnreleased := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "## [Unreleased]" {
			sawUnreleased = true
			continue
		}
		if m := release.FindStringSubmatch(line); m != nil {
			if !sawUnreleased {
				t.Error(`CHANGELOG.md has no "## [Unreleased]" section above its releases`)
			}
			if m[1] != Version {
				t.Errorf("Version = %q, but the newest release in CHANGELOG.md is %s", Version, m[1])
			}
			return
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Error(`CHANGELOG.md lists no release ("## [X.Y.Z] - YYYY-MM-DD")`)
}
