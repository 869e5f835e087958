/**
 * Makes a bench run use Eventyard's compiled JavaScript (dist/, written by `npm run build`)
 * instead of its TypeScript sources, the way users run the package:
 *   node --import tsx --import ./bench/harness/compiled-src.mjs bench/run-one.ts '<RunSpec>'
 * Registered after tsx, its resolve hook runs first and maps every module tsx resolved under
 * src/ to its dist/ counterpart (compiled-src-hook.mjs). Without it, tsx transpiles src/
 * with esbuild's keepNames, which wraps every function created at run time in a __name()
 * call (Object.defineProperty): about 5% of the SQLite drain's CPU profile, a cost the peers
 * (plain JavaScript from node_modules) do not pay.
 */
import { register } from 'node:module';

register('./compiled-src-hook.mjs', import.meta.url);
