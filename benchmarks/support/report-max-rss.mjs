/**
 * Preloaded (`node --import`) into a measured command by the bench's scaling measure: at exit, writes
 * the process's peak resident set size in bytes to the file BENCH_MAX_RSS_FILE names. Nothing else.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_MAX_RSS_FILE;
if (file) {
  process.on('exit', () => {
    // resourceUsage().maxRSS is in kilobytes.
    writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
  });
}
