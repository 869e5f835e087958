/**
 * `eventyard/console`: the web console and its JSON API, to run alone or mount into your
 * own Hono, Express or Fastify app.
 */
export {
  createConsole,
  startConsoleServer,
  type Console,
  type ConsoleServer,
  type ConsoleServerOptions,
} from './console-server.js';
export type { ConsoleAuth, ConsoleOptions } from './console-options.js';
export { CSP } from './security.js';
