package chart

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
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A chart shown in a notebook carries a picture of itself: an SVG that
// ECharts' own server-side renderer draws from the same option, put in the
// chart's div as an <img>, which the live chart replaces where scripts run.
// Where they do not (an untrusted notebook, a viewer, a page with scripts
// off) the picture is what the reader sees.
//
// Each cell of a notebook is a new program, and loading ECharts into Node.js
// takes a quarter of a second, so the picture comes from one warm renderer
// per kernel (render.cjs): the first chart of a kernel starts it, later
// cells reuse it, and it ends when the kernel's process does. It listens on
// a unix socket in a directory that only the user can enter, and renders
// options of the course's own charts only.

//go:embed render.cjs
var renderScript string

// PicturesEnv names a variable that turns the pictures off when set to 0:
// the charts then draw only where scripts run.
const PicturesEnv = "COURSE_CHART_PICTURES"

// pictureWidth is the width, in pixels, at which pictures are drawn: the
// widest a chart's div gets. Narrower outputs scale the picture down.
const pictureWidth = 960

// A renderer is the warm picture renderer of one kernel.
type renderer struct {
	dir    string        // a directory only the user can enter
	kernel int           // the PID the renderer outlives no longer than
	lib    func() string // the ECharts library file, or "" when there is none
	start  time.Duration // how long a cold start may take
	reply  time.Duration // how long one picture may take
}

// defaultRenderer is the renderer of the kernel running this cell: its
// parent process.
func defaultRenderer() *renderer {
	return &renderer{
		dir:    filepath.Join(os.TempDir(), fmt.Sprintf("ck-charts-%d", os.Getuid())),
		kernel: os.Getppid(),
		lib: func() string {
			p, err := LibraryPath()
			if err != nil {
				return ""
			}
			return p
		},
		start: 5 * time.Second,
		reply: 5 * time.Second,
	}
}

func (r *renderer) socket() string {
	return filepath.Join(r.dir, "kernel-"+strconv.Itoa(r.kernel)+".sock")
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
func (r *renderer) dial() (net.Conn, error) {
	if err := private(r.dir); err != nil {
		return nil, err
	}
	if c, err := net.Dial("unix", r.socket()); err == nil {
		return c, nil
	}
	lib := r.lib()
	if lib == "" {
		return nil, errors.New("no ECharts library")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(node, "-e", renderScript, "--", r.socket(), strconv.Itoa(r.kernel), lib)
	// A session of its own: an interrupt of the cell, which signals the cell's process group, does
	// not end the kernel's renderer. Its output goes nowhere: a failure shows as a missing picture.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }() // reaps it if it fails; a started renderer outlives the cell
	deadline := time.Now().Add(r.start)
	for {
		c, err := net.Dial("unix", r.socket())
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
			return nil, fmt.Errorf("the renderer did not listen within %v", r.start)
		}
	}
}

// render returns the SVG of an option at the given size.
func (r *renderer) render(option string, width, height int) (string, error) {
	c, err := r.dial()
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(r.reply))
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

var (
	// svgNoise matches what a static picture does not need: ECharts' class
	// names, pointer-events and ecmeta_ attributes, which only its live
	// renderer reads, and the SVG version, which browsers ignore.
	svgNoise = regexp.MustCompile(` (class|pointer-events|ecmeta_[a-z_]+|version|baseProfile)="[^"]*"`)
	// svgGeometry matches the attributes that hold coordinates.
	svgGeometry = regexp.MustCompile(` (d|transform|x|y|x1|y1|x2|y2|width|height|points)="[^"]*"`)
	// svgNumber matches numbers with more than one decimal.
	svgNumber = regexp.MustCompile(`(\d+\.\d)\d+`)
)

var (
	// svgElement matches the opening tag of a drawn element, its attributes
	// in group 2.
	svgElement = regexp.MustCompile(`<(path|text|rect|circle|ellipse|line|polyline|polygon|g|tspan)((?: [a-zA-Z:-]+="[^"]*")*)(/?)>`)
	// svgAttribute matches one attribute.
	svgAttribute = regexp.MustCompile(` ([a-zA-Z:-]+)="([^"]*)"`)
	// svgStyled lists the presentation attributes that a style sheet can
	// set as well: the picture names each set of them once, as a class.
	svgStyled = map[string]bool{
		"fill": true, "fill-opacity": true, "stroke": true, "stroke-width": true, "stroke-opacity": true,
		"stroke-linecap": true, "stroke-linejoin": true, "stroke-dasharray": true, "stroke-dashoffset": true,
		"stroke-miterlimit": true, "opacity": true, "paint-order": true, "dominant-baseline": true,
		"text-anchor": true, "xml:space": true,
	}
)

// classed moves the presentation attributes and styles of the SVG's
// elements into one style sheet, a class per distinct set: ECharts writes
// them out in full on every text and path, which is most of a picture's
// size. A style sheet's rule outranks a presentation attribute, so every
// such attribute of an element moves into its class, none stays behind.
func classed(svg string) string {
	classes := map[string]string{}
	var sheet strings.Builder
	svg = svgElement.ReplaceAllStringFunc(svg, func(tag string) string {
		m := svgElement.FindStringSubmatch(tag)
		var keep, decls []string
		var inline string
		for _, a := range svgAttribute.FindAllStringSubmatch(m[2], -1) {
			switch name, value := a[1], a[2]; {
			case name == "style":
				inline = value
			case name == "xml:space":
				decls = append(decls, "white-space:pre") // its meaning, in CSS
			case svgStyled[name]:
				decls = append(decls, name+":"+value)
			default:
				keep = append(keep, a[0])
			}
		}
		if inline != "" {
			decls = append(decls, strings.TrimSuffix(inline, ";")) // last: a style outranks the attributes
		}
		if len(decls) == 0 {
			return tag
		}
		rule := strings.Join(decls, ";")
		class, ok := classes[rule]
		if !ok {
			class = "k" + strconv.Itoa(len(classes))
			classes[rule] = class
			fmt.Fprintf(&sheet, ".%s{%s}", class, rule)
		}
		return "<" + m[1] + strings.Join(keep, "") + ` class="` + class + `"` + m[3] + ">"
	})
	svg = mergePaths(svg)
	if sheet.Len() == 0 {
		return svg
	}
	if i := strings.Index(svg, ">"); strings.HasPrefix(svg, "<svg") && i > 0 {
		svg = svg[:i+1] + "<style>" + sheet.String() + "</style>" + svg[i+1:]
	}
	return svg
}

// svgPathRun matches two or more paths in a row that differ only in their
// outline: a Gantt chart's bars of one colour, an axis's ticks.
var svgPathRun = regexp.MustCompile(`(?:<path d="[^"]*" class="(k\d+)"(?:></path>|/>))(?:<path d="[^"]*" class="k\d+"(?:></path>|/>))+`)

// svgPath matches one such path.
var svgPath = regexp.MustCompile(`<path d="([^"]*)" class="(k\d+)"(?:></path>|/>)`)

// mergePaths draws each run of paths in a row (nothing else between them)
// as one path per class: a Gantt chart's bars of one colour, an axis's
// ticks. Each outline starts with a move and is filled on its own, so the
// shapes stay the same; what changes is the order in which a run's paths
// of different classes are painted, which shows only where they overlap,
// and the bars of a lane do not.
func mergePaths(svg string) string {
	return svgPathRun.ReplaceAllStringFunc(svg, func(run string) string {
		var classes []string
		outlines := map[string][]string{}
		for _, m := range svgPath.FindAllStringSubmatch(run, -1) {
			if _, seen := outlines[m[2]]; !seen {
				classes = append(classes, m[2])
			}
			outlines[m[2]] = append(outlines[m[2]], m[1])
		}
		var b strings.Builder
		for _, class := range classes {
			fmt.Fprintf(&b, `<path d="%s" class="%s"/>`, strings.Join(outlines[class], ""), class)
		}
		return b.String()
	})
}

var (
	// svgHorizontal and svgVertical match a line drawn along one axis.
	svgHorizontal = regexp.MustCompile(`l(-?[\d.]+) 0([^\d.]|$)`)
	svgVertical   = regexp.MustCompile(`l0 (-?[\d.]+)`)
)

// shortOutline writes an outline's lines along an axis as h and v
// commands: "l9 0l0 26.7" is "h9v26.7", the same line.
func shortOutline(d string) string {
	d = svgHorizontal.ReplaceAllString(d, "h$1$2")
	return svgVertical.ReplaceAllString(d, "v$1")
}

// pictureURL turns an SVG into a data: URL for an <img>, smaller than the
// SVG as it came: styles named once, numbers with one decimal (a tenth of a
// pixel), and the text percent-encoded only where a URL or an HTML
// attribute needs it, which keeps it near its own size (base64 would add a
// third).
func pictureURL(svg string) string {
	svg = strings.ReplaceAll(svg, ">\n<", "><") // ECharts writes an element per line
	svg = svgNoise.ReplaceAllString(svg, "")
	svg = classed(svg)
	svg = svgGeometry.ReplaceAllStringFunc(svg, func(attr string) string {
		attr = svgNumber.ReplaceAllString(attr, "$1")
		if strings.HasPrefix(attr, ` d="`) {
			attr = shortOutline(attr)
		}
		return attr
	})
	var b strings.Builder
	b.WriteString("data:image/svg+xml,")
	for i := 0; i < len(svg); i++ {
		switch ch := svg[i]; ch {
		case '"':
			b.WriteByte('\'') // the SVG's attributes: quoted with ' instead
		case '%', '#', '<', '>', '&', '\'', '\t', '\r', '\n':
			fmt.Fprintf(&b, "%%%02X", ch)
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// picture returns the chart's picture as a data: URL, or "" when none can
// be drawn (pictures off, no Node.js, no library): the chart then draws
// where scripts run, as before.
func (c *Chart) picture(r *renderer) string {
	if os.Getenv(PicturesEnv) == "0" {
		return ""
	}
	svg, err := r.render(c.option, pictureWidth, c.height)
	if err != nil {
		return ""
	}
	return pictureURL(svg)
}
