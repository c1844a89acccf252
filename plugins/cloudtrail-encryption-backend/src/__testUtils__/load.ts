import autocannon from 'autocannon';
import type { Server } from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  p50: number;
  p99: number;
  throughput: number;
}

/**
 * Sends `amount` requests from `connections` concurrent clients, cycling
 * through `paths`, to a server on loopback.
 */
export async function load(options: {
  server: Server | string;
  paths: string[];
  headers: Record<string, string>;
  amount: number;
  connections: number;
}): Promise<LoadResult> {
  const url =
    typeof options.server === 'string'
      ? options.server
      : `http://127.0.0.1:${
          (options.server.address() as { port: number }).port
        }`;
  const result = await autocannon({
    url,
    connections: options.connections,
    amount: options.amount,
    timeout: 30,
    requests: options.paths.map(path => ({
      method: 'GET' as const,
      path,
      headers: options.headers,
    })),
  });
  return {
    requests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    p50: result.latency.p50,
    p99: result.latency.p99,
    throughput: result.requests.average,
  };
}
