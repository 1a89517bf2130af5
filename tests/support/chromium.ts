// Where the browser tests find Debian's Chromium (CHROMIUM_PATH overrides). Without it they are
// skipped on a developer's machine, but .ci/run sets PAPERBOY_REQUIRE_BROWSER=1: there a missing
// browser fails the run instead of quietly skipping the browser tests.
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const skipWithoutChromium = !existsSync(CHROMIUM) && !process.env.PAPERBOY_REQUIRE_BROWSER;
