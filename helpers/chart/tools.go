package chart

import (
	"strconv"

	"github.com/concurrency-kitchen/course/helpers/display"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// What every chart has around its plot: a title clear of the cell's
// printed lines above it, and a toolbox at the top right, whose buttons
// save the chart as a PNG named after its title and restore it as it was
// drawn. Charts along time (Gantt, SchedGantt, Handoffs) also zoom on
// their time axis: with the mouse wheel and by dragging in the plot, with
// the toolbox's zoom button (drag across a stretch of time), and, when they
// have more than manyBars bars, with a slider under the plot.

// titleTop is the gap, in pixels, between a chart's top edge and its
// title: in a notebook the chart comes right under the lines the cell
// printed, which the title would otherwise touch.
const titleTop = 10

// manyBars is how many bars a chart along time may have without a zoom
// slider: past that, bars are a few pixels wide on a notebook's width and
// a learner wants to pick a stretch of time to read them. Fewer bars read
// without one, and still zoom with the wheel and the toolbox.
const manyBars = 40

// Where the slider goes, in pixels: its height, and the height it adds
// under the plot (the slider, its move handle and a gap to the axis name).
const (
	sliderHeight = 20
	sliderSpace  = 28
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

// zoom is how a chart zooms on its x axis.
type zoom int

const (
	noZoom     zoom = iota
	zoomInside      // the mouse wheel, dragging, and the toolbox's zoom button
	zoomSlider      // all of zoomInside's ways, and a slider under the plot
)

// zoomFor returns how a chart along time with bars bars zooms.
func zoomFor(bars int) zoom {
	if bars > manyBars {
		return zoomSlider
	}
	return zoomInside
}

// A frame is a chart's title, toolbox and zoom. Its options set them on a
// go-echarts chart; as the chart's configuration visitor, it then adds
// what go-echarts has no fields for: the title's width and truncation,
// narrower on narrower charts, and the slider's place.
type frame struct {
	charts.BaseConfigurationVisitor
	title        string
	zoom         zoom
	sliderBottom int // pixels from the chart's bottom edge to the slider's
}

// newFrame returns the frame of a chart titled title that zooms as z,
// with its slider (if any) sliderBottom pixels above the chart's bottom
// edge: under the axis name, above a legend at the bottom.
func newFrame(title string, z zoom, sliderBottom int) frame {
	return frame{title: title, zoom: z, sliderBottom: sliderBottom}
}

// below returns the height, in pixels, that the frame adds under the
// plot: the slider's, or nothing.
func (f frame) below() int {
	if f.zoom == zoomSlider {
		return sliderSpace
	}
	return 0
}

// px writes a length in pixels as go-echarts' position fields take it.
func px(n int) string { return strconv.Itoa(n) }

// titleOpts places a chart's title and subtitle at the top left, titleTop
// pixels down.
func titleOpts(title, subtitle string) opts.Title {
	return opts.Title{Title: title, Subtitle: subtitle, Top: px(titleTop)}
}

// options sets the frame's toolbox and zoom on a chart, and makes the
// frame its configuration visitor.
func (f frame) options() charts.GlobalOpts {
	return func(bc *charts.BaseConfiguration) {
		bc.Toolbox = f.toolbox()
		bc.DataZoomList = f.dataZooms()
		bc.Accept(f)
	}
}

// toolbox returns the toolbox: save as image, zoom (on charts that zoom)
// and restore.
func (f frame) toolbox() opts.Toolbox {
	feature := &opts.ToolBoxFeature{
		SaveAsImage: &opts.ToolBoxFeatureSaveAsImage{Show: opts.Bool(true), Type: "png",
			Name: display.FileName(f.title), Title: "save as image"},
		Restore: &opts.ToolBoxFeatureRestore{Show: opts.Bool(true), Title: "restore"},
	}
	if f.zoom != noZoom {
		// Icon and Title are maps that go-echarts writes as null when
		// nil, which hides the buttons: empty icons keep ECharts' own.
		feature.DataZoom = &opts.ToolBoxFeatureDataZoom{Show: opts.Bool(true), YAxisIndex: false,
			Icon:  map[string]string{},
			Title: map[string]string{"zoom": "zoom: drag across a stretch of time", "back": "undo the last zoom"}}
	}
	return opts.Toolbox{Show: opts.Bool(true), Right: px(toolboxRight), Top: px(titleTop), Feature: feature}
}

// toolboxWidth returns how wide the toolbox is, in pixels.
func (f frame) toolboxWidth() int {
	icons := 2 // save as image, restore
	if f.zoom != noZoom {
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
func (f frame) dataZooms() []opts.DataZoom {
	if f.zoom == noZoom {
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
func (f frame) VisitDataZooms(zs []opts.DataZoom) any {
	out := make([]any, len(zs))
	for i, z := range zs {
		out[i] = z
		if z.Type == "slider" {
			if f.zoom == zoomSlider {
				out[i] = placedZoom{z, true, f.sliderBottom, sliderHeight}
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

// Charts are at most maxWidth pixels wide (see Fragment), and narrower in
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
func (f frame) titleWidth(chartWidth int) int {
	return max(chartWidth-2*5-toolboxRight-f.toolboxWidth()-titleGap, 60) // 5: the title's padding
}

// VisitTitleOpt ends the title and subtitle before the toolbox on the
// widest charts; Visit does it on narrower ones.
func (f frame) VisitTitleOpt(t opts.Title) any {
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
func (f frame) Visit(option map[string]any) {
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
