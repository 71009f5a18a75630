import { EndpointRefused, parseEndpoint, refusedAddress, resolveEndpoint } from './ssrf.js';

describe('refusedAddress: the SSRF guard’s address rule', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
  ])('refuses %s by default and allows it with the switch', (a) => {
    expect(refusedAddress(a, false)).toMatch(/private|loopback/);
    expect(refusedAddress(a, true)).toBeNull();
  });

  it.each(['169.254.169.254', '169.254.170.2', 'fd00:ec2::254', '::ffff:169.254.169.254', '100.100.100.200'])(
    'refuses the metadata address %s even with the switch',
    (a) => {
      expect(refusedAddress(a, true)).toMatch(/metadata/);
    },
  );

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '172.32.0.1', '11.0.0.1'])('allows the public address %s', (a) => {
    expect(refusedAddress(a, false)).toBeNull();
  });
});

describe('parseEndpoint and resolveEndpoint', () => {
  it('accepts http and https only, without credentials', () => {
    expect(parseEndpoint('https://example.com/hook').hostname).toBe('example.com');
    for (const bad of ['ftp://example.com', 'file:///etc/passwd', 'gopher://x', 'http://u:p@example.com/', 'not a url']) {
      expect(() => parseEndpoint(bad)).toThrow(EndpointRefused);
    }
  });

  it('checks what a name resolves to, and pins an allowed address', async () => {
    await expect(resolveEndpoint(new URL('http://localhost:9/'), false)).rejects.toThrow(EndpointRefused);
    await expect(resolveEndpoint(new URL('http://localhost:9/'), true)).resolves.toMatchObject({
      address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/),
    });
    await expect(resolveEndpoint(new URL('http://[::1]:9/'), false)).rejects.toThrow(/loopback/);
    await expect(resolveEndpoint(new URL('http://8.8.8.8/'), false)).resolves.toEqual({ address: '8.8.8.8', family: 4 });
  });
});
