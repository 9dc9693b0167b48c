// NocoDB host for bench/compare.sh: Noco.init() on an express app that listens on HOST
// (127.0.0.1) only. Run with NODE_PATH=<nocodb install>/node_modules and NocoDB's settings in
// the environment (NC_DB, NC_TOOL_DIR, NC_DISABLE_TELE, PORT, …; see bench/lib.sh).
const http = require('http');
const express = require('express');
const { Noco } = require('nocodb');

const port = +(process.env.PORT || 8080);
const host = process.env.HOST || '127.0.0.1';
(async () => {
  const t0 = Date.now();
  const app = express();
  const server = http.createServer(app);
  app.use(await Noco.init({}, server, app));
  server.listen(port, host, () => console.log(`NOCODB_READY http://${host}:${port} init_ms=${Date.now() - t0}`));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
