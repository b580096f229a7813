package picture

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

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

// URL turns an SVG into a data: URL for an <img>, smaller than the
// SVG as it came: styles named once, numbers with one decimal (a tenth of a
// pixel), and the text percent-encoded only where a URL or an HTML
// attribute needs it, which keeps it near its own size (base64 would add a
// third).
func URL(svg string) string {
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
