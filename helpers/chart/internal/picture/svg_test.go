package picture

import "testing"

func TestURL(t *testing.T) {
	tests := []struct {
		name, svg, want string
	}{
		{"attributes only a live chart reads are dropped",
			`<path d="M1 2" class="zr0-cls-0" pointer-events="visible" ecmeta_series_index="0"></path>`,
			`data:image/svg+xml,%3Cpath d='M1 2'%3E%3C/path%3E`},
		{"coordinates keep one decimal, text keeps its own",
			`<path d="M115.5432 70.25L1.0001 2"/><text x="3.14159">1.234 units</text>`,
			`data:image/svg+xml,%3Cpath d='M115.5 70.2L1.0 2'/%3E%3Ctext x='3.1'%3E1.234 units%3C/text%3E`},
		{"what a URL or an attribute cannot hold is escaped",
			"<text clip-path=\"url(#c1)\">50% & 'x'\n</text>",
			`data:image/svg+xml,%3Ctext clip-path='url(%23c1)'%3E50%25 %26 %27x%27%0A%3C/text%3E`},
		{"styles become classes, one per distinct set, a style after the attributes",
			`<svg width="9"><text fill="#333" style="font-size:12px;" xml:space="preserve" y="6">a</text>` +
				`<path d="M1 2" fill="none"/><text fill="#333" style="font-size:12px;" xml:space="preserve">b</text></svg>`,
			`data:image/svg+xml,%3Csvg width='9'%3E%3Cstyle%3E.k0{fill:%23333;white-space:pre;font-size:12px}.k1{fill:none}%3C/style%3E` +
				`%3Ctext y='6' class='k0'%3Ea%3C/text%3E%3Cpath d='M1 2' class='k1'/%3E%3Ctext class='k0'%3Eb%3C/text%3E%3C/svg%3E`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := URL(tt.svg); got != tt.want {
				t.Errorf("URL(%q)\n got %s\nwant %s", tt.svg, got, tt.want)
			}
		})
	}
}

func TestShortOutline(t *testing.T) {
	tests := []struct{ d, want string }{
		{"M177.8 88.9l1 0l0 26.7l-1 0Z", "M177.8 88.9h1v26.7h-1Z"},
		{"M1 2l3 4L5 0l10 0", "M1 2l3 4L5 0h10"},
		{"M1 2l0 -3.5l2.25 0", "M1 2v-3.5h2.25"},
		{"M1 2l3 0.5", "M1 2l3 0.5"},
	}
	for _, tt := range tests {
		if got := shortOutline(tt.d); got != tt.want {
			t.Errorf("shortOutline(%q) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestMergePaths(t *testing.T) {
	tests := []struct{ name, svg, want string }{
		{"a run of one class becomes one path",
			`<path d="M1 1l2 0Z" class="k1"></path><path d="M5 1l2 0Z" class="k1"></path><path d="M9 1l2 0Z" class="k1"/>`,
			`<path d="M1 1l2 0ZM5 1l2 0ZM9 1l2 0Z" class="k1"/>`},
		{"one path per class of the run, in the order the classes came",
			`<path d="M1 1Z" class="k1"></path><path d="M2 2Z" class="k2"></path><path d="M3 3Z" class="k2"></path><path d="M4 4Z" class="k1"></path>`,
			`<path d="M1 1ZM4 4Z" class="k1"/><path d="M2 2ZM3 3Z" class="k2"/>`},
		{"anything between two paths keeps them apart",
			`<path d="M1 1Z" class="k1"></path><text class="k3">x</text><path d="M2 2Z" class="k1"></path>`,
			`<path d="M1 1Z" class="k1"></path><text class="k3">x</text><path d="M2 2Z" class="k1"></path>`},
		{"a path with more attributes is left alone",
			`<path d="M1 1Z" class="k1"></path><path d="M2 2Z" transform="scale(2)" class="k1"></path>`,
			`<path d="M1 1Z" class="k1"></path><path d="M2 2Z" transform="scale(2)" class="k1"></path>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mergePaths(tt.svg); got != tt.want {
				t.Errorf("mergePaths\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}
