/**
 * A typed storage item whose value is parsed on every read: a value written by an older build (or
 * edited by hand) must not be trusted blindly. Anything that does not parse reads as the fallback.
 */
import type { z } from 'zod';
import { storage, type StorageItemKey } from 'wxt/utils/storage';

export interface StoredItem<T> {
  get(): Promise<T>;
  set(value: T): Promise<void>;
  /** Calls `onChange` with every new value; returns the function that stops watching. */
  watch(onChange: (value: T) => void): () => void;
}

/**
 * The WXT item is defined on first use: defining one starts reading storage, and a module that only
 * declares an item (beside the schemas tests import) must have no effect when imported.
 */
export function storedItem<S extends z.ZodType>(key: StorageItemKey, schema: S, fallback: z.output<S>): StoredItem<z.output<S>> {
  let defined: ReturnType<typeof storage.defineItem<unknown>> | null = null;
  const item = () => (defined ??= storage.defineItem<unknown>(key, { fallback }));
  const parse = (value: unknown): z.output<S> => {
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : fallback;
  };
  return {
    get: async () => parse(await item().getValue()),
    set: (value) => item().setValue(value),
    watch: (onChange) => item().watch((value) => onChange(parse(value))),
  };
}
