// Templates are real files of their format under templates/, shipped with the package. This module sits
// at the top of src/ (and its bundle in dist/), so "../templates" is the same place from both.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The templates folder, for what is copied whole (the starter agent). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

export function readTemplate(name: string): string {
  return readFileSync(new URL(`../templates/${name}`, import.meta.url), 'utf8');
}
