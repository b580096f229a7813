// Browser test: JupyterLab on a free loopback port, headless Chromium driven by playwright-core.
// It opens a copy of lesson 01, runs all cells, and checks that every chart drew (a canvas with
// pixels inside each chart), that no request went to a host other than the Jupyter server, and
// that the charts draw again when the saved notebook is reopened, and that a copy of it that the
// server never signed (untrusted) shows every chart as its picture. Then it opens the notebook
// exported to HTML by nbconvert, from a file, and checks the charts there too. Screenshots go to
// test-output/browser/.
//
//   node .ci/browser-test.mjs [lesson]      (default 01-dinner; run by make test)
// Against a server that is already running (the container test): set JUPYTER_URL (its base URL,
// e.g. http://127.0.0.1:8890/user/ck/), JUPYTER_TOKEN, and BROWSER_TEST_PATH, the copy's path under
// that server's root. The nbconvert export is then not checked (it is the host run's).
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const LESSON = process.argv[2] || "01-dinner";
const EXTERNAL = process.env.JUPYTER_URL ? process.env.JUPYTER_URL.replace(/\/+$/, "") : "";
const OUT = path.join(ROOT, "test-output", EXTERNAL ? "browser-container" : "browser");
const WORK = path.join(OUT, "work");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
// The facts the harness shares (the test unit, the error-output rules): .ci/course.json.
const COURSE = JSON.parse(fs.readFileSync(path.join(ROOT, ".ci", "course.json"), "utf8"));
const unit = process.env.COURSE_TIME_UNIT || COURSE.test_unit;
const SELF_CHECK_FAILED = COURSE.self_check_failed;
const STDERR_ERROR = new RegExp(COURSE.stderr_error, "i");

function fail(msg) {
  console.error(`browser test FAILED: ${msg}`);
  process.exitCode = 1;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function waitFor(check, what, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// chartsState reports, for every chart div of the page, whether a canvas inside it has pixels.
const chartsState = () =>
  [...document.querySelectorAll(".ck-chart")].map((el) => {
    const c = el.querySelector("canvas");
    if (!c || !c.width || !c.height) return { drawn: false, why: el.textContent.slice(0, 120) || "no canvas" };
    const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let inked = 0;
    for (let i = 3; i < data.length; i += 4 * 7) if (data[i] !== 0) inked++;
    return { drawn: inked > 50, why: `${inked} inked samples` };
  });

// TRACE_CHARTS is how many charts of the runtime's execution trace (titles naming "the runtime's
// trace") each lesson draws at least: they must be there, and drawn (checkCharts saw every chart).
const TRACE_CHARTS = { "01-dinner": 2, "13-event-loop": 1 };

async function checkTraceCharts(page) {
  const want = TRACE_CHARTS[LESSON] || 0;
  const titles = await page.evaluate(() =>
    [...document.querySelectorAll(".ck-chart")].map((el) => el.dataset.title || ""));
  const traced = titles.filter((t) => t.includes("runtime's trace"));
  if (traced.length < want) fail(`${traced.length} trace charts in ${LESSON}, want ${want}: ${JSON.stringify(titles)}`);
  else console.log(`trace charts: ${traced.length} (${traced.join("; ")})`);
}

async function checkCharts(page, label, want) {
  const states = await waitFor(async () => {
    const s = await page.evaluate(chartsState);
    return s.length >= want && s.every((x) => x.drawn) ? s : null;
  }, `${want} drawn charts (${label})`, 60_000).catch(async (e) => {
    const s = await page.evaluate(chartsState);
    fail(`${label}: ${e.message}; charts: ${JSON.stringify(s)}`);
    return s;
  });
  console.log(`${label}: ${states.filter((s) => s.drawn).length} of ${states.length} charts drawn`);
  return states;
}

async function main() {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const nbName = `${LESSON}.ipynb`;
  if (EXTERNAL) return run(EXTERNAL, process.env.JUPYTER_TOKEN || "", process.env.BROWSER_TEST_PATH || nbName, null);
  // A copy, so that saving it does not touch notebooks/ (COURSE_ROOT, set by the kernel, still
  // points the setup cell at this checkout's helpers).
  fs.copyFileSync(path.join(ROOT, "notebooks", nbName), path.join(WORK, nbName));
  // The chart library the server serves beside the notebooks (as in notebooks/assets).
  fs.cpSync(path.join(ROOT, "notebooks", "assets"), path.join(WORK, "assets"), { recursive: true });
  const settings = path.join(WORK, ".settings", "@jupyterlab", "docmanager-extension");
  fs.mkdirSync(settings, { recursive: true });
  fs.writeFileSync(path.join(settings, "plugin.jupyterlab-settings"), JSON.stringify({ autosave: false }));

  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(path.join(ROOT, ".venv", "bin", "jupyter"), [
    "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", `--ServerApp.port=${port}`,
    `--IdentityProvider.token=${token}`, `--ServerApp.root_dir=${WORK}`,
    "--LabApp.expose_app_in_browser=True", "--ServerApp.port_retries=0",
    ...(process.getuid && process.getuid() === 0 ? ["--allow-root"] : []),
  ], {
    // Not strict: this test is about what the page shows. The timing self-checks are the notebook
    // test's (strict, without a browser competing for the two cores); here they only warn.
    env: { ...process.env, COURSE_TIME_UNIT: unit, COURSE_STRICT: "",
      JUPYTERLAB_SETTINGS_DIR: path.join(WORK, ".settings"),
      JUPYTERLAB_WORKSPACES_DIR: path.join(WORK, ".workspaces") },
    stdio: ["ignore", "ignore", fs.openSync(path.join(OUT, "jupyter.log"), "w")],
    detached: true,
  });
  return run(base, token, nbName, server);
}

// run drives Chromium against the server at base, step by step; server is the child process to
// stop at the end, or null for a server this test did not start.
async function run(base, token, treePath, server) {
  const nbName = `${LESSON}.ipynb`;
  let browser, page;
  try {
    await waitFor(async () => {
      try { return (await fetch(`${base}/api/status?token=${token}`)).ok; } catch { return false; }
    }, "the Jupyter server", 60_000);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const foreign = watchRequests(page, new URL(base).host);

    await openNotebook(page, `${base}/lab/tree/${treePath}?token=${token}`);
    await runAllCells(page, nbName);
    await checkOutputs(page);
    const expected = await page.evaluate(() => document.querySelectorAll(".ck-chart").length);
    if (expected < 5) fail(`only ${expected} charts in ${nbName}`);
    await checkCharts(page, "after run all", expected);
    await checkTraceCharts(page);
    await screenshots(page, expected);
    await saveAndReopen(page, expected);
    if (server) await checkUntrusted(page, base, token, nbName, expected);

    if (foreign.length) fail(`requests to other hosts: ${[...new Set(foreign)].slice(0, 10).join(", ")}`);
    else console.log("no request left the Jupyter server");
    if (server) await checkExport(browser, nbName, expected);
  } catch (e) {
    if (page) await describeFailure(page);
    throw e;
  } finally {
    if (browser) await browser.close();
    if (server) await stopServer(server);
  }
}

// watchRequests collects the URLs of the page's requests to any host but origin.
function watchRequests(page, origin) {
  const foreign = [];
  page.on("request", (req) => {
    const u = new URL(req.url());
    if (["data:", "blob:", "about:"].includes(u.protocol)) return;
    if (u.host !== origin) foreign.push(req.url());
  });
  page.on("pageerror", (e) => console.log("page error:", e.message));
  return foreign;
}

// openNotebook opens the notebook at url and waits until it is connected to its kernel.
async function openNotebook(page, url) {
  await page.goto(url);
  await waitFor(() => page.evaluate(() => {
    const app = window.jupyterapp;
    const w = app && app.shell.currentWidget;
    // GoNB answers the first kernel_info requests with status messages that JupyterLab does not
    // track, so the kernel shows "unknown" until a cell runs: wait for the connection instead.
    const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
    return !!(k && k.connectionStatus === "connected" && k.info);
  }), "the notebook connected to the gonb kernel", 120_000);
}

// runAllCells runs every cell, as "Run All" does, and waits until each has run and the kernel
// is idle again.
async function runAllCells(page, nbName) {
  const started = Date.now();
  await page.evaluate(() => window.jupyterapp.commands.execute("notebook:run-all-cells"));
  await waitFor(() => page.evaluate(() => {
    const nb = window.jupyterapp.shell.currentWidget;
    const cells = nb.content.widgets.filter((c) => c.model.type === "code");
    return cells.every((c) => c.model.executionCount !== null) &&
      nb.sessionContext.session.kernel.status === "idle";
  }), "all cells to run", 600_000);
  console.log(`ran all cells of ${nbName} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

// checkOutputs fails on error outputs and on error lines on standard error (course.json's rules);
// failed self-checks only warn here: timing is the notebook test's to judge.
async function checkOutputs(page) {
  const stderr = await page.evaluate(() =>
    [...document.querySelectorAll(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")]
      .flatMap((e) => e.textContent.split("\n")));
  const warnings = stderr.filter((l) => l.includes(SELF_CHECK_FAILED));
  if (warnings.length) console.log(`self-check warnings (timing is the notebook test's to judge): ${warnings.join(" | ")}`);
  const errors = stderr.filter((l) => STDERR_ERROR.test(l) && !l.includes(SELF_CHECK_FAILED));
  if (errors.length) fail(`error output in the notebook: ${errors.join(" | ").slice(0, 2000)}`);
  const errorOutputs = await page.evaluate(() => document.querySelectorAll(".jp-RenderedText[data-mime-type='application/vnd.jupyter.error'], .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']").length);
  if (errorOutputs) fail(`${errorOutputs} error output(s) in the notebook`);
}

// screenshots saves the first chart, the lesson's summary chart and every chart, for a person to
// look at.
async function screenshots(page, expected) {
  fs.mkdirSync(OUT, { recursive: true });
  const first = page.locator(".ck-chart").first();
  await first.scrollIntoViewIfNeeded();
  await first.screenshot({ path: path.join(OUT, `${LESSON}-gantt.png`) });
  const bars = page.locator(".ck-chart").nth(await page.evaluate(() => {
    const all = [...document.querySelectorAll(".ck-chart")];
    return Math.max(0, all.findIndex((el) => (el.parentElement.closest(".jp-Cell")?.textContent || "").includes("Six dinners")));
  }));
  await bars.scrollIntoViewIfNeeded();
  await bars.screenshot({ path: path.join(OUT, `${LESSON}-summary.png`) });
  const charts = page.locator(".ck-chart");
  for (let i = 0; i < expected; i++) {
    await charts.nth(i).scrollIntoViewIfNeeded();
    await charts.nth(i).screenshot({ path: path.join(OUT, `${LESSON}-chart-${i + 1}.png`) });
  }
  console.log(`screenshots: ${path.join(OUT, `${LESSON}-gantt.png`)}, ${LESSON}-summary.png, ${LESSON}-chart-1..${expected}.png`);
}

// saveAndReopen saves the notebook (which signs its outputs: it is trusted), reloads the page,
// and checks the charts again.
async function saveAndReopen(page, expected) {
  await page.evaluate(() => window.jupyterapp.commands.execute("docmanager:save"));
  await waitFor(() => page.evaluate(() => !window.jupyterapp.shell.currentWidget.context.model.dirty), "the save", 30_000);
  await page.reload();
  await waitFor(() => page.evaluate(() => !!(window.jupyterapp && window.jupyterapp.shell.currentWidget &&
    window.jupyterapp.shell.currentWidget.content && window.jupyterapp.shell.currentWidget.content.widgets.length)),
    "the reopened notebook", 120_000);
  await checkCharts(page, "reopened", expected);
}

// checkUntrusted opens a copy of the saved notebook that this server never signed (one metadata
// field added), as a notebook from elsewhere opens: JupyterLab runs none of its scripts and
// sanitizes its HTML. Every chart must still show its picture (an <img> of an SVG), and no chart
// may be drawn live.
async function checkUntrusted(page, base, token, nbName, expected) {
  const saved = JSON.parse(fs.readFileSync(path.join(WORK, nbName), "utf8"));
  saved.metadata.ck_untrusted_copy = true;
  const copy = `${LESSON}-untrusted.ipynb`;
  fs.writeFileSync(path.join(WORK, copy), JSON.stringify(saved));
  await page.goto(`${base}/lab/tree/${copy}?token=${token}`);
  const shown = () => page.evaluate((name) => {
    const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    if (!w || !w.context || w.context.path !== name || !w.content.widgets.length) return null;
    const imgs = [...w.node.querySelectorAll(".jp-OutputArea-output img")]
      .filter((i) => i.src.startsWith("data:image/svg+xml"));
    return { pictures: imgs.length, loaded: imgs.filter((i) => i.complete && i.naturalWidth > 0).length,
      live: w.node.querySelectorAll(".jp-OutputArea-output canvas").length,
      trusted: w.content.model.cells.get(0) ? w.content.widgets.some((c) => c.model.trusted) : null };
  }, copy);
  const state = await waitFor(async () => {
    const s = await shown();
    return s && s.pictures >= expected && s.loaded === s.pictures ? s : null;
  }, `${expected} chart pictures in the untrusted copy`, 60_000).catch(async (e) => {
    fail(`untrusted copy: ${e.message}; ${JSON.stringify(await shown())}`);
  });
  if (state.live) fail(`untrusted copy: ${state.live} charts drawn live: its scripts ran`);
  if (state.trusted) fail("untrusted copy: JupyterLab trusts it: the check would prove nothing");
  const first = page.locator(".jp-OutputArea-output img[src^='data:image/svg+xml']").first();
  await first.scrollIntoViewIfNeeded();
  await first.screenshot({ path: path.join(OUT, `${LESSON}-untrusted.png`) });
  console.log(`untrusted copy: ${state.loaded} of ${expected} charts shown as pictures, none drawn live`);
}

// checkExport exports the saved notebook to HTML with nbconvert and opens it from a file, with no
// server. nbconvert's template loads RequireJS (and MathJax) from a CDN. Opened offline, neither
// loads; opened online, RequireJS is there, and a UMD library would register with it instead of
// defining window.echarts. Both are checked: offline, and with RequireJS served from node_modules.
async function checkExport(browser, nbName, expected) {
  execFileSync(path.join(ROOT, ".venv", "bin", "jupyter"), ["nbconvert", "--to", "html", "--output-dir", OUT,
    path.join(WORK, nbName)], { stdio: "ignore" });
  const html = path.join(OUT, `${LESSON}.html`);
  for (const withRequire of [false, true]) {
    const exported = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    exported.on("pageerror", (e) => console.log("exported page error:", e.message));
    let requireLoaded = false;
    await exported.route(/^https?:/, (route) => {
      if (withRequire && /require(\.min)?\.js/.test(route.request().url())) {
        requireLoaded = true;
        return route.fulfill({ path: path.join(ROOT, "node_modules", "requirejs", "require.js"), contentType: "text/javascript" });
      }
      return route.abort();
    });
    await exported.goto(`file://${html}`);
    const label = withRequire ? "exported HTML with RequireJS" : "exported HTML offline";
    await checkCharts(exported, label, expected);
    if (withRequire) {
      const amd = await exported.evaluate(() => typeof window.define === "function" && !!window.define.amd);
      if (!requireLoaded || !amd) fail(`${label}: RequireJS was not active (loaded ${requireLoaded}, define.amd ${amd})`);
      await exported.locator(".ck-chart").first().screenshot({ path: path.join(OUT, `${LESSON}-exported.png`) });
    }
    await exported.close();
  }
}

// describeFailure keeps a screenshot and prints what the page was showing.
async function describeFailure(page) {
  await page.screenshot({ path: path.join(OUT, "failure.png") }).catch(() => {});
  console.error("page state:", await page.evaluate(() => ({
    app: !!window.jupyterapp, title: document.title,
    widget: window.jupyterapp?.shell?.currentWidget?.title?.label,
    kernel: window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel?.status,
  })).catch((err) => err.message));
}

// stopServer ends the Jupyter server this test started, and its kernels (its process group).
async function stopServer(server) {
  try { process.kill(-server.pid, "SIGTERM"); } catch {}
  await new Promise((r) => setTimeout(r, 1000));
  try { process.kill(-server.pid, "SIGKILL"); } catch {}
}

main().then(() => {
  if (!process.exitCode) console.log("browser test passed");
}).catch((e) => fail(e.stack || e.message));
