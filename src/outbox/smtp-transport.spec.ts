import { isLoopbackHost, smtpTransportOptions, tlsPolicy } from './smtp-transport.js';

describe('SMTP TLS policy (spec §7.11)', () => {
  it.each(['localhost', '127.0.0.1', '127.1.2.3', '[::1]', 'LOCALHOST'])('%s is loopback', (h) => expect(isLoopbackHost(h)).toBe(true));
  it.each(['mail.example.com', '10.0.0.1', '128.0.0.1', '[::2]', 'localhost.example.com'])('%s is not', (h) =>
    expect(isLoopbackHost(h)).toBe(false),
  );

  it('smtp:// to a remote host requires STARTTLS', () => {
    expect(tlsPolicy('smtp://user:pass@mail.example.com:587')).toEqual({ requireTLS: true });
    expect(smtpTransportOptions('smtp://mail.example.com:587', 1)).toMatchObject({ requireTLS: true, secure: false });
  });

  it('smtp:// to loopback: STARTTLS when offered, not required', () => {
    expect(tlsPolicy('smtp://127.0.0.1:2525')).toEqual({});
    expect(smtpTransportOptions('smtp://localhost:25', 1).requireTLS).toBeUndefined();
  });

  it('?tls=none: no TLS at all, and the parameter is not passed on as TLS options', () => {
    const o = smtpTransportOptions('smtp://mail.internal:25?tls=none', 1);
    expect(o).toMatchObject({ ignoreTLS: true });
    expect(o.requireTLS).toBeUndefined();
    expect(o.tls).toBeUndefined();
  });

  it('smtps:// is TLS from the start', () => {
    expect(tlsPolicy('smtps://mail.example.com:465')).toEqual({});
    expect(smtpTransportOptions('smtps://mail.example.com:465', 1)).toMatchObject({ secure: true });
  });
});
