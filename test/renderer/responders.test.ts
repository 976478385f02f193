import { expect } from 'chai';
import { makeResponder, RESPONDER_LIMITS, type Responder } from '../../renderer/lib/responders';

const enc = (s: string) => new TextEncoder().encode(s);

describe('renderer/lib/responders', () => {
  it('matches text with escapes, hex bytes and regular expressions anywhere in a chunk', () => {
    const text = makeResponder(1, 'text', 'PING\\r\\n', 'text', 'PONG\\r\\n') as Responder;
    expect(text.test(enc('xx PING\r\n'))).to.equal(true);
    expect(text.test(enc('PING'))).to.equal(false);
    expect([...text.reply]).to.deep.equal([...enc('PONG\r\n')]);
    const hex = makeResponder(2, 'hex', 'de ad', 'hex', 'be ef') as Responder;
    expect(hex.test(Uint8Array.from([1, 0xde, 0xad]))).to.equal(true);
    expect(hex.test(Uint8Array.from([0xad, 0xde]))).to.equal(false);
    expect([...hex.reply]).to.deep.equal([0xbe, 0xef]);
    const re = makeResponder(3, 'regex', '^GET /\\S*', 'text', 'HTTP/1.0 200 OK\\r\\n\\r\\n') as Responder;
    expect(re.test(enc('GET /index.html HTTP/1.1'))).to.equal(true);
    expect(re.test(enc(' GET /'))).to.equal(false);
    expect(re.limit).to.equal(RESPONDER_LIMITS.defaultReplies);
  });

  it('says what is wrong instead of making a responder', () => {
    expect(makeResponder(1, 'text', '', 'text', 'x')).to.equal('Enter what to match');
    expect(makeResponder(1, 'regex', '(', 'text', 'x')).to.match(/^regex: /);
    expect(makeResponder(1, 'hex', 'zz', 'text', 'x')).to.match(/^match: /);
    expect(makeResponder(1, 'text', 'a', 'hex', 'q')).to.match(/^reply: /);
    expect(makeResponder(1, 'text', 'a', 'text', '')).to.equal('Enter a reply');
    expect(makeResponder(1, 'text', 'a', 'text', 'b', RESPONDER_LIMITS.maxReplies + 1)).to.equal(
      `Replies must be a whole number from 1 to ${RESPONDER_LIMITS.maxReplies}`,
    );
  });
});
