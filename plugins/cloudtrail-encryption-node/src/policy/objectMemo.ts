/**
 * A memo whose entries are kept on their key objects: `WeakMap`'s API and
 * lifetime (an entry goes with its key), without a `WeakMap`.
 *
 * V8's young-generation collector (the scavenger) visits the values of a
 * `WeakMap` strongly and drops the entries whose keys died only after it has
 * copied them. A module's `WeakMap` lives in the old generation, so every
 * value it was given for a short-lived key (a principal, an account's
 * details, a document's statements) survived the next scavenge, was moved to
 * the old generation by the one after and died there: at 1,002 accounts,
 * most of what the readers analysis promoted. A value kept on its key dies
 * with it in the young generation (docs/scaling.md).
 *
 * The entry is a non-enumerable property under a symbol of the memo's own:
 * JSON, spreading and structured clones do not see it. A key that cannot
 * take a property (frozen, sealed) has its entry in a `WeakMap`. The entry
 * is read as a property, without an own-property check on each look-up, so
 * a key must not inherit from another key (the readers' keys are parsed
 * records, arrays and class instances).
 */
export class ObjectMemo<K extends object, V> {
  readonly #symbol = Symbol('memo');
  #fallback?: WeakMap<K, V>;

  get(key: K): V | undefined {
    const value = (key as Record<symbol, V | undefined>)[this.#symbol];
    return value !== undefined || !this.#fallback
      ? value
      : this.#fallback.get(key);
  }

  has(key: K): boolean {
    return this.#symbol in key || (this.#fallback?.has(key) ?? false);
  }

  set(key: K, value: V): this {
    if (this.#symbol in key) {
      (key as Record<symbol, V>)[this.#symbol] = value;
    } else if (Object.isExtensible(key)) {
      Object.defineProperty(key, this.#symbol, {
        value,
        writable: true,
        configurable: true,
        enumerable: false,
      });
    } else {
      (this.#fallback ??= new WeakMap()).set(key, value);
    }
    return this;
  }

  delete(key: K): boolean {
    if (this.#symbol in key) {
      return delete (key as Record<symbol, V>)[this.#symbol];
    }
    return this.#fallback?.delete(key) ?? false;
  }
}
