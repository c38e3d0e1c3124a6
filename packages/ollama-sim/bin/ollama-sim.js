#!/usr/bin/env node
// The command's entry: a file that exists before the build, so package managers link the bin at
// install time (a bin pointing into dist/ is missing on a fresh workspace install). The CLI itself
// is dist/cli.js.
import '../dist/cli.js';
