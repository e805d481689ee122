// Command vpsorg manages VPS.org backups and snapshots from the shell and CI,
// built on the vpsorg-go SDK. Run "vpsorg --help" for the commands and the
// exit codes.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}
