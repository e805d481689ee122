package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// configFile is config.toml: the contexts and which one is active.
//
//	active_context = "work"
//
//	[[contexts]]
//	name = "work"
//	token = "..."
//	api_url = "https://admin.vps.org/api/v1/" # optional
type configFile struct {
	ActiveContext string          `toml:"active_context,omitempty"`
	Contexts      []*contextEntry `toml:"contexts,omitempty"`
}

// contextEntry is one account: a name, its token and, when not the
// default, its API root.
type contextEntry struct {
	Name   string `toml:"name"`
	Token  secret `toml:"token"`
	APIURL string `toml:"api_url,omitempty"`
}

// secret is a token as the config file holds it. It prints as
// "[redacted]" so that a %v of a context, in an error or a debug line,
// never shows it; the TOML encoder writes the string itself.
type secret string

func (secret) String() string   { return "[redacted]" }
func (secret) GoString() string { return "[redacted]" }

// maxConfigSize bounds what is read: a config file is a few lines.
const maxConfigSize = 1 << 20

// configHeader opens every config file vpsorg writes.
const configHeader = `# vpsorg's contexts, written by "vpsorg context". It holds API tokens:
# keep it private (mode 0600); vpsorg refuses it when others can read it.

`

// configPath is $XDG_CONFIG_HOME/vpsorg/config.toml, else
// ~/.config/vpsorg/config.toml (%AppData%\vpsorg\config.toml on Windows),
// or "" when the environment names no such directory. getenv is the run's,
// so tests never touch the real home directory.
func configPath(getenv func(string) string) string {
	dir := getenv("XDG_CONFIG_HOME")
	switch {
	case filepath.IsAbs(dir): // the XDG spec says to ignore a relative one
	case runtime.GOOS == "windows" && getenv("AppData") != "":
		dir = getenv("AppData")
	case getenv("HOME") != "":
		dir = filepath.Join(getenv("HOME"), ".config")
	default:
		return ""
	}
	return filepath.Join(dir, "vpsorg", "config.toml")
}

// loadConfig reads the config file at path; a missing file is an empty
// config. A file that others can read is refused before its content is
// read, as ssh refuses a private key: its tokens may already have leaked,
// and nothing should be sent with them until it is fixed.
func loadConfig(path string) (*configFile, error) {
	f, err := os.Open(path) //nolint:gosec // G304: the path is the user's own config file
	if errors.Is(err, fs.ErrNotExist) {
		return &configFile{}, nil
	}
	if err != nil {
		return nil, configFailure(path, err, "")
	}
	defer f.Close()
	if err := checkPrivate(f, path); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, configFailure(path, err, "")
	}
	if len(data) > maxConfigSize {
		return nil, configFailure(path, errors.New("larger than 1 MiB"), "")
	}
	return parseConfig(path, data)
}

// checkPrivate refuses a config file that is not a regular file, or whose
// mode lets its group or others read or write it. Windows keeps a user's
// files private with ACLs, which the mode bits do not show.
func checkPrivate(f *os.File, path string) error {
	info, err := f.Stat()
	if err != nil {
		return configFailure(path, err, "")
	}
	if !info.Mode().IsRegular() {
		return configFailure(path, errors.New("not a regular file"), "")
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return configFailure(path,
			fmt.Errorf("others can read it (mode %04o), so its tokens are not used", perm),
			"make it private: chmod 600 "+path)
	}
	return nil
}

// parseConfig decodes the TOML in data. Its errors give the line only:
// the parser's own message may quote the line, which may hold a token.
func parseConfig(path string, data []byte) (*configFile, error) {
	var cfg configFile
	md, err := toml.Decode(string(data), &cfg)
	var parseErr toml.ParseError
	switch {
	case errors.As(err, &parseErr):
		return nil, configFailure(path, fmt.Errorf("line %d is not valid TOML", parseErr.Position.Line), "")
	case err != nil:
		return nil, configFailure(path, errors.New("not a vpsorg config file (a value has the wrong type)"), "")
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		return nil, configFailure(path, fmt.Errorf("unknown key %q", keys[0].String()), "")
	}
	if err := cfg.check(); err != nil {
		return nil, configFailure(path, err, "")
	}
	return &cfg, nil
}

// check refuses what vpsorg would never write: a context without a valid
// name or token, a name twice, an active context that does not exist.
func (c *configFile) check() error {
	seen := map[string]bool{}
	for i, ctx := range c.Contexts {
		if err := checkContextName(ctx.Name); err != nil {
			return fmt.Errorf("context %d: %w", i+1, err)
		}
		if seen[ctx.Name] {
			return fmt.Errorf("context %q is there twice", ctx.Name)
		}
		seen[ctx.Name] = true
		if err := checkToken(string(ctx.Token)); err != nil {
			return fmt.Errorf("context %q: %w", ctx.Name, err)
		}
	}
	if c.ActiveContext != "" && !seen[c.ActiveContext] {
		return fmt.Errorf("the active context %q is not there", c.ActiveContext)
	}
	return nil
}

// find returns the context called name, or nil.
func (c *configFile) find(name string) *contextEntry {
	i := slices.IndexFunc(c.Contexts, func(ctx *contextEntry) bool { return ctx.Name == name })
	if i < 0 {
		return nil
	}
	return c.Contexts[i]
}

// names lists the contexts' names, in the file's order.
func (c *configFile) names() []string {
	names := make([]string, 0, len(c.Contexts))
	for _, ctx := range c.Contexts {
		names = append(names, ctx.Name)
	}
	return names
}

// saveConfig writes cfg to path atomically: into a new file of mode 0600
// beside it, then renamed over it, so that a crash or a full disk never
// leaves a half-written file and the tokens are never readable by others,
// not even for a moment. The directory is made 0700 when it is new.
func saveConfig(path string, cfg *configFile) error {
	var buf bytes.Buffer
	buf.WriteString(configHeader)
	enc := toml.NewEncoder(&buf)
	enc.Indent = ""
	if err := enc.Encode(cfg); err != nil {
		return configFailure(path, err, "")
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return configFailure(path, err, "")
	}
	tmp, err := os.CreateTemp(dir, ".config.toml.*") // mode 0600
	if err != nil {
		return configFailure(path, err, "")
	}
	err = writeAndClose(tmp, buf.Bytes())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name()) // the write failed already; this only tidies up
		return configFailure(path, err, "")
	}
	return nil
}

// writeAndClose writes data to f, makes sure it is on disk, and closes f.
func writeAndClose(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(0o600) // CreateTemp's mode, whatever the umask did
	}
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// configFailure is a problem with the config file: exit 2, nothing sent.
func configFailure(path string, err error, hint string) error {
	return &failure{op: "config file " + path, err: err, hint: hint, code: exitUsage}
}

// checkContextName keeps names to what reads well in a shell and a table.
func checkContextName(name string) error {
	if name == "" || len(name) > 64 || strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "" || name[0] == '-' {
		return fmt.Errorf("context name %q: use up to 64 letters, digits, '.', '_' and '-', not starting with '-'", name)
	}
	return nil
}

// checkToken refuses an empty token, and one with spaces or control
// characters inside: two lines pasted, or a token with its label. Its
// message never quotes the token.
func checkToken(token string) error {
	switch {
	case token == "":
		return errors.New("the token is empty")
	case len(token) > 4096:
		return errors.New("the token is longer than 4096 bytes")
	case strings.IndexFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0:
		return errors.New("the token holds spaces or control characters")
	}
	return nil
}
