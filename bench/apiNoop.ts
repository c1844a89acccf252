import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import Router from 'express-promise-router';
import { createHash } from 'node:crypto';

/**
 * `count` distinct JSON documents of exactly `bytes` bytes each (at least
 * 11), each with its ETag.
 */
function paddedJson(bytes: number, count: number) {
  return Array.from({ length: count }, (_, i) => {
    // The same length whatever the index: the index starts the pad.
    const tag = i.toString(36);
    const pad = tag + 'x'.repeat(Math.max(0, bytes - 10 - tag.length));
    const body = Buffer.from(JSON.stringify({ pad }));
    return {
      body,
      etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
    };
  });
}

/**
 * The reference route: authenticated like the product's routes (the same
 * httpRouter middleware and httpAuth check), doing nothing else. Plain, it
 * answers `{"ok":true}`. With `?bytes=N&bodies=M` it answers M distinct
 * JSON documents of N bytes in turn, made once at the first request, sent
 * as the product sends its prepared responses (a ready buffer with its
 * ETag): what the framework costs to serve that many bytes from a working
 * set as large as the route's (a route answering one of 5,000 accounts'
 * reports copies them from memory that is not all in the CPU's caches;
 * one buffer answered again and again always is), which the routes cannot
 * do with less.
 */
export const noopPlugin = createBackendPlugin({
  pluginId: 'bench-noop',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        // Not used: depending on them is what mounts their routers in front
        // of the plugin's own, as they are in front of the product's routes.
        scheduler: coreServices.scheduler,
        permissionsRegistry: coreServices.permissionsRegistry,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init({ httpRouter, httpAuth }) {
        const router = Router();
        const padded = new Map<
          string,
          { bodies: ReturnType<typeof paddedJson>; next: number }
        >();
        router.get('/noop', async (req, res) => {
          await httpAuth.credentials(req, { allow: ['user'] });
          const bytes = Number(req.query.bytes ?? 0);
          if (!bytes) {
            res.json({ ok: true });
            return;
          }
          const count = Math.max(1, Number(req.query.bodies ?? 1));
          const key = `${bytes}/${count}`;
          let set = padded.get(key);
          if (!set) {
            set = { bodies: paddedJson(bytes, count), next: 0 };
            padded.set(key, set);
          }
          const json = set.bodies[set.next];
          set.next = (set.next + 1) % count;
          res.setHeader('Content-Type', 'application/json; charset=utf-8');
          res.setHeader('ETag', json.etag);
          res.send(json.body);
        });
        httpRouter.use(router);
      },
    });
  },
});
