import { describe, expect, it } from 'vitest';
import { freePort } from '../../local/stack.ts';

describe('freePort', () => {
  it('never hands out a port twice, even when nothing has bound the first one yet', async () => {
    // 500 draws from the kernel repeat ports (4 to 21 of them in tries here: it reuses closed ones);
    // servers started side by side got the same one and the second failed to bind.
    const ports: number[] = [];
    for (let i = 0; i < 500; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports.every((port) => port > 0 && port < 65536)).toBe(true);
  });
});
