/**
 * Backend entry point: `backend.add(import('@trailguard/aws-sandbox/backend'))`.
 *
 * @packageDocumentation
 */

export { sandboxBackendModule as default } from './module';
