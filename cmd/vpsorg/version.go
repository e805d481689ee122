package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// version is the CLI's version; release builds set it with
// -ldflags "-X main.version=v1.2.3".
var version = ""

// cliVersion is version, else the module version go install recorded, else
// "devel" for a build from a clone.
func cliVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the versions of vpsorg, the SDK and Go",
		Example: "  vpsorg version",
		Args:    cobra.NoArgs,
		Run:     func(*cobra.Command, []string) { runVersion(a) },
	}
}

// runVersion prints the versions of the command line, the SDK and Go.
func runVersion(a *app) {
	fmt.Fprintf(a.stdout, "vpsorg %s\nvpsorg-go SDK %s\n%s %s/%s\n",
		cliVersion(), vpsorg.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
