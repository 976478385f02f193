/**
 * The electron-builder configuration of the debugging window, checked offline against
 * electron-builder's own schema (it validates before any download).
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');

// app-builder-lib's config loader and validator; no binaries are fetched by these.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: unknown): Promise<Record<string, any>>;
  validateConfiguration(config: unknown, debugLogger: unknown): Promise<void>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

describe('electron-builder.yml', function () {
  // Loading electron-builder takes seconds, and many on a loaded machine; nothing here is timed.
  this.timeout(120_000);
  it("passes electron-builder's schema validation", async () => {
    const config = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
    await validateConfiguration(config, new DebugLogger(false));
    expect(config.appId).to.equal('io.github.electron-chrome-sockets.debugger');
    expect(config.productName).to.equal('Socket Debugger');
    expect(config.asar).to.equal(true);
    expect(config.linux.target).to.deep.equal(['AppImage', 'deb', 'tar.gz']);
    expect(config.extraMetadata.main).to.equal('dist/app/main.js');
  });

  it('is a check that can fail: the validator rejects an unknown option', async () => {
    const config = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
    let error: Error | undefined;
    try {
      await validateConfiguration({ ...config, linux: { ...config.linux, targett: ['deb'] } }, new DebugLogger(false));
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.match(/Invalid configuration object[\s\S]*configuration\.linux/);
  });

  it('packages what the app entry loads', () => {
    // dist/app/main.js resolves the preload and the page from the package root.
    for (const file of ['dist/app/main.js', 'dist/preload/preload.js', 'dist/app/preload.bundle.js', 'dist/renderer/index.html']) {
      expect(fs.existsSync(path.join(root, file)), file).to.equal(true);
    }
  });
});
