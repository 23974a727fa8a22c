/**
 * zod, configured once for the whole lab: without `jitless`, zod probes `new Function` on first use, which a
 * strict Content-Security-Policy (no 'unsafe-eval') reports as a violation even though zod catches it.
 * Every module imports z from here, so this runs before any schema is built.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
