// Loaded with --import: records every module URL the program loads, on stderr, so a test can see
// which bundle chunks (and so which libraries) a command pulled in.
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(`
export async function load(url, context, next) {
  if (url.startsWith('file:')) process.stderr.write('LOADED ' + url + '\\n');
  return next(url, context);
}`));
