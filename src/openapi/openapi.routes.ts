import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { lazy } from '../common/lazy.js';

const TITLE = 'User Service — OpenAPI';

/** Swagger UI's files that /docs serves, by extension. */
const ASSET_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.png': 'image/png',
};

interface Docs {
  json: string;
  initJs: string;
}

/**
 * GET /openapi.json (the document) and /docs (Swagger UI); public, like the Sandbox page.
 *
 * Both are built at their first request: @nestjs/swagger, the route scan and the document cost
 * about 5 MB of heap, which an instance that is never asked for them does not carry.
 */
export function registerOpenApi(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const load = lazy(() =>
    import('./openapi.js').then(({ buildOpenApiDocument }): Docs => {
      const document = buildOpenApiDocument(app);
      return { json: JSON.stringify(document), initJs: swaggerInitJs(document) };
    }),
  );

  fastify.get('/openapi.json', async (_req, reply) => reply.type('application/json; charset=utf-8').send((await load()).json));
  // the page's links are relative: /docs needs its folder named, /docs/ does not
  fastify.get('/docs', (_req, reply) => reply.type('text/html; charset=utf-8').send(swaggerHtml('docs/')));
  for (const path of ['/docs/', '/docs/index.html'])
    fastify.get(path, (_req, reply) => reply.type('text/html; charset=utf-8').send(swaggerHtml('./')));
  fastify.get('/docs/swagger-ui-init.js', async (_req, reply) => reply.type(ASSET_TYPES['.js']!).send((await load()).initJs));
  fastify.get('/docs/:file', (req: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply) => {
    const file = swaggerUiAssets().get(req.params.file);
    if (!file) return reply.callNotFound();
    return reply.type(ASSET_TYPES[extname(file)]!).header('cache-control', 'public, max-age=86400').send(createReadStream(file));
  });
}

/** Swagger UI's distribution files (swagger-ui-dist, from @nestjs/swagger's dependencies), listed once. */
let assets: Map<string, string> | undefined;
function swaggerUiAssets(): Map<string, string> {
  if (!assets) {
    const fromSwagger = createRequire(createRequire(import.meta.url).resolve('@nestjs/swagger'));
    const dir = dirname(fromSwagger.resolve('swagger-ui-dist/package.json'));
    assets = new Map(
      readdirSync(dir)
        .filter((f) => ASSET_TYPES[extname(f)])
        .map((f) => [f, join(dir, f)]),
    );
  }
  return assets;
}

function swaggerHtml(base: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${TITLE}</title>
<link rel="stylesheet" href="${base}swagger-ui.css">
<link rel="icon" type="image/png" href="${base}favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${base}swagger-ui-bundle.js"></script>
<script src="${base}swagger-ui-standalone-preset.js"></script>
<script src="${base}swagger-ui-init.js"></script>
</body>
</html>
`;
}

/** The document is embedded, so the page works wherever /docs is mounted. */
function swaggerInitJs(document: unknown): string {
  // JSON is valid JavaScript; "<" escaped so that no string in it can close a script element
  const spec = JSON.stringify(document).replace(/</g, '\\u003c');
  return `window.onload = function () {
  window.ui = SwaggerUIBundle({
    spec: ${spec},
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
  });
};
`;
}
