// Replay protection across a loss of the nonce store. A nonce store that starts empty starts a
// new epoch (nonces.ts); the nonces of the previous one are gone, so a request accepted before
// would be accepted again while its timestamp is inside the signing window. Policy:
//
//  - request timestamps may be at most `clockAheadSeconds` ahead of the store's clock (and, as
//    before, at most SIGNATURE_WINDOW_SECONDS behind it);
//  - in an epoch that follows another one (a reset), requests signed before the epoch's start
//    plus `clockAheadSeconds` are refused. Every request accepted before the reset was signed
//    before that point (it was accepted before the start, at most clockAheadSeconds ahead), so
//    none of them can be replayed; a client whose request is refused signs it again;
//  - the first epoch a deployment ever sees has no floor (nothing was accepted before it).
//
// Which epochs there were is recorded in PostgreSQL (tessera.replay_epochs), which survives a
// Redis restart. PostgreSQL is asked once per replica and epoch; on the hot path the floor is a
// map lookup.

import type { Pool } from 'pg';
import { epochStart } from './nonces.ts';

export interface EpochFloor {
  /** requests signed before this (ms since the Unix epoch) are refused; 0: none */
  floorMs: number;
  /** when the epoch started (ms) */
  startMs: number;
}

/** Default and bounds of how far ahead of the store's clock a request timestamp may be. */
export const DEFAULT_CLOCK_AHEAD_SECONDS = 30;
export const MAX_CLOCK_AHEAD_SECONDS = 300;

export class ReplayEpochs {
  readonly clockAheadSeconds: number;
  readonly #pool: Pool;
  readonly #known = new Map<string, EpochFloor | Promise<EpochFloor>>();

  constructor(pool: Pool, clockAheadSeconds = DEFAULT_CLOCK_AHEAD_SECONDS) {
    if (
      !Number.isInteger(clockAheadSeconds) ||
      clockAheadSeconds < 0 ||
      clockAheadSeconds > MAX_CLOCK_AHEAD_SECONDS
    )
      throw new Error(
        `the replay clock-ahead allowance must be a whole number of seconds from 0 to ${MAX_CLOCK_AHEAD_SECONDS}, got ${clockAheadSeconds}`,
      );
    this.clockAheadSeconds = clockAheadSeconds;
    this.#pool = pool;
  }

  /** The floor of `epoch`: synchronous once this replica has seen the epoch. Throws on a malformed id. */
  floor(epoch: string): EpochFloor | Promise<EpochFloor> {
    const known = this.#known.get(epoch);
    if (known) return known;
    const startMs = epochStart(epoch);
    if (Number.isNaN(startMs))
      throw new Error(`the nonce store holds a malformed replay epoch id "${epoch}"`);
    const p = this.#register(epoch, startMs).then(
      (f) => {
        this.#known.set(epoch, f);
        return f;
      },
      (e: unknown) => {
        this.#known.delete(epoch);
        throw e;
      },
    );
    // only the current epoch and a few before it are ever asked for
    if (this.#known.size >= 8) this.#known.delete(this.#known.keys().next().value as string);
    this.#known.set(epoch, p);
    return p;
  }

  async #register(epoch: string, startMs: number): Promise<EpochFloor> {
    const r = await this.#pool.query<{ reset: boolean }>(
      `with seen as (
         insert into tessera.replay_epochs (epoch, started_at) values ($1, to_timestamp($2 / 1000.0))
         on conflict (epoch) do nothing)
       select exists (select 1 from tessera.replay_epochs where epoch <> $1) as reset`,
      [epoch, startMs],
    );
    const reset = r.rows[0]?.reset === true;
    return { startMs, floorMs: reset ? startMs + this.clockAheadSeconds * 1000 : 0 };
  }
}
