// No dependencies: the benchmark's baseline (bench/baseline/server.ts) runs the same check.

// RFC 5322 atext, as Go's net/mail accepts in a dot-atom local part.
const ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;

/**
 * protoc-gen-validate's `email` rule: Go's mail.ParseAddress must accept the value (so the
 * "Name <addr>" form passes here and is refused later by the domain check, EMAIL-599GV), the
 * address at most 254 bytes, its local part at most 64, its host a valid hostname.
 */
export function isPgvEmail(value: string): boolean {
  let addr = value.trim();
  const angle = /^([^<>]*)<([^<>]*)>$/.exec(addr);
  if (angle) {
    const name = angle[1]!.trim();
    if (name && !/^("([^"\\]|\\.)*"|[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-. \u0080-\uffff]+)$/.test(name)) return false;
    addr = angle[2]!.trim();
  }
  const at = addr.lastIndexOf('@');
  if (at <= 0 || at === addr.length - 1) return false;
  const local = addr.slice(0, at);
  const host = addr.slice(at + 1);
  const quoted = /^"([^"\\\r\n]|\\.)*"$/.test(local);
  if (!quoted && !local.split('.').every((p) => ATOM.test(p))) return false;
  if (Buffer.byteLength(addr) > 254 || Buffer.byteLength(local) > 64) return false;
  const h = host.replace(/\.$/, '').toLowerCase();
  if (h.length === 0 || h.length > 253) return false;
  return h
    .split('.')
    .every(
      (label) => label.length > 0 && label.length <= 63 && /^[a-z0-9-]+$/.test(label) && !label.startsWith('-') && !label.endsWith('-'),
    );
}
