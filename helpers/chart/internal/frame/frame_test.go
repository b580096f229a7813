package frame

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/go-echarts/go-echarts/v2/charts"
)

// fitted is a title's or subtitle's text style.
type fitted struct {
	Width    float64
	Overflow string
}

// option is what a frame sets in a chart's option.
type option struct {
	Title struct {
		Top, Subtext            string
		TextStyle, SubtextStyle fitted
	}
	Toolbox struct {
		Top     string
		Feature map[string]json.RawMessage
	}
	DataZoom []struct {
		Type, FilterMode string
		XAxisIndex       *int
		Show             bool
		Bottom, Height   int
	}
	Media []struct {
		Query  struct{ MaxWidth int }
		Option struct {
			Title struct{ TextStyle, SubtextStyle fitted }
		}
	}
}

// framed returns the option of a bar chart with the frame f, its title
// f's and its subtitle subtitle.
func framed(t *testing.T, f Frame, subtitle string) option {
	t.Helper()
	c := charts.NewBar()
	c.SetGlobalOptions(charts.WithTitleOpts(TitleOpts(f.Title(), subtitle)), f.Options())
	c.Validate()
	var o option
	if err := json.Unmarshal([]byte(c.JSONNotEscaped()), &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// feature decodes one feature of the toolbox into v, and says whether the
// toolbox has it.
func (o option) feature(t *testing.T, name string, v any) bool {
	t.Helper()
	raw, ok := o.Toolbox.Feature[name]
	if ok {
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatal(err)
		}
	}
	return ok
}

func TestZoomFor(t *testing.T) {
	tests := []struct {
		bars int
		want Zoom
	}{
		{0, ZoomInside}, {ManyBars, ZoomInside}, {ManyBars + 1, ZoomSlider},
	}
	for _, tt := range tests {
		if got := ZoomFor(tt.bars); got != tt.want {
			t.Errorf("ZoomFor(%d) = %v, want %v", tt.bars, got, tt.want)
		}
	}
}

func TestFrame(t *testing.T) {
	tests := []struct {
		name   string
		f      Frame
		file   string // the saved image's name
		zoom   bool   // the toolbox zooms (a hidden slider tells it to keep bars across the edges)
		slider bool
		below  int
	}{
		{name: "no zoom", f: New("Six dinners", NoZoom, 0), file: "six-dinners"},
		{name: "zoom with the toolbox", f: New("Dinner", ZoomInside, 8), file: "dinner", zoom: true},
		{name: "and a slider", f: New("Forty-one: a pool's jobs", ZoomSlider, 30), file: "forty-one-a-pool-s-jobs",
			zoom: true, slider: true, below: SliderSpace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := framed(t, tt.f, "sub")
			var save struct{ Name, Type string }
			if !o.feature(t, "saveAsImage", &save) || save.Name != tt.file || save.Type != "png" {
				t.Errorf("toolbox saves %+v, want a png named %q", save, tt.file)
			}
			var restore struct{ Show bool }
			if !o.feature(t, "restore", &restore) || !restore.Show {
				t.Errorf("toolbox has no restore: %v", o.Toolbox.Feature)
			}
			// null icons or titles hide the zoom buttons
			var zoom struct {
				Icon, Title map[string]string
				YAxisIndex  any
			}
			if o.feature(t, "dataZoom", &zoom) != tt.zoom {
				t.Errorf("toolbox zooms: %v, want %v", !tt.zoom, tt.zoom)
			} else if tt.zoom && (zoom.Icon == nil || zoom.Title == nil || zoom.YAxisIndex != false) {
				t.Errorf("toolbox zoom %+v, want icons and titles (objects) and the lanes kept (yAxisIndex false)", zoom)
			}

			if want := map[bool]int{false: 0, true: 1}[tt.zoom]; len(o.DataZoom) != want {
				t.Fatalf("%d data zooms, want %d: %+v", len(o.DataZoom), want, o.DataZoom)
			}
			for i, z := range o.DataZoom {
				if z.Type != "slider" || z.FilterMode != "weakFilter" || z.XAxisIndex == nil || *z.XAxisIndex != 0 {
					t.Errorf("dataZoom[%d] = %+v, want a slider on the x axis, weakFilter (bars across the window's edges stay)", i, z)
				}
				if z.Show != tt.slider {
					t.Errorf("the slider shows: %v, want %v", z.Show, tt.slider)
				}
				if tt.slider && (z.Bottom != tt.f.sliderBottom || z.Height != SliderHeight) {
					t.Errorf("slider %+v, want bottom %d and height %d", z, tt.f.sliderBottom, SliderHeight)
				}
			}
			if got := tt.f.Below(); got != tt.below {
				t.Errorf("Below() = %d, want %d", got, tt.below)
			}
			if o.Title.Top != Px(TitleTop) || o.Toolbox.Top != Px(TitleTop) || o.Title.Subtext != "sub" {
				t.Errorf("title %+v and toolbox.top %v, want both %d pixels down", o.Title, o.Toolbox.Top, TitleTop)
			}
			if o.Title.TextStyle.Overflow != "truncate" || o.Title.SubtextStyle.Overflow != "truncate" {
				t.Errorf("title does not truncate: %+v", o.Title)
			}
		})
	}
}

// TestTitleEndsBeforeToolbox applies the option's media queries as
// ECharts does, for every chart width, and checks that the title and
// subtitle end before the toolbox's first icon.
func TestTitleEndsBeforeToolbox(t *testing.T) {
	for _, z := range []Zoom{NoZoom, ZoomInside, ZoomSlider} {
		t.Run(fmt.Sprint("zoom ", z), func(t *testing.T) {
			o := framed(t, New("a title", z, 0), "a subtitle")
			toolbox := len(o.Toolbox.Feature)
			if _, ok := o.Toolbox.Feature["dataZoom"]; ok {
				toolbox++ // two buttons: zoom and back
			}
			toolboxWidth := toolbox*toolIcon + (toolbox-1)*toolGap + 2*toolboxPadding
			for width := minWidth; width <= maxWidth; width++ {
				title, sub := o.Title.TextStyle.Width, o.Title.SubtextStyle.Width
				for _, m := range o.Media {
					if width <= m.Query.MaxWidth {
						title, sub = m.Option.Title.TextStyle.Width, m.Option.Title.SubtextStyle.Width
					}
				}
				icons := float64(width - toolboxRight - toolboxWidth)
				if end := 5 + max(title, sub); end > icons-10 {
					t.Errorf("%d icons, %d pixels wide: the title ends at %v, the toolbox starts at %v", toolbox, width, end, icons)
				}
				if title < float64(width)/4 {
					t.Errorf("%d pixels wide: the title is cut at %v pixels", width, title)
				}
			}
		})
	}
}
