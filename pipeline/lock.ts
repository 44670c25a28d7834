/**
 * A lock file so two nightly runs never overlap. The file holds the owner's pid, host and start
 * time; a lock whose process is gone (same host, pid not alive) is stale and taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

export class LockBusyError extends Error {}

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireLock(path: string): { release(): void } {
  mkdirSync(dirname(path), { recursive: true });
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          const cur = JSON.parse(readFileSync(path, 'utf8'));
          if (cur.pid === process.pid) rmSync(path, { force: true });
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return { release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner: { pid?: number; host?: string; started?: string } = {};
      try {
        owner = JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        /* half-written lock: treat as stale */
      }
      if (owner.pid && owner.host === hostname() && alive(owner.pid))
        throw new LockBusyError(`another run holds ${path} (pid ${owner.pid}, since ${owner.started}); not starting`);
      if (owner.pid && owner.host && owner.host !== hostname())
        throw new LockBusyError(`${path} is held by ${owner.host} pid ${owner.pid}; remove it by hand if that run is dead`);
      rmSync(path, { force: true }); // stale
    }
  }
  throw new LockBusyError(`could not take ${path}`);
}
