/** Path parameters of the admin API, parsed like bodies. */
import { z } from 'zod';

export const IdParams = z.object({ id: z.string().min(1).max(128) });
export const VersionParams = z.object({ version: z.coerce.number().int().positive() });
