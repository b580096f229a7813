'use strict';
// The course's chart picture renderer: one warm Node.js process per notebook kernel, started by
// package chart (helpers/chart/internal/picture, renderer.go) on a kernel's first chart. It turns
// an ECharts option into an SVG with ECharts' own server-side renderer, so that a saved notebook
// shows each chart as a picture where no script runs. Arguments: the unix socket to listen on (in
// a directory only its user can enter), the kernel's PID (the renderer ends when that process
// does), the ECharts library file.
// Protocol: one JSON request per line, {"option": "<JS object literal>", "width": W, "height": H},
// one JSON reply per line, {"svg": "..."} or {"error": "..."}. The option is code the course's own
// Go program wrote (it holds JavaScript functions), which is why only the user may connect.
const fs = require('fs');
const net = require('net');
const path = require('path');

const [sock, kernelArg, lib] = process.argv.slice(-3);
const kernel = Number(kernelArg);
const idleLimit = 15 * 60 * 1000; // a kernel left idle this long gets a fresh renderer later

global.echarts = require(lib); // custom series' renderItem functions call echarts.graphic
let last = Date.now();

function render(req) {
  const option = new Function('return (' + req.option + ');')();
  option.animation = false;
  // A picture has no buttons and no slider that would do nothing: the live chart has them.
  option.toolbox = { show: false };
  [].concat(option.dataZoom || []).forEach((z) => { if (z.type === 'slider') { z.show = false; } });
  const chart = global.echarts.init(null, null,
    { renderer: 'svg', ssr: true, width: req.width, height: req.height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function quit() {
  try { fs.unlinkSync(sock); } catch (e) { /* already gone */ }
  try { fs.rmdirSync(path.dirname(sock)); } catch (e) { /* another kernel's renderer is there */ }
  process.exit(0);
}

const server = net.createServer((conn) => {
  let buf = '';
  conn.setEncoding('utf8');
  conn.on('error', () => {});
  conn.on('data', (d) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      last = Date.now();
      let reply;
      try {
        reply = { svg: render(JSON.parse(line)) };
      } catch (e) {
        reply = { error: String((e && e.message) || e) };
      }
      conn.write(JSON.stringify(reply) + '\n');
    }
  });
});

fs.mkdirSync(path.dirname(sock), { recursive: true, mode: 0o700 });
try { fs.unlinkSync(sock); } catch (e) { /* no stale socket */ }
server.listen(sock);
setInterval(() => {
  try {
    process.kill(kernel, 0);
  } catch (e) {
    if (e.code === 'ESRCH') { quit(); }
  }
  if (Date.now() - last > idleLimit) { quit(); }
}, 500).unref();
// The timer above is unref'd: the listening server is what keeps the process alive.
process.on('SIGTERM', quit);
process.on('SIGINT', quit);
process.on('SIGHUP', quit);
