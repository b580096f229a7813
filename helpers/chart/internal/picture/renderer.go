// Package picture draws pictures of the course's charts: an SVG that
// ECharts' own server-side renderer draws from a chart's option, made into
// a small data: URL for an <img> in the chart's div, which the live chart
// replaces where scripts run. Where they do not (an untrusted notebook, a
// viewer, a page with scripts off) the picture is what the reader sees.
//
// Each cell of a notebook is a new program, and loading ECharts into
// Node.js takes a quarter of a second, so the pictures come from one warm
// renderer per kernel (render.cjs): the first chart of a kernel starts it,
// later cells reuse it, and it ends when the kernel's process does. It
// listens on a unix socket in a directory that only the user can enter,
// and renders options of the course's own charts only.
package picture

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

//go:embed render.cjs
var renderScript string

// Width is the width, in pixels, at which pictures are drawn: the widest a
// chart's div gets. Narrower outputs scale the picture down.
const Width = 960

// A Renderer is the warm picture renderer of one kernel.
type Renderer struct {
	Dir    string        // a directory only the user can enter, made when missing
	Kernel int           // the PID the renderer outlives no longer than
	Lib    func() string // the ECharts library file, or "" when there is none
	Start  time.Duration // how long a cold start may take
	Reply  time.Duration // how long one picture may take
}

// ForKernel returns the renderer of the kernel running this cell, which
// is its parent process; lib says where the ECharts library is.
func ForKernel(lib func() string) *Renderer {
	return &Renderer{
		Dir:    filepath.Join(os.TempDir(), fmt.Sprintf("ck-charts-%d", os.Getuid())),
		Kernel: os.Getppid(),
		Lib:    lib,
		Start:  5 * time.Second,
		Reply:  5 * time.Second,
	}
}

// Socket returns the path of the unix socket the renderer listens on.
func (r *Renderer) Socket() string {
	return filepath.Join(r.Dir, "kernel-"+strconv.Itoa(r.Kernel)+".sock")
}

// private checks that dir is a directory of this user that no one else can
// enter, making it when it is missing.
func private(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != os.Getuid() || fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s is not a private directory of this user", dir)
	}
	return nil
}

// dial connects to the kernel's renderer, starting it when none listens.
func (r *Renderer) dial() (net.Conn, error) {
	if err := private(r.Dir); err != nil {
		return nil, err
	}
	if c, err := net.Dial("unix", r.Socket()); err == nil {
		return c, nil
	}
	lib := r.Lib()
	if lib == "" {
		return nil, errors.New("no ECharts library")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(node, "-e", renderScript, "--", r.Socket(), strconv.Itoa(r.Kernel), lib)
	// A session of its own: an interrupt of the cell, which signals the cell's process group, does
	// not end the kernel's renderer. Its output goes nowhere: a failure shows as a missing picture.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }() // reaps it if it fails; a started renderer outlives the cell
	deadline := time.Now().Add(r.Start)
	for {
		c, err := net.Dial("unix", r.Socket())
		if err == nil {
			return c, nil
		}
		select {
		case <-exited:
			return nil, errors.New("the renderer ended at start")
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			return nil, fmt.Errorf("the renderer did not listen within %v", r.Start)
		}
	}
}

// Render returns the SVG of an ECharts option (a JavaScript object
// literal) at the given size, starting the kernel's renderer when it is
// not running yet.
func (r *Renderer) Render(option string, width, height int) (string, error) {
	c, err := r.dial()
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(r.Reply))
	req, err := json.Marshal(struct {
		Option string `json:"option"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
	}{option, width, height})
	if err != nil {
		return "", err
	}
	if _, err := c.Write(append(req, '\n')); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadBytes('\n')
	if err != nil {
		return "", err
	}
	var reply struct{ SVG, Error string }
	if err := json.Unmarshal(line, &reply); err != nil {
		return "", err
	}
	if reply.Error != "" {
		return "", errors.New(reply.Error)
	}
	return reply.SVG, nil
}
