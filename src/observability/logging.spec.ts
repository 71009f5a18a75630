import { prettyLine } from './logging.js';

const json = (rec: Record<string, unknown>) => `${JSON.stringify(rec)}\n`;
const TIME = Date.UTC(2026, 11, 6, 4, 5, 6, 789);

describe('prettyLine (LOG_FORMAT=pretty)', () => {
  it('lays a Nest record out as time, level, [context], message', () => {
    expect(prettyLine(json({ level: 30, time: TIME, pid: 7, context: 'Main', msg: 'listening on http://x' }))).toBe(
      '2026-12-06T04:05:06.789Z INFO  [Main] listening on http://x\n',
    );
  });

  it("reads a request's line as method, path, status, time and its ID", () => {
    const line = prettyLine(
      json({
        level: 30,
        time: TIME,
        pid: 7,
        req: { id: 'r-1', method: 'POST', path: '/v2/users/42/email' },
        res: { status: 200 },
        responseTime: 3.2,
        msg: 'request completed',
      }),
    );
    expect(line).toBe('2026-12-06T04:05:06.789Z INFO  POST /v2/users/42/email 200 3.2 ms id=r-1\n');
  });

  it('keeps every other field, nested keys dotted, and a stack on the one line', () => {
    const line = prettyLine(
      json({
        level: 50,
        time: TIME,
        pid: 7,
        context: 'AllExceptionsFilter',
        msg: 'unexpected error',
        incident: 'INTERNAL-abc',
        err: { type: 'Error', message: 'boom at mi***@mouse.com', stack: 'Error: boom\n    at f (x.js:1:1)' },
      }),
    );
    expect(line.split('\n')).toEqual([
      '2026-12-06T04:05:06.789Z ERROR [AllExceptionsFilter] unexpected error incident=INTERNAL-abc err.type=Error ' +
        'err.message="boom at mi***@mouse.com" err.stack="Error: boom\\n    at f (x.js:1:1)"',
      '',
    ]);
  });

  it('adds nothing the record does not hold: a masked address stays masked', () => {
    const line = prettyLine(json({ level: 40, time: TIME, pid: 7, msg: 'mail to mi***@mouse.com deferred', to: 'mi***@mouse.com' }));
    expect(line).toBe('2026-12-06T04:05:06.789Z WARN  mail to mi***@mouse.com deferred to=mi***@mouse.com\n');
  });

  it('passes a line that is not JSON through unchanged', () => {
    expect(prettyLine('not json\n')).toBe('not json\n');
  });
});
