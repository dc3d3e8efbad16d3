// Templates are real files of their format under templates/, shipped with the package. This module sits
// at the top of src/ (and its bundle in dist/), so "../templates" is the same place from both.
import { readFileSync } from 'node:fs';

export function readTemplate(name: string): string {
  return readFileSync(new URL(`../templates/${name}`, import.meta.url), 'utf8');
}
