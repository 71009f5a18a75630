import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The files /graphiql serves, from the npm packages' own browser builds: nothing from a CDN. */
const ASSETS: Record<string, { pkg: string; path: string; type: string }> = {
  'react.production.min.js': { pkg: 'react', path: 'umd/react.production.min.js', type: 'application/javascript; charset=utf-8' },
  'react-dom.production.min.js': {
    pkg: 'react-dom',
    path: 'umd/react-dom.production.min.js',
    type: 'application/javascript; charset=utf-8',
  },
  'graphiql.min.js': { pkg: 'graphiql', path: 'graphiql.min.js', type: 'application/javascript; charset=utf-8' },
  'graphiql.min.css': { pkg: 'graphiql', path: 'graphiql.min.css', type: 'text/css; charset=utf-8' },
};

/** Only this origin; GraphiQL and CodeMirror set inline styles. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * GET /graphiql: GraphiQL, served from the graphiql, react and react-dom packages, so it works
 * where Apollo Sandbox (GET /graphql, loaded from Apollo's CDN) cannot: offline, air-gapped.
 * The page has a field for the bearer token; every request GraphiQL makes, introspection
 * included, carries it. Public like the Sandbox page: it holds no data, the API calls need the token.
 */
export function registerGraphiQL(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/graphiql', (_req, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).header('referrer-policy', 'no-referrer').send(PAGE),
  );
  fastify.get('/graphiql/graphiql-init.js', (_req, reply) => reply.type('application/javascript; charset=utf-8').send(INIT_JS));
  fastify.get('/graphiql/:file', (req: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply) => {
    const asset = Object.prototype.hasOwnProperty.call(ASSETS, req.params.file) ? ASSETS[req.params.file] : undefined;
    if (!asset) return reply.callNotFound();
    return reply
      .type(asset.type)
      .header('cache-control', 'public, max-age=86400')
      .send(createReadStream(assetPath(asset.pkg, asset.path)));
  });
}

const require = createRequire(import.meta.url);
const assetPath = (pkg: string, path: string) => join(dirname(require.resolve(`${pkg}/package.json`)), path);

// relative links: the page works wherever the service is mounted
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL — Contact email service</title>
<link rel="stylesheet" href="graphiql/graphiql.min.css">
<style>
  html, body { height: 100%; margin: 0; }
  body { display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
  #bar { display: flex; gap: 12px; align-items: center; padding: 8px 12px; border-bottom: 1px solid #ddd; font-size: 14px; }
  #bar input { flex: 0 1 32em; padding: 4px 6px; font-family: monospace; }
  #bar a { margin-left: auto; }
  #graphiql { flex: 1; min-height: 0; }
</style>
</head>
<body>
<form id="bar" autocomplete="off">
  <label for="token">Bearer token</label>
  <input id="token" name="token" type="password" placeholder="personal access token (data/admin.pat) or JWT">
  <button type="submit">Use token</button>
  <a href="graphql">Apollo Sandbox</a>
</form>
<div id="graphiql">Loading GraphiQL…</div>
<script src="graphiql/react.production.min.js"></script>
<script src="graphiql/react-dom.production.min.js"></script>
<script src="graphiql/graphiql.min.js"></script>
<script src="graphiql/graphiql-init.js"></script>
</body>
</html>
`;

// every request, the introspection query included, carries the token of the field; a new token
// remounts GraphiQL, so it introspects the schema again with it
const INIT_JS = `(function () {
  var form = document.getElementById('bar');
  var input = document.getElementById('token');
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  input.value = sessionStorage.getItem('graphiql-token') || '';
  function fetcher(token) {
    return function (params) {
      var headers = { 'content-type': 'application/json', accept: 'application/json' };
      if (token) headers.authorization = 'Bearer ' + token;
      return fetch('graphql', { method: 'POST', headers: headers, body: JSON.stringify(params) }).then(function (r) { return r.json(); });
    };
  }
  function render() {
    var token = input.value.trim();
    sessionStorage.setItem('graphiql-token', token);
    root.render(React.createElement(GraphiQL, { key: token, fetcher: fetcher(token), defaultEditorToolsVisibility: true }));
  }
  form.addEventListener('submit', function (e) { e.preventDefault(); render(); });
  render();
})();
`;
