#!/usr/bin/env node
'use strict';
// Command dispatcher: `electron-chrome-sockets <command> [options]`.
const [command, ...rest] = process.argv.slice(2);

const USAGE = `Usage: electron-chrome-sockets <command> [options]

Commands:
  serve    serve chrome.sockets to pages in any browser (see: serve --help)
  run      run an unpacked Chrome App (see: run --help)
`;

if (command === 'serve') {
  require('../dist/main/browser-host/cli.js')
    .main(rest)
    .then((code) => {
      process.exitCode = code;
    });
} else if (command === 'run') {
  require('../dist/main/runner/cli.js')
    .main(rest)
    .then((code) => {
      process.exitCode = code;
    });
} else if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
  process.stdout.write(USAGE);
} else {
  process.stderr.write(`Unknown command '${command}'.\n${USAGE}`);
  process.exitCode = 2;
}
