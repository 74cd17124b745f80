// A static file server for the built site, as any static host would serve it:
// files from `dist/`, and `index.html` for every other path, so that deep
// links such as /wechat/connect/oauth2/authorize?... load the app — or, with
// `fallback: '404'`, `404.html` with status 404, as a host whose only rule is
// a custom 404 page (GitHub Pages) does.
// Used by scripts/serve.sh, the end-to-end tests and the benchmark.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * Starts serving `root` on `host:port` (port 0 picks a free one). With a
 * `prefix` such as '/qianbao', the site lives under that sub-path only.
 */
export async function serve(root, { host = '127.0.0.1', port = 0, prefix = '', fallback = 'index' } = {}) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    try {
      const requested = new URL(req.url, 'http://x').pathname;
      if (prefix && requested !== prefix && !requested.startsWith(prefix + '/')) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not under ' + prefix);
        return;
      }
      let path = requested.slice(prefix.length);
      try {
        path = decodeURIComponent(path);
      } catch {
        // A malformed escape is just a path that matches no file.
      }
      const file = normalize(join(base, path));
      let target = join(base, fallback === '404' ? '404.html' : 'index.html');
      let status = fallback === '404' ? 404 : 200;
      if (file.startsWith(base)) {
        const info = await stat(file).catch(() => null);
        if (info?.isFile()) {
          target = file;
          status = 200;
        } else if (info?.isDirectory() && (await stat(join(file, 'index.html')).catch(() => null))) {
          target = join(file, 'index.html');
          status = 200;
        }
      }
      const body = await readFile(target);
      res.writeHead(status, {
        'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
      });
      res.end(body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  });
  await new Promise((ok) => server.listen(port, host, ok));
  const { port: bound } = server.address();
  return { url: `http://${host}:${bound}${prefix}`, close: () => new Promise((ok) => server.close(ok)) };
}

// `node server.mjs DIR PORT`: serve until stopped.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir = 'dist', port = '8080'] = process.argv.slice(2);
  const { url } = await serve(dir, { port: Number(port) });
  console.log(`Serving ${dir} on ${url}`);
}
