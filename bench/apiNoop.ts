import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import Router from 'express-promise-router';
import { createHash } from 'node:crypto';

/** A JSON document of exactly `bytes` bytes (at least 11), with its ETag. */
function paddedJson(bytes: number) {
  const body = Buffer.from(
    JSON.stringify({ pad: 'x'.repeat(Math.max(0, bytes - 10)) }),
  );
  return {
    body,
    etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
  };
}

/**
 * The reference route: authenticated like the product's routes (the same
 * httpRouter middleware and httpAuth check), doing nothing else. Plain, it
 * answers `{"ok":true}`. With `?bytes=N` it answers a JSON document of N
 * bytes made once at the first request, sent as the product sends its
 * prepared responses (a ready buffer with its ETag): what the framework
 * costs to serve that many bytes, which the routes cannot do with less.
 */
export const noopPlugin = createBackendPlugin({
  pluginId: 'bench-noop',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
      },
      async init({ httpRouter, httpAuth }) {
        const router = Router();
        const padded = new Map<number, ReturnType<typeof paddedJson>>();
        router.get('/noop', async (req, res) => {
          await httpAuth.credentials(req, { allow: ['user'] });
          const bytes = Number(req.query.bytes ?? 0);
          if (!bytes) {
            res.json({ ok: true });
            return;
          }
          let json = padded.get(bytes);
          if (!json) {
            json = paddedJson(bytes);
            padded.set(bytes, json);
          }
          res.setHeader('Content-Type', 'application/json; charset=utf-8');
          res.setHeader('ETag', json.etag);
          res.send(json.body);
        });
        httpRouter.use(router);
      },
    });
  },
});
