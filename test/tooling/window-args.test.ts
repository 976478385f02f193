/** The Electron debugging window's `--ca <file>` option (app/window-args.ts), as `serve --ca`. */
import { expect } from 'chai';
import { parseWindowArgs, readCaFiles } from '../../app/window-args';
import { makeTestCertificates } from '../support/certs';

describe('the Electron window (app/main.ts) command line', () => {
  describe('#parseWindowArgs', () => {
    it('takes --ca <file> and --ca=<file>, repeatable, and leaves other switches alone', () => {
      expect(parseWindowArgs(['dist/app/main.js', '--ca', 'a.pem', '--enable-logging', '--ca=b.pem'])).to.deep.equal({
        caFiles: ['a.pem', 'b.pem'],
      });
      expect(parseWindowArgs(['dist/app/main.js'])).to.deep.equal({ caFiles: [] });
    });

    it('says when --ca has no file', () => {
      expect(() => parseWindowArgs(['--ca'])).to.throw('--ca needs a file');
      expect(() => parseWindowArgs(['--ca', '--other'])).to.throw('--ca needs a file');
      expect(() => parseWindowArgs(['--ca='])).to.throw('--ca needs a file');
    });
  });

  describe('#readCaFiles', () => {
    it('reads each PEM, and names the file that is missing or holds no certificate', async () => {
      const { ca } = await makeTestCertificates();
      const files: Record<string, string> = { 'ca.pem': ca, 'junk.pem': 'hello' };
      const read = (f: string): string => {
        if (!(f in files)) throw new Error(`ENOENT: no such file or directory, open '${f}'`);
        return files[f]!;
      };
      expect(readCaFiles(['ca.pem'], read)).to.deep.equal([ca]);
      expect(() => readCaFiles(['ca.pem', 'junk.pem'], read)).to.throw('--ca junk.pem: not a PEM certificate');
      expect(() => readCaFiles(['gone.pem'], read)).to.throw("--ca gone.pem: ENOENT: no such file or directory, open 'gone.pem'");
    });
  });
});
