import { ConnectError } from '@connectrpc/connect';
import { errorInterceptor } from './interceptors.js';

describe('errorInterceptor (spec §7.10): unexpected errors are logged redacted, like the other transports', () => {
  it('masks addresses and removes token-like strings from the logged stack; the client sees code 13 only', async () => {
    const logged: string[] = [];
    const log = (m: string) => logged.push(m);
    const token = 'A'.repeat(20) + 'b'.repeat(23);
    const call = errorInterceptor(log)(() => Promise.reject(new Error(`boom for mini@mouse.com with ${token}`)));
    const err = await call({} as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(13);
    expect((err as ConnectError).message).not.toContain('mouse');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('mi***@mouse.com');
    expect(logged[0]).not.toContain('mini@mouse.com');
    expect(logged[0]).not.toContain(token);
    expect(logged[0]).toContain('[redacted]');
  });
});
