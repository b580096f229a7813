// Package jsopt turns a go-echarts chart into the ECharts option that the
// course's charts draw from, a JavaScript object literal, and names the
// functions an option repeats once, so that a saved notebook stays small.
package jsopt

import (
	"fmt"
	"html/template"
	"regexp"
	"strings"
)

// A Chart is a go-echarts chart: *charts.Bar, *charts.Line, *charts.Custom.
type Chart interface {
	Validate()
	JSONNotEscaped() template.HTML
}

// Of returns the option of a go-echarts chart as a JavaScript object
// literal: JSON, except that callbacks such as the tooltip formatter are
// functions. go-echarts marks JavaScript functions with __f__ quotes; like
// its own renderer, Of drops the quotes so that the functions are code. A
// data item that holds only a value array is written as the array, which
// ECharts reads the same way: a long Gantt chart has thousands of them in
// a saved notebook.
func Of(c Chart) string {
	c.Validate()
	return valueOnly.ReplaceAllString(funcQuotes.ReplaceAllString(string(c.JSONNotEscaped()), ""), "$1")
}

var (
	funcQuotes = regexp.MustCompile(`(__f__")|("__f__)|(__f__)`)
	valueOnly  = regexp.MustCompile(`\{"value":(\[[^\[\]{}]*\])\}`)
)

// Share names each JavaScript function that option repeats (a Gantt
// chart's renderItem is the same in every lane's series) once, as a
// variable: defs declares them, and shared is the option that refers to
// them. The option's meaning does not change. The course's functions hold
// no braces inside strings, which is what Share relies on to find where a
// function ends.
func Share(option string) (defs, shared string) {
	const start = "function ("
	count := map[string]int{}
	var order []string
	for i := 0; ; {
		j := strings.Index(option[i:], start)
		if j < 0 {
			break
		}
		fn := functionAt(option[i+j:])
		if fn == "" {
			break
		}
		if count[fn] == 0 {
			order = append(order, fn)
		}
		count[fn]++
		i += j + len(fn)
	}
	var b strings.Builder
	shared = option
	n := 0
	for _, fn := range order {
		if count[fn] < 2 {
			continue
		}
		name := fmt.Sprintf("ckFn%d", n)
		n++
		fmt.Fprintf(&b, "var %s = %s;\n  ", name, fn)
		shared = strings.ReplaceAll(shared, fn, name)
	}
	return b.String(), shared
}

// functionAt returns the function literal at the start of s, up to its
// closing brace, or "" when its braces do not close.
func functionAt(s string) string {
	depth := 0
	for i, r := range s {
		switch r {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return s[:i+1]
			}
		}
	}
	return ""
}
