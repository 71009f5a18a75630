import type { ApolloServerPlugin } from '@apollo/server';

/**
 * A fixed link in the corner of the Sandbox page, to GraphiQL (which needs no CDN). The page's
 * Content-Security-Policy admits only styles with its nonce, so the link's style carries it.
 */
export function graphiqlLink(nonce: string | undefined): string {
  const style =
    '#graphiql-link{position:fixed;right:12px;bottom:12px;z-index:2147483647;padding:6px 10px;background:#fff;color:#1f6feb;' +
    'border:1px solid #1f6feb;border-radius:6px;font:14px system-ui,sans-serif;text-decoration:none}';
  return `<style${nonce ? ` nonce="${nonce}"` : ''}>${style}</style><a id="graphiql-link" href="graphiql">Offline? Open GraphiQL</a>`;
}

/**
 * Wraps Apollo's landing-page plugin (Sandbox, from Apollo's CDN) so that its page links to
 * /graphiql: where the CDN cannot be reached, the page says "Sandbox cannot be loaded", and the
 * link is the way on.
 */
export function withGraphiQLLink(landingPage: ApolloServerPlugin): ApolloServerPlugin {
  return {
    async serverWillStart(ctx) {
      const listener = await landingPage.serverWillStart?.(ctx);
      const render = listener?.renderLandingPage;
      if (!listener || !render) return listener;
      return {
        ...listener,
        async renderLandingPage() {
          const page = await render.call(listener);
          const html = typeof page.html === 'string' ? page.html : await page.html();
          const link = graphiqlLink(/<style nonce="?([\w+/=-]+)"?>/.exec(html)?.[1]);
          return { html: html.includes('</body>') ? html.replace('</body>', `${link}</body>`) : html + link };
        },
      };
    },
  };
}
