// Package frame puts what every course chart has around its plot on a
// go-echarts chart: a title clear of the cell's printed lines above it, and
// a toolbox at the top right, whose buttons save the chart as a PNG named
// after its title and restore it as it was drawn. Charts along time
// (Gantt, SchedGantt, Handoffs) also zoom on their time axis: with the
// toolbox's zoom button (drag across a stretch of time), and, when they
// have more than ManyBars bars, with a slider under the plot. The title
// ends before the toolbox on charts of every width.
package frame

import (
	"strconv"

	"github.com/concurrency-kitchen/course/helpers/display"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// TitleTop is the gap, in pixels, between a chart's top edge and its
// title: in a notebook the chart comes right under the lines the cell
// printed, which the title would otherwise touch.
const TitleTop = 10

// ManyBars is how many bars a chart along time may have without a zoom
// slider: past that, bars are a few pixels wide on a notebook's width and
// a learner wants to pick a stretch of time to read them. Fewer bars read
// without one, and still zoom with the toolbox.
const ManyBars = 40

// Where the slider goes, in pixels: its height, and the height it adds
// under the plot (the slider, its move handle and a gap to the axis name).
const (
	SliderHeight = 20
	SliderSpace  = 28
)

// Where the toolbox goes and how wide it is, in pixels: ECharts' default
// icon size, gap between icons and padding.
const (
	toolboxRight   = 10
	toolIcon       = 15
	toolGap        = 8
	toolboxPadding = 5
	titleGap       = 20 // between the end of a title and the first icon
)

// A Zoom is how a chart zooms on its x axis.
type Zoom int

// The ways a chart zooms.
const (
	NoZoom     Zoom = iota // none
	ZoomInside             // the toolbox's zoom button
	ZoomSlider             // the toolbox's zoom button, and a slider under the plot
)

// ZoomFor returns how a chart along time with bars bars zooms.
func ZoomFor(bars int) Zoom {
	if bars > ManyBars {
		return ZoomSlider
	}
	return ZoomInside
}

// A Frame is a chart's title, toolbox and zoom. Its options set them on a
// go-echarts chart; as the chart's configuration visitor, it then adds
// what go-echarts has no fields for: the title's width and truncation,
// narrower on narrower charts, and the slider's place.
type Frame struct {
	charts.BaseConfigurationVisitor
	title        string
	zoom         Zoom
	sliderBottom int // pixels from the chart's bottom edge to the slider's
}

// New returns the frame of a chart titled title that zooms as z,
// with its slider (if any) sliderBottom pixels above the chart's bottom
// edge: under the axis name, above a legend at the bottom.
func New(title string, z Zoom, sliderBottom int) Frame {
	return Frame{title: title, zoom: z, sliderBottom: sliderBottom}
}

// Title returns the title of the frame's chart.
func (f Frame) Title() string { return f.title }

// Below returns the height, in pixels, that the frame adds under the
// plot: the slider's, or nothing.
func (f Frame) Below() int {
	if f.zoom == ZoomSlider {
		return SliderSpace
	}
	return 0
}

// Px writes a length in pixels as go-echarts' position fields take it.
func Px(n int) string { return strconv.Itoa(n) }

// TitleOpts places a chart's title and subtitle at the top left, TitleTop
// pixels down.
func TitleOpts(title, subtitle string) opts.Title {
	return opts.Title{Title: title, Subtitle: subtitle, Top: Px(TitleTop)}
}

// Options sets the frame's toolbox and zoom on a chart, and makes the
// frame its configuration visitor.
func (f Frame) Options() charts.GlobalOpts {
	return func(bc *charts.BaseConfiguration) {
		bc.Toolbox = f.toolbox()
		bc.DataZoomList = f.dataZooms()
		bc.Accept(f)
	}
}

// toolbox returns the toolbox: save as image, zoom (on charts that zoom)
// and restore.
func (f Frame) toolbox() opts.Toolbox {
	feature := &opts.ToolBoxFeature{
		SaveAsImage: &opts.ToolBoxFeatureSaveAsImage{Show: opts.Bool(true), Type: "png",
			Name: display.FileName(f.title), Title: "save as image"},
		Restore: &opts.ToolBoxFeatureRestore{Show: opts.Bool(true), Title: "restore"},
	}
	if f.zoom != NoZoom {
		// Icon and Title are maps that go-echarts writes as null when
		// nil, which hides the buttons: empty icons keep ECharts' own.
		feature.DataZoom = &opts.ToolBoxFeatureDataZoom{Show: opts.Bool(true), YAxisIndex: false,
			Icon:  map[string]string{},
			Title: map[string]string{"zoom": "zoom: drag across a stretch of time", "back": "undo the last zoom"}}
	}
	return opts.Toolbox{Show: opts.Bool(true), Right: Px(toolboxRight), Top: Px(TitleTop), Feature: feature}
}

// toolboxWidth returns how wide the toolbox is, in pixels.
func (f Frame) toolboxWidth() int {
	icons := 2 // save as image, restore
	if f.zoom != NoZoom {
		icons += 2 // zoom, undo the zoom
	}
	return icons*toolIcon + (icons-1)*toolGap + 2*toolboxPadding
}

// dataZooms returns the frame's zoom component, on the x axis: a slider
// under the chart when it has many bars, hidden otherwise, where it only
// tells the toolbox's zoom how to treat a bar partly inside the zoomed
// window: it stays ("weakFilter"; ECharts takes that from the axis's first
// zoom), and the render functions clip it to the plot. There is no
// "inside" (wheel) zoom: ECharts' takes the mouse wheel from the page even
// with its wheel zoom off (measured in Chromium: the notebook stops
// scrolling over the chart; apache/echarts#10079).
func (f Frame) dataZooms() []opts.DataZoom {
	if f.zoom == NoZoom {
		return nil
	}
	return []opts.DataZoom{{Type: "slider", XAxisIndex: 0, FilterMode: "weakFilter"}}
}

// placedZoom is a data zoom with the fields go-echarts does not have.
type placedZoom struct {
	opts.DataZoom
	Show   bool `json:"show"`
	Bottom int  `json:"bottom,omitempty"`
	Height int  `json:"height,omitempty"`
}

// VisitDataZooms shows the slider sliderBottom pixels above the chart's
// bottom edge when the chart has many bars, and hides it otherwise.
func (f Frame) VisitDataZooms(zs []opts.DataZoom) any {
	out := make([]any, len(zs))
	for i, z := range zs {
		out[i] = z
		if z.Type == "slider" {
			if f.zoom == ZoomSlider {
				out[i] = placedZoom{z, true, f.sliderBottom, SliderHeight}
			} else {
				out[i] = placedZoom{DataZoom: z}
			}
		}
	}
	return out
}

// fit is the width of a title's or subtitle's text, past which ECharts
// cuts it short with an ellipsis.
type fit struct {
	Width    int    `json:"width"`
	Overflow string `json:"overflow,omitempty"`
}

// fittedTitle is a title whose text and subtext end before the toolbox.
type fittedTitle struct {
	opts.Title
	TextStyle    fit `json:"textStyle"`
	SubtextStyle fit `json:"subtextStyle"`
}

// Charts are at most maxWidth pixels wide (see page.Fragment), and narrower in
// a narrower notebook. The title's width is set for maxWidth - widthStep
// pixels and up, and again for each widthStep pixels less, down to
// minWidth, with ECharts media queries on the chart's width.
const (
	maxWidth  = 960
	widthStep = 160
	minWidth  = 320
)

// titleWidth returns how wide the title may be on a chart at least
// chartWidth pixels wide: up to the toolbox, with a gap.
func (f Frame) titleWidth(chartWidth int) int {
	return max(chartWidth-2*5-toolboxRight-f.toolboxWidth()-titleGap, 60) // 5: the title's padding
}

// VisitTitleOpt ends the title and subtitle before the toolbox on the
// widest charts; Visit does it on narrower ones.
func (f Frame) VisitTitleOpt(t opts.Title) any {
	w := f.titleWidth(maxWidth - widthStep)
	return fittedTitle{t, fit{w, "truncate"}, fit{w, "truncate"}}
}

// A media is an ECharts media query: option applies to charts no wider
// than maxWidth pixels.
type media struct {
	Query struct {
		MaxWidth int `json:"maxWidth"`
	} `json:"query"`
	Option struct {
		Title struct {
			TextStyle    fit `json:"textStyle"`
			SubtextStyle fit `json:"subtextStyle"`
		} `json:"title"`
	} `json:"option"`
}

// Visit adds the media queries that narrow the title on narrower charts.
// ECharts applies every query that matches, in order: the narrowest
// matching one, last, wins.
func (f Frame) Visit(option map[string]any) {
	var ms []media
	for w := maxWidth - widthStep; w-widthStep >= minWidth; w -= widthStep {
		var m media
		m.Query.MaxWidth = w
		m.Option.Title.TextStyle.Width = f.titleWidth(w - widthStep)
		m.Option.Title.SubtextStyle.Width = f.titleWidth(w - widthStep)
		ms = append(ms, m)
	}
	option["media"] = ms
}
