// Site test: opens every page of the static site (.ci/build_site.py) from file:// in headless
// Chromium, with no server and no network, and checks that
//   - every request stays inside the site directory (file:// URLs under it, or data: URLs): any
//     other is aborted and fails the test;
//   - no console error and no page error;
//   - ECharts came from the site's assets/echarts.min.js (window.echarts), once, and every .ck-chart
//     has an ECharts instance that drew (a canvas with pixels, or an SVG), as many charts as the
//     executed notebook holds;
//   - the setup cell's ECharts loader and the run records are not on the page, and the page says at
//     which time unit it was executed;
//   - every relative link (navigation, download, assets) names a file of the site; the index lists
//     every lesson page.
// Screenshots (the index, each page's first chart) go to test-output/site-test/.
//
//   node .ci/site-test.mjs [site directory]     (default: site; make test-site: test-output/site)
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SITE = path.resolve(process.argv[2] || path.join(ROOT, "site"));
const OUT = path.join(ROOT, "test-output", "site-test");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
// A piece from the middle of the library: a page that holds it has the library inlined.
const LIB = fs.readFileSync(path.join(ROOT, "node_modules", "echarts", "dist", "echarts.min.js"), "utf8");
const LIB_PROBE = LIB.slice(LIB.length >> 1, (LIB.length >> 1) + 120);
const COURSE = JSON.parse(fs.readFileSync(path.join(ROOT, ".ci", "course.json"), "utf8"));

let failures = 0;
function fail(msg) {
  console.error(`site test FAILED: ${msg}`);
  failures++;
}

// inSite: is this URL a file of the site (or data inside the page)?
const SITE_URL = pathToFileURL(SITE + path.sep).href;
function inSite(url) {
  if (url.startsWith("data:") || url === "about:blank") return true;
  if (!url.startsWith("file://")) return false;
  const p = path.resolve(fileURLToPath(url.split("#")[0].split("?")[0]));
  return p.startsWith(SITE + path.sep);
}

// charts: for every .ck-chart, whether ECharts has an instance on it and it drew.
const chartsState = () =>
  [...document.querySelectorAll(".ck-chart")].map((el) => {
    const inst = window.echarts && window.echarts.getInstanceByDom(el);
    const c = el.querySelector("canvas");
    const svg = el.querySelector("svg");
    let inked = 0;
    if (c && c.width && c.height) {
      const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < data.length; i += 4 * 7) if (data[i] !== 0) inked++;
    }
    const drawn = !!inst && (inked > 50 || (!!svg && svg.childElementCount > 0));
    return { id: el.id, title: el.dataset.title || "", drawn,
      why: !window.echarts ? "window.echarts is undefined" : !inst ? `no ECharts instance: ${el.textContent.slice(0, 120)}`
        : `${c ? "canvas" : svg ? "svg" : "nothing"}, ${inked} inked samples` };
  });

async function waitFor(check, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v.ok || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

// chartsInNotebook counts the chart outputs of the executed notebook the page links to.
function chartsInNotebook(file) {
  const nb = JSON.parse(fs.readFileSync(file, "utf8"));
  let n = 0;
  for (const cell of nb.cells) {
    for (const o of cell.outputs || []) {
      let h = (o.data || {})["text/html"];
      if (Array.isArray(h)) h = h.join("");
      if (h && !h.includes("ck-echarts-loader")) n += (h.match(/class="ck-chart"/g) || []).length;
    }
  }
  return n;
}

// checkLinks: every relative href/src of the page names an existing file of the site.
async function checkLinks(page, name) {
  const refs = await page.evaluate(() =>
    [...document.querySelectorAll("[href], [src]")].map((e) => e.getAttribute("href") ?? e.getAttribute("src")));
  for (const r of refs) {
    if (!r || /^(https?:|data:|mailto:|#)/.test(r)) continue;
    const f = path.resolve(SITE, decodeURIComponent(r.split("#")[0]));
    if (!f.startsWith(SITE + path.sep) || !fs.existsSync(f)) fail(`${name}: link ${r} names no file of the site`);
  }
  return refs;
}

async function openPage(context, name) {
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => { if (inSite(r.url())) problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`); });
  await page.goto(pathToFileURL(path.join(SITE, name)).href, { waitUntil: "load" });
  return { page, problems };
}

async function main() {
  const started = Date.now();
  if (!fs.existsSync(path.join(SITE, "index.html"))) {
    fail(`${SITE}/index.html is missing: build the site first (make site, or make test-site)`);
    return;
  }
  fs.mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Every request: a file of the site passes, anything else is aborted and fails the test.
  const leaks = [];
  const seen = new Set();
  context.on("request", (r) => { seen.add(r.url()); if (!inSite(r.url())) leaks.push(r.url()); });
  await context.route("**", (route) => {
    const url = route.request().url();
    if (inSite(url)) return route.continue();
    leaks.push(url);
    return route.abort();
  });

  try {
    // The index: one row per lesson, each linking to its page.
    const { page: index, problems: ip } = await openPage(context, "index.html");
    const rows = await index.evaluate(() =>
      [...document.querySelectorAll("table.ck-course-map tbody tr")].map((tr) => ({
        num: tr.querySelector(".ck-num")?.textContent.trim(),
        href: tr.querySelector(".ck-title a")?.getAttribute("href"),
        title: tr.querySelector(".ck-title")?.textContent.trim(),
      })));
    await checkLinks(index, "index.html");
    const pages = fs.readdirSync(SITE).filter((f) => /^\d\d-.*\.html$/.test(f)).sort();
    const linked = rows.map((r) => r.href).sort();
    if (!pages.length) fail("the site has no lesson pages");
    if (JSON.stringify(linked) !== JSON.stringify(pages)) fail(`index links ${JSON.stringify(linked)}, the site has ${JSON.stringify(pages)}`);
    await index.screenshot({ path: path.join(OUT, "index.png"), fullPage: true });
    for (const p of ip) fail(`index.html: ${p}`);
    console.log(`index.html: ${rows.length} lessons (${rows.map((r) => r.num).join(" ")})`);
    await index.close();

    let totalCharts = 0;
    for (const [i, name] of pages.entries()) {
      const t0 = Date.now();
      const { page, problems } = await openPage(context, name);
      const slug = name.replace(/\.html$/, "");
      const nbFile = path.join(SITE, "notebooks", `${slug}.ipynb`);
      const want = fs.existsSync(nbFile) ? chartsInNotebook(nbFile) : -1;
      if (want < 0) fail(`${name}: no executed notebook at notebooks/${slug}.ipynb`);

      const lib = await page.evaluate(() => ({
        echarts: typeof window.echarts === "object" && window.echarts ? window.echarts.version : null,
        amd: typeof window.define === "function",
        scripts: [...document.querySelectorAll("script[src]")].map((s) => s.getAttribute("src")),
      }));
      if (!lib.echarts) fail(`${name}: window.echarts is undefined (assets/echarts.min.js did not load, or did not define it)`);
      if (lib.amd) fail(`${name}: an AMD loader (RequireJS) is on the page: ECharts would not define window.echarts`);
      const libTags = lib.scripts.filter((s) => s.endsWith("echarts.min.js"));
      if (libTags.length !== 1 || libTags[0] !== "assets/echarts.min.js") fail(`${name}: ECharts script tags ${JSON.stringify(libTags)}, want one, assets/echarts.min.js`);

      const st = await waitFor(async () => {
        const s = await page.evaluate(chartsState);
        return { ok: s.length === want && s.every((c) => c.drawn), s };
      }, lib.echarts ? 20_000 : 0);
      const drawn = st.s.filter((c) => c.drawn).length;
      if (st.s.length !== want) fail(`${name}: ${st.s.length} charts on the page, the executed notebook has ${want}`);
      if (!st.s.length) fail(`${name}: no chart on the page`);
      for (const c of st.s.filter((c) => !c.drawn)) fail(`${name}: chart ${c.id} "${c.title}" not drawn: ${c.why}`);
      totalCharts += drawn;

      const html = fs.readFileSync(path.join(SITE, name), "utf8");
      if (html.includes("ck-echarts-loader")) fail(`${name}: the notebook's ECharts loader is on the page`);
      if (html.includes(LIB_PROBE)) fail(`${name}: the ECharts library is inlined in the page`);
      const body = await page.evaluate(() => document.body.innerText);
      if (body.includes(COURSE.run_mime) || /"expected_units":/.test(body)) fail(`${name}: a run record is shown raw`);
      const executed = await page.evaluate(() => document.querySelector(".ck-executed")?.textContent || "");
      if (!/^Executed at (a|the course's default) time unit of \S+/.test(executed)) fail(`${name}: it does not say at which time unit it was executed: "${executed}"`);
      const nav = await page.evaluate(() => ({
        prev: document.querySelector(".ck-site-nav-top a[rel=prev]")?.getAttribute("href") || null,
        next: document.querySelector(".ck-site-nav-top a[rel=next]")?.getAttribute("href") || null,
        index: !!document.querySelector(".ck-site-nav-top a[href='index.html']"),
        binder: document.querySelector("a.ck-binder")?.getAttribute("href") || "",
        download: document.querySelector("a.ck-download")?.getAttribute("href") || "",
      }));
      if (nav.prev !== (pages[i - 1] || null) || nav.next !== (pages[i + 1] || null) || !nav.index)
        fail(`${name}: navigation ${JSON.stringify(nav)}, want prev ${pages[i - 1]}, next ${pages[i + 1]} and the index`);
      if (!nav.binder.endsWith(`?labpath=notebooks/${slug}.ipynb`)) fail(`${name}: Binder link ${nav.binder}`);
      if (nav.download !== `notebooks/${slug}.ipynb`) fail(`${name}: download link ${nav.download}`);
      await checkLinks(page, name);

      if (st.s.length) {
        const first = page.locator(".ck-chart").first();
        await first.scrollIntoViewIfNeeded();
        await first.screenshot({ path: path.join(OUT, `${slug}-chart-1.png`) });
        // The lesson's summary chart, where it has one: README.md's picture is lesson 03's six dinners, from here.
        const summary = page.locator('.ck-chart[data-title^="Six dinners"]');
        if (await summary.count()) {
          await summary.first().scrollIntoViewIfNeeded();
          await summary.first().screenshot({ path: path.join(OUT, `${slug}-summary.png`) });
        }
      }
      for (const p of problems) fail(`${name}: ${p}`);
      console.log(`${name}: ${drawn} of ${st.s.length} charts drawn (notebook: ${want}), ${(fs.statSync(path.join(SITE, name)).size / 1e3).toFixed(0)} kB, ` +
        `${((Date.now() - t0) / 1000).toFixed(1)} s; ${executed}`);
      await page.close();
    }
    if (leaks.length) fail(`requests that left the site: ${[...new Set(leaks)].slice(0, 10).join(", ")}`);
    else console.log(`no request left the site (${seen.size} distinct URLs, all under ${SITE} or data:)`);
    console.log(`${pages.length} pages and the index, ${totalCharts} charts drawn, in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${path.relative(ROOT, OUT)}/`);
  } finally {
    await browser.close();
  }
}

main().then(() => {
  if (failures) { console.error(`site test FAILED: ${failures} problem(s)`); process.exitCode = 1; }
  else console.log("site test passed");
}).catch((e) => { fail(e.stack || e.message); process.exitCode = 1; });
