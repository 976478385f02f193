/**
 * A secured socket's TLS session (protocol, cipher, peer certificate), or the certificate its
 * secure() refused with the offer to trust it for this session. The data comes from the host's
 * inspection (never from chrome.sockets, which shows an app none of it, as in Chrome); trusting
 * goes through the window's privileged tap channel (SocketsHost.addTrustedCertificate).
 */
import type { InspectCertificate, InspectRejectedCertificate, InspectTls, TapProvider } from '../../common/inspect-types';
import { netErrorShortName } from '../../common/net-errors';
import { h, replace, setText } from './dom';

const CERT_AUTHORITY_INVALID = -202;

function certRows(c: InspectCertificate): HTMLElement[] {
  const row = (k: string, v: string, cls = '') => [h('dt', null, k), h('dd', { class: cls, title: v }, v)];
  return [
    ...row('subject', c.subject),
    ...row('issuer', c.issuer),
    ...row('valid', `${c.validFrom} → ${c.validTo}`),
    ...(c.subjectAltName ? row('names', c.subjectAltName) : []),
    ...row('SHA-256', c.fingerprint256, 'mono fp'),
  ];
}

export class TlsPanel {
  readonly root: HTMLElement;
  private shown = '';
  private readonly status: HTMLElement;

  constructor(
    private readonly tap: TapProvider | undefined,
    /** Called once a certificate is trusted (the view offers to connect again). */
    private readonly onTrusted?: (r: InspectRejectedCertificate) => void,
  ) {
    this.status = h('span', { class: 'tls-status small', role: 'status' });
    this.root = h('div', { class: 'panel tls-panel', hidden: true, 'aria-label': 'TLS' });
  }

  /** Shows the session, or the refusal, or nothing; repaints only when that changed. */
  show(session: InspectTls | undefined, rejected: InspectRejectedCertificate | undefined): void {
    const key = session
      ? `s:${session.protocol}:${session.cipher}:${session.peerCertificate?.fingerprint256}`
      : rejected
        ? `r:${rejected.time}`
        : '';
    if (key === this.shown) return;
    this.shown = key;
    this.root.hidden = key === '';
    if (session) return this.paintSession(session);
    if (rejected) return this.paintRejected(rejected);
    replace(this.root);
  }

  private paintSession(s: InspectTls): void {
    const peer = s.peerCertificate;
    // One summary line; the details fold away on short windows so the log keeps its height.
    const details = h(
      'details',
      { class: 'tls-details', open: window.innerHeight >= 800 },
      h(
        'summary',
        { title: 'Read from the host; chrome.sockets shows an app none of this, as in Chrome' },
        h('h3', null, 'TLS'),
        h('span', { class: 'tls-summary mono' }, [s.protocol, s.cipher, peer?.subject].filter(Boolean).join(' · ')),
      ),
      h(
        'dl',
        { class: 'info tls-info' },
        h('dt', null, 'protocol'),
        h('dd', { class: 'tls-protocol' }, s.protocol),
        h('dt', null, 'cipher'),
        h('dd', { class: 'tls-cipher', title: s.cipher }, s.cipher),
        ...(peer ? certRows(peer) : [h('dt', null, 'peer'), h('dd', { class: 'absent' }, 'no certificate')]),
      ),
    );
    replace(this.root, details);
  }

  private paintRejected(r: InspectRejectedCertificate): void {
    const trustable = r.resultCode === CERT_AUTHORITY_INVALID && r.anchor && this.tap !== undefined;
    const self = r.top.fingerprint256 === r.certificate.fingerprint256;
    const why =
      r.resultCode !== CERT_AUTHORITY_INVALID
        ? 'Trusting does not help with this error.'
        : !r.anchor
          ? `The peer sent no self-signed root (its chain ends at ${r.top.subject}), so there is nothing to trust here: give the host its CA (--ca <file>).`
          : this.tap === undefined
            ? 'This window has no privileged channel to the host, so it cannot trust certificates.'
            : '';
    const button = trustable
      ? h(
          'button',
          {
            type: 'button',
            class: 'primary trust-btn',
            title: `Trust ${r.top.subject} (SHA-256 ${r.top.fingerprint256}) for secure() of app ${r.app} until the host stops`,
            onclick: () => void this.trust(r, button!),
          },
          self ? 'Trust this certificate for this session' : 'Trust its root for this session',
        )
      : undefined;
    replace(
      this.root,
      h('h3', null, 'TLS ', h('span', { class: 'bad' }, `refused: ${netErrorShortName(r.resultCode)}`)),
      h('p', { class: 'small tls-reason' }, `The peer's certificate did not verify (${r.reason}).`),
      h('dl', { class: 'info tls-info' }, ...certRows(r.certificate)),
      self
        ? null
        : h('p', { class: 'small muted' }, `Chain top sent by the peer: ${r.top.subject} (SHA-256 ${r.top.fingerprint256.slice(0, 23)}…)`),
      h('div', { class: 'opt-row' }, button ?? null, why ? h('span', { class: 'small muted' }, why) : null, this.status),
    );
  }

  private async trust(r: InspectRejectedCertificate, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    setText(this.status, 'trusting…');
    this.status.className = 'tls-status small';
    try {
      await this.tap!({ op: 'trust', app: r.app, fingerprint256: r.top.fingerprint256 });
      setText(this.status, `Trusted for app ${r.app} until the host stops. A new secure() will accept it.`);
      this.status.classList.add('ok');
      this.onTrusted?.(r);
    } catch (error) {
      button.disabled = false;
      setText(this.status, `Could not trust it: ${error instanceof Error ? error.message : String(error)}`);
      this.status.classList.add('error');
    }
  }
}
